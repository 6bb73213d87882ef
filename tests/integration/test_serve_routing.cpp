// BACKENDS_FILE: several `llmgw mock` runtimes behind one gateway. Models routed by name and
// alias (rewritten both ways, streams included), the merged /v1/models, spreading across
// replicas, failover before the first byte to another replica and to the fallback pool, and
// reload on SIGHUP.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>

#include "harness.h"

using namespace harness;

namespace {

const std::vector<std::string> kJson = {"Content-Type: application/json"};
const std::vector<std::string> kAnthropic = {"anthropic-version: 2023-06-01", "Content-Type: application/json"};

// A backends file in its own temporary directory, removed with it.
struct BackendsFile {
    std::string dir, path;
    explicit BackendsFile(const std::string& yaml) {
        char tmpl[] = "/tmp/llmgw-backends-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        dir = tmpl;
        path = dir + "/backends.yaml";
        write(yaml);
    }
    ~BackendsFile() {
        ::unlink(path.c_str());
        ::rmdir(dir.c_str());
    }
    void write(const std::string& yaml) const {
        std::ofstream(path, std::ios::trunc) << yaml;
    }
};

Process serve_with(const BackendsFile& f, const Process& first_replica, std::map<std::string, std::string> env = {}) {
    env.emplace("BACKENDS_FILE", f.path);
    return start_serve(first_replica.url(), env);
}

std::string chat(const std::string& model, bool stream = false) {
    return R"({"model":")" + model + R"(","max_tokens":4,"stream":)" + (stream ? "true" : "false") +
           R"(,"messages":[{"role":"user","content":"Hello"}]})";
}

std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : std::string("<not a string>"); }

int64_t chats(const Process& mock) {
    auto st = mock_stats(mock);
    const auto& by = st["requests_by_path"];
    return by.HasMember("/v1/chat/completions") ? by["/v1/chat/completions"].GetInt64() : 0;
}

std::string last_model_sent(const Process& mock) {
    auto st = mock_stats(mock);
    return str(json(st["last_request"]["body"].GetString())["model"]);
}

}  // namespace

TEST_CASE("routing: models by name and alias go to their pool, renamed both ways, streams too", "[serve][routing]") {
    // --strict-model: the runtime answers 404 to any name but its own, so a 200 proves the rewrite.
    auto chat_rt = start_mock({"--model", "Qwen/Qwen2.5-7B-Instruct", "--strict-model"});
    auto embed_rt = start_mock({"--profile", "llamacpp"});
    BackendsFile f("pools:\n"
                   "  - name: chat\n    kind: vllm\n    replicas: [" + chat_rt.url("/v1") + "]\n"
                   "    models:\n      - name: qwen-7b\n        upstream: Qwen/Qwen2.5-7B-Instruct\n"
                   "        aliases: [gpt-4o-mini]\n"
                   "  - name: embed\n    kind: llamacpp\n    replicas: [" + embed_rt.url("/v1") + "]\n");
    auto gw = serve_with(f, chat_rt);

    // The answer names the model as the client asked for it: the public name, or the alias.
    for (const char* model : {"qwen-7b", "gpt-4o-mini"}) {
        auto r = post(gw.url("/v1/chat/completions"), chat(model), kJson);
        REQUIRE(r.status == 200);
        CHECK(str(json(r.body)["model"]) == model);
        CHECK(last_model_sent(chat_rt) == "Qwen/Qwen2.5-7B-Instruct");
    }

    // The alias in a stream: every chunk names the alias, none the runtime's name.
    auto s = post(gw.url("/v1/chat/completions"), chat("gpt-4o-mini", true), kJson);
    REQUIRE(s.status == 200);
    auto events = sse_data(s.body);
    REQUIRE(events.size() > 2);
    CHECK(events.back() == "[DONE]");
    for (size_t i = 0; i + 1 < events.size(); ++i) CHECK(str(json(events[i])["model"]) == "gpt-4o-mini");
    CHECK(s.body.find("Qwen/") == std::string::npos);

    // Anthropic messages, whole and streamed, through the translator (which answers under the
    // name the client sent, alias or not): the runtime's name never reaches the client.
    const std::string msg = R"({"model":"qwen-7b","max_tokens":8,"messages":[{"role":"user","content":"Hi"}]})";
    auto m = post(gw.url("/v1/messages"), msg, kAnthropic);
    REQUIRE(m.status == 200);
    CHECK(str(json(m.body)["model"]) == "qwen-7b");
    CHECK(last_model_sent(chat_rt) == "Qwen/Qwen2.5-7B-Instruct");
    auto ms = post(gw.url("/v1/messages"), msg.substr(0, msg.size() - 1) + R"(,"stream":true})", kAnthropic);
    REQUIRE(ms.status == 200);
    CHECK(ms.body.find("\"model\":\"qwen-7b\"") != std::string::npos);
    CHECK(ms.body.find("Qwen/") == std::string::npos);

    // Responses.
    auto rs = post(gw.url("/v1/responses"), R"({"model":"qwen-7b","input":"Hi","max_output_tokens":8})", kJson);
    REQUIRE(rs.status == 200);
    CHECK(str(json(rs.body)["model"]) == "qwen-7b");
    CHECK(last_model_sent(chat_rt) == "Qwen/Qwen2.5-7B-Instruct");

    // A name no pool declares goes to the pool without a model list, unchanged.
    auto e = post(gw.url("/v1/embeddings"), R"({"model":"nomic-embed","input":"hello"})", kJson);
    REQUIRE(e.status == 200);
    auto est = mock_stats(embed_rt);
    CHECK(str(json(est["last_request"]["body"].GetString())["model"]) == "nomic-embed");
}

TEST_CASE("routing: every API answers under the name the client sent, whole and streamed", "[serve][routing][alias]") {
    auto rt = start_mock({"--model", "Qwen/Q", "--strict-model"});
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    replicas: [" + rt.url() + "]\n"
                   "    models:\n      - name: qwen-7b\n        upstream: Qwen/Q\n        aliases: [gpt-4o-mini, claude-sonnet-4]\n");
    auto gw = serve_with(f, rt, {{"HEALTH_CHECK_INTERVAL_S", "0"}});
    // Every "model" member of an answer or event body (top level, message, response).
    auto models_named = [](const std::string& body) {
        std::vector<std::string> names;
        for (size_t at = body.find("\"model\":\""); at != std::string::npos; at = body.find("\"model\":\"", at + 1)) {
            size_t start = at + 9, end = body.find('"', start);
            names.push_back(body.substr(start, end - start));
        }
        return names;
    };
    auto all_are = [&](const std::string& body, const std::string& name) {
        auto names = models_named(body);
        if (names.empty()) return false;
        for (const auto& n : names)
            if (n != name) return false;
        return body.find("Qwen/") == std::string::npos;
    };
    for (const std::string alias : {"gpt-4o-mini", "claude-sonnet-4"}) {
        INFO(alias);
        for (bool stream : {false, true}) {
            INFO("stream " << stream);
            const std::string st = stream ? "true" : "false";
            auto c = post(gw.url("/v1/chat/completions"), chat(alias, stream), kJson);
            REQUIRE(c.status == 200);
            CHECK(all_are(c.body, alias));
            auto t = post(gw.url("/v1/completions"),
                          R"({"model":")" + alias + R"(","prompt":"Once","max_tokens":4,"stream":)" + st + "}", kJson);
            REQUIRE(t.status == 200);
            CHECK(all_are(t.body, alias));
            auto m = post(gw.url("/v1/messages"),
                          R"({"model":")" + alias + R"(","max_tokens":8,"stream":)" + st +
                              R"(,"messages":[{"role":"user","content":"Hi"}]})",
                          kAnthropic);
            REQUIRE(m.status == 200);
            CHECK(all_are(m.body, alias));
            auto r = post(gw.url("/v1/responses"),
                          R"({"model":")" + alias + R"(","input":"Hi","max_output_tokens":8,"stream":)" + st + "}", kJson);
            REQUIRE(r.status == 200);
            CHECK(all_are(r.body, alias));
            CHECK(last_model_sent(rt) == "Qwen/Q");
        }
        auto e = post(gw.url("/v1/embeddings"), R"({"model":")" + alias + R"(","input":"hello"})", kJson);
        REQUIRE(e.status == 200);
        CHECK(all_are(e.body, alias));
    }
}

TEST_CASE("routing: GET /v1/models merges every pool's models under their public names", "[serve][routing]") {
    auto chat_rt = start_mock({"--model", "Qwen/Q"});
    auto open_rt = start_mock({"--model", "open-model"});
    BackendsFile f("pools:\n"
                   "  - name: chat\n    kind: vllm\n    replicas: [" + chat_rt.url() + "]\n"
                   "    models:\n      - name: qwen-7b\n        upstream: Qwen/Q\n      - small\n"
                   "  - name: any\n    kind: vllm\n    replicas: [" + open_rt.url() + "]\n");
    auto gw = serve_with(f, chat_rt);
    auto r = get(gw.url("/v1/models"));
    REQUIRE(r.status == 200);
    auto d = json(r.body);
    REQUIRE(d["data"].IsArray());
    std::vector<std::string> ids;
    for (const auto& m : d["data"].GetArray()) ids.push_back(str(m["id"]));
    CHECK(ids == std::vector<std::string>{"qwen-7b", "small", "open-model"});
    CHECK(str(d["data"][0]["owned_by"]) == "chat");

    auto one = get(gw.url("/v1/models/qwen-7b"));
    REQUIRE(one.status == 200);
    CHECK(str(json(one.body)["id"]) == "qwen-7b");
    auto none = get(gw.url("/v1/models/nope"));
    CHECK(none.status == 404);
    CHECK(str(json(none.body)["error"]["code"]) == "model_not_found");

    // A client that sends anthropic-version gets the same merged list in the Anthropic shape, paged.
    auto page = get(gw.url("/v1/models?limit=2"), kAnthropic);
    REQUIRE(page.status == 200);
    auto p = json(page.body);
    REQUIRE(p["data"].IsArray());
    REQUIRE(p["data"].Size() == 2);
    CHECK(str(p["data"][0]["type"]) == "model");
    CHECK(str(p["data"][0]["id"]) == "qwen-7b");
    CHECK(p["has_more"].GetBool());
    CHECK(str(p["last_id"]) == "small");
    auto rest = json(get(gw.url("/v1/models?after_id=small"), kAnthropic).body);
    REQUIRE(rest["data"].Size() == 1);
    CHECK(str(rest["data"][0]["id"]) == "open-model");
    CHECK_FALSE(rest["has_more"].GetBool());
    auto bad_page = get(gw.url("/v1/models?after_id=nope"), kAnthropic);
    CHECK(bad_page.status == 400);
    CHECK(str(json(bad_page.body)["type"]) == "error");  // Anthropic's envelope
    auto one_a = get(gw.url("/v1/models/open-model"), kAnthropic);
    REQUIRE(one_a.status == 200);
    CHECK(str(json(one_a.body)["type"]) == "model");
    CHECK(get(gw.url("/v1/models/nope"), kAnthropic).status == 404);
}

TEST_CASE("routing: a model no pool serves is a 404 in the route's envelope, listing the served ones", "[serve][routing]") {
    auto rt = start_mock();
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    replicas: [" + rt.url() +
                   "]\n    models: [mock-model, other]\n");
    // No health checks: they would send completions too.
    auto gw = serve_with(f, rt, {{"HEALTH_CHECK_INTERVAL_S", "0"}});
    const int64_t before = chats(rt);  // discovery's requests
    auto r = post(gw.url("/v1/chat/completions"), chat("gpt-5"), kJson);
    REQUIRE(r.status == 404);
    auto d = json(r.body);
    CHECK(str(d["error"]["code"]) == "model_not_found");
    CHECK(str(d["error"]["param"]) == "model");
    CHECK(str(d["error"]["message"]).find("served models: mock-model, other") != std::string::npos);
    auto a = post(gw.url("/v1/messages"), R"({"model":"gpt-5","max_tokens":8,"messages":[{"role":"user","content":"Hi"}]})",
                  kAnthropic);
    REQUIRE(a.status == 404);
    auto ad = json(a.body);
    CHECK(str(ad["type"]) == "error");
    CHECK(str(ad["error"]["type"]) == "not_found_error");
    CHECK(chats(rt) == before);
}

TEST_CASE("routing: requests spread over a pool's replicas", "[serve][routing]") {
    auto a = start_mock();
    auto b = start_mock();
    auto c = start_mock();
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    replicas:\n      - " + a.url() + "\n      - " +
                   b.url() + "\n      - " + c.url() + "\n");
    auto gw = serve_with(f, a);
    const int64_t before = chats(a);  // discovery's requests
    // 90 conversations (each its own first message, so session affinity spreads them too).
    for (int i = 0; i < 90; ++i) {
        std::string body = R"({"model":"mock-model","max_tokens":4,"messages":[{"role":"user","content":"Hello )" +
                           std::to_string(i) + R"("}]})";
        REQUIRE(post(gw.url("/v1/chat/completions"), body, kJson).status == 200);
    }
    // 30 each on average; 12 is over three standard deviations below.
    int64_t na = chats(a) - before, nb = chats(b), nc = chats(c);
    CHECK(na + nb + nc == 90);
    CHECK(na >= 12);
    CHECK(nb >= 12);
    CHECK(nc >= 12);
}

TEST_CASE("routing: a killed replica costs no client an error, and is ejected and shown so", "[serve][routing]") {
    auto a = start_mock();
    auto b = start_mock();
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    replicas: [" + a.url() + ", " + b.url() + "]\n");
    auto gw = serve_with(f, a);
    for (int i = 0; i < 10; ++i) REQUIRE(post(gw.url("/v1/chat/completions"), chat("mock-model"), kJson).status == 200);
    const std::string dead = b.url();
    b.stop(9);
    for (int i = 0; i < 30; ++i) {
        auto h = kJson;
        h.push_back("x-session-id: s" + std::to_string(i));  // 30 conversations: some were at home on b
        auto r = post(gw.url("/v1/chat/completions"), chat("mock-model", i % 2 == 1), h);
        CHECK(r.status == 200);
        CHECK(r.body.find("error") == std::string::npos);
    }
    auto h = json(get(gw.url("/health")).body);
    REQUIRE(h["pools"].IsArray());
    const auto& reps = h["pools"][0]["replicas"];
    REQUIRE(reps.Size() == 2);
    CHECK(str(reps[1]["url"]) == dead);
    CHECK(reps[1]["up"].IsFalse());
    CHECK(reps[1]["ejections"].GetUint64() >= 1);
    CHECK(reps[1]["ejected_for_s"].IsNumber());
    CHECK(reps[0]["up"].IsTrue());
    auto metrics = get(gw.url("/metrics")).body;
    CHECK(metrics.find("llmgw_replica_up{pool=\"chat\",replica=\"" + dead + "\"} 0") != std::string::npos);
    CHECK(metrics.find("llmgw_replica_ejections_total{pool=\"chat\",replica=\"" + dead + "\"} 0") == std::string::npos);
    CHECK(metrics.find("llmgw_pool_retries_total{pool=\"chat\"}") != std::string::npos);
}

TEST_CASE("routing: 502 and 503 before the answer move the request to another replica", "[serve][routing]") {
    auto failing = start_mock({"--fail-rate", "1", "--fail-status", "503"});
    auto good = start_mock();
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    replicas: [" + failing.url() + ", " + good.url() + "]\n");
    auto gw = serve_with(f, good);
    for (int i = 0; i < 12; ++i) {
        auto h = kJson;
        h.push_back("x-session-id: s" + std::to_string(i));
        auto r = post(gw.url("/v1/chat/completions"), chat("mock-model", i % 2 == 0), h);
        CHECK(r.status == 200);
    }
    CHECK(chats(good) >= 12);
}

TEST_CASE("routing: llama.cpp's 503 Loading model is warming: the request moves on, the replica stays in rotation", "[serve][routing]") {
    auto good = start_mock({"--profile", "llamacpp"});
    auto loading = start_mock({"--profile", "llamacpp", "--fail-rate", "1", "--fail-status", "503"});
    BackendsFile f("pools:\n  - name: chat\n    kind: llamacpp\n    replicas: [" + good.url() + ", " + loading.url() + "]\n");
    auto gw = serve_with(f, good, {{"ADMIN_KEYS", "op-key"}, {"HEALTH_CHECK_INTERVAL_S", "0"}});
    for (int i = 0; i < 16; ++i) {
        auto h = kJson;
        h.push_back("x-session-id: s" + std::to_string(i));
        CHECK(post(gw.url("/v1/chat/completions"), chat("mock-model", i % 2 == 0), h).status == 200);
    }
    REQUIRE(chats(loading) >= 2);  // it was tried, more than once: a failed replica would be ejected by now
    auto r = get(gw.url("/admin/backends"), {"x-api-key: op-key"});
    REQUIRE(r.status == 200);
    auto d = json(r.body);
    const auto& warming = d["pools"][0]["replicas"][1];
    CHECK(str(warming["url"]) == loading.url());
    CHECK(str(warming["state"]) == "in_rotation");
    REQUIRE(warming["last_error"].IsString());
    CHECK(str(warming["last_error"]).find("Loading model") != std::string::npos);
}

TEST_CASE("routing: the fallback pool answers when no replica of the pool can", "[serve][routing]") {
    auto laptop = start_mock({"--model", "small-model", "--strict-model"});
    const int nobody = free_port();
    BackendsFile f("pools:\n"
                   "  - name: chat\n    kind: vllm\n    replicas: [http://127.0.0.1:" + std::to_string(nobody) + "]\n"
                   "    models:\n      - name: qwen-7b\n        upstream: Qwen/Q\n        aliases: [gpt-4o-mini]\n"
                   "    fallback: laptop\n"
                   "  - name: laptop\n    kind: lmstudio\n    replicas: [" + laptop.url() + "/v1]\n"
                   "    models: [small-model]\n");
    auto gw = start_serve(laptop.url(), {{"BACKENDS_FILE", f.path}, {"LOG_LEVEL", "info"}});
    for (bool stream : {false, true}) {
        auto r = post(gw.url("/v1/chat/completions"), chat("gpt-4o-mini", stream), kJson);
        REQUIRE(r.status == 200);
        // The laptop's model answered, under the name the client asked for.
        CHECK(r.body.find("\"model\":\"gpt-4o-mini\"") != std::string::npos);
        CHECK(r.body.find("qwen-7b") == std::string::npos);
        CHECK(r.body.find("small-model") == std::string::npos);
        CHECK(last_model_sent(laptop) == "small-model");
    }
    // The access log names where the request went in the end.
    CHECK(wait_until([&] { return gw.log().find(R"("pool":"laptop","replica":")" + laptop.url() + "\"") != std::string::npos; }));
}

TEST_CASE("routing: SIGHUP reloads the file, and a bad file keeps the pools in effect", "[serve][routing]") {
    auto a = start_mock();
    auto b = start_mock();
    auto pool_on = [](const Process& p) {
        return "pools:\n  - name: chat\n    kind: vllm\n    replicas: [" + p.url() + "]\n";
    };
    BackendsFile f(pool_on(a));
    auto gw = serve_with(f, a);
    REQUIRE(post(gw.url("/v1/chat/completions"), chat("mock-model"), kJson).status == 200);
    CHECK(chats(b) == 0);

    f.write(pool_on(b));
    gw.signal(SIGHUP);
    REQUIRE(wait_until([&] {
        post(gw.url("/v1/chat/completions"), chat("mock-model"), kJson);
        return chats(b) > 0;
    }));

    f.write("pools:\n  - name: chat\n    kind: vllm\n    replicas: [" + a.url() + "]\n    fallback: nowhere\n");
    gw.signal(SIGHUP);
    REQUIRE(wait_until([&] { return gw.log().find("backends not reloaded") != std::string::npos; }));
    CHECK(gw.log().find("line 5") != std::string::npos);
    const int64_t on_a = chats(a), on_b = chats(b);
    for (int i = 0; i < 5; ++i) REQUIRE(post(gw.url("/v1/chat/completions"), chat("mock-model"), kJson).status == 200);
    CHECK(chats(a) == on_a);
    CHECK(chats(b) == on_b + 5);
}

TEST_CASE("routing: a bad backends file at start-up exits 2 naming the line", "[serve][routing]") {
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    replicas: [http://127.0.0.1:1]\n    modles: [x]\n");
    auto r = run_llmgw({"serve", "--port", "0"}, {{"BACKENDS_FILE", f.path}});
    CHECK(r.exit == 2);
    CHECK(r.err.find("line 5") != std::string::npos);
    CHECK(r.err.find("modles") != std::string::npos);
    auto missing = run_llmgw({"serve", "--port", "0"}, {{"BACKENDS_FILE", f.dir + "/absent.yaml"}});
    CHECK(missing.exit == 2);
    CHECK(missing.err.find("cannot read") != std::string::npos);
}

namespace {

// /health's entry for a pool's replica.
bool replica_up(const Process& gw, size_t pool, size_t replica) {
    auto h = json(get(gw.url("/health")).body);
    if (!h.IsObject() || !h.HasMember("pools")) return false;
    return h["pools"][static_cast<rapidjson::SizeType>(pool)]["replicas"][static_cast<rapidjson::SizeType>(replica)]["up"]
        .IsTrue();
}

}  // namespace

TEST_CASE("routing: a replica that lists its models but hangs on completions is ejected by the health check", "[serve][routing]") {
    auto good = start_mock();
    // --hang: every /v1 request is accepted and never answered (the runtime's health URL still is).
    auto wedged = start_mock({"--hang"});
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    replicas: [" + good.url() + ", " + wedged.url() +
                   "]\n    models: [mock-model]\n");
    auto gw = serve_with(f, good, {{"HEALTH_CHECK_INTERVAL_S", "1"}, {"REQUEST_TIMEOUT_S", "2"}});
    REQUIRE(wait_until([&] { return !replica_up(gw, 0, 1); }, 30));
    CHECK(replica_up(gw, 0, 0));
    // Out of rotation: requests go to the good replica at once.
    const int64_t before = chats(good);
    for (int i = 0; i < 5; ++i) CHECK(post(gw.url("/v1/chat/completions"), chat("mock-model"), kJson).status == 200);
    CHECK(chats(good) >= before + 5);
    auto h = json(get(gw.url("/health")).body);
    CHECK(str(h["pools"][0]["replicas"][1]["last_error"]).find("health check") != std::string::npos);
    CHECK(get(gw.url("/readyz")).status == 200);  // the pool still has a replica
}

TEST_CASE("routing: a replica that comes back is re-admitted by its health check", "[serve][routing]") {
    auto good = start_mock();
    const int port = free_port();
    const std::string later = "http://127.0.0.1:" + std::to_string(port);
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    replicas: [" + good.url() + ", " + later + "]\n");
    auto gw = serve_with(f, good, {{"HEALTH_CHECK_INTERVAL_S", "1"}});
    REQUIRE(wait_until([&] { return !replica_up(gw, 0, 1); }, 30));
    auto back = start_mock({"--port", std::to_string(port)});
    REQUIRE(wait_until([&] { return replica_up(gw, 0, 1); }, 30));
    // In rotation again: it gets a share of the conversations.
    for (int i = 0; i < 40; ++i) {
        auto h = kJson;
        h.push_back("x-session-id: s" + std::to_string(i));
        REQUIRE(post(gw.url("/v1/chat/completions"), chat("mock-model"), h).status == 200);
    }
    CHECK(chats(back) > 0);
}

TEST_CASE("routing: /readyz is 503 while a pool has no replica in rotation", "[serve][routing]") {
    auto good = start_mock();
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    replicas: [" + good.url() +
                   "]\n  - name: gone\n    kind: vllm\n    replicas: [http://127.0.0.1:" + std::to_string(free_port()) +
                   "]\n");
    auto gw = serve_with(f, good, {{"HEALTH_CHECK_INTERVAL_S", "1"}});
    REQUIRE(wait_until([&] { return get(gw.url("/readyz")).status == 503; }, 30));
    CHECK(replica_up(gw, 0, 0));
    CHECK_FALSE(replica_up(gw, 1, 0));
    // READYZ_POOLS=any: one pool serving is enough.
    auto any = serve_with(f, good, {{"HEALTH_CHECK_INTERVAL_S", "1"}, {"READYZ_POOLS", "any"}});
    REQUIRE(wait_until([&] { return !replica_up(any, 1, 0); }, 30));
    CHECK(get(any.url("/readyz")).status == 200);
}

TEST_CASE("routing: the turns of one conversation stay on one replica", "[serve][routing]") {
    std::vector<Process> rts;
    for (int i = 0; i < 3; ++i) rts.push_back(start_mock());
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    replicas: [" + rts[0].url() + ", " + rts[1].url() + ", " +
                   rts[2].url() + "]\n");
    auto gw = serve_with(f, rts[0], {{"HEALTH_CHECK_INTERVAL_S", "0"}});
    auto counts = [&] {
        std::vector<int64_t> c;
        for (const auto& r : rts) c.push_back(chats(r));
        return c;
    };
    // Which replicas got requests between two snapshots.
    auto served = [](const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
        int n = 0;
        for (size_t i = 0; i < a.size(); ++i) n += b[i] > a[i];
        return n;
    };
    const std::string codex = R"({"model":"mock-model","prompt_cache_key":"conv-1","max_tokens":4,"messages":[{"role":"user","content":"Hi"}]})";
    auto before = counts();
    for (int i = 0; i < 12; ++i) REQUIRE(post(gw.url("/v1/chat/completions"), codex, kJson).status == 200);
    CHECK(served(before, counts()) == 1);

    before = counts();
    for (int i = 0; i < 12; ++i) {
        auto h = kJson;
        h.push_back("x-session-id: session-7");
        REQUIRE(post(gw.url("/v1/chat/completions"), chat("mock-model"), h).status == 200);
    }
    CHECK(served(before, counts()) == 1);

    // Responses: Codex's prompt_cache_key, which the translation leaves out, still decides.
    before = counts();
    for (int i = 0; i < 8; ++i)
        REQUIRE(post(gw.url("/v1/responses"),
                     R"({"model":"mock-model","prompt_cache_key":"conv-9","input":"Hi","max_output_tokens":8,"store":false})", kJson)
                    .status == 200);
    CHECK(served(before, counts()) == 1);

    // Many conversations use every replica.
    before = counts();
    for (int i = 0; i < 30; ++i) {
        std::string body = R"({"model":"mock-model","prompt_cache_key":"c)" + std::to_string(i) +
                           R"(","max_tokens":4,"messages":[{"role":"user","content":"Hi"}]})";
        REQUIRE(post(gw.url("/v1/chat/completions"), body, kJson).status == 200);
    }
    CHECK(served(before, counts()) == 3);
}

TEST_CASE("routing: GET /admin/backends shows replicas' state to ADMIN_KEYS, never to client keys", "[serve][routing][admin]") {
    auto a = start_mock();
    auto b = start_mock();
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    replicas: [" + a.url() + ", " + b.url() +
                   "]\n    models:\n      - name: mock-model\n        aliases: [gpt-4o-mini]\n");
    auto gw = serve_with(f, a, {{"API_KEYS", "client-key"}, {"ADMIN_KEYS", "op-key"}, {"HEALTH_CHECK_INTERVAL_S", "0"}});
    auto client = kJson;
    client.push_back("Authorization: Bearer client-key");
    for (int i = 0; i < 6; ++i)
        REQUIRE(post(gw.url("/v1/chat/completions"), chat("mock-model", i % 2 == 0), client).status == 200);
    const std::string dead = b.url();
    b.stop(9);
    for (int i = 0; i < 30; ++i) {  // 30 conversations: some were at home on b
        auto h = client;
        h.push_back("x-session-id: s" + std::to_string(i));
        REQUIRE(post(gw.url("/v1/chat/completions"), chat("mock-model"), h).status == 200);
    }

    CHECK(get(gw.url("/admin/backends")).status == 401);
    CHECK(get(gw.url("/admin/backends"), {"Authorization: Bearer client-key"}).status == 401);
    auto r = get(gw.url("/admin/backends"), {"x-api-key: op-key"});
    REQUIRE(r.status == 200);
    auto d = json(r.body);
    REQUIRE(d["pools"].IsArray());
    const auto& pool = d["pools"][0];
    CHECK(str(pool["name"]) == "chat");
    CHECK(str(pool["models"][0]["name"]) == "mock-model");
    CHECK(str(pool["models"][0]["aliases"][0]) == "gpt-4o-mini");
    CHECK(pool["ttft_streams"].GetUint64() >= 3);
    const auto& live = pool["replicas"][0];
    const auto& gone = pool["replicas"][1];
    CHECK(str(live["state"]) == "in_rotation");
    CHECK(live["recent_head_ms"].IsNumber());
    CHECK(live["recent_error_rate"].GetDouble() == 0.0);
    CHECK(live["outstanding"].GetUint() == 0);
    CHECK(str(gone["url"]) == dead);
    CHECK(str(gone["state"]) == "ejected");
    CHECK(gone["ejected_until"].IsNumber());
    CHECK(gone["recent_error_rate"].GetDouble() > 0.0);
    CHECK_FALSE(gone["last_error"].IsNull());

    // Per-pool time to first token in /metrics (admin figures, not behind a key).
    auto metrics = get(gw.url("/metrics")).body;
    CHECK(metrics.find("llmgw_pool_ttft_seconds_count{pool=\"chat\"} ") != std::string::npos);
    CHECK(metrics.find("llmgw_pool_ttft_seconds_count{pool=\"chat\"} 0\n") == std::string::npos);
}

TEST_CASE("routing: /admin/* is off without ADMIN_KEYS", "[serve][routing][admin]") {
    auto a = start_mock();
    auto gw = start_serve(a.url(), {{"API_KEYS", "client-key"}});
    auto r = get(gw.url("/admin/backends"), {"Authorization: Bearer client-key"});
    CHECK(r.status == 404);
    CHECK(str(json(r.body)["error"]["message"]).find("ADMIN_KEYS") != std::string::npos);
}

TEST_CASE("routing: balance: queue keeps requests off a replica whose runtime reports a queue", "[serve][routing][queue]") {
    // Another gateway's traffic waits on `busy`: its runtime says 50 requests are queued.
    auto busy = start_mock({"--queue-depth", "50"});
    auto idle = start_mock({"--profile", "llamacpp", "--queue-depth", "0"});
    BackendsFile f("pools:\n  - name: chat\n    kind: vllm\n    balance: queue\n    replicas: [" + busy.url() + ", " +
                   idle.url() + "]\n");
    auto gw = serve_with(f, idle, {{"HEALTH_CHECK_INTERVAL_S", "0"}, {"ADMIN_KEYS", "op"}});
    REQUIRE(wait_until([&] {
        auto d = json(get(gw.url("/admin/backends"), {"x-api-key: op"}).body);
        return d.IsObject() && d["pools"][0]["replicas"][0]["queued"].GetUint() == 50;
    }));
    // Start-up discovery asks the first replica (busy) with chat requests of its own: done first.
    REQUIRE(wait_until([&] { return str(json(get(gw.url("/health")).body)["backend"]["discovery"]) == "done"; }));
    auto d = json(get(gw.url("/admin/backends"), {"x-api-key: op"}).body);
    CHECK(str(d["pools"][0]["balance"]) == "queue");
    CHECK(d["pools"][0]["replicas"][1]["queued"].GetUint() == 0);
    const int64_t before = chats(busy);
    // 20 conversations: those whose home is the busy replica move, since its load is over the bound.
    for (int i = 0; i < 20; ++i) {
        auto h = kJson;
        h.push_back("x-session-id: q" + std::to_string(i));
        REQUIRE(post(gw.url("/v1/chat/completions"), chat("mock-model"), h).status == 200);
    }
    CHECK(chats(busy) == before);
    CHECK(get(gw.url("/metrics")).body.find("llmgw_replica_queued{pool=\"chat\",replica=\"" + busy.url() + "\"} 50") !=
          std::string::npos);
}

TEST_CASE("routing: each pool's requests are shaped for its own runtime kind", "[serve][routing][shaping]") {
    // TGI serves no embeddings; llama.cpp does. Before pools had their own kinds, the first
    // pool's (TGI) refused every embeddings request, the llama.cpp pool's included.
    auto chat_rt = start_mock({"--model", "chat-model"});
    auto embed_rt = start_mock({"--profile", "llamacpp", "--model", "embed-model"});
    BackendsFile f("pools:\n"
                   "  - name: chat\n    kind: tgi\n    replicas: [" + chat_rt.url() + "]\n    models: [chat-model]\n"
                   "  - name: embed\n    kind: llamacpp\n    replicas: [" + embed_rt.url() + "]\n    models: [embed-model]\n");
    auto gw = serve_with(f, chat_rt, {{"HEALTH_CHECK_INTERVAL_S", "0"}});
    auto e = post(gw.url("/v1/embeddings"), R"({"model":"embed-model","input":"hello"})", kJson);
    CHECK(e.status == 200);
    auto refused = post(gw.url("/v1/embeddings"), R"({"model":"chat-model","input":"hello"})", kJson);
    CHECK(refused.status == 501);
    CHECK(str(json(refused.body)["error"]["message"]).find("TGI") != std::string::npos);
}

TEST_CASE("routing: pools without a model list get the names their replicas list", "[serve][routing][discovery]") {
    // Both runtimes answer 404 to any name but their own: a 200 proves where a request went.
    auto chat_rt = start_mock({"--model", "chat-model", "--strict-model"});
    auto embed_rt = start_mock({"--profile", "llamacpp", "--model", "nomic-embed", "--strict-model"});
    BackendsFile f("pools:\n"
                   "  - name: chat\n    kind: vllm\n    replicas: [" + chat_rt.url() + "]\n"
                   "  - name: embed\n    kind: llamacpp\n    replicas: [" + embed_rt.url() + "]\n");
    auto gw = serve_with(f, chat_rt, {{"HEALTH_CHECK_INTERVAL_S", "1"}, {"ADMIN_KEYS", "op"}});
    REQUIRE(wait_until([&] {
        auto d = json(get(gw.url("/admin/backends"), {"x-api-key: op"}).body);
        return d.IsObject() && d["pools"][1]["listed_models"].Size() == 1;
    }, 30));
    auto d = json(get(gw.url("/admin/backends"), {"x-api-key: op"}).body);
    CHECK(str(d["pools"][1]["listed_models"][0]) == "nomic-embed");
    CHECK(str(d["pools"][0]["listed_models"][0]) == "chat-model");
    CHECK(post(gw.url("/v1/embeddings"), R"({"model":"nomic-embed","input":"hello"})", kJson).status == 200);
    CHECK(post(gw.url("/v1/chat/completions"), chat("chat-model"), kJson).status == 200);
    // A name nobody lists still goes to the first pool without a list (whose runtime refuses it).
    REQUIRE(wait_until([&] { return str(json(get(gw.url("/health")).body)["backend"]["discovery"]) == "done"; }));
    const int64_t before = chats(chat_rt);
    CHECK(post(gw.url("/v1/chat/completions"), chat("unknown"), kJson).status == 404);
    CHECK(chats(chat_rt) == before + 1);
}
