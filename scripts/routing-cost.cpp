// What routing costs a request in CPU, without the network: the model's route (ModelRouter), the
// conversation's key from the facts the route's own parse read (session_hash), and the replica
// pick with its load bound (pick_replica_for over 3 replicas), then, where a pool renames a model,
// the request's rename (with_model) and one answer's (rewrite_answer_model). Single thread, a
// few million rounds, timed in CPU time. Built by scripts/bench-routing.sh against build/libllmgw_core_*.a.
//   usage: routing-cost [rounds]   -> prints ns per request for each part
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>

#include "core/api/request_body.h"
#include "core/routing/backends_file.h"
#include "core/routing/model_rewrite.h"
#include "core/routing/model_router.h"
#include "core/routing/session_affinity.h"

using namespace llmgw;

namespace {

// This thread's CPU time, not the wall clock: on a busy machine the wall clock counts the time
// other processes ran, and the claim is about CPU.
double cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

volatile uint64_t sink;  // keeps the optimiser from dropping the work

}  // namespace

int main(int argc, char** argv) {
    const long rounds = argc > 1 ? std::atol(argv[1]) : 2'000'000;
    BackendsFileError err;
    auto cfg = parse_backends_file(
        "pools:\n  - name: chat\n    kind: vllm\n    replicas: [http://a:1, http://b:1, http://c:1]\n"
        "    models:\n      - name: qwen-7b\n        upstream: Qwen/Qwen2.5-7B-Instruct\n        aliases: [gpt-4o-mini]\n"
        "  - name: embed\n    kind: llamacpp\n    replicas: [http://d:1]\n",
        [](std::string_view) { return std::nullopt; }, &err);
    if (!cfg) {
        std::fprintf(stderr, "routing-cost: %s\n", err.describe().c_str());
        return 1;
    }
    ModelRouter router(*cfg);
    std::vector<ReplicaState> states(3);
    std::vector<uint64_t> ids{replica_id("http://a:1"), replica_id("http://b:1"), replica_id("http://c:1")};
    // A coding agent's turn: the facts its route's parse read (the parse is the route's, not routing's).
    const std::string request = R"({"model":"gpt-4o-mini","max_tokens":64,"messages":[{"role":"system","content":")" +
                                std::string(4000, 's') + R"("},{"role":"user","content":"Fix the failing test"}]})";
    const ConversationFacts facts = inspect_request_body(request).conversation;
    const std::string answer =
        R"({"id":"c1","object":"chat.completion","model":"Qwen/Qwen2.5-7B-Instruct","choices":[{"index":0,"message":{"role":"assistant","content":"Done."},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":2}})";
    std::mt19937_64 rng(1);

    double t0 = cpu_ns();
    for (long i = 0; i < rounds; ++i) {
        auto route = router.resolve("gpt-4o-mini");
        uint64_t session = session_hash(facts, "");
        auto pick = pick_replica_for(states, ids, session, 0, 0, rng());
        ++states[*pick].outstanding;  // the lease, released at once: a steady load of 0-1
        --states[*pick].outstanding;
        sink = sink + route->pool + *pick;
    }
    const double decide = (cpu_ns() - t0) / static_cast<double>(rounds);

    const long rename_rounds = rounds / 10;
    t0 = cpu_ns();
    for (long i = 0; i < rename_rounds; ++i) {
        std::string up = with_model(request, "Qwen/Qwen2.5-7B-Instruct");
        std::string back = answer;
        rewrite_answer_model(back, "Qwen/Qwen2.5-7B-Instruct", "gpt-4o-mini");
        sink = sink + up.size() + back.size();
    }
    const double rename = (cpu_ns() - t0) / static_cast<double>(rename_rounds);
    std::printf("decide_ns %.0f\nrename_ns %.0f\n", decide, rename);
    return 0;
}
