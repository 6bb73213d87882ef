#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "core/api/request_body.h"
#include "core/ops/config.h"
#include "core/routing/backends_file.h"
#include "core/routing/model_rewrite.h"
#include "core/routing/model_router.h"
#include "core/routing/replica_picker.h"
#include "core/routing/replica_stats.h"
#include "core/routing/runtime_queue.h"
#include "core/routing/session_affinity.h"

using namespace llmgw;

namespace {

// The example of issue 15, as written there.
constexpr std::string_view kExample = R"(pools:
  - name: chat
    kind: vllm                      # a BACKEND_KIND
    replicas:
      - http://10.0.0.11:8000/v1
      - http://10.0.0.12:8000/v1
    api_key: ""                     # optional, sent upstream (or api_key_env: NAME)
    models:                         # optional: without it, whatever the replicas list, as listed
      - name: qwen-7b               # the public name clients send and see
        upstream: Qwen/Qwen2.5-7B-Instruct
        aliases: [gpt-4o-mini]
    fallback: laptop                # optional: another pool
  - name: embed
    kind: llamacpp
    replicas: [http://10.0.0.13:8080/v1]
  - name: laptop
    kind: lmstudio
    replicas: [http://192.168.1.20:1234/v1]
)";

EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

BackendsFileError error_of(std::string_view yaml) {
    BackendsFileError err;
    auto c = parse_backends_file(yaml, env_of({}), &err);
    CHECK_FALSE(c);
    return err;
}

}  // namespace

TEST_CASE("backends file: the issue's example parses as written", "[routing]") {
    BackendsFileError err;
    auto c = parse_backends_file(kExample, env_of({}), &err);
    REQUIRE(c);
    REQUIRE(c->pools.size() == 3);
    const auto& chat = c->pools[0];
    CHECK(chat.name == "chat");
    CHECK(chat.kind == BackendKind::VLLM);
    REQUIRE(chat.replicas.size() == 2);
    CHECK(chat.replicas[0].url == "http://10.0.0.11:8000");  // "/v1" is the routes' business
    CHECK(chat.replicas[1].weight == 1);
    REQUIRE(chat.models.size() == 1);
    CHECK(chat.models[0].upstream == "Qwen/Qwen2.5-7B-Instruct");
    CHECK(chat.models[0].aliases == std::vector<std::string>{"gpt-4o-mini"});
    CHECK(chat.fallback == "laptop");
    CHECK(c->pools[1].kind == BackendKind::LlamaCpp);
    CHECK(c->pools[1].models.empty());
    CHECK(c->pools[2].replicas[0].url == "http://192.168.1.20:1234");
}

TEST_CASE("backends file: weights, api_key_env and short forms", "[routing]") {
    BackendsFileError err;
    auto c = parse_backends_file(R"(pools:
  - name: a
    kind: ollama
    replicas:
      - {url: "http://127.0.0.1:1/", weight: 3}
      - http://127.0.0.1:2/prefix/v1
    api_key_env: POOL_KEY
    models: [llama3]
)", env_of({{"POOL_KEY", "sekrit"}}), &err);
    REQUIRE(c);
    CHECK(c->pools[0].replicas[0].weight == 3);
    CHECK(c->pools[0].replicas[1].url == "http://127.0.0.1:2/prefix");
    CHECK(c->pools[0].api_key == "sekrit");
    CHECK(c->pools[0].models[0].name == "llama3");
    CHECK(c->pools[0].models[0].upstream == "llama3");
}

TEST_CASE("backends file: every error names its line", "[routing]") {
    auto e = error_of("pools:\n  - name: a\n    kind: nosuch\n    replicas: [http://x:1]\n");
    CHECK(e.line == 3);
    CHECK(e.message.find("nosuch") != std::string::npos);
    CHECK(e.describe().starts_with("line 3: "));

    e = error_of("pools:\n  - name: a\n    kind: vllm\n    replicas: [notaurl]\n");
    CHECK(e.line == 4);

    e = error_of("pools:\n  - name: a\n    kind: vllm\n    replicas: [http://x:1]\n    fallbak: b\n");
    CHECK(e.line == 5);
    CHECK(e.message.find("fallbak") != std::string::npos);

    e = error_of("pools:\n  - name: a\n    kind: vllm\n    replicas: [http://x:1]\n    fallback: b\n");
    CHECK(e.line == 5);
    CHECK(e.message.find("'b' is not a pool") != std::string::npos);

    e = error_of("pools:\n  - name: a\n    kind: vllm\n    replicas: [http://x:1]\n    api_key_env: UNSET_VAR\n");
    CHECK(e.line == 5);
    CHECK(e.message.find("UNSET_VAR") != std::string::npos);

    // The same public name in two pools would make routing depend on the file's order.
    e = error_of(
        "pools:\n  - name: a\n    kind: vllm\n    replicas: [http://x:1]\n    models: [m]\n"
        "  - name: b\n    kind: vllm\n    replicas: [http://x:2]\n    models:\n      - name: n\n        aliases: [m]\n");
    CHECK(e.line == 10);
    CHECK(e.message.find("alias 'm'") != std::string::npos);

    e = error_of("pools:\n  - name: a\n    kind: vllm\n    replicas:\n      - {url: http://x:1, weight: 0}\n");
    CHECK(e.line == 5);

    e = error_of("pools:\n  - name: a\n    kind: vllm\n    replicas: [http://x:1]\n  - name: a\n    kind: vllm\n    replicas: [http://x:2]\n");
    CHECK(e.line == 5);
    CHECK(e.message.find("twice") != std::string::npos);

    e = error_of("pools:\n  - name: a\n    kind: [vllm\n");  // YAML syntax
    CHECK(e.line >= 3);
    e = error_of("pools: []\n");
    CHECK(e.line == 1);
    e = error_of("");
    CHECK_FALSE(e.message.empty());
    e = error_of(std::string(kMaxBackendsFileBytes + 1, '#'));
    CHECK(e.message.find("larger") != std::string::npos);
}

TEST_CASE("model router: names, aliases, open pools and fallbacks", "[routing]") {
    BackendsFileError err;
    auto c = parse_backends_file(kExample, env_of({}), &err);
    REQUIRE(c);
    ModelRouter router(*c);
    auto r = router.resolve("gpt-4o-mini");
    REQUIRE(r);
    CHECK(r->pool == 0);
    CHECK(r->public_name == "qwen-7b");
    CHECK(r->upstream == "Qwen/Qwen2.5-7B-Instruct");
    CHECK(r->rewrites());
    // Not declared anywhere: the first pool without a model list serves it, unchanged.
    auto any = router.resolve("nomic-embed");
    REQUIRE(any);
    CHECK(any->pool == 1);
    CHECK_FALSE(any->rewrites());
    CHECK(router.public_names() == std::vector<std::string>{"qwen-7b"});
    auto fb = router.fallback(*r);
    REQUIRE(fb);
    CHECK(fb->pool == 2);
    CHECK(fb->public_name == "qwen-7b");
    CHECK_FALSE(router.fallback(*any));

    auto closed = parse_backends_file("pools:\n  - name: a\n    kind: vllm\n    replicas: [http://x:1]\n    models: [m]\n",
                                      env_of({}), &err);
    REQUIRE(closed);
    ModelRouter strict(*closed);
    CHECK_FALSE(strict.resolve("other"));
    CHECK(strict.resolve("m"));
}

TEST_CASE("model router: a name no pool declares goes to the open pool whose replicas list it", "[routing]") {
    BackendsFileError err;
    auto c = parse_backends_file("pools:\n"
                                 "  - name: chat\n    kind: vllm\n    replicas: [http://x:1]\n    models: [m]\n"
                                 "  - name: first\n    kind: vllm\n    replicas: [http://x:2]\n"
                                 "  - name: embed\n    kind: llamacpp\n    replicas: [http://x:3]\n",
                                 env_of({}), &err);
    REQUIRE(c);
    ModelRouter router(*c);
    const ListedModels listed{{"nomic-embed", 2}, {"m", 2}, {"stale", 7}, {"closed", 0}};
    CHECK(router.resolve("nomic-embed", &listed)->pool == 2);
    CHECK(router.resolve("nomic-embed")->pool == 1);  // not listed yet: the first open pool
    CHECK(router.resolve("unknown", &listed)->pool == 1);
    CHECK(router.resolve("m", &listed)->pool == 0);       // a declared name wins
    CHECK(router.resolve("stale", &listed)->pool == 1);   // a pool index from another file
    CHECK(router.resolve("closed", &listed)->pool == 1);  // a pool with a model list is not open
}

TEST_CASE("replica picker: weights share the traffic of an idle pool", "[routing]") {
    std::vector<ReplicaState> rs(2);
    rs[0].weight = 3;
    rs[1].weight = 1;
    std::mt19937_64 rng(42);
    int first = 0;
    for (int i = 0; i < 4000; ++i) {
        auto idx = pick_replica(rs, 0, 0, rng());
        REQUIRE(idx);
        // Each pick's request finishes before the next: the load stays even, the weight decides.
        if (*idx == 0) ++first;
    }
    // Idle loads tie, and a tie keeps the first draw: replica 0 gets 3/4 of the picks (3000).
    CHECK(first > 2800);
    CHECK(first < 3200);
}

TEST_CASE("replica picker: fewer outstanding requests win", "[routing]") {
    std::vector<ReplicaState> rs(3);
    rs[0].outstanding = 10;
    rs[1].outstanding = 0;
    rs[2].outstanding = 10;
    std::mt19937_64 rng(7);
    int to_idle = 0;
    for (int i = 0; i < 3000; ++i)
        if (*pick_replica(rs, 0, 0, rng()) == 1) ++to_idle;
    // The idle replica wins every pair it is drawn into: 1 - (2/3)^2 = 5/9 of picks.
    CHECK(to_idle > 1500);
    // Simulated load: each pick adds one outstanding request; the loads stay within one of each other.
    std::vector<ReplicaState> load(3);
    for (int i = 0; i < 300; ++i) ++load[*pick_replica(load, 0, 0, rng())].outstanding;
    for (const auto& r : load) {
        CHECK(r.outstanding >= 90);
        CHECK(r.outstanding <= 110);
    }
}

TEST_CASE("replica picker: tried and ejected replicas are skipped", "[routing]") {
    std::vector<ReplicaState> rs(3);
    EjectionPolicy policy;
    const uint64_t now = 1'000'000'000'000ull;
    CHECK_FALSE(record_failure(rs[1], now, policy));
    CHECK(record_failure(rs[1], now, policy));  // second in a row: out
    CHECK_FALSE(in_rotation(rs[1], now));
    CHECK(rs[1].ejected_until_ns == now + policy.base_cooldown_ns);
    std::mt19937_64 rng(1);
    for (int i = 0; i < 200; ++i) CHECK(*pick_replica(rs, 0, now, rng()) != 1);
    // Replica 0 tried: only 2 is left in rotation.
    for (int i = 0; i < 50; ++i) CHECK(*pick_replica(rs, 0b001, now, rng()) == 2);
    // 0 and 2 tried: the ejected one rather than nothing.
    CHECK(*pick_replica(rs, 0b101, now, rng()) == 1);
    CHECK_FALSE(pick_replica(rs, 0b111, now, rng()));
    // Its cool-down over, it gets a trial; a failed trial doubles the cool-down.
    uint64_t later = rs[1].ejected_until_ns;
    CHECK(in_rotation(rs[1], later));
    CHECK(record_failure(rs[1], later, policy));
    CHECK(rs[1].ejected_until_ns == later + 2 * policy.base_cooldown_ns);
    CHECK(rs[1].total_ejections == 2);
    // The back-off stops at its ceiling.
    for (int i = 0; i < 20; ++i) record_failure(rs[1], later, policy);
    CHECK(rs[1].ejected_until_ns == later + policy.max_cooldown_ns);
    // A success re-admits it at once.
    record_success(rs[1]);
    CHECK(in_rotation(rs[1], later));
    CHECK(rs[1].consecutive_failures == 0);
}

TEST_CASE("model rewrite: requests and answers, streams included", "[routing]") {
    CHECK(with_model(R"({"model":"qwen-7b","messages":[]})", "Qwen/Q") == R"({"model":"Qwen/Q","messages":[]})");
    CHECK(with_model(R"({"messages":[]})", "x") == R"({"model":"x","messages":[]})");

    std::string chunk = R"({"id":"c1","model":"Qwen/Q","choices":[{"delta":{"content":"Qwen/Q"}}]})";
    CHECK(rewrite_answer_model(chunk, "Qwen/Q", "qwen-7b"));
    // The model member only: content that happens to say the name is the model's answer.
    CHECK(chunk == R"({"id":"c1","model":"qwen-7b","choices":[{"delta":{"content":"Qwen/Q"}}]})");

    std::string start = R"({"type":"message_start","message":{"id":"m","model":"Qwen/Q","content":[]}})";
    CHECK(rewrite_answer_model(start, "Qwen/Q", "qwen-7b"));
    CHECK(start == R"({"type":"message_start","message":{"id":"m","model":"qwen-7b","content":[]}})");

    std::string resp = R"({"type":"response.created","response":{"model":"Qwen/Q"},"model":"Qwen/Q"})";
    CHECK(rewrite_answer_model(resp, "Qwen/Q", "qwen-7b"));
    CHECK(resp == R"({"type":"response.created","response":{"model":"qwen-7b"},"model":"qwen-7b"})");

    std::string other = R"({"model":"another"})";
    CHECK_FALSE(rewrite_answer_model(other, "Qwen/Q", "qwen-7b"));
    std::string broken = R"({"model":"Qwen/Q")";
    CHECK_FALSE(rewrite_answer_model(broken, "Qwen/Q", "qwen-7b"));
    CHECK(broken == R"({"model":"Qwen/Q")");
    std::string done = "[DONE]";
    CHECK_FALSE(rewrite_answer_model(done, "Qwen/Q", "qwen-7b"));
}

TEST_CASE("backends: without the file, one pool with the single backend", "[routing]") {
    ConfigError cerr;
    auto cfg = parse_serve_config({{"BACKEND_KIND", "ollama"}, {"BACKEND_BASE_URL", "http://127.0.0.1:11434/v1"},
                                   {"BACKEND_API_KEY", "k"}},
                                  &cerr);
    REQUIRE(cfg);
    auto c = single_backend_config(*cfg);
    REQUIRE(c.pools.size() == 1);
    CHECK(c.pools[0].replicas[0].url == "http://127.0.0.1:11434");
    CHECK(c.pools[0].api_key == "k");
    ModelRouter router(c);
    auto r = router.resolve("anything");
    REQUIRE(r);
    CHECK_FALSE(r->rewrites());
    CHECK(router.resolve(""));
}

TEST_CASE("session affinity: the conversation key, first present of its sources", "[routing]") {
    // The route's own parse of the body reads the sources (inspect_request_body, the translators).
    auto key = [](const std::string& body, std::string_view header = "") {
        auto facts = inspect_request_body(body);
        REQUIRE(facts.ok);
        return session_hash(facts.conversation, header);
    };
    const std::string a = R"({"prompt_cache_key":"conv-1","user":"u","messages":[{"role":"user","content":"x"}]})";
    const std::string b = R"({"prompt_cache_key":"conv-2","user":"u","messages":[{"role":"user","content":"x"}]})";
    CHECK(key(a) != key(b));
    CHECK(key(a, "hdr") == key(a, "other"));  // the body's key wins
    const std::string u = R"({"user":"user_1_session_9","messages":[]})";
    CHECK(key(u, "hdr") != key(u));  // the header wins over user
    CHECK(key(u) == key(R"({"user":"user_1_session_9","messages":[{"role":"user","content":"other"}]})"));
    // Anthropic: Claude Code's metadata.user_id stands for user.
    CHECK(key(R"({"metadata":{"user_id":"user_1_session_9"},"messages":[]})") == key(u));
    // Only the conversation's start counts: a later turn of it hashes the same.
    std::string start = R"({"messages":[{"role":"system","content":")" + std::string(kConversationOpeningBytes, 's') + "\"}";
    CHECK(key(start + "]}") == key(start + R"(,{"role":"user","content":"next"}]})"));
    // Content as parts (Anthropic, OpenAI multimodal, Responses items) counts by its text.
    CHECK(key(R"({"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]})") ==
          key(R"({"messages":[{"role":"user","content":"hi"}]})"));
    CHECK(key(R"({"messages":[{"role":"user","content":"hi"}]})") != key(R"({"messages":[{"role":"user","content":"ho"}]})"));
    CHECK(key(R"({"input":"hello"})") != 0);
    CHECK(key(R"({"input":[{"role":"user","content":[{"type":"input_text","text":"hello"}]}]})") != 0);
    CHECK(key(R"({"model":"m"})") == 0);
}

TEST_CASE("session affinity: a session sticks to one replica until it carries too much", "[routing]") {
    std::vector<ReplicaState> rs(3);
    std::vector<uint64_t> ids{replica_id("http://a:1"), replica_id("http://b:1"), replica_id("http://c:1")};
    std::mt19937_64 rng(3);
    ConversationFacts codex;
    codex.prompt_cache_key = "conv-1";
    const uint64_t s = session_hash(codex, "");
    auto home = pick_replica_for(rs, ids, s, 0, 0, rng());
    REQUIRE(home);
    for (int i = 0; i < 50; ++i) CHECK(pick_replica_for(rs, ids, s, 0, 0, rng()) == home);
    // Sessions spread: 300 keys land on every replica.
    std::vector<int> homes(3);
    for (int k = 0; k < 300; ++k) {
        const std::string key = std::to_string(k);
        ++homes[*pick_replica_for(rs, ids, session_hash({}, key), 0, 0, rng())];
    }
    for (int h : homes) CHECK(h > 60);
    // Its home carries 4 of the pool's 4 requests: over 1.25 x its share, the session moves.
    rs[*home].outstanding = 4;
    for (int i = 0; i < 20; ++i) CHECK(pick_replica_for(rs, ids, s, 0, 0, rng()) != home);
    // A balanced pool keeps it home.
    for (auto& r : rs) r.outstanding = 4;
    CHECK(pick_replica_for(rs, ids, s, 0, 0, rng()) == home);
    // Tried or ejected, the next replica of the session's order takes it.
    CHECK(pick_replica_for(rs, ids, s, ReplicaSet{1} << *home, 0, rng()) != home);
}

TEST_CASE("replica stats: recent error rate and head latency follow the last attempts", "[routing]") {
    ReplicaStats s;
    observe_head(s, 100);
    CHECK(s.head_ms == 100);  // the first answer sets the figure
    observe_head(s, 200);
    CHECK(s.head_ms == Approx(120));
    for (int i = 0; i < 5; ++i) observe_outcome(s, true);
    const double failing = s.error_rate;
    CHECK(failing > 0.6);
    // A recovered replica reads healthy again within a few tens of attempts.
    for (int i = 0; i < 20; ++i) observe_outcome(s, false);
    CHECK(s.error_rate < 0.02);
    observe_ttft(s, 0.5);
    observe_ttft(s, -1);  // a clock step counts as 0
    CHECK(s.ttft_count == 2);
    CHECK(s.ttft_sum_s == Approx(0.5));
}

TEST_CASE("runtime queue: the runtimes' waiting gauges, summed over models", "[routing]") {
    const std::string vllm =
        "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.\n"
        "# TYPE vllm:num_requests_waiting gauge\n"
        "vllm:num_requests_running{model_name=\"a\"} 7.0\n"
        "vllm:num_requests_waiting{model_name=\"a\"} 3.0\n"
        "vllm:num_requests_waiting{model_name=\"b\"} 2.0\n"
        "vllm:num_requests_waiting_total 99\n";  // another name that starts the same
    CHECK(runtime_queue_depth(vllm) == 5u);
    CHECK(runtime_queue_depth("llamacpp:requests_processing 2\nllamacpp:requests_deferred 4\n") == 4u);
    CHECK(runtime_queue_depth("sglang:num_queue_reqs{name=\"x\"} 1\r\n") == 1u);
    CHECK(runtime_queue_depth("tgi_queue_size 6 1700000000\n") == 6u);  // with a timestamp
    CHECK_FALSE(runtime_queue_depth("process_cpu_seconds_total 1\n"));
    CHECK_FALSE(runtime_queue_depth(""));
    // Untrusted text: malformed samples are skipped, absurd ones capped.
    CHECK_FALSE(runtime_queue_depth("vllm:num_requests_waiting{model_name=\"a\" 3\nvllm:num_requests_waiting -1\n"
                                    "vllm:num_requests_waiting NaN\nvllm:num_requests_waiting 3x\n"));
    CHECK(runtime_queue_depth("vllm:num_requests_waiting 1e300\n") == kMaxQueueDepth);
    CHECK(queue_gauge_name("llamacpp") == "llamacpp:requests_deferred");
    CHECK(queue_gauge_name("vllm") == "vllm:num_requests_waiting");
}

TEST_CASE("replica picker: balance: queue weighs the runtime's queue with the requests in flight", "[routing]") {
    ReplicaState busy, idle;
    busy.queued = 40;  // another gateway's requests wait there
    idle.outstanding = 3;
    std::vector<ReplicaState> rs{busy, idle};
    // Whenever both are drawn the idle one wins; a pool of two draws both at least half the time.
    int on_idle = 0;
    std::mt19937_64 rng(7);
    for (int i = 0; i < 400; ++i) on_idle += pick_replica(rs, 0, 0, rng()) == 1u;
    CHECK(on_idle > 250);
    // Affinity's bound counts the queue too: a session at home on the busy replica moves.
    const std::vector<uint64_t> ids{replica_id("http://a"), replica_id("http://b")};
    int moved = 0;
    for (uint64_t session = 1; session <= 200; ++session)
        moved += pick_replica_for(rs, ids, session, 0, 0, rng()) == 1u;
    CHECK(moved == 200);

    BackendsFileError e;
    auto cfg = parse_backends_file("pools:\n  - name: c\n    kind: vllm\n    replicas: [http://x:1]\n    balance: queue\n",
                                   env_of({}), &e);
    REQUIRE(cfg);
    CHECK(cfg->pools[0].balance == Balance::Queue);
    e = error_of("pools:\n  - name: c\n    kind: vllm\n    replicas: [http://x:1]\n    balance: random\n");
    CHECK(e.line == 5);
    CHECK(e.message.find("balance") != std::string::npos);
}
