#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace harness {

namespace {

double now_s() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};
CurlGlobal g_curl_global;

}  // namespace

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

rapidjson::Document json(const std::string& s) {
    rapidjson::Document d;
    d.Parse(s.c_str());
    return d;
}

rapidjson::Document mock_stats(const Process& mock) { return json(get(mock.url("/mock/stats")).body); }

int64_t mock_counter(const Process& mock, const char* name) {
    auto d = mock_stats(mock);
    return d.IsObject() && d.HasMember(name) ? d[name].GetInt64() : -1;
}

double active_streams(const Process& gw) {
    static const std::string kGauge = "\nllmgw_active_streams ";
    std::string m = get(gw.url("/metrics")).body;
    auto at = m.find(kGauge);
    return at == std::string::npos ? 0 : std::stod(m.substr(at + kGauge.size()));
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

std::string binary() {
    if (const char* b = getenv("LLMGW_BINARY")) return b;
    return LLMGW_BINARY;
}

bool wait_until(const std::function<bool()>& pred, double timeout_s) {
    double end = now_s() + timeout_s;
    while (now_s() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
}

Process& Process::operator=(Process&& o) noexcept {
    std::swap(pid_, o.pid_);
    std::swap(port_, o.port_);
    std::swap(dir_, o.dir_);
    return *this;
}

Process::~Process() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) {
        std::string cmd = "rm -rf '" + dir_ + "'";
        if (system(cmd.c_str()) != 0) {}
    }
}

std::string Process::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string Process::log() const { return dir_.empty() ? std::string() : read_file(dir_ + "/log"); }

void Process::signal(int sig) {
    if (pid_ > 0) kill(pid_, sig);
}

bool Process::running() {
    if (pid_ <= 0) return false;
    int st;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

int Process::stop(int sig, double timeout_s) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    double end = now_s() + timeout_s;
    while (now_s() < end) {
        int st = 0;
        pid_t r = waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            pid_ = -1;
            if (WIFEXITED(st)) return WEXITSTATUS(st);
            if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return -1;
}

Process Process::start(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                       const std::string& ready_path) {
    char tmpl[] = "/tmp/llmgw-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    Process p;
    p.dir_ = tmpl;
    std::string port_file = p.dir_ + "/port";
    std::vector<std::string> argv_s{binary()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    if (std::find(args.begin(), args.end(), "--port") == args.end()) {
        argv_s.push_back("--port");
        argv_s.push_back("0");
    }
    argv_s.push_back("--port-file");
    argv_s.push_back(port_file);
    // A clean environment: only PATH, HOME and what the test sets, so the developer's variables
    // cannot change what a test sees.
    std::map<std::string, std::string> merged;
    for (const char* keep : {"PATH", "HOME", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"})
        if (const char* v = getenv(keep)) merged[keep] = v;
    for (const auto& [k, v] : env) {
        // Sanitizer options add to the inherited ones (later options win).
        bool san = k.size() > 8 && k.compare(k.size() - 8, 8, "_OPTIONS") == 0;
        if (san && merged.count(k)) merged[k] += ":" + v;
        else merged[k] = v;
    }
    std::vector<std::string> env_s;
    for (const auto& [k, v] : merged) env_s.push_back(k + "=" + v);
    std::vector<char*> argv = c_strings(argv_s), envp = c_strings(env_s);
    std::string log_path = p.dir_ + "/log";
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    p.pid_ = pid;
    bool up = wait_until(
        [&] {
            std::string s = read_file(port_file);
            if (!s.empty()) p.port_ = atoi(s.c_str());
            return p.port_ > 0 || !p.running();
        },
        20);
    if (!up || p.port_ <= 0)
        throw std::runtime_error("llmgw did not start: " + p.log());
    if (!ready_path.empty()) {
        bool ready = wait_until([&] { return get(p.url(ready_path)).status > 0 || !p.running(); }, 20);
        if (!ready || !p.running()) throw std::runtime_error("llmgw not answering: " + p.log());
    }
    return p;
}

int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

Process start_mock(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"mock"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Process::start(args, {}, "/health");
}

Process start_serve(const std::string& backend_url, std::map<std::string, std::string> env,
                    const std::vector<std::string>& extra) {
    env.emplace("BACKEND_BASE_URL", backend_url);
    env.emplace("LOG_LEVEL", "warning");
    env.emplace("WORKERS", "2");
    std::vector<std::string> args{"serve"};
    args.insert(args.end(), extra.begin(), extra.end());
    Process p = Process::start(args, env, "/livez");
    // Start-up discovery talks to the backend too; tests that look at what the backend received
    // last must not race it, so wait until the round is over (answered or not).
    wait_until([&] { return get(p.url("/health")).body.find("\"discovery\":\"done\"") != std::string::npos; }, 20);
    return p;
}

namespace {

struct CurlCtx {
    Response* resp;
    const Request* req;
    bool aborted = false;
};

size_t on_body(char* p, size_t s, size_t n, void* ud) {
    auto* c = static_cast<CurlCtx*>(ud);
    std::string chunk(p, s * n);
    c->resp->body.append(chunk);
    if (c->req->on_chunk && !c->req->on_chunk(chunk)) {
        c->aborted = true;
        return 0;
    }
    return s * n;
}

size_t on_header(char* p, size_t s, size_t n, void* ud) {
    auto* c = static_cast<CurlCtx*>(ud);
    std::string line(p, s * n);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string k = line.substr(0, colon);
        for (auto& ch : k) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
        std::string v = line.substr(colon + 1);
        while (!v.empty() && (v.front() == ' ')) v.erase(0, 1);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.pop_back();
        c->resp->headers[k] = v;
    }
    return s * n;
}

}  // namespace

Response http(const Request& r) {
    Response resp;
    CURL* e = curl_easy_init();
    CurlCtx ctx{&resp, &r};
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout_s * 1000));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &ctx);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &ctx);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    struct curl_slist* hl = nullptr;
    for (const auto& h : r.headers) hl = curl_slist_append(hl, h.c_str());
    if (r.method == "POST" || !r.body.empty()) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
        bool has_ct = false;
        for (const auto& h : r.headers)
            if (strncasecmp(h.c_str(), "content-type:", 13) == 0) has_ct = true;
        if (!has_ct) hl = curl_slist_append(hl, "Content-Type: application/json");
    }
    if (r.method != "GET" && r.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    if (r.method == "HEAD") curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
    CURLcode rc = curl_easy_perform(e);
    if (rc != CURLE_OK && !ctx.aborted) resp.error = curl_easy_strerror(rc);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp.status);
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &resp.total_s);
    curl_slist_free_all(hl);
    curl_easy_cleanup(e);
    return resp;
}

Response get(const std::string& url, const std::vector<std::string>& headers) {
    Request r;
    r.url = url;
    r.headers = headers;
    r.timeout_s = 10;
    return http(r);
}

Response post(const std::string& url, const std::string& body, const std::vector<std::string>& headers) {
    Request r;
    r.method = "POST";
    r.url = url;
    r.body = body;
    r.headers = headers;
    return http(r);
}

RawConn::RawConn(int port, int rcvbuf) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(fd_);
        fd_ = -1;
    }
}

RawConn::~RawConn() {
    if (fd_ >= 0) close(fd_);
}

bool RawConn::send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += static_cast<size_t>(n);
    }
    return true;
}

void RawConn::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

std::string RawConn::recv(double timeout_s, bool* closed) {
    if (closed) *closed = false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout_s * 1000)) <= 0) return {};
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
        if (closed) *closed = true;
        return {};
    }
    return std::string(buf, static_cast<size_t>(n));
}

std::string RawConn::recv_all(double timeout_s, bool* closed) {
    std::string out;
    double end = now_s() + timeout_s;
    bool c = false;
    while (now_s() < end) {
        std::string part = recv(std::max(0.0, end - now_s()), &c);
        if (c) break;
        out += part;
    }
    if (closed) *closed = c;
    return out;
}

std::string raw_exchange(int port, const std::string& bytes, double timeout_s) {
    RawConn c(port);
    if (!c.ok()) return {};
    c.send(bytes);
    return c.recv_all(timeout_s);
}

std::vector<Event> sse_events(const std::string& body) {
    std::vector<Event> out;
    std::istringstream in(body);
    std::string line;
    Event cur;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) {
            if (!cur.name.empty() || !cur.data.empty()) out.push_back(cur);
            cur = {};
        } else if (line.rfind("event: ", 0) == 0) {
            cur.name = line.substr(7);
        } else if (line.rfind("data: ", 0) == 0) {
            cur.data += line.substr(6);
        }
    }
    return out;
}

std::vector<std::string> sse_data(const std::string& body) {
    std::vector<std::string> out;
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("data:", 0) == 0) {
            std::string d = line.substr(5);
            if (!d.empty() && d.front() == ' ') d.erase(0, 1);
            out.push_back(d);
        }
    }
    return out;
}

Run run_llmgw(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
              double timeout_s) {
    char tmpl[] = "/tmp/llmgw-run-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    std::string dir = tmpl;
    std::string out = dir + "/out", err = dir + "/err";
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) {
        std::string kv = *e;
        std::string name = kv.substr(0, kv.find('='));
        if (name.rfind("BACKEND_", 0) == 0 || name == "MODEL_NAME" || name == "LLMGW_API_KEY" || env.count(name)) continue;
        envs.push_back(kv);
    }
    for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
    std::vector<std::string> argv_s{binary()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv = c_strings(argv_s), envp = c_strings(envs);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    auto t0 = std::chrono::steady_clock::now();
    int spawned = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (spawned != 0) throw std::runtime_error("posix_spawn failed");
    Run r;
    int st = 0;
    while (true) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) break;
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            throw std::runtime_error("llmgw did not finish within " + std::to_string(timeout_s) + " s: " + read_file(err));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.exit = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = read_file(out);
    r.err = read_file(err);
    std::remove(out.c_str());
    std::remove(err.c_str());
    rmdir(dir.c_str());
    return r;
}

namespace {
long proc_status_kb(pid_t pid, const std::string& field) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
    return -1;
}
}  // namespace

long resident_kb(pid_t pid) { return proc_status_kb(pid, "VmRSS"); }
long peak_resident_kb(pid_t pid) { return proc_status_kb(pid, "VmHWM"); }

TempFile::TempFile() {
    char tmpl[] = "/tmp/llmgw-file-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    path = dir + "/file";
}

TempFile::~TempFile() {
    std::remove(path.c_str());
    rmdir(dir.c_str());
}

void TempFile::write(const std::string& text) const {
    const std::string tmp = path + ".tmp";
    std::ofstream(tmp) << text;
    if (rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot write " + path);
}

}  // namespace harness
