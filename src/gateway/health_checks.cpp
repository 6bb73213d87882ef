#include "gateway/health_checks.h"

#include "core/api/model_list.h"
#include "core/api/request_body.h"
#include "core/base/request_id.h"
#include "core/ops/upstream_timeouts.h"
#include "core/routing/runtime_queue.h"
#include "gateway/forward.h"
#include "gateway/gateway.h"
#include "gateway/log.h"

namespace llmgw::gw {

namespace {

// What a probe reads of an answer: enough to tell llama.cpp's "Loading model" 503.
constexpr size_t kMaxProbeAnswerBytes = 4096;

}  // namespace

HealthChecker::HealthChecker(GatewayWorker& worker)
    : worker_(worker), timer_(worker.loop()), queue_timer_(worker.loop()) {
    timer_.unref();
    queue_timer_.unref();
}

void HealthChecker::start() {
    if (worker_.shared().cfg.health_check_interval_s > 0) round();
    queue_round();
}

void HealthChecker::stop() {
    stopped_ = true;
    timer_.stop();
    queue_timer_.stop();
}

void HealthChecker::round() {
    if (stopped_) return;
    auto& shared = worker_.shared();
    auto table = shared.pools.table();
    const auto& cfg = table->router.config();
    pending_ = 0;
    for (size_t p = 0; p < cfg.pools.size(); ++p) {
        const auto& pool = cfg.pools[p];
        std::shared_ptr<PoolRuntime> rt = table->pools[p];
        for (size_t i = 0; i < pool.replicas.size(); ++i) {
            net::UpstreamRequest req;
            const bool completion = pool.health == HealthProbe::Completion && !pool.models.empty();
            if (completion) {
                req.method = "POST";
                req.url = pool.replicas[i].url + "/v1/chat/completions";
                req.body = R"({"model":)" + json_quote(pool.models.front().upstream) +
                           R"(,"max_tokens":1,"messages":[{"role":"user","content":"ping"}]})";
            } else {
                req.method = "GET";
                req.url = pool.replicas[i].url + std::string(backend_profile(pool.kind).health_path);
            }
            worker_.set_pool_headers(req, make_request_id(worker_.random64(), worker_.random64()), nullptr,
                                     pool.api_key);
            ++pending_;
            side_call(
                worker_, std::move(req),
                [this, rt, i](int status, std::string body, const net::UpstreamResult& r) {
                    AttemptOutcome o = attempt_outcome(r, status, body);
                    // A health URL that answers 4xx is not serving either (a runtime without it
                    // answers 404: the pool should say health: completion).
                    if (o == AttemptOutcome::Answered && (status < 200 || status >= 300)) o = AttemptOutcome::Failed;
                    std::string error = r.failure != net::UpstreamFailure::None ? "health check: " + r.message
                                        : o != AttemptOutcome::Answered ? "health check answered HTTP " + std::to_string(status)
                                                                        : std::string();
                    if (worker_.shared().pools.record_probe(*rt, i, o, error))
                        log_event(spdlog::level::warn, "routing", "replica ejected by its health check",
                                  {{"pool", rt->name}, {"replica", rt->urls[i]}, {"error", error}});
                    round_done();
                },
                completion ? UpstreamPurpose::CheckWithBody : UpstreamPurpose::Check, kMaxProbeAnswerBytes);
        }
    }
    // With one open pool, a name no pool declares goes there anyway: nothing to learn.
    if (table->router.open_pools().size() > 1)
        for (size_t p : table->router.open_pools()) list_models(table, p);
    ++rounds_;
    if (pending_ == 0) round_done();
}

void HealthChecker::list_models(const std::shared_ptr<const RoutingTable>& table, size_t pool) {
    const auto& pc = table->router.config().pools[pool];
    net::UpstreamRequest req;
    req.method = "GET";
    req.url = pc.replicas[rounds_ % pc.replicas.size()].url + "/v1/models";
    worker_.set_pool_headers(req, make_request_id(worker_.random64(), worker_.random64()), nullptr, pc.api_key);
    ++pending_;
    // Not a health signal (the probe above is): a failed listing keeps the last one.
    side_call(worker_, std::move(req), [this, table, pool](int status, std::string answer, const net::UpstreamResult&) {
        if (status == 200)
            if (auto ids = listed_model_ids(answer); ids && !ids->empty())
                worker_.shared().pools.set_listed(*table, pool, std::move(*ids));
        round_done();
    });
}

void HealthChecker::round_done() {
    if (pending_ > 0) --pending_;
    if (pending_ > 0 || stopped_) return;
    const auto interval_ms = static_cast<uint64_t>(worker_.shared().cfg.health_check_interval_s * 1000);
    timer_.once(interval_ms, [this] { round(); });
}

void HealthChecker::queue_round() {
    if (stopped_) return;
    auto& shared = worker_.shared();
    auto table = shared.pools.table();
    const auto& cfg = table->router.config();
    queue_pending_ = 0;
    for (size_t p = 0; p < cfg.pools.size(); ++p) {
        const auto& pool = cfg.pools[p];
        if (pool.balance != Balance::Queue) continue;
        std::shared_ptr<PoolRuntime> rt = table->pools[p];
        for (size_t i = 0; i < pool.replicas.size(); ++i) {
            net::UpstreamRequest req;
            req.method = "GET";
            req.url = pool.replicas[i].url + std::string(kRuntimeMetricsPath);
            worker_.set_pool_headers(req, make_request_id(worker_.random64(), worker_.random64()), nullptr,
                                     pool.api_key);
            ++queue_pending_;
            // Not a health signal: a runtime without /metrics is balanced by outstanding requests.
            side_call(
                worker_, std::move(req),
                [this, rt, i](int status, std::string body, const net::UpstreamResult&) {
                    worker_.shared().pools.record_queue(*rt, i, status == 200 ? runtime_queue_depth(body) : std::nullopt);
                    queue_round_done();
                },
                UpstreamPurpose::Check, kMaxRuntimeMetricsBytes);
        }
    }
    if (queue_pending_ == 0) queue_round_done();
}

void HealthChecker::queue_round_done() {
    if (queue_pending_ > 0) --queue_pending_;
    if (queue_pending_ > 0 || stopped_) return;
    queue_timer_.once(kQueuePollMs, [this] { queue_round(); });
}

}  // namespace llmgw::gw
