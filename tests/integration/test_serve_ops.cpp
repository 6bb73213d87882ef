// Production posture of `llmgw serve` (issue 4), end to end against `llmgw mock`: Prometheus
// metrics that move by exactly what was done, rate limiting, CORS, client addresses behind
// proxies, API keys from a file reloaded on SIGHUP, and access logs that never carry a key.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "core/ops/api_keys.h"
#include "harness.h"

extern char** environ;

using namespace harness;

namespace {

// ---- A small Prometheus text-format parser ----------------------------------------------

using Labels = std::map<std::string, std::string>;

struct Sample {
    std::string name;
    Labels labels;
    double value = 0;
};

struct Exposition {
    std::vector<Sample> samples;
    std::map<std::string, std::string> types;  // family -> counter/gauge/histogram
    std::set<std::string> helps;

    // The value of the series with exactly these labels; 0 when absent (series appear once they
    // have a value).
    double get(const std::string& name, const Labels& labels = {}) const {
        for (const auto& s : samples)
            if (s.name == name && s.labels == labels) return s.value;
        return 0;
    }
    bool has_series(const std::string& name, const std::string& label, const std::string& value) const {
        for (const auto& s : samples) {
            if (s.name != name) continue;
            auto it = s.labels.find(label);
            if (it != s.labels.end() && it->second == value) return true;
        }
        return false;
    }
};

bool name_char(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
}

// Throws on anything that is not valid exposition text.
Exposition parse_exposition(const std::string& text) {
    Exposition ex;
    std::istringstream in(text);
    std::string line;
    auto bad = [&](const std::string& why) { throw std::runtime_error(why + ": " + line); };
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
            std::istringstream ls(line.substr(7));
            std::string name, rest;
            ls >> name >> rest;
            if (name.empty() || rest.empty()) bad("HELP/TYPE without name and text");
            if (line[2] == 'H') ex.helps.insert(name);
            else ex.types[name] = rest;
            continue;
        }
        if (line[0] == '#') continue;
        Sample s;
        size_t i = 0;
        while (i < line.size() && name_char(line[i], i == 0)) s.name += line[i++];
        if (s.name.empty()) bad("no metric name");
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (i < line.size() && line[i] != '}') {
                std::string k, v;
                while (i < line.size() && name_char(line[i], k.empty())) k += line[i++];
                if (k.empty() || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') bad("bad label");
                i += 2;
                while (i < line.size() && line[i] != '"') {
                    if (line[i] == '\\') {
                        if (++i >= line.size()) bad("dangling escape");
                        char e = line[i];
                        if (e == 'n') v += '\n';
                        else if (e == '\\' || e == '"') v += e;
                        else bad("bad escape");
                    } else {
                        v += line[i];
                    }
                    ++i;
                }
                if (i >= line.size()) bad("unterminated label value");
                ++i;  // closing quote
                if (!s.labels.emplace(k, v).second) bad("duplicate label");
                if (i < line.size() && line[i] == ',') ++i;
            }
            if (i >= line.size()) bad("unterminated label set");
            ++i;
        }
        if (i >= line.size() || line[i] != ' ') bad("no value");
        std::string value = line.substr(i + 1);
        if (value == "+Inf") s.value = INFINITY;
        else if (value == "-Inf") s.value = -INFINITY;
        else {
            char* end = nullptr;
            s.value = strtod(value.c_str(), &end);
            if (end == value.c_str() || *end) bad("bad value");
        }
        ex.samples.push_back(std::move(s));
    }
    return ex;
}

std::string family_of(const Exposition& ex, const std::string& name) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        std::string sfx = suffix;
        if (name.size() > sfx.size() && name.compare(name.size() - sfx.size(), sfx.size(), sfx) == 0) {
            std::string base = name.substr(0, name.size() - sfx.size());
            auto t = ex.types.find(base);
            if (t != ex.types.end() && t->second == "histogram") return base;
        }
    }
    return name;
}

// Every sample has HELP and TYPE; every histogram series has ascending buckets ending in +Inf,
// whose count is the +Inf bucket.
void check_exposition(const Exposition& ex) {
    REQUIRE(!ex.samples.empty());
    for (const auto& s : ex.samples) {
        std::string fam = family_of(ex, s.name);
        INFO(s.name);
        CHECK(ex.types.count(fam) == 1);
        CHECK(ex.helps.count(fam) == 1);
    }
    for (const auto& [fam, type] : ex.types) {
        if (type != "histogram") continue;
        for (const auto& c : ex.samples) {
            if (c.name != fam + "_count") continue;
            double last = 0;
            bool inf = false;
            for (const auto& b : ex.samples) {
                if (b.name != fam + "_bucket") continue;
                Labels l = b.labels;
                std::string le = l["le"];
                l.erase("le");
                if (l != c.labels) continue;
                CHECK(b.value >= last);
                last = b.value;
                if (le == "+Inf") {
                    inf = true;
                    CHECK(b.value == c.value);
                }
            }
            INFO(fam);
            CHECK(inf);
        }
    }
}

Exposition scrape(const Process& gw) {
    auto r = get(gw.url("/metrics"));
    REQUIRE(r.status == 200);
    REQUIRE(r.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
    Exposition ex = parse_exposition(r.body);
    check_exposition(ex);
    return ex;
}

// ---- Helpers ----------------------------------------------------------------------------

const char* kChat = R"({"model":"mock-model","messages":[{"role":"user","content":"Say something"}]})";
const char* kStream = R"({"model":"mock-model","stream":true,"messages":[{"role":"user","content":"Count"}]})";
const char* kMessages = R"({"model":"mock-model","max_tokens":32,"messages":[{"role":"user","content":"Hi"}]})";
const std::string kChatPath = "/v1/chat/completions";

Labels requests(const std::string& method, const std::string& path, int status) {
    return {{"method", method}, {"path", path}, {"status", std::to_string(status)}};
}

int64_t mock_stat(const Process& mock, const char* name) {
    auto d = mock_stats(mock);
    if (!d.IsObject() || !d.HasMember(name)) return -1;
    return d[name].GetInt64();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(line);
    return out;
}

// The JSON access line of the request with this x-request-id, or a null document.
rapidjson::Document access_line(const Process& gw, const std::string& request_id) {
    for (const auto& l : lines_of(gw.log())) {
        auto d = json(l);
        if (d.IsObject() && d.HasMember("logger") && std::string(d["logger"].GetString()) == "access" &&
            d.HasMember("request_id") && request_id == d["request_id"].GetString())
            return d;
    }
    return {};
}

std::string str(const rapidjson::Value& v, const char* key) {
    return v.IsObject() && v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "";
}

// Runs `llmgw args...` with only `env` (plus PATH) to completion; exit status and stderr.
struct Exit {
    int status = -1;
    std::string err;
};
Exit run_to_exit(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    char tmpl[] = "/tmp/llmgw-ops-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string err_path = std::string(tmpl) + "/err";
    std::vector<std::string> argv_s{binary()}, env_s;
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    if (const char* p = getenv("PATH")) env_s.push_back(std::string("PATH=") + p);
    for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
    std::vector<char*> argv = c_strings(argv_s), envp = c_strings(env_s);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    REQUIRE(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data()) == 0);
    posix_spawn_file_actions_destroy(&fa);
    Exit e;
    int st = 0;
    bool done = wait_until([&] { return waitpid(pid, &st, WNOHANG) == pid; }, 10);
    if (!done) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
    }
    e.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    e.err = read_file(err_path);
    std::remove(err_path.c_str());
    rmdir(tmpl);
    return e;
}

// Reads one complete HTTP/1.1 response (content-length framed) from a raw connection.
std::string read_response(RawConn& c, bool* closed) {
    std::string buf;
    double deadline_s = 10;
    auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < deadline_s) {
        auto head_end = buf.find("\r\n\r\n");
        if (head_end != std::string::npos) {
            auto cl = buf.find("content-length: ");
            size_t len = cl == std::string::npos ? 0 : std::stoul(buf.substr(cl + 16));
            if (buf.size() >= head_end + 4 + len) return buf;
        }
        std::string part = c.recv(1, closed);
        if (*closed) return buf;
        buf += part;
    }
    return buf;
}

}  // namespace

// ---------------------------------------------------------------- metrics

TEST_CASE("metrics: valid exposition, and counters move by exactly the requests made", "[ops][metrics]") {
    auto mock = start_mock({"--tokens", "7"});
    auto gw = start_serve(mock.url());
    auto before = scrape(gw);
    CHECK(before.get("chat_api_uptime_seconds") > 0);
    for (const char* kind : {"connect", "timeout", "status_5xx", "status_4xx", "protocol", "reset"})
        CHECK(before.has_series("chat_api_backend_errors_total", "kind", kind));

    int64_t prompt = 0, completion = 0;
    for (int i = 0; i < 3; ++i) {
        auto r = post(gw.url(kChatPath), kChat);
        REQUIRE(r.status == 200);
        auto d = json(r.body);
        prompt += d["usage"]["prompt_tokens"].GetInt64();
        completion += d["usage"]["completion_tokens"].GetInt64();
    }
    // A scanner: every miss lands in one series, whatever the path.
    for (const char* p : {"/random/a", "/random/b?x=1", "/wp-admin.php", "/v1/nope"}) CHECK(get(gw.url(p)).status == 404);

    auto after = scrape(gw);
    auto delta = [&](const std::string& n, const Labels& l = {}) { return after.get(n, l) - before.get(n, l); };
    CHECK(delta("chat_api_requests_total", requests("POST", kChatPath, 200)) == 3);
    CHECK(delta("chat_api_requests_total", requests("GET", "unmatched", 404)) == 4);
    CHECK(delta("chat_api_request_duration_seconds_count", {{"method", "POST"}, {"path", kChatPath}}) == 3);
    CHECK(delta("llmgw_upstream_duration_seconds_count", {{"route", kChatPath}}) == 3);
    CHECK(delta("llmgw_tokens_total", {{"model", "mock-model"}, {"direction", "prompt"}}) == prompt);
    CHECK(delta("llmgw_tokens_total", {{"model", "mock-model"}, {"direction", "completion"}}) == completion);
    CHECK(completion == 21);
    // Scrapes count too, as GET /metrics.
    CHECK(delta("chat_api_requests_total", requests("GET", "/metrics", 200)) == 1);
    for (const auto& s : after.samples)
        for (const auto& [k, v] : s.labels) {
            CHECK(v.find("random") == std::string::npos);
            CHECK(v.find("wp-admin") == std::string::npos);
            CHECK(v != "/v1/nope");
        }
    CHECK(after.get("llmgw_active_streams") == 0);
}

TEST_CASE("metrics: streams feed TTFT, inter-token latency, tokens and the active-streams gauge", "[ops][metrics]") {
    auto mock = start_mock({"--tokens", "6", "--itl-ms", "40"});
    auto gw = start_serve(mock.url());
    auto before = scrape(gw);

    // The client asks for usage so the test knows what the backend reported.
    Request r;
    r.method = "POST";
    r.url = gw.url(kChatPath);
    r.body = R"({"model":"mock-model","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Count"}]})";
    Exposition during;
    bool scraped = false;
    r.on_chunk = [&](const std::string&) {
        if (!scraped) {
            scraped = true;
            during = scrape(gw);
        }
        return true;
    };
    auto resp = http(r);
    REQUIRE(resp.status == 200);
    CHECK(during.get("llmgw_active_streams") == 1);
    int content_events = 0;
    int64_t prompt = -1, completion = -1;
    for (const auto& e : sse_data(resp.body)) {
        auto d = json(e);
        if (!d.IsObject()) continue;
        if (d.HasMember("usage") && d["usage"].IsObject()) {
            prompt = d["usage"]["prompt_tokens"].GetInt64();
            completion = d["usage"]["completion_tokens"].GetInt64();
        }
        if (d["choices"].IsArray() && !d["choices"].Empty()) {
            const auto& delta = d["choices"][0]["delta"];
            if (delta.HasMember("content") && delta["content"].IsString() && delta["content"].GetStringLength() > 0)
                ++content_events;
        }
    }
    REQUIRE(content_events == 6);
    REQUIRE(prompt > 0);
    // A second stream where the gateway asks for usage itself.
    REQUIRE(post(gw.url(kChatPath), kStream).status == 200);

    auto after = scrape(gw);
    auto delta = [&](const std::string& n, const Labels& l = {}) { return after.get(n, l) - before.get(n, l); };
    Labels rm{{"route", kChatPath}, {"model", "mock-model"}};
    CHECK(delta("llmgw_time_to_first_token_seconds_count", rm) == 2);
    CHECK(delta("llmgw_inter_token_latency_seconds_count", rm) == 2 * (content_events - 1));
    // The mock paces tokens 40 ms apart: the gaps are measured, not invented.
    CHECK(delta("llmgw_inter_token_latency_seconds_sum", rm) >= 2 * (content_events - 1) * 0.030);
    CHECK(delta("llmgw_tokens_total", {{"model", "mock-model"}, {"direction", "prompt"}}) == 2 * prompt);
    CHECK(delta("llmgw_tokens_total", {{"model", "mock-model"}, {"direction", "completion"}}) == 2 * completion);
    CHECK(delta("chat_api_requests_total", requests("POST", kChatPath, 200)) == 2);
    CHECK(after.get("llmgw_active_streams") == 0);
}

TEST_CASE("metrics: translated /v1/messages streams are measured under their own route", "[ops][metrics]") {
    auto mock = start_mock({"--tokens", "4", "--itl-ms", "10"});
    auto gw = start_serve(mock.url());
    auto r = post(gw.url("/v1/messages"),
                  R"({"model":"mock-model","max_tokens":32,"stream":true,"messages":[{"role":"user","content":"Hi"}]})",
                  {"anthropic-version: 2023-06-01"});
    REQUIRE(r.status == 200);
    auto e = scrape(gw);
    Labels rm{{"route", "/v1/messages"}, {"model", "mock-model"}};
    CHECK(e.get("llmgw_time_to_first_token_seconds_count", rm) == 1);
    CHECK(e.get("llmgw_inter_token_latency_seconds_count", rm) == 3);
    CHECK(e.get("llmgw_tokens_total", {{"model", "mock-model"}, {"direction", "completion"}}) == 4);
    CHECK(e.get("chat_api_requests_total", requests("POST", "/v1/messages", 200)) == 1);
    CHECK(e.get("llmgw_active_streams") == 0);
}

TEST_CASE("metrics: a client that leaves mid-stream is counted once as an abort", "[ops][metrics]") {
    auto mock = start_mock({"--tokens", "200", "--itl-ms", "20"});
    auto gw = start_serve(mock.url());
    auto before = scrape(gw);
    Request r;
    r.method = "POST";
    r.url = gw.url(kChatPath);
    r.body = kStream;
    r.on_chunk = [](const std::string& chunk) { return chunk.find("\"content\"") == std::string::npos; };
    http(r);
    Labels route{{"route", kChatPath}};
    REQUIRE(wait_until([&] { return scrape(gw).get("llmgw_client_aborts_total", route) >= 1; }));
    REQUIRE(wait_until([&] { return mock_stat(mock, "streams_aborted") == 1; }));
    auto after = scrape(gw);
    CHECK(after.get("llmgw_client_aborts_total", route) - before.get("llmgw_client_aborts_total", route) == 1);
    CHECK(after.get("llmgw_active_streams") == 0);
    // The stream had started with 200: that is what the request is recorded with.
    CHECK(after.get("chat_api_requests_total", requests("POST", kChatPath, 200)) -
              before.get("chat_api_requests_total", requests("POST", kChatPath, 200)) == 1);
    CHECK(after.get("llmgw_upstream_duration_seconds_count", route) == 1);
}

TEST_CASE("metrics: backend errors by kind", "[ops][metrics]") {
    auto kind = [](const Exposition& e, const char* k) { return e.get("chat_api_backend_errors_total", {{"kind", k}}); };
    SECTION("connect") {
        auto gw = start_serve("http://127.0.0.1:1");
        CHECK(post(gw.url(kChatPath), kChat).status == 502);
        CHECK(kind(scrape(gw), "connect") == 1);
    }
    SECTION("status_5xx and status_4xx") {
        auto mock = start_mock({"--fail-rate", "1", "--fail-status", "503"});
        auto gw = start_serve(mock.url());
        CHECK(post(gw.url(kChatPath), kChat).status == 503);
        auto e = scrape(gw);
        CHECK(kind(e, "status_5xx") == 1);
        CHECK(kind(e, "status_4xx") == 0);
        CHECK(e.get("chat_api_requests_total", requests("POST", kChatPath, 503)) == 1);
    }
    SECTION("timeout") {
        auto mock = start_mock({"--hang"});
        auto gw = start_serve(mock.url(), {{"REQUEST_TIMEOUT_S", "1"}});
        CHECK(post(gw.url(kChatPath), kChat).status == 504);
        CHECK(kind(scrape(gw), "timeout") == 1);
    }
    SECTION("reset mid-stream") {
        auto mock = start_mock({"--tokens", "20", "--itl-ms", "30", "--reset-after-chunks", "4"});
        auto gw = start_serve(mock.url());
        auto r = post(gw.url(kChatPath), kStream);
        CHECK(r.status == 200);
        CHECK(r.body.find("backend stream interrupted") != std::string::npos);
        auto e = scrape(gw);
        CHECK(kind(e, "reset") == 1);
        CHECK(e.get("llmgw_active_streams") == 0);
    }
}

TEST_CASE("metrics: 401s are counted, /metrics needs no key, METRICS_ENABLED=false answers 404", "[ops][metrics]") {
    auto mock = start_mock();
    {
        auto gw = start_serve(mock.url(), {{"API_KEYS", "sk-metrics-test"}});
        CHECK(post(gw.url(kChatPath), kChat).status == 401);
        CHECK(post(gw.url("/v1/messages"), kMessages).status == 401);
        auto e = scrape(gw);  // no key
        CHECK(e.get("chat_api_requests_total", requests("POST", kChatPath, 401)) == 1);
        CHECK(e.get("chat_api_requests_total", requests("POST", "/v1/messages", 401)) == 1);
    }
    {
        auto gw = start_serve(mock.url(), {{"METRICS_ENABLED", "false"}});
        CHECK(get(gw.url("/metrics")).status == 404);
        CHECK(get(gw.url("/")).body.find("/metrics") == std::string::npos);
    }
}

TEST_CASE("metrics: llmgw_build_info names the version and kind, llmgw_backend_up follows the backend",
          "[ops][metrics]") {
    auto mock = start_mock();
    {
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "vllm"}});
        auto e = scrape(gw);
        CHECK(e.types.at("llmgw_build_info") == "gauge");
        CHECK(e.get("llmgw_build_info", {{"version", LLMGW_VERSION}, {"backend_kind", "vllm"}}) == 1);
        CHECK(e.types.at("llmgw_backend_up") == "gauge");
        CHECK(e.get("llmgw_backend_up") == 1);
    }
    {
        auto gw = start_serve("http://127.0.0.1:" + std::to_string(free_port()));
        auto e = scrape(gw);
        CHECK(e.has_series("llmgw_build_info", "version", LLMGW_VERSION));
        REQUIRE(e.types.count("llmgw_backend_up") == 1);
        CHECK(e.get("llmgw_backend_up") == 0);
    }
}

// ---------------------------------------------------------------- rate limiting

TEST_CASE("rate limit: 429 after the burst, with Retry-After and the route's envelope", "[ops][ratelimit]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"RATE_LIMIT_ENABLED", "true"}, {"RATE_LIMIT_RPM", "1"}, {"RATE_LIMIT_BURST", "3"}});
    for (int i = 0; i < 3; ++i) {
        auto r = post(gw.url(kChatPath), kChat);
        REQUIRE(r.status == 200);
        CHECK(r.header("x-ratelimit-limit-requests") == "3");
        CHECK(r.header("x-ratelimit-remaining-requests") == std::to_string(2 - i));
        CHECK(!r.header("x-ratelimit-reset-requests").empty());
        CHECK(r.header("retry-after").empty());
    }
    auto r = post(gw.url(kChatPath), kChat);
    REQUIRE(r.status == 429);
    CHECK(std::stoi(r.header("retry-after")) >= 1);
    CHECK(r.header("x-ratelimit-remaining-requests") == "0");
    auto d = json(r.body);
    CHECK(str(d["error"], "type") == "rate_limit_error");
    CHECK(str(d["error"], "code") == "rate_limit_exceeded");

    auto a = post(gw.url("/v1/messages"), kMessages);
    REQUIRE(a.status == 429);
    CHECK(std::stoi(a.header("retry-after")) >= 1);
    auto ad = json(a.body);
    CHECK(str(ad, "type") == "error");
    CHECK(str(ad["error"], "type") == "rate_limit_error");

    // Only /v1/* is limited.
    for (int i = 0; i < 5; ++i) CHECK(get(gw.url("/livez")).status == 200);
    auto e = scrape(gw);
    CHECK(e.get("chat_api_rate_limited_total", {{"identity", "ip:127.0.0.1"}}) == 2);
    CHECK(e.get("chat_api_requests_total", requests("POST", kChatPath, 429)) == 1);
    CHECK(e.get("chat_api_requests_total", requests("POST", "/v1/messages", 429)) == 1);
}

TEST_CASE("rate limit: each key has its own bucket, known by fingerprint only", "[ops][ratelimit]") {
    auto mock = start_mock();
    const std::string ka = "sk-team-a-0123456789", kb = "sk-team-b-9876543210";
    auto gw = start_serve(mock.url(), {{"API_KEYS", ka + "," + kb},
                                       {"RATE_LIMIT_ENABLED", "true"},
                                       {"RATE_LIMIT_RPM", "1"},
                                       {"RATE_LIMIT_BURST", "2"}});
    auto as = [](const std::string& k) { return std::vector<std::string>{"Authorization: Bearer " + k}; };
    CHECK(post(gw.url(kChatPath), kChat, as(ka)).status == 200);
    CHECK(post(gw.url(kChatPath), kChat, as(ka)).status == 200);
    CHECK(post(gw.url(kChatPath), kChat, as(ka)).status == 429);
    CHECK(post(gw.url(kChatPath), kChat, {"x-api-key: " + kb}).status == 200);
    auto r = get(gw.url("/metrics"));
    CHECK(r.body.find(ka) == std::string::npos);
    auto e = parse_exposition(r.body);
    CHECK(e.get("chat_api_rate_limited_total", {{"identity", llmgw::key_fingerprint(ka)}}) == 1);
    CHECK(!e.has_series("chat_api_rate_limited_total", "identity", llmgw::key_fingerprint(kb)));
}

// ---------------------------------------------------------------- proxies

TEST_CASE("client address: X-Forwarded-For is ignored from an untrusted peer, honoured from a trusted one",
          "[ops][ratelimit]") {
    auto mock = start_mock();
    std::map<std::string, std::string> env{{"RATE_LIMIT_ENABLED", "true"}, {"RATE_LIMIT_RPM", "1"},
                                           {"RATE_LIMIT_BURST", "2"}, {"LOG_LEVEL", "info"}};
    auto from = [](const char* ip, const std::string& id) {
        return std::vector<std::string>{std::string("X-Forwarded-For: ") + ip, "X-Request-Id: " + id};
    };
    SECTION("untrusted peer: one bucket for every claimed address") {
        auto gw = start_serve(mock.url(), env);
        CHECK(post(gw.url(kChatPath), kChat, from("203.0.113.1", "req-spoof-1")).status == 200);
        CHECK(post(gw.url(kChatPath), kChat, from("203.0.113.2", "req-spoof-2")).status == 200);
        CHECK(post(gw.url(kChatPath), kChat, from("203.0.113.3", "req-spoof-3")).status == 429);
        CHECK(str(access_line(gw, "req-spoof-2"), "client") == "127.0.0.1");
        auto e = scrape(gw);
        CHECK(e.get("chat_api_rate_limited_total", {{"identity", "ip:127.0.0.1"}}) == 1);
        CHECK(!e.has_series("chat_api_rate_limited_total", "identity", "ip:203.0.113.3"));
    }
    SECTION("trusted proxy: the forwarded client is the identity") {
        env["TRUSTED_PROXIES"] = "127.0.0.1/32";
        auto gw = start_serve(mock.url(), env);
        CHECK(post(gw.url(kChatPath), kChat, from("203.0.113.1", "req-fwd-1")).status == 200);
        CHECK(post(gw.url(kChatPath), kChat, from("203.0.113.1", "req-fwd-2")).status == 200);
        CHECK(post(gw.url(kChatPath), kChat, from("203.0.113.1", "req-fwd-3")).status == 429);
        CHECK(post(gw.url(kChatPath), kChat, from("203.0.113.2", "req-fwd-4")).status == 200);
        // Right to left: the client's own claim on the left is not what our proxy saw.
        CHECK(post(gw.url(kChatPath), kChat, from("10.9.9.9, 203.0.113.7", "req-fwd-5")).status == 200);
        CHECK(str(access_line(gw, "req-fwd-1"), "client") == "203.0.113.1");
        CHECK(str(access_line(gw, "req-fwd-4"), "client") == "203.0.113.2");
        CHECK(str(access_line(gw, "req-fwd-5"), "client") == "203.0.113.7");
        CHECK(scrape(gw).get("chat_api_rate_limited_total", {{"identity", "ip:203.0.113.1"}}) == 1);
    }
}

// ---------------------------------------------------------------- CORS

TEST_CASE("CORS: preflight answered without auth, headers on every real response", "[ops][cors]") {
    auto mock = start_mock();
    const std::string origin = "https://app.example.com";
    auto gw = start_serve(mock.url(), {{"API_KEYS", "sk-cors-key"}, {"CORS_ORIGINS", origin + ",http://localhost:3000"}});

    Request pre;
    pre.method = "OPTIONS";
    pre.url = gw.url(kChatPath);
    pre.headers = {"Origin: " + origin, "Access-Control-Request-Method: POST",
                   "Access-Control-Request-Headers: authorization, content-type"};
    auto p = http(pre);
    CHECK(p.status == 204);
    CHECK(p.header("access-control-allow-origin") == origin);
    CHECK(p.header("access-control-allow-methods") == "GET, POST, DELETE, OPTIONS");
    CHECK(p.header("access-control-allow-headers") == "authorization, content-type");
    CHECK(p.header("access-control-max-age") == "600");
    CHECK(p.header("vary").find("Origin") != std::string::npos);

    // Any path, even one no route serves: the preflight comes before routing.
    pre.url = gw.url("/v1/messages");
    CHECK(http(pre).status == 204);

    // A disallowed origin gets no grant: the browser then blocks the request.
    pre.headers[0] = "Origin: https://evil.example";
    auto denied = http(pre);
    CHECK(denied.status == 204);
    CHECK(denied.header("access-control-allow-origin").empty());

    // Real responses, errors and streams included.
    auto unauth = post(gw.url(kChatPath), kChat, {"Origin: " + origin});
    CHECK(unauth.status == 401);
    CHECK(unauth.header("access-control-allow-origin") == origin);
    CHECK(unauth.header("access-control-expose-headers").find("x-request-id") != std::string::npos);
    auto ok = post(gw.url(kChatPath), kChat, {"Origin: " + origin, "Authorization: Bearer sk-cors-key"});
    CHECK(ok.status == 200);
    CHECK(ok.header("access-control-allow-origin") == origin);
    auto stream = post(gw.url(kChatPath), kStream, {"Origin: http://localhost:3000", "Authorization: Bearer sk-cors-key"});
    CHECK(stream.status == 200);
    CHECK(stream.header("access-control-allow-origin") == "http://localhost:3000");
    auto missing = get(gw.url("/nowhere"), {"Origin: " + origin});
    CHECK(missing.status == 404);
    CHECK(missing.header("access-control-allow-origin") == origin);
    // No Origin, no CORS headers.
    CHECK(post(gw.url(kChatPath), kChat, {"Authorization: Bearer sk-cors-key"}).header("access-control-allow-origin").empty());
    // An OPTIONS that is not a preflight is an ordinary request.
    Request plain;
    plain.method = "OPTIONS";
    plain.url = gw.url(kChatPath);
    CHECK(http(plain).status == 405);

    auto e = scrape(gw);
    CHECK(e.get("chat_api_requests_total", requests("OPTIONS", kChatPath, 204)) == 1);
    CHECK(e.get("chat_api_requests_total", requests("OPTIONS", "/v1/messages", 204)) == 2);
}

TEST_CASE("CORS: credentials with * refuse to start, naming the variable", "[ops][cors]") {
    auto r = run_to_exit({"serve", "--port", "0"}, {{"CORS_ALLOW_CREDENTIALS", "true"}});
    CHECK(r.status == 2);
    CHECK(r.err.find("CORS_ALLOW_CREDENTIALS") != std::string::npos);
    CHECK(lines_of(r.err).size() == 1);
}

// ---------------------------------------------------------------- keys

TEST_CASE("keys: API_KEYS_FILE is loaded at start and reloaded on SIGHUP without dropping connections",
          "[ops][keys]") {
    auto mock = start_mock({"--tokens", "30", "--itl-ms", "30"});
    TempFile keys;
    const std::string old_key = "sk-old-key-aaaaaaaaaaaa", new_key = "sk-new-key-bbbbbbbbbbbb";
    keys.write("# team keys\n" + old_key + "\n\n");
    auto gw = start_serve(mock.url(), {{"API_KEYS_FILE", keys.path}, {"LOG_LEVEL", "info"}});
    // Discovery's one-token stream is counted too: start from zero so the wait below sees ours.
    REQUIRE(post(mock.url("/mock/reset"), "").status == 200);
    auto with = [](const std::string& k) { return std::vector<std::string>{"Authorization: Bearer " + k}; };
    REQUIRE(get(gw.url("/v1/models"), with(old_key)).status == 200);
    REQUIRE(get(gw.url("/v1/models"), with(new_key)).status == 401);

    // A keep-alive connection authenticated with the old key, and a stream in flight.
    RawConn conn(gw.port());
    REQUIRE(conn.ok());
    auto models_req = [](const std::string& k) {
        return "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + k + "\r\n\r\n";
    };
    bool closed = false;
    conn.send(models_req(old_key));
    REQUIRE(read_response(conn, &closed).rfind("HTTP/1.1 200", 0) == 0);
    std::thread streamer;
    Response streamed;
    streamer = std::thread([&] { streamed = post(gw.url(kChatPath), kStream, with(old_key)); });
    REQUIRE(wait_until([&] { return mock_stat(mock, "streams_started") == 1; }));

    keys.write(new_key + "\n");
    gw.signal(SIGHUP);
    INFO(gw.log());
    CHECK(wait_until([&] { return get(gw.url("/v1/models"), with(new_key)).status == 200; }));
    streamer.join();
    CHECK(get(gw.url("/v1/models"), with(old_key)).status == 401);
    CHECK(streamed.status == 200);
    auto events = sse_data(streamed.body);
    REQUIRE(!events.empty());
    CHECK(events.back() == "[DONE]");
    // The same connection, still open, now needs the new key.
    conn.send(models_req(new_key));
    auto again = read_response(conn, &closed);
    CHECK_FALSE(closed);
    CHECK(again.rfind("HTTP/1.1 200", 0) == 0);
    conn.send(models_req(old_key));
    CHECK(read_response(conn, &closed).rfind("HTTP/1.1 401", 0) == 0);

    // A reload that cannot read the file keeps the set in use and says so.
    std::remove(keys.path.c_str());
    gw.signal(SIGHUP);
    REQUIRE(wait_until([&] { return gw.log().find("not reloaded") != std::string::npos; }));
    CHECK(get(gw.url("/v1/models"), with(new_key)).status == 200);
    bool error_logged = false;
    for (const auto& l : lines_of(gw.log())) {
        auto d = json(l);
        if (str(d, "msg").find("not reloaded") != std::string::npos) {
            error_logged = str(d, "level") == "ERROR" && str(d, "error").find(keys.path) != std::string::npos;
        }
    }
    CHECK(error_logged);
    std::string log = gw.log();
    CHECK(log.find(old_key) == std::string::npos);
    CHECK(log.find(new_key) == std::string::npos);
}

TEST_CASE("keys: an unreadable API_KEYS_FILE stops start-up with exit 2 naming it", "[ops][keys]") {
    auto r = run_to_exit({"serve", "--port", "0"}, {{"API_KEYS_FILE", "/nonexistent/llmgw-keys"}});
    CHECK(r.status == 2);
    CHECK(r.err.find("API_KEYS_FILE") != std::string::npos);
    CHECK(r.err.find("/nonexistent/llmgw-keys") != std::string::npos);
    CHECK(lines_of(r.err).size() == 1);
}

TEST_CASE("keys: a malformed line in API_KEYS_FILE stops start-up with exit 2 naming the line, not the key",
          "[ops][keys]") {
    TempFile keys;
    keys.write("sk-fine-key-aaaaaaaa\n# ok\nsk-typo-key-bbbbbbbb tmp=500\n");
    auto r = run_to_exit({"serve", "--port", "0"}, {{"API_KEYS_FILE", keys.path}});
    CHECK(r.status == 2);
    CHECK(r.err.find("API_KEYS_FILE: " + keys.path + ": line 3: unknown limit 'tmp'") != std::string::npos);
    CHECK(r.err.find("sk-typo-key") == std::string::npos);
    CHECK(lines_of(r.err).size() == 1);
}

TEST_CASE("keys: an empty keys file keeps auth on and refuses everyone", "[ops][keys]") {
    auto mock = start_mock();
    TempFile keys;
    keys.write("# nobody yet\n");
    auto gw = start_serve(mock.url(), {{"API_KEYS_FILE", keys.path}});
    CHECK(post(gw.url(kChatPath), kChat).status == 401);
    CHECK(post(gw.url(kChatPath), kChat, {"Authorization: Bearer anything"}).status == 401);
    CHECK(get(gw.url("/livez")).status == 200);
}

// ---------------------------------------------------------------- logs

TEST_CASE("logs: one JSON access line per request with the documented fields, and no key anywhere",
          "[ops][logs]") {
    auto mock = start_mock({"--tokens", "5"});
    const std::string key = "sk-live-secret-4242424242", wrong = "sk-wrong-guess-1313131313";
    auto gw = start_serve(mock.url(), {{"API_KEYS", key}, {"LOG_LEVEL", "info"},
                                       {"BACKEND_API_KEY", "backend-secret-777"}});
    REQUIRE(post(gw.url(kChatPath), kChat, {"Authorization: Bearer " + key, "X-Request-Id: req-log-ok"}).status == 200);
    REQUIRE(post(gw.url(kChatPath), kStream, {"x-api-key: " + key, "X-Request-Id: req-log-stream"}).status == 200);
    REQUIRE(post(gw.url(kChatPath), kChat, {"Authorization: Bearer " + wrong, "X-Request-Id: req-log-401"}).status == 401);
    // A key smuggled into the path and a model name.
    get(gw.url("/v1/" + key), {"Authorization: Bearer " + key, "X-Request-Id: req-log-path"});
    post(gw.url(kChatPath), R"({"model":")" + key + R"(","messages":[{"role":"user","content":"x"}]})",
         {"Authorization: Bearer " + key, "X-Request-Id: req-log-model"});

    std::string log;
    REQUIRE(wait_until([&] {
        log = gw.log();
        return log.find("req-log-model") != std::string::npos;
    }));
    for (const auto& l : lines_of(log)) {
        INFO(l);
        auto d = json(l);
        REQUIRE(d.IsObject());
        for (const char* f : {"ts", "level", "logger", "msg"}) CHECK(d.HasMember(f));
    }
    CHECK(log.find(key) == std::string::npos);
    CHECK(log.find(wrong) == std::string::npos);
    CHECK(log.find("backend-secret-777") == std::string::npos);

    auto ok = access_line(gw, "req-log-ok");
    REQUIRE(ok.IsObject());
    CHECK(str(ok, "level") == "INFO");
    CHECK(str(ok, "msg") == "request");
    CHECK(str(ok, "ts").size() == 24);  // 2024-05-01T12:34:56.789Z
    CHECK(str(ok, "ts").back() == 'Z');
    CHECK(str(ok, "method") == "POST");
    CHECK(str(ok, "path") == kChatPath);
    CHECK(ok["status"].GetInt() == 200);
    CHECK(ok["duration_ms"].IsNumber());
    CHECK(str(ok, "model") == "mock-model");
    CHECK(ok["backend_status"].GetInt() == 200);
    CHECK(ok["prompt_tokens"].GetInt() > 0);
    CHECK(ok["completion_tokens"].GetInt() == 5);
    CHECK(str(ok, "client") == "127.0.0.1");
    CHECK(str(ok, "identity") == llmgw::key_fingerprint(key));

    auto st = access_line(gw, "req-log-stream");
    REQUIRE(st.IsObject());
    CHECK(st["status"].GetInt() == 200);
    CHECK(st["completion_tokens"].GetInt() == 5);  // from the usage the gateway asked for

    auto denied = access_line(gw, "req-log-401");
    REQUIRE(denied.IsObject());
    CHECK(denied["status"].GetInt() == 401);
    CHECK_FALSE(denied.HasMember("backend_status"));
    CHECK_FALSE(denied.HasMember("identity"));
    CHECK(access_line(gw, "req-log-path").IsObject());
}

TEST_CASE("logs: text mode, and prompts only with LOG_PROMPTS=true at DEBUG", "[ops][logs]") {
    auto mock = start_mock({"--tokens", "3"});
    const std::string prompt = R"({"model":"mock-model","messages":[{"role":"user","content":"zebra-marker-9731"}]})";
    SECTION("text access line") {
        auto gw = start_serve(mock.url(), {{"LOG_JSON", "false"}, {"LOG_LEVEL", "info"}});
        REQUIRE(post(gw.url(kChatPath), kChat, {"X-Request-Id: req-text-1"}).status == 200);
        std::string line;
        REQUIRE(wait_until([&] {
            for (const auto& l : lines_of(gw.log()))
                if (l.find("request_id=req-text-1") != std::string::npos) line = l;
            return !line.empty();
        }));
        CHECK(line.find(" INFO access: request POST /v1/chat/completions 200 ") != std::string::npos);
        CHECK(line.find(" model=mock-model backend_status=200 ") != std::string::npos);
        CHECK(line.find(" client=127.0.0.1") != std::string::npos);
    }
    SECTION("LOG_PROMPTS=true at DEBUG logs bodies, at DEBUG level") {
        auto gw = start_serve(mock.url(), {{"LOG_PROMPTS", "true"}, {"LOG_LEVEL", "debug"}});
        REQUIRE(post(gw.url(kChatPath), prompt).status == 200);
        REQUIRE(wait_until([&] { return gw.log().find("zebra-marker-9731") != std::string::npos; }));
        for (const auto& l : lines_of(gw.log()))
            if (l.find("zebra-marker-9731") != std::string::npos) CHECK(str(json(l), "level") == "DEBUG");
    }
    SECTION("LOG_PROMPTS=true at INFO logs no body") {
        auto gw = start_serve(mock.url(), {{"LOG_PROMPTS", "true"}, {"LOG_LEVEL", "info"}});
        REQUIRE(post(gw.url(kChatPath), prompt, {"X-Request-Id: req-noprompt"}).status == 200);
        REQUIRE(wait_until([&] { return gw.log().find("req-noprompt") != std::string::npos; }));
        CHECK(gw.log().find("zebra-marker-9731") == std::string::npos);
    }
    SECTION("LOG_PROMPTS=false at DEBUG logs no body") {
        auto gw = start_serve(mock.url(), {{"LOG_LEVEL", "debug"}});
        REQUIRE(post(gw.url(kChatPath), prompt, {"X-Request-Id: req-noprompt"}).status == 200);
        REQUIRE(wait_until([&] { return gw.log().find("req-noprompt") != std::string::npos; }));
        CHECK(gw.log().find("zebra-marker-9731") == std::string::npos);
    }
}

TEST_CASE("metrics: requests refused by the HTTP layer are counted and logged too", "[ops][metrics]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"MAX_BODY_BYTES", "2048"}, {"LOG_LEVEL", "info"}});
    auto before = scrape(gw);
    std::string big(4096, 'x');
    CHECK(post(gw.url(kChatPath), "{\"p\":\"" + big + "\"}").status == 413);
    std::string out = raw_exchange(gw.port(), "NOT HTTP AT ALL\r\n\r\n", 10);
    CHECK(out.rfind("HTTP/1.1 400", 0) == 0);
    auto after = scrape(gw);
    auto delta = [&](const Labels& l) { return after.get("chat_api_requests_total", l) - before.get("chat_api_requests_total", l); };
    CHECK(delta(requests("POST", kChatPath, 413)) == 1);
    double refused_400 = 0;
    for (const auto& s : after.samples)
        if (s.name == "chat_api_requests_total") {
            bool is400 = false, unmatched = false;
            for (const auto& [k, v] : s.labels) {
                if (k == "status" && v == "400") is400 = true;
                if (k == "path" && v == "unmatched") unmatched = true;
            }
            if (is400 && unmatched) refused_400 += s.value;
        }
    CHECK(refused_400 == 1);
    CHECK(wait_until([&] { return gw.log().find("request refused by the HTTP layer") != std::string::npos; }, 5));
}

TEST_CASE("logs: booleans are JSON booleans", "[ops][logs]") {
    auto gw = start_serve("http://127.0.0.1:" + std::to_string(free_port()));
    CHECK(post(gw.url(kChatPath), kChat).status == 502);
    REQUIRE(wait_until([&] { return gw.log().find("backend request failed") != std::string::npos; }, 10));
    CHECK(gw.log().find("\"streaming\":false") != std::string::npos);
    CHECK(gw.log().find("\"streaming\":\"false\"") == std::string::npos);
}
