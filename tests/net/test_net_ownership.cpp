// The event-loop ownership rules of src/net (README.md there), checked in-process on a real loop:
// nothing calls back into its caller from inside a read, a write or a curl callback, and
// cancelling an upstream call from inside its own callback is safe. Run under ASan, a broken
// rule is a use-after-free report, not just a failed check.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>

#include "net/http_server.h"
#include "net/upstream_client.h"

using namespace llmgw;
using namespace llmgw::net;

namespace {

constexpr uint64_t kLoopDeadlineMs = 10'000;  // a hang guard, not a timing check

// A write to a closed peer must fail with EPIPE, as in serve (which ignores SIGPIPE too).
const bool kSigpipeIgnored = [] { return signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();

// Runs the loop until `done()` holds or the deadline passes.
void run_until(uv_loop_t* loop, const std::function<bool()>& done) {
    bool expired = false;
    UvHandle<uv_timer_t> guard;
    guard.init(uv_timer_init, loop, &expired);
    uv_timer_start(guard.get(), [](uv_timer_t* t) { *static_cast<bool*>(t->data) = true; }, kLoopDeadlineMs, 0);
    while (!done() && !expired) uv_run(loop, UV_RUN_ONCE);
    guard.close();
}

struct Loop {
    uv_loop_t loop{};
    Loop() { uv_loop_init(&loop); }
    ~Loop() {
        uv_run(&loop, UV_RUN_DEFAULT);  // close callbacks
        uv_loop_close(&loop);
    }
};

// A server on one end of a socketpair; the test speaks HTTP on the other end.
struct ServedPair {
    int client_fd = -1;
    std::unique_ptr<HttpServer> server;
    ServedPair(uv_loop_t* loop, Handler h) {
        int sv[2];
        REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
        client_fd = sv[0];
        server = std::make_unique<HttpServer>(loop, -1, ServerLimits{}, std::move(h));
        REQUIRE(server->adopt(sv[1]) == 0);
    }
    void send(const std::string& s) { REQUIRE(::write(client_fd, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
    std::string read_available() {
        std::string out;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(client_fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
        return out;
    }
    void close_all(uv_loop_t* loop) {
        if (client_fd >= 0) ::close(client_fd);
        client_fd = -1;
        server->close_all();
        uv_run(loop, UV_RUN_DEFAULT);
    }
};

const std::string kGet = "GET /x HTTP/1.1\r\nHost: t\r\n\r\n";

}  // namespace

TEST_CASE("a write to a vanished client never runs the abort callback inside the write", "[net][ownership]") {
    Loop l;
    std::shared_ptr<Exchange> held;
    ServedPair pair(&l.loop, [&](const std::shared_ptr<Exchange>& ex) { held = ex; });
    pair.send("POST /s HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    run_until(&l.loop, [&] { return held != nullptr; });
    REQUIRE(held);
    bool in_write = false, aborted = false, aborted_inside_write = false;
    held->on_abort([&] {
        aborted = true;
        aborted_inside_write = in_write;
        held.reset();  // drop the handler's reference from inside the callback, as forward() does
    });
    held->start_stream(200, "text/event-stream");
    ::close(pair.client_fd);  // the client is gone: the next writes fail
    pair.client_fd = -1;
    std::string chunk(256 << 10, 'x');
    auto ex = held;
    for (int i = 0; i < 8 && !ex->detached(); ++i) {
        in_write = true;
        ex->write(chunk);
        in_write = false;
    }
    // The failed write already shows (writes are no-ops, a producer stops), while the abort
    // callback waits for the loop.
    CHECK(ex->detached());
    CHECK_FALSE(aborted);
    ex.reset();
    run_until(&l.loop, [&] { return aborted; });
    CHECK(aborted);
    CHECK_FALSE(aborted_inside_write);
    pair.close_all(&l.loop);
}

TEST_CASE("pipelined requests answered at once do not re-enter the handler", "[net][ownership]") {
    Loop l;
    int depth = 0, max_depth = 0, answered = 0;
    ServedPair pair(&l.loop, [&](const std::shared_ptr<Exchange>& ex) {
        ++depth;
        max_depth = std::max(max_depth, depth);
        ex->respond(200, "text/plain", "ok");  // synchronous answer: the next request must wait for the loop
        ++answered;
        --depth;
    });
    std::string burst;
    for (int i = 0; i < 50; ++i) burst += kGet;
    pair.send(burst);
    run_until(&l.loop, [&] { return answered == 50; });
    CHECK(max_depth == 1);
    std::string out = pair.read_available();
    size_t n = 0;
    for (size_t p = out.find("HTTP/1.1 200"); p != std::string::npos; p = out.find("HTTP/1.1 200", p + 1)) ++n;
    CHECK(n == 50);
    pair.close_all(&l.loop);
}

TEST_CASE("cancelling an upstream call from inside its own callback is safe", "[net][ownership]") {
    Loop l;
    // The backend: our own server on a loopback port, streaming a large answer.
    std::vector<int> fds;
    std::string err;
    int port = bind_listeners("127.0.0.1", 0, 1, &fds, &err);
    REQUIRE(port > 0);
    HttpServer backend(&l.loop, fds[0], ServerLimits{}, [](const std::shared_ptr<Exchange>& ex) {
        ex->start_stream(200, "text/event-stream");
        for (int i = 0; i < 64; ++i) ex->write(std::string(16 << 10, 'd'));
        ex->end();
    });
    REQUIRE(backend.listen() == 0);
    UpstreamClient client(&l.loop);

    // The owner lives only in the callbacks' closures, as forward()'s ProxyCall does.
    struct Owner {
        std::shared_ptr<UpstreamCall> call;
        size_t bytes = 0;
        bool* finished;
        bool* done_called;
    };
    bool finished = false, done_called = false;
    auto owner = std::make_shared<Owner>();
    owner->finished = &finished;
    owner->done_called = &done_called;
    UpstreamRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(port) + "/stream";
    req.on_body = [owner](std::string_view d) {
        owner->bytes += d.size();
        owner->call->cancel();   // from inside curl: must not free this closure under our feet
        owner->call.reset();     // and drop the owner's own reference to the call
        *owner->finished = true;
        owner->bytes += 0;       // still valid: touched after cancel()
    };
    req.on_done = [owner](const UpstreamResult&) { *owner->done_called = true; };
    std::weak_ptr<Owner> weak = owner;
    owner->call = client.start(std::move(req));
    owner.reset();  // only the closures hold it now
    run_until(&l.loop, [&] { return finished; });
    CHECK(finished);
    // Released after curl returned: the owner is gone, and on_done never ran.
    CHECK(weak.expired());
    CHECK_FALSE(done_called);
    client.close();
    backend.close_all();
    uv_run(&l.loop, UV_RUN_DEFAULT);  // the server's connections and handles close before it goes
}

namespace {
// The body of a chunked HTTP/1.1 response (after its head); empty when it is malformed or unfinished.
std::string dechunk(const std::string& response) {
    size_t p = response.find("\r\n\r\n");
    if (p == std::string::npos) return {};
    p += 4;
    std::string body;
    while (true) {
        size_t eol = response.find("\r\n", p);
        if (eol == std::string::npos) return {};
        size_t n = std::stoul(response.substr(p, eol - p), nullptr, 16);
        p = eol + 2;
        if (n == 0) return response.compare(p, 2, "\r\n") == 0 ? body : std::string();
        if (p + n + 2 > response.size() || response.compare(p + n, 2, "\r\n") != 0) return {};
        body.append(response, p, n);
        p += n + 2;
    }
}
}  // namespace

TEST_CASE("stream chunks go out framed and whole, also when the socket takes only part of them", "[net]") {
    Loop l;
    // A client that does not read at first: the socketpair's buffer fills, so later writes are
    // partly written and partly queued. Each chunk has its own content, to catch reordering.
    std::string want;
    for (int i = 0; i < 48; ++i) want += std::string(8192 + static_cast<size_t>(i), static_cast<char>('a' + i % 26));
    ServedPair pair(&l.loop, [](const std::shared_ptr<Exchange>& ex) {
        ex->start_stream(200, "text/event-stream");
        for (int i = 0; i < 48; ++i) ex->write(std::string(8192 + static_cast<size_t>(i), static_cast<char>('a' + i % 26)));
        ex->end();
    });
    pair.send(kGet);
    std::string got;
    run_until(&l.loop, [&] {
        got += pair.read_available();
        return got.find("\r\n0\r\n\r\n") != std::string::npos;
    });
    CHECK(dechunk(got) == want);
    pair.close_all(&l.loop);
}

TEST_CASE("a kept easy handle sends each request's own per-request header", "[net]") {
    Loop l;
    std::vector<int> fds;
    std::string err;
    int port = bind_listeners("127.0.0.1", 0, 1, &fds, &err);
    REQUIRE(port > 0);
    std::vector<std::string> seen;
    HttpServer backend(&l.loop, fds[0], ServerLimits{}, [&seen](const std::shared_ptr<Exchange>& ex) {
        seen.emplace_back(ex->request().header("x-request-id"));
        ex->respond(200, "application/json", "{}");
    });
    REQUIRE(backend.listen() == 0);
    UpstreamClient client(&l.loop);
    // The same shape each time, so the idle handle is reused: the id changes in place (same
    // length), then to a longer and a shorter one, and finally a request without it.
    const std::vector<std::string> ids = {"req_aaaa", "req_bbbb", "req_longer_id", "r", ""};
    for (const auto& id : ids) {
        UpstreamRequest req;
        req.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
        req.headers = {"Content-Type: application/json"};
        if (!id.empty()) req.per_request_header = "X-Request-Id: " + id;
        bool done = false;
        req.on_done = [&done](const UpstreamResult& r) {
            CHECK(r.failure == UpstreamFailure::None);
            done = true;
        };
        client.start(std::move(req));
        run_until(&l.loop, [&] { return done; });
    }
    CHECK(seen == ids);
    client.close();
    backend.close_all();
    uv_run(&l.loop, UV_RUN_DEFAULT);
}
