// Clients that hang up at every possible moment: resets mid-stream under concurrency, and a
// seeded mix of FIN and RST at each stage of an exchange. After each run the process must be
// alive, answering, back near its baseline memory, with no stream or upstream call left open.
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "harness.h"

using namespace harness;

namespace {

constexpr int kClients = 8;              // concurrent hostile clients
constexpr int kResetsPerClient = 40;     // 320 resets per target: hundreds crashed Release builds
constexpr int kChaosPerClient = 60;      // chaos exchanges per client
constexpr long kRssSlackKb = 24 * 1024;  // allowed growth over the warmed-up baseline

const char* kChatStream =
    R"({"model":"mock-model","stream":true,"messages":[{"role":"user","content":"Count"}]})";
const char* kMessagesStream =
    R"({"model":"mock-model","max_tokens":4000,"stream":true,"messages":[{"role":"user","content":"Count"}]})";
const char* kResponsesStream = R"({"model":"mock-model","stream":true,"input":"Count"})";

std::string post_bytes(const std::string& path, const std::string& body, const std::string& extra = "") {
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
           "anthropic-version: 2023-06-01\r\n" + extra + "Content-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

// Closes with SO_LINGER {1, 0}: the kernel sends a TCP RST instead of a FIN.
void close_with_reset(int fd) {
    linger l{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

void send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        bytes.remove_prefix(static_cast<size_t>(n));
    }
}

// Reads until `want` bytes arrived, the peer closed, or the receive timeout passed.
size_t read_some(int fd, size_t want) {
    char buf[16384];
    size_t got = 0;
    while (got < want) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    return got;
}

// Sends a streamed request, reads a few KB of the answer, then resets the connection.
void reset_mid_stream(int port, const std::string& request) {
    int fd = connect_to(port);
    if (fd < 0) return;
    send_all(fd, request);
    read_some(fd, 4096);
    close_with_reset(fd);
}

void run_clients(int per_client, const std::function<void(int client, int i)>& one) {
    std::vector<std::thread> threads;
    for (int c = 0; c < kClients; ++c)
        threads.emplace_back([&, c] {
            for (int i = 0; i < per_client; ++i) one(c, i);
        });
    for (auto& t : threads) t.join();
}

// Where to hang up, and how, in a chaos exchange.
enum class Cut { RequestLine, Headers, Body, AfterSend, AfterHead, MidStream, Pipelined, ExpectAbandoned, Count };

std::string chaos_request(Cut cut, const std::string& path, const std::string& body) {
    std::string req = post_bytes(path, body);
    switch (cut) {
        case Cut::RequestLine: return req.substr(0, 9);
        case Cut::Headers: return req.substr(0, req.find("\r\n\r\n") - 10);
        case Cut::Body: return req.substr(0, req.size() - body.size() / 2);
        case Cut::Pipelined: return req + req;
        case Cut::ExpectAbandoned:
            return post_bytes(path, body, "Expect: 100-continue\r\n").substr(0, req.size() + 24 - body.size());
        default: return req;
    }
}

void chaos_exchange(int port, std::mt19937& rng, const std::string& path, const std::string& body) {
    auto cut = static_cast<Cut>(rng() % static_cast<unsigned>(Cut::Count));
    bool rst = rng() % 2 == 0;
    int fd = connect_to(port);
    if (fd < 0) return;
    send_all(fd, chaos_request(cut, path, body));
    if (cut == Cut::AfterHead) read_some(fd, 1);
    else if (cut == Cut::MidStream || cut == Cut::Pipelined) read_some(fd, 1 + rng() % 8192);
    else if (cut == Cut::ExpectAbandoned) read_some(fd, 1);
    if (rst) close_with_reset(fd);
    else ::close(fd);
}

// Under AddressSanitizer freed memory sits in a quarantine and would count as growth.
const std::map<std::string, std::string> kNoQuarantine{{"ASAN_OPTIONS", "quarantine_size_mb=0"}};

Process chaos_mock(const std::vector<std::string>& flags) {
    std::vector<std::string> args{"mock"};
    args.insert(args.end(), flags.begin(), flags.end());
    return Process::start(args, kNoQuarantine, "/health");
}

// Alive, answering, memory near the baseline, nothing in flight.
void check_recovered(Process& p, long baseline_kb, const char* health_path = "/livez") {
    bool alive = p.running();
    if (!alive) {
        std::string log = p.log();
        INFO("process log (tail): " << log.substr(log.size() > 4000 ? log.size() - 4000 : 0));
        REQUIRE(alive);
    }
    CHECK(wait_until([&] { return get(p.url(health_path)).status == 200; }, kLivenessBoundS));
    long rss = resident_kb(p.pid());
    INFO("RSS " << rss << " kB, baseline " << baseline_kb << " kB");
    CHECK(rss < baseline_kb + kRssSlackKb);
}

// Warms the process up (first streams, thread arenas) so the baseline is not its empty state.
long warmed_baseline(Process& target, const std::string& path, const std::string& body) {
    run_clients(2, [&](int, int) { reset_mid_stream(target.port(), post_bytes(path, body)); });
    return resident_kb(target.pid());
}

}  // namespace

TEST_CASE("clients that reset mid-stream cannot crash serve, on any API", "[serve][chaos]") {
    auto mock = chaos_mock({"--tokens", "3000"});
    auto gw = start_serve(mock.url(), kNoQuarantine);
    for (auto [path, body] : {std::pair{"/v1/chat/completions", kChatStream}, {"/v1/messages", kMessagesStream},
                              {"/v1/responses", kResponsesStream}}) {
        INFO(path);
        long baseline = warmed_baseline(gw, path, body);
        std::string req = post_bytes(path, body);
        run_clients(kResetsPerClient, [&](int, int) { reset_mid_stream(gw.port(), req); });
        check_recovered(gw, baseline);
        // Every cancelled stream reached the backend as a closed connection.
        CHECK(wait_until([&] { return mock_counter(mock, "streams_active") == 0; }, kLivenessBoundS));
        CHECK(wait_until([&] { return active_streams(gw) == 0; }, kLivenessBoundS));
        CHECK(mock.running());
    }
}

TEST_CASE("clients that reset mid-stream cannot crash mock", "[mock][chaos]") {
    auto mock = chaos_mock({"--tokens", "3000"});
    long baseline = warmed_baseline(mock, "/v1/chat/completions", kChatStream);
    std::string req = post_bytes("/v1/chat/completions", kChatStream);
    run_clients(kResetsPerClient, [&](int, int) { reset_mid_stream(mock.port(), req); });
    check_recovered(mock, baseline, "/health");
    CHECK(wait_until([&] { return mock_counter(mock, "streams_active") == 0; }, kLivenessBoundS));
}

TEST_CASE("a chaos mix of hang-ups at every stage leaves serve whole", "[serve][chaos]") {
    auto mock = chaos_mock({"--tokens", "400", "--itl-ms", "1"});
    auto gw = start_serve(mock.url(), kNoQuarantine);
    long baseline = warmed_baseline(gw, "/v1/chat/completions", kChatStream);
    run_clients(kChaosPerClient, [&](int c, int i) {
        std::mt19937 rng(static_cast<unsigned>(c * 7919 + i));
        const char* paths[] = {"/v1/chat/completions", "/v1/messages", "/v1/responses"};
        const char* bodies[] = {kChatStream, kMessagesStream, kResponsesStream};
        unsigned api = rng() % 3;
        chaos_exchange(gw.port(), rng, paths[api], bodies[api]);
    });
    check_recovered(gw, baseline);
    CHECK(wait_until([&] { return mock_counter(mock, "streams_active") == 0; }, kLivenessBoundS));
    CHECK(wait_until([&] { return active_streams(gw) == 0; }, kLivenessBoundS));
    // A whole exchange still works on a fresh connection.
    auto r = post(gw.url("/v1/chat/completions"), R"({"model":"mock-model","messages":[{"role":"user","content":"hi"}]})",
                  {"Content-Type: application/json"});
    CHECK(r.status == 200);
}

TEST_CASE("a chaos mix of hang-ups at every stage leaves mock whole", "[mock][chaos]") {
    auto mock = chaos_mock({"--tokens", "400", "--itl-ms", "1"});
    long baseline = warmed_baseline(mock, "/v1/chat/completions", kChatStream);
    run_clients(kChaosPerClient, [&](int c, int i) {
        std::mt19937 rng(static_cast<unsigned>(c * 104729 + i));
        chaos_exchange(mock.port(), rng, "/v1/chat/completions", kChatStream);
    });
    check_recovered(mock, baseline, "/health");
    CHECK(wait_until([&] { return mock_counter(mock, "streams_active") == 0; }, kLivenessBoundS));
}
