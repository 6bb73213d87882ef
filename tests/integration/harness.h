// Process-level test harness: starts real `llmgw` processes on ephemeral loopback ports, talks
// HTTP to them (libcurl, or raw sockets for malformed input), and kills them when the test ends,
// pass or fail.
#pragma once
#include <rapidjson/document.h>
#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace harness {

// A running llmgw child process. Killed (SIGKILL) on destruction unless already stopped.
class Process {
public:
    Process() = default;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    Process(Process&& o) noexcept { *this = std::move(o); }
    Process& operator=(Process&& o) noexcept;
    ~Process();

    int port() const { return port_; }
    std::string url(const std::string& path = "") const;
    pid_t pid() const { return pid_; }
    // Sends `sig` and waits up to `timeout_s`; returns the exit status (or 128+signal), or -1 on
    // timeout (the process is then killed).
    int stop(int sig = 15, double timeout_s = 10);
    bool running();
    void signal(int sig);
    std::string log() const;  // stdout+stderr so far

    // Starts `llmgw <args...> --port 0 --port-file F` (no `--port 0` when args name a port: a
    // backend that must come back at the same address) and waits until it listens and `ready_path`
    // answers 2xx/5xx (any HTTP answer). Extra environment is added to a clean one.
    static Process start(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& ready_path = "/livez");

private:
    pid_t pid_ = -1;
    int port_ = 0;
    std::string dir_;
};

// A file, in a temporary directory of its own, that lives as long as the test (keys files,
// backends files). write() replaces it atomically, as an operator's editor would.
struct TempFile {
    std::string dir, path;
    TempFile();
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    void write(const std::string& text) const;
};

// A loopback port nothing listens on right now (for a backend started later at a fixed address).
int free_port();
// `llmgw mock` with extra flags.
Process start_mock(const std::vector<std::string>& extra = {});
// `llmgw serve` in front of `backend_url` with extra environment.
Process start_serve(const std::string& backend_url, std::map<std::string, std::string> env = {},
                    const std::vector<std::string>& extra = {});

struct Response {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-cased names
    std::string error;                           // curl error, if any
    double total_s = 0;
    std::string header(const std::string& lower) const {
        auto it = headers.find(lower);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct Request {
    std::string method = "GET";
    std::string url;
    std::string body;
    std::vector<std::string> headers;  // "Name: value"
    double timeout_s = 30;
    // Called with each body chunk as it arrives; return false to abort the transfer.
    std::function<bool(const std::string&)> on_chunk;
};

Response http(const Request& r);
Response get(const std::string& url, const std::vector<std::string>& headers = {});
Response post(const std::string& url, const std::string& body, const std::vector<std::string>& headers = {});

// Raw TCP: connect to 127.0.0.1:port, send `bytes`, read until the peer closes or `timeout_s`
// passes. Returns what was read.
std::string raw_exchange(int port, const std::string& bytes, double timeout_s = 5);
// An open raw connection, for slow clients and half-sent requests.
class RawConn {
public:
    // rcvbuf > 0 sets SO_RCVBUF before connecting (a small window: a slow reader).
    explicit RawConn(int port, int rcvbuf = 0);
    ~RawConn();
    bool send(const std::string& bytes);
    void shutdown_write();  // half-close: the peer sees EOF
    // Reads what is available within timeout_s; empty on timeout. Sets *closed when the peer closed.
    std::string recv(double timeout_s, bool* closed = nullptr);
    // Reads until the peer closes or timeout_s passes.
    std::string recv_all(double timeout_s, bool* closed = nullptr);
    bool ok() const { return fd_ >= 0; }
    int fd() const { return fd_; }

private:
    int fd_ = -1;
};

// A command run to completion.
struct Run {
    int exit = -1;  // exit status, or 128+signal
    std::string out, err;
    double seconds = 0;
};
// Runs `llmgw args...` to completion (killed after timeout_s; then throws) with stdout/stderr
// captured. `env` replaces these variables; BACKEND_*, MODEL_NAME and LLMGW_API_KEY are cleared unless given.
Run run_llmgw(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
              double timeout_s = 60);

// Resident set size of a process in kB (VmRSS), or -1.
long resident_kb(pid_t pid);
// The most it has been since the process started (VmHWM), in kB, or -1: catches growth that was
// given back before anyone looked.
long peak_resident_kb(pid_t pid);

// Polls `pred` every 10 ms until it holds or timeout_s passes.
bool wait_until(const std::function<bool()>& pred, double timeout_s = 10);

// How long a process may take to do what it must eventually do (settle after a burst of hundreds
// of streams, answer /health, send a stream's first bytes): a liveness bound, not a timing. Under
// ASan or TSan on a loaded 2-core machine that takes tens of seconds; a hung process never does.
inline constexpr double kLivenessBoundS = 90;

// Parses JSON text; a parse error leaves the document with HasParseError() set, not an exception.
rapidjson::Document json(const std::string& s);
// GET /mock/stats of a running `llmgw mock`, parsed: counters and the last request it got.
rapidjson::Document mock_stats(const Process& mock);
// One counter of /mock/stats ("streams_active", ...), or -1 when absent.
int64_t mock_counter(const Process& mock, const char* name);
// The llmgw_active_streams gauge of a serve process (0 when absent).
double active_streams(const Process& gw);

// The whole file, or "" when it cannot be read.
std::string read_file(const std::string& path);

// Parses "data:" payloads out of an SSE body.
std::vector<std::string> sse_data(const std::string& body);

// The events of an SSE body: each one's "event:" name and its "data:" lines joined.
struct Event {
    std::string name;
    std::string data;
};
std::vector<Event> sse_events(const std::string& body);

// A null-terminated array of pointers into `strings`, as execve and posix_spawn take argv and
// envp. Valid while `strings` lives unchanged.
std::vector<char*> c_strings(std::vector<std::string>& strings);

// Path of the llmgw binary under test.
std::string binary();

}  // namespace harness
