#include "gateway/backend_pools.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <ctime>

#include "core/ops/metrics.h"
#include "net/http_server.h"

namespace llmgw::gw {

namespace {

// A last error is a line for an operator: its start says what happened.
constexpr size_t kMaxLastErrorBytes = 200;

std::shared_ptr<const RoutingTable> build_table(const BackendsConfig& c, const RoutingTable* previous) {
    auto t = std::make_shared<RoutingTable>(c);
    for (const auto& p : c.pools) {
        auto rt = std::make_shared<PoolRuntime>();
        rt->name = p.name;
        const PoolRuntime* old = nullptr;
        if (previous)
            for (const auto& op : previous->pools)
                if (op->name == p.name) old = op.get();
        rt->ttft_buckets.assign(GatewayMetrics::ttft_buckets().size(), 0);
        if (old) {
            rt->retries = old->retries;
            rt->ttft_buckets = old->ttft_buckets;
            rt->ttft_count = old->ttft_count;
            rt->ttft_sum_s = old->ttft_sum_s;
        }
        for (const auto& r : p.replicas) {
            rt->urls.push_back(r.url);
            rt->ids.push_back(replica_id(r.url));
            ReplicaState s;
            uint64_t requests = 0, failures = 0;
            std::string last;
            ReplicaStats stats;
            for (size_t i = 0; old && i < old->urls.size(); ++i) {
                if (old->urls[i] != r.url) continue;
                s = old->states[i];
                s.outstanding = 0;  // those requests release against the old version
                requests = old->requests[i];
                failures = old->failures[i];
                last = old->last_error[i];
                stats = old->stats[i];
            }
            s.weight = r.weight;
            rt->states.push_back(s);
            rt->requests.push_back(requests);
            rt->failures.push_back(failures);
            rt->last_error.push_back(std::move(last));
            rt->stats.push_back(stats);
        }
        t->pools.push_back(std::move(rt));
    }
    return t;
}

void write_sv(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// An ejected replica whose cool-down is over gets one trial request; its result decides.
const char* replica_state_name(const ReplicaState& s, uint64_t now_ns) {
    if (!in_rotation(s, now_ns)) return "ejected";
    return s.ejected_until_ns != 0 ? "trial" : "in_rotation";
}

// What /admin/backends adds to a replica's /health entry.
void write_replica_detail(rapidjson::Writer<rapidjson::StringBuffer>& w, const ReplicaState& s,
                          const ReplicaStats& st, uint64_t now_ns) {
    w.Key("state"); w.String(replica_state_name(s, now_ns));
    w.Key("queued"); w.Uint(s.queued);
    // The wall-clock end of the cool-down (Unix seconds), beside ejected_for_s's countdown.
    w.Key("ejected_until");
    if (in_rotation(s, now_ns)) w.Null();
    else w.Double(static_cast<double>(std::time(nullptr)) + static_cast<double>(s.ejected_until_ns - now_ns) / 1e9);
    w.Key("ejections_in_a_row"); w.Uint(s.ejections);
    w.Key("recent_head_ms");
    if (st.head_ms > 0) w.Double(st.head_ms);
    else w.Null();
    w.Key("recent_error_rate"); w.Double(st.error_rate);
    w.Key("ttft_streams"); w.Uint64(st.ttft_count);
    w.Key("ttft_mean_ms");
    if (st.ttft_count) w.Double(st.ttft_sum_s * 1e3 / static_cast<double>(st.ttft_count));
    else w.Null();
}

}  // namespace

BackendPools::BackendPools(const BackendsConfig& config, bool from_file, EjectionPolicy policy)
    : from_file_(from_file),
      policy_(policy),
      table_(build_table(config, nullptr)),
      listed_(std::make_shared<const ListedModels>()) {}

std::shared_ptr<const RoutingTable> BackendPools::table() const {
    std::lock_guard lock(mu_);
    return table_;
}

void BackendPools::replace(const BackendsConfig& config) {
    std::lock_guard lock(mu_);
    table_ = build_table(config, table_.get());
    // Pool indexes changed: the next health checks list again.
    listed_by_pool_.clear();
    listed_ = std::make_shared<const ListedModels>();
}

std::shared_ptr<const ListedModels> BackendPools::listed(const RoutingTable& t) const {
    static const auto kNone = std::make_shared<const ListedModels>();
    std::lock_guard lock(mu_);
    return &t == table_.get() ? listed_ : kNone;
}

void BackendPools::set_listed(const RoutingTable& t, size_t pool, std::vector<std::string> ids) {
    std::lock_guard lock(mu_);
    if (&t != table_.get() || pool >= t.pools.size()) return;
    listed_by_pool_.resize(t.pools.size());
    if (listed_by_pool_[pool] == ids) return;
    listed_by_pool_[pool] = std::move(ids);
    // Rebuilt whole (a few thousand ids at most), so requests read it without a lock.
    auto next = std::make_shared<ListedModels>();
    for (size_t p = 0; p < listed_by_pool_.size(); ++p)
        for (const auto& id : listed_by_pool_[p]) next->emplace(id, p);
    listed_ = std::move(next);
}

ReplicaLease BackendPools::acquire(const RoutingTable& t, size_t pool, ReplicaSet* tried, uint64_t random,
                                   uint64_t session) {
    if (pool >= t.pools.size()) return {};
    const auto& rt = t.pools[pool];
    std::lock_guard lock(mu_);
    auto idx = pick_replica_for(rt->states, rt->ids, session, *tried, net::now_ns(), random);
    if (!idx) return {};
    *tried |= ReplicaSet{1} << *idx;
    ++rt->states[*idx].outstanding;
    ++rt->requests[*idx];
    ReplicaLease lease;
    lease.pool = rt;
    lease.replica = *idx;
    lease.url = rt->urls[*idx];
    return lease;
}

bool BackendPools::release(ReplicaLease& lease, AttemptOutcome outcome, std::string_view error) {
    if (!lease) return false;
    bool ejected = false;
    {
        std::lock_guard lock(mu_);
        auto& s = lease.pool->states[lease.replica];
        if (s.outstanding > 0) --s.outstanding;
        ejected = record(*lease.pool, lease.replica, outcome, error);
    }
    lease = {};
    return ejected;
}

bool BackendPools::record_probe(PoolRuntime& pool, size_t replica, AttemptOutcome outcome, std::string_view error) {
    std::lock_guard lock(mu_);
    return record(pool, replica, outcome, error);
}

bool BackendPools::record(PoolRuntime& rt, size_t i, AttemptOutcome outcome, std::string_view error) {
    auto& s = rt.states[i];
    switch (outcome) {
        case AttemptOutcome::Answered:
            record_success(s);
            observe_outcome(rt.stats[i], false);
            return false;
        case AttemptOutcome::Failed:
            ++rt.failures[i];
            observe_outcome(rt.stats[i], true);
            rt.last_error[i] = std::string(error.substr(0, kMaxLastErrorBytes));
            return record_failure(s, net::now_ns(), policy_);
        case AttemptOutcome::Warming: rt.last_error[i] = std::string(error.substr(0, kMaxLastErrorBytes)); return false;
        case AttemptOutcome::Abandoned: return false;
    }
    return false;
}

void BackendPools::count_retry(const RoutingTable& t, size_t pool) {
    if (pool >= t.pools.size()) return;
    std::lock_guard lock(mu_);
    ++t.pools[pool]->retries;
}

void BackendPools::record_queue(PoolRuntime& pool, size_t replica, std::optional<uint32_t> depth) {
    std::lock_guard lock(mu_);
    pool.states[replica].queued = depth.value_or(0);
}

void BackendPools::record_head(const ReplicaLease& lease, double ms) {
    if (!lease) return;
    std::lock_guard lock(mu_);
    observe_head(lease.pool->stats[lease.replica], ms);
}

void BackendPools::record_ttft(const ReplicaLease& lease, double seconds) {
    if (!lease) return;
    std::lock_guard lock(mu_);
    auto& p = *lease.pool;
    observe_ttft(p.stats[lease.replica], seconds);
    const auto& bounds = GatewayMetrics::ttft_buckets();
    for (size_t b = 0; b < bounds.size(); ++b)
        if (seconds <= bounds[b]) ++p.ttft_buckets[b];
    ++p.ttft_count;
    p.ttft_sum_s += seconds;
}

bool BackendPools::pools_up(uint64_t now_ns, bool any) const {
    std::lock_guard lock(mu_);
    for (const auto& p : table_->pools) {
        bool up = false;
        for (const auto& s : p->states) up = up || in_rotation(s, now_ns);
        if (up && any) return true;
        if (!up && !any) return false;
    }
    return !any;
}

std::string BackendPools::health_json(uint64_t now_ns) const { return pools_json(now_ns, false); }

std::string BackendPools::admin_json(uint64_t now_ns) const {
    std::string pools = pools_json(now_ns, true);
    return R"({"object":"backends","from_file":)" + std::string(from_file_ ? "true" : "false") +
           R"(,"pools":)" + pools + "}";
}

std::string BackendPools::pools_json(uint64_t now_ns, bool admin) const {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    std::lock_guard lock(mu_);
    const auto& cfg = table_->router.config();
    w.StartArray();
    for (size_t p = 0; p < table_->pools.size(); ++p) {
        const auto& rt = *table_->pools[p];
        w.StartObject();
        w.Key("name"); write_sv(w, rt.name);
        w.Key("kind"); write_sv(w, backend_profile(cfg.pools[p].kind).name);
        w.Key("fallback");
        if (cfg.pools[p].fallback.empty()) w.Null();
        else write_sv(w, cfg.pools[p].fallback);
        w.Key("retries"); w.Uint64(rt.retries);
        if (admin) {
            const auto& pc = cfg.pools[p];
            w.Key("health_check"); w.String(pc.health == HealthProbe::Completion ? "completion" : "path");
            w.Key("balance"); w.String(pc.balance == Balance::Queue ? "queue" : "outstanding");
            // The public names and where each goes; an empty list: any model, unchanged.
            w.Key("models"); w.StartArray();
            for (const auto& m : pc.models) {
                w.StartObject();
                w.Key("name"); write_sv(w, m.name);
                w.Key("upstream"); write_sv(w, m.upstream);
                w.Key("aliases"); w.StartArray();
                for (const auto& a : m.aliases) write_sv(w, a);
                w.EndArray();
                w.EndObject();
            }
            w.EndArray();
            // A pool without a model list: what its replicas listed last (routing follows it).
            w.Key("listed_models"); w.StartArray();
            if (p < listed_by_pool_.size())
                for (const auto& id : listed_by_pool_[p]) write_sv(w, id);
            w.EndArray();
            w.Key("ttft_streams"); w.Uint64(rt.ttft_count);
            w.Key("ttft_mean_ms");
            if (rt.ttft_count) w.Double(rt.ttft_sum_s * 1e3 / static_cast<double>(rt.ttft_count));
            else w.Null();
        }
        w.Key("replicas"); w.StartArray();
        for (size_t i = 0; i < rt.urls.size(); ++i) {
            const auto& s = rt.states[i];
            w.StartObject();
            w.Key("url"); write_sv(w, rt.urls[i]);
            w.Key("up"); w.Bool(in_rotation(s, now_ns));
            w.Key("weight"); w.Uint(s.weight);
            w.Key("outstanding"); w.Uint(s.outstanding);
            w.Key("requests"); w.Uint64(rt.requests[i]);
            w.Key("failures"); w.Uint64(rt.failures[i]);
            w.Key("consecutive_failures"); w.Uint(s.consecutive_failures);
            w.Key("ejections"); w.Uint64(s.total_ejections);
            // Seconds until the cool-down ends (null: in rotation).
            w.Key("ejected_for_s");
            if (in_rotation(s, now_ns)) w.Null();
            else w.Double(static_cast<double>(s.ejected_until_ns - now_ns) / 1e9);
            w.Key("last_error");
            if (rt.last_error[i].empty()) w.Null();
            else write_sv(w, rt.last_error[i]);
            if (admin) write_replica_detail(w, s, rt.stats[i], now_ns);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    return std::string(sb.GetString(), sb.GetSize());
}

std::string BackendPools::metrics_text(uint64_t now_ns) const {
    struct Family {
        const char* name;
        const char* type;
        const char* help;
    };
    static constexpr Family kFamilies[] = {
        {"llmgw_replica_up", "gauge", "1 while the replica is in rotation, 0 while it is ejected"},
        {"llmgw_replica_outstanding", "gauge", "Requests sent to the replica and not finished"},
        {"llmgw_replica_queued", "gauge", "Requests the replica's runtime reports waiting (pools with balance: queue; else 0)"},
        {"llmgw_replica_requests_total", "counter", "Attempts sent to the replica"},
        {"llmgw_replica_failures_total", "counter", "Attempts that failed: refused, reset, timed out or 5xx"},
        {"llmgw_replica_ejections_total", "counter", "Times the replica was taken out of rotation"},
    };
    std::lock_guard lock(mu_);
    std::string out;
    for (size_t f = 0; f < std::size(kFamilies); ++f) {
        out += std::string("# HELP ") + kFamilies[f].name + " " + kFamilies[f].help + "\n";
        out += std::string("# TYPE ") + kFamilies[f].name + " " + kFamilies[f].type + "\n";
        for (const auto& p : table_->pools) {
            for (size_t i = 0; i < p->urls.size(); ++i) {
                const auto& s = p->states[i];
                uint64_t v = 0;
                switch (f) {
                    case 0: v = in_rotation(s, now_ns) ? 1 : 0; break;
                    case 1: v = s.outstanding; break;
                    case 2: v = s.queued; break;
                    case 3: v = p->requests[i]; break;
                    case 4: v = p->failures[i]; break;
                    default: v = s.total_ejections; break;
                }
                out += std::string(kFamilies[f].name) + "{pool=\"" + escape_label_value(p->name) + "\",replica=\"" +
                       escape_label_value(p->urls[i]) + "\"} " + std::to_string(v) + "\n";
            }
        }
    }
    out += "# HELP llmgw_pool_retries_total Attempts moved to another replica or the fallback pool\n";
    out += "# TYPE llmgw_pool_retries_total counter\n";
    for (const auto& p : table_->pools)
        out += "llmgw_pool_retries_total{pool=\"" + escape_label_value(p->name) + "\"} " + std::to_string(p->retries) + "\n";
    // One histogram per pool (64 pools at most), not per replica: a replica's mean is on
    // /admin/backends, and 64 x 64 replicas' buckets would be thousands of series.
    out += "# HELP llmgw_pool_ttft_seconds Time from the client's request to a stream's first token, by the pool that served it\n";
    out += "# TYPE llmgw_pool_ttft_seconds histogram\n";
    const auto& bounds = GatewayMetrics::ttft_buckets();
    for (const auto& p : table_->pools) {
        const std::string pool = "pool=\"" + escape_label_value(p->name) + "\"";
        for (size_t b = 0; b < bounds.size(); ++b)
            out += "llmgw_pool_ttft_seconds_bucket{" + pool + ",le=\"" + format_metric_value(bounds[b]) + "\"} " +
                   std::to_string(p->ttft_buckets[b]) + "\n";
        out += "llmgw_pool_ttft_seconds_bucket{" + pool + ",le=\"+Inf\"} " + std::to_string(p->ttft_count) + "\n";
        out += "llmgw_pool_ttft_seconds_sum{" + pool + "} " + format_metric_value(p->ttft_sum_s) + "\n";
        out += "llmgw_pool_ttft_seconds_count{" + pool + "} " + std::to_string(p->ttft_count) + "\n";
    }
    return out;
}

}  // namespace llmgw::gw
