#include "gateway/health_checks.h"

#include "core/api/request_body.h"
#include "core/base/request_id.h"
#include "core/ops/upstream_timeouts.h"
#include "gateway/forward.h"
#include "gateway/gateway.h"
#include "gateway/log.h"

namespace llmgw::gw {

namespace {

// What a probe reads of an answer: enough to tell llama.cpp's "Loading model" 503.
constexpr size_t kMaxProbeAnswerBytes = 4096;

}  // namespace

HealthChecker::HealthChecker(GatewayWorker& worker) : worker_(worker), timer_(worker.loop()) { timer_.unref(); }

void HealthChecker::start() {
    round();
}

void HealthChecker::stop() {
    stopped_ = true;
    timer_.stop();
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
            const auto t = upstream_timeouts(shared.cfg, completion ? UpstreamPurpose::CheckWithBody : UpstreamPurpose::Check);
            req.timeout_ms = t.total_ms;
            req.connect_timeout_ms = t.connect_ms;
            auto status = std::make_shared<int>(0);
            auto body = std::make_shared<std::string>();
            req.on_head = [status](int st, const net::Headers&) { *status = st; };
            req.on_body = [body](std::string_view d) {
                if (body->size() < kMaxProbeAnswerBytes) body->append(d.substr(0, kMaxProbeAnswerBytes - body->size()));
            };
            req.on_done = [this, rt, i, status, body](const net::UpstreamResult& r) {
                AttemptOutcome o = attempt_outcome(r, *status, *body);
                // A health URL that answers 4xx is not serving either (a runtime without it
                // answers 404: the pool should say health: completion).
                if (o == AttemptOutcome::Answered && (*status < 200 || *status >= 300)) o = AttemptOutcome::Failed;
                std::string error = r.failure != net::UpstreamFailure::None ? "health check: " + r.message
                                    : o != AttemptOutcome::Answered ? "health check answered HTTP " + std::to_string(*status)
                                                                    : std::string();
                if (worker_.shared().pools.record_probe(*rt, i, o, error))
                    log_event(spdlog::level::warn, "routing", "replica ejected by its health check",
                              {{"pool", rt->name}, {"replica", rt->urls[i]}, {"error", error}});
                round_done();
            };
            ++pending_;
            worker_.upstream().start(std::move(req));
        }
    }
    if (pending_ == 0) round_done();
}

void HealthChecker::round_done() {
    if (pending_ > 0) --pending_;
    if (pending_ > 0 || stopped_) return;
    const auto interval_ms = static_cast<uint64_t>(worker_.shared().cfg.health_check_interval_s * 1000);
    timer_.once(interval_ms, [this] { round(); });
}

}  // namespace llmgw::gw
