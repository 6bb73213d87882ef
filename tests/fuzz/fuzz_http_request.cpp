// The HTTP/1.1 request parser with the server's own callbacks (net/http_server.h): a client's
// bytes, in seeded pieces, over a socketpair to a connection the server adopts on a private loop.
// Properties: the handler only ever sees requests strict HTTP allows (a method and a target;
// header names that are tokens; values without CR, LF or NUL); what the server writes back reads
// as well-formed HTTP/1.1 responses; and the connection is torn down once the client has gone
// (ASan's leak check sees every Connection freed).
#include <llhttp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "fuzz_splits.h"
#include "net/http_server.h"

using namespace llmgw;
using namespace llmgw::fuzz;

namespace {
enum Flag { kHalfClose = 0 };
constexpr int kTurnsPerPiece = 4;       // loop turns after each piece: reads, handler, writes
constexpr int kMaxTurnsToClose = 64;    // the server must close within this many turns of EOF
constexpr int kTurnsToFree = 16;        // from hang-up to close callbacks: a few turns
constexpr std::string_view kStreamPath = "/stream";

bool is_tchar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void handle(const std::shared_ptr<net::Exchange>& ex) {
    const net::HttpRequest& r = ex->request();
    FUZZ_CHECK(!r.method.empty());
    // llhttp lets "CONNECT " through with an empty authority (RFC 9112 3.2 wants one): the
    // server answers it like any unknown path, so it is let through here (regressions/).
    FUZZ_CHECK(!r.target.empty() || r.method == "CONNECT");
    for (const auto& [name, value] : r.headers) {
        FUZZ_CHECK(!name.empty());
        for (char c : name) FUZZ_CHECK(is_tchar(c));
        FUZZ_CHECK(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
    }
    if (r.path == kStreamPath) {
        ex->start_stream(200, "text/event-stream");
        ex->write("data: x\n\n");
        ex->end();
    } else {
        ex->respond(200, "text/plain", std::to_string(r.body.size()));
    }
}

struct Server {
    uv_loop_t loop;
    std::unique_ptr<net::HttpServer> http;
    Server() {
        std::signal(SIGPIPE, SIG_IGN);
        uv_loop_init(&loop);
        std::string err;
        int fd = net::bind_reuseport("127.0.0.1", 0, &err);  // required, never listened on
        FUZZ_CHECK(fd >= 0);
        http = std::make_unique<net::HttpServer>(&loop, fd, net::ServerLimits{}, handle);
    }
    void turns(int n) {
        for (int i = 0; i < n; ++i) uv_run(&loop, UV_RUN_NOWAIT);
    }
};

Server& server() {
    static Server s;  // one loop for the whole run: building a server per input costs more than the input
    return s;
}

// Reads what is there; false once the server closed its end.
bool read_some(int fd, std::string& out) {
    char buf[16384];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) { out.append(buf, static_cast<size_t>(n)); continue; }
        return n < 0;  // 0: EOF; -1: EAGAIN (still open) or an error such as ECONNRESET
    }
}

void check_responses(std::string_view out) {
    if (out.empty()) return;
    FUZZ_CHECK(out.substr(0, 7) == "HTTP/1.");  // 1.0 answers a 1.0 request
    llhttp_settings_t settings;
    llhttp_settings_init(&settings);
    llhttp_t parser;
    llhttp_init(&parser, HTTP_RESPONSE, &settings);
    FUZZ_CHECK(llhttp_execute(&parser, out.data(), out.size()) == HPE_OK);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ControlledInput in(data, size);
    Server& s = server();
    int sv[2];
    FUZZ_CHECK(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
    FUZZ_CHECK(s.http->adopt(sv[0]) == 0);

    std::string out;
    bool open = true;
    SplitPlan(in.split_seed).feed(in.payload, [&](std::string_view piece) {
        if (!open) return;
        if (!piece.empty() && ::send(sv[1], piece.data(), piece.size(), MSG_NOSIGNAL) < 0) open = false;
        s.turns(kTurnsPerPiece);
        open = read_some(sv[1], out) && open;
    });
    if (in.flag(kHalfClose)) {  // FIN: the server answers what it has, then closes
        ::shutdown(sv[1], SHUT_WR);
        bool server_open = true;
        for (int i = 0; i < kMaxTurnsToClose && server_open; ++i) {
            s.turns(1);
            server_open = read_some(sv[1], out);
        }
        FUZZ_CHECK(!server_open);
    } else {
        s.turns(kTurnsPerPiece);
        read_some(sv[1], out);
    }
    ::close(sv[1]);
    s.turns(kTurnsToFree);  // the server sees the hang-up and frees the connection

    // A HEAD response announces a body it does not carry: only the request says so.
    if (in.payload.find("HEAD") == std::string_view::npos) check_responses(out);
    return 0;
}
