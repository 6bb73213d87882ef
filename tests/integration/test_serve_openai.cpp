// `llmgw serve` in front of `llmgw mock`: the OpenAI routes, auth, request ids and error paths.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <sys/wait.h>

#include "harness.h"

using namespace harness;

namespace {

// What the mock saw in the last request it got.
std::string last_body(const Process& mock) {
    auto d = mock_stats(mock);
    return d["last_request"]["body"].GetString();
}
std::string last_header(const Process& mock, const char* name) {
    auto d = mock_stats(mock);
    const auto& h = d["last_request"]["headers"];
    return h.HasMember(name) ? h[name].GetString() : "";
}

const char* kChat = R"({"model":"mock-model","messages":[{"role":"user","content":"Hello there"}]})";

}  // namespace

TEST_CASE("serve answers its own endpoints without touching auth", "[serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"API_KEYS", "k1"}});

    auto root = get(gw.url("/"));
    CHECK(root.status == 200);
    auto d = json(root.body);
    REQUIRE(d.IsObject());
    CHECK(std::string(d["name"].GetString()) == "llmgw");
    CHECK(std::string(d["backend"]["kind"].GetString()) == "vllm");
    CHECK(d["endpoints"].HasMember("/v1/chat/completions"));
    CHECK(d["endpoints"].HasMember("/v1/messages"));

    CHECK(get(gw.url("/livez")).status == 200);
    auto ready = get(gw.url("/readyz"));
    CHECK(ready.status == 200);
    auto health = get(gw.url("/health"));
    CHECK(health.status == 200);
    auto h = json(health.body);
    CHECK(h["gateway"]["ok"].GetBool());
    CHECK(h["backend"]["ok"].GetBool());
    CHECK(std::string(h["backend"]["kind"].GetString()) == "vllm");
    CHECK(h["backend"].HasMember("latency_ms"));
}

TEST_CASE("readiness follows the backend, livez does not", "[serve]") {
    // A port nothing listens on: bind, read the port, close.
    auto dead = start_mock();
    std::string url = dead.url();
    dead.stop();
    auto gw = start_serve(url, {{"READINESS_CACHE_S", "0"}, {"CONNECT_TIMEOUT_S", "2"}});
    CHECK(get(gw.url("/livez")).status == 200);
    auto r = get(gw.url("/readyz"));
    CHECK(r.status == 503);
    auto h = get(gw.url("/health"));
    CHECK(h.status == 503);
    CHECK(json(h.body)["backend"]["ok"].GetBool() == false);
}

TEST_CASE("chat, completions, embeddings and models pass through", "[serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());

    auto models = get(gw.url("/v1/models"));
    CHECK(models.status == 200);
    CHECK(models.body == get(mock.url("/v1/models")).body);
    // A trailing slash is ignored (docs/API_OPENAI.md), also on the way to the runtime.
    auto slash = get(gw.url("/v1/models/"));
    CHECK(slash.status == 200);
    CHECK(slash.body == models.body);

    auto chat = post(gw.url("/v1/chat/completions"), kChat);
    CHECK(chat.status == 200);
    CHECK(chat.header("content-type").find("application/json") == 0);
    // Deterministic upstream: the gateway returns the backend's bytes unchanged.
    CHECK(chat.body == post(mock.url("/v1/chat/completions"), kChat).body);

    auto comp = post(gw.url("/v1/completions"), R"({"model":"mock-model","prompt":"Once upon"})");
    CHECK(comp.status == 200);
    CHECK(json(comp.body)["choices"][0].HasMember("text"));

    auto emb = post(gw.url("/v1/embeddings"), R"({"model":"mock-model","input":["a","b"]})");
    CHECK(emb.status == 200);
    CHECK(json(emb.body)["data"].Size() == 2);
}

TEST_CASE("the body reaches the backend byte for byte, unknown fields included", "[serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    std::string body =
        R"({"model":"mock-model",  "messages":[{"role":"user","content":"hi \u00e9"}],"x_unknown":{"nested":[1,2.50,true]},"seed":7})";
    auto r = post(gw.url("/v1/chat/completions"), body, {"x-request-id: trace-123"});
    CHECK(r.status == 200);
    CHECK(last_body(mock) == body);
    CHECK(last_header(mock, "x-request-id") == "trace-123");
    CHECK(r.header("x-request-id") == "trace-123");
}

TEST_CASE("request ids: sane ones are kept, others replaced", "[serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto r1 = get(gw.url("/v1/models"));
    CHECK(r1.header("x-request-id").rfind("req_", 0) == 0);
    std::string long_id(300, 'a');
    auto r2 = get(gw.url("/v1/models"), {"x-request-id: " + long_id});
    CHECK(r2.header("x-request-id") != long_id);
    CHECK(r2.header("x-request-id").rfind("req_", 0) == 0);
    auto r3 = get(gw.url("/v1/models"), {"x-request-id: has space"});
    CHECK(r3.header("x-request-id").rfind("req_", 0) == 0);
    // The id sent upstream is the one returned.
    CHECK(last_header(mock, "x-request-id") == r3.header("x-request-id"));
}

TEST_CASE("auth: both headers work, the client key never goes upstream", "[serve][auth]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"API_KEYS", "alpha, beta"}, {"BACKEND_API_KEY", "upstream-secret"}});

    auto none = post(gw.url("/v1/chat/completions"), kChat);
    CHECK(none.status == 401);
    auto e = json(none.body);
    CHECK(std::string(e["error"]["type"].GetString()) == "authentication_error");

    CHECK(post(gw.url("/v1/chat/completions"), kChat, {"Authorization: Bearer wrong"}).status == 401);
    CHECK(post(gw.url("/v1/chat/completions"), kChat, {"Authorization: Bearer alph"}).status == 401);
    CHECK(post(gw.url("/v1/chat/completions"), kChat, {"Authorization: Bearer beta"}).status == 200);
    CHECK(last_header(mock, "authorization") == "Bearer upstream-secret");
    CHECK(post(gw.url("/v1/chat/completions"), kChat, {"x-api-key: alpha"}).status == 200);
    CHECK(get(gw.url("/v1/models")).status == 401);
    CHECK(get(gw.url("/v1/models"), {"x-api-key: alpha"}).status == 200);

    auto anth = post(gw.url("/v1/messages"), R"({"model":"m","max_tokens":5,"messages":[]})");
    CHECK(anth.status == 401);
    auto a = json(anth.body);
    CHECK(std::string(a["type"].GetString()) == "error");
    CHECK(std::string(a["error"]["type"].GetString()) == "authentication_error");

    // Health endpoints stay open.
    CHECK(get(gw.url("/livez")).status == 200);
    CHECK(get(gw.url("/health")).status == 200);
}

TEST_CASE("without a backend key nothing is sent as Authorization", "[serve][auth]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"API_KEYS", "alpha"}});
    CHECK(post(gw.url("/v1/chat/completions"), kChat, {"Authorization: Bearer alpha"}).status == 200);
    CHECK(last_header(mock, "authorization").empty());
}

TEST_CASE("error paths use the OpenAI envelope", "[serve][errors]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto check_envelope = [](const Response& r, long status, const std::string& type) {
        CHECK(r.status == status);
        auto d = json(r.body);
        REQUIRE(d.IsObject());
        REQUIRE(d.HasMember("error"));
        CHECK(d["error"]["message"].IsString());
        CHECK(std::string(d["error"]["type"].GetString()) == type);
        CHECK(d["error"].HasMember("param"));
        CHECK(d["error"].HasMember("code"));
    };
    check_envelope(post(gw.url("/v1/chat/completions"), "{not json"), 400, "invalid_request_error");
    check_envelope(post(gw.url("/v1/chat/completions"), "[1,2]"), 400, "invalid_request_error");
    check_envelope(get(gw.url("/v1/nothing-here")), 404, "not_found_error");
    check_envelope(get(gw.url("/v1/chat/completions")), 405, "invalid_request_error");
    Request del;
    del.method = "DELETE";
    del.url = gw.url("/v1/models");
    auto r = http(del);
    check_envelope(r, 405, "invalid_request_error");
    CHECK(r.header("allow") == "GET");
}

TEST_CASE("backend unreachable is 502, backend timeout is 504", "[serve][errors]") {
    auto dead = start_mock();
    std::string url = dead.url();
    dead.stop();
    auto gw = start_serve(url);
    auto r = post(gw.url("/v1/chat/completions"), kChat);
    CHECK(r.status == 502);
    CHECK(json(r.body)["error"]["message"].IsString());

    auto hang = start_mock({"--hang"});
    auto gw2 = start_serve(hang.url(), {{"REQUEST_TIMEOUT_S", "1"}});
    auto t = post(gw2.url("/v1/chat/completions"), kChat);
    CHECK(t.status == 504);
    CHECK(std::string(json(t.body)["error"]["code"].GetString()) == "backend_timeout");
}

TEST_CASE("upstream errors are wrapped into the envelope", "[serve][errors]") {
    auto mock = start_mock({"--profile", "tgi", "--fail-rate", "1", "--fail-status", "422"});
    auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "tgi"}});
    auto r = post(gw.url("/v1/chat/completions"), kChat);
    CHECK(r.status == 422);
    auto d = json(r.body);
    REQUIRE(d.HasMember("error"));
    REQUIRE(d["error"].IsObject());
    CHECK(d["error"]["message"].IsString());
    CHECK(std::string(d["error"]["message"].GetString()).size() > 0);
    CHECK(std::string(d["error"]["type"].GetString()) == "invalid_request_error");
}

TEST_CASE("embeddings on a runtime without them is 501", "[serve][errors]") {
    auto mock = start_mock({"--profile", "tgi"});
    auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "tgi"}});
    auto r = post(gw.url("/v1/embeddings"), R"({"model":"m","input":"x"})");
    CHECK(r.status == 501);
    CHECK(std::string(json(r.body)["error"]["message"].GetString()).find("embeddings") != std::string::npos);
}

TEST_CASE("a default model is filled in when the request names none", "[serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"MODEL_NAME", "mock-model"}});
    auto r = post(gw.url("/v1/chat/completions"), R"({"messages":[{"role":"user","content":"x"}]})");
    CHECK(r.status == 200);
    auto body = json(last_body(mock));
    CHECK(std::string(body["model"].GetString()) == "mock-model");
}

TEST_CASE("invalid configuration stops start-up with exit status 2 naming the variable", "[serve][config]") {
    auto run = [](const std::string& env) {
        std::string cmd = "env -i " + env + " '" + binary() + "' serve --port-file /dev/null 2>&1";
        FILE* p = popen(cmd.c_str(), "r");
        std::string out;
        char buf[512];
        while (fgets(buf, sizeof buf, p)) out += buf;
        int st = pclose(p);
        return std::make_pair(WEXITSTATUS(st), out);
    };
    auto [c1, o1] = run("API_PORT=70000");
    CHECK(c1 == 2);
    CHECK(o1.find("API_PORT") != std::string::npos);
    auto [c2, o2] = run("BACKEND_KIND=nonsense");
    CHECK(c2 == 2);
    CHECK(o2.find("BACKEND_KIND") != std::string::npos);
    auto [c3, o3] = run("BACKEND_BASE_URL=not-a-url");
    CHECK(c3 == 2);
    CHECK(o3.find("BACKEND_BASE_URL") != std::string::npos);
    auto [c4, o4] = run("CORS_ALLOW_CREDENTIALS=true CORS_ORIGINS=*");
    CHECK(c4 == 2);
    CHECK(o4.find("CORS_ALLOW_CREDENTIALS") != std::string::npos);
}

TEST_CASE("serve flags: a bare boolean means true, =false turns it off, errors name the flag typed", "[serve][config][cli]") {
    auto mock = start_mock();
    SECTION("--rate-limit given bare switches the limit on") {
        auto gw = start_serve(mock.url(), {}, {"--rate-limit-rpm", "1", "--rate-limit-burst", "1", "--rate-limit"});
        CHECK(get(gw.url("/v1/models")).status == 200);
        CHECK(get(gw.url("/v1/models")).status == 429);
    }
    SECTION("--metrics=false turns metrics off") {
        auto gw = start_serve(mock.url(), {}, {"--metrics=false"});
        CHECK(get(gw.url("/metrics")).status == 404);
    }
    SECTION("a bad value names --port when typed as --port, API_PORT when it came from the environment") {
        auto flag = run_llmgw({"serve", "--port", "70000"});
        CHECK(flag.exit == 2);
        CHECK(flag.err.find("invalid configuration: --port: '70000' is out of range") != std::string::npos);
        auto env = run_llmgw({"serve"}, {{"API_PORT", "70000"}});
        CHECK(env.exit == 2);
        CHECK(env.err.find("invalid configuration: API_PORT: '70000' is out of range") != std::string::npos);
        auto boolean = run_llmgw({"serve", "--rate-limit=maybe"});
        CHECK(boolean.exit == 2);
        CHECK(boolean.err.find("--rate-limit: 'maybe' is not a boolean") != std::string::npos);
    }
}

TEST_CASE("--help of every subcommand: types, units, variables and defaults in one style", "[cli]") {
    auto serve = run_llmgw({"serve", "--help"});
    CHECK(serve.exit == 0);
    CHECK(serve.out.find("--header-timeout SECONDS") != std::string::npos);
    CHECK(serve.out.find("[env: HEADER_TIMEOUT_S, default: 10]") != std::string::npos);
    CHECK(serve.out.find("--rate-limit [BOOL]") != std::string::npos);
    CHECK(serve.out.find("--max-body-bytes BYTES") != std::string::npos);
    auto probe = run_llmgw({"probe", "--help"});
    CHECK(probe.out.find("--key KEY") != std::string::npos);
    CHECK(probe.out.find("[env: LLMGW_API_KEY]") != std::string::npos);
    CHECK(probe.out.find("--timeout SECONDS") != std::string::npos);
    CHECK(probe.out.find("[default: 30]") != std::string::npos);
    auto bench = run_llmgw({"bench", "--help"});
    CHECK(bench.out.find("[env: LLMGW_API_KEY]") != std::string::npos);
    CHECK(bench.out.find("--timeout SECONDS") != std::string::npos);
    for (const char* sub : {"serve", "mock", "translate", "probe", "bench"}) {
        INFO(sub);
        auto h = run_llmgw({sub, "--help"});
        CHECK(h.exit == 0);
        // CLI11's own layout ("INT=30 (Env:X)") is not used anywhere.
        CHECK(h.out.find("(Env:") == std::string::npos);
        for (const char* cli11_default : {" INT=", " UINT=", " FLOAT=", " TEXT=", " FLOAT:", " INT:"})
            CHECK(h.out.find(cli11_default) == std::string::npos);
    }
    // Required options are marked, and leaving one out says which.
    auto translate = run_llmgw({"translate", "--help"});
    CHECK(translate.out.find("--from API REQUIRED") != std::string::npos);
    CHECK(run_llmgw({"mock", "--help"}).out.find("--port PORT") != std::string::npos);
    CHECK(run_llmgw({"mock", "--help"}).out.find("[range: 0 - 65535, default: 8001]") != std::string::npos);
    auto missing = run_llmgw({"translate", "request"});
    CHECK(missing.exit == 2);
    CHECK(missing.err.find("--from") != std::string::npos);
}

TEST_CASE("a model path cannot reach other backend endpoints", "[serve][errors]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"LOG_LEVEL", "info"}});
    REQUIRE(wait_until([&] { return gw.log().find("backend discovered") != std::string::npos; }, 10));
    REQUIRE(post(mock.url("/mock/reset"), "").status == 200);
    // Sent raw: curl (the client) would resolve the dots itself. One model is answered from the
    // runtime's list, so whatever the id, only GET /v1/models reaches the runtime.
    for (const char* target : {"/v1/models/../../mock/stats", "/v1/models/%2e%2e/%2e%2e/mock/stats", "/v1/models/x%2f..%2f..%2fhealth"}) {
        INFO(target);
        std::string out = raw_exchange(gw.port(), std::string("GET ") + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 5);
        CHECK(out.rfind("HTTP/1.1 404", 0) == 0);
        CHECK(out.find("is not served by the backend") != std::string::npos);
        auto stats = mock_stats(mock);
        CHECK(std::string(stats["last_request"]["path"].GetString()) == "/v1/models");
    }
    CHECK(mock_stats(mock)["requests_by_path"].MemberCount() == 1);
}

TEST_CASE("one model is answered from the runtime's list on every mock profile", "[serve][models]") {
    for (const char* profile : {"vllm", "ollama", "llamacpp", "tgi"}) {
        INFO(profile);
        auto mock = start_mock({"--profile", profile, "--model", "org/model-a"});
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", profile}});
        auto list = json(get(gw.url("/v1/models")).body);
        REQUIRE(list["data"].IsArray());
        REQUIRE(list["data"].Size() >= 1);
        for (const auto& m : list["data"].GetArray()) {
            std::string id = m["id"].GetString();
            // The id percent-encoded (as the SDKs send it) and raw.
            std::string encoded;
            for (char c : id) encoded += c == '/' ? std::string("%2F") : std::string(1, c);
            for (const std::string& path : {"/v1/models/" + encoded, "/v1/models/" + id}) {
                INFO(path);
                auto one = get(gw.url(path));
                CHECK(one.status == 200);
                auto d = json(one.body);
                REQUIRE(d.IsObject());
                CHECK(std::string(d["id"].GetString()) == id);
            }
        }
        auto missing = get(gw.url("/v1/models/no-such-model"));
        CHECK(missing.status == 404);
        auto e = json(missing.body);
        REQUIRE(e.IsObject());
        CHECK(std::string(e["error"]["message"].GetString()).find("org/model-a") != std::string::npos);
    }
}

TEST_CASE("with anthropic-version the models routes answer in the Anthropic Models API shape", "[serve][models][anthropic]") {
    auto mock = start_mock({"--model", "org/model-a"});
    auto gw = start_serve(mock.url(), {{"API_KEYS", "k1"}});
    const std::vector<std::string> anth = {"anthropic-version: 2023-06-01", "x-api-key: k1"};
    auto page = get(gw.url("/v1/models"), anth);
    REQUIRE(page.status == 200);
    auto d = json(page.body);
    REQUIRE(d.IsObject());
    REQUIRE(d["data"].IsArray());
    REQUIRE(d["data"].Size() == 1);
    const auto& m = d["data"][0];
    CHECK(std::string(m["type"].GetString()) == "model");
    CHECK(std::string(m["id"].GetString()) == "org/model-a");
    CHECK(std::string(m["display_name"].GetString()) == "org/model-a");
    CHECK(std::string(m["created_at"].GetString()).size() == 20);  // 2024-01-01T00:00:00Z
    CHECK(d["has_more"].GetBool() == false);
    CHECK(std::string(d["first_id"].GetString()) == "org/model-a");
    CHECK(std::string(d["last_id"].GetString()) == "org/model-a");

    auto one = get(gw.url("/v1/models/org%2Fmodel-a"), anth);
    CHECK(one.status == 200);
    auto o = json(one.body);
    CHECK(std::string(o["type"].GetString()) == "model");
    CHECK(std::string(o["id"].GetString()) == "org/model-a");

    // Errors in Anthropic's envelope: an unknown model, a bad limit, a missing key.
    auto missing = get(gw.url("/v1/models/nope"), anth);
    CHECK(missing.status == 404);
    auto me = json(missing.body);
    CHECK(std::string(me["type"].GetString()) == "error");
    CHECK(std::string(me["error"]["type"].GetString()) == "not_found_error");
    auto bad = get(gw.url("/v1/models?limit=0"), anth);
    CHECK(bad.status == 400);
    CHECK(std::string(json(bad.body)["type"].GetString()) == "error");
    auto unauth = get(gw.url("/v1/models"), {"anthropic-version: 2023-06-01"});
    CHECK(unauth.status == 401);
    CHECK(std::string(json(unauth.body)["error"]["type"].GetString()) == "authentication_error");
    // Without the header: the runtime's OpenAI list, unchanged.
    auto openai = get(gw.url("/v1/models"), {"Authorization: Bearer k1"});
    CHECK(openai.body == get(mock.url("/v1/models")).body);
}
