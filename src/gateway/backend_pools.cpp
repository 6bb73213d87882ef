#include "gateway/backend_pools.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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
        if (old) rt->retries = old->retries;
        for (const auto& r : p.replicas) {
            rt->urls.push_back(r.url);
            rt->ids.push_back(replica_id(r.url));
            ReplicaState s;
            uint64_t requests = 0, failures = 0;
            std::string last;
            for (size_t i = 0; old && i < old->urls.size(); ++i) {
                if (old->urls[i] != r.url) continue;
                s = old->states[i];
                s.outstanding = 0;  // those requests release against the old version
                requests = old->requests[i];
                failures = old->failures[i];
                last = old->last_error[i];
            }
            s.weight = r.weight;
            rt->states.push_back(s);
            rt->requests.push_back(requests);
            rt->failures.push_back(failures);
            rt->last_error.push_back(std::move(last));
        }
        t->pools.push_back(std::move(rt));
    }
    return t;
}

void write_sv(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace

BackendPools::BackendPools(const BackendsConfig& config, bool from_file, EjectionPolicy policy)
    : from_file_(from_file), policy_(policy), table_(build_table(config, nullptr)) {}

std::shared_ptr<const RoutingTable> BackendPools::table() const {
    std::lock_guard lock(mu_);
    return table_;
}

void BackendPools::replace(const BackendsConfig& config) {
    std::lock_guard lock(mu_);
    table_ = build_table(config, table_.get());
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
        case AttemptOutcome::Answered: record_success(s); return false;
        case AttemptOutcome::Failed:
            ++rt.failures[i];
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

bool BackendPools::all_pools_up(uint64_t now_ns) const {
    std::lock_guard lock(mu_);
    for (const auto& p : table_->pools) {
        bool any = false;
        for (const auto& s : p->states) any = any || in_rotation(s, now_ns);
        if (!any) return false;
    }
    return true;
}

std::string BackendPools::health_json(uint64_t now_ns) const {
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
                    case 2: v = p->requests[i]; break;
                    case 3: v = p->failures[i]; break;
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
    return out;
}

}  // namespace llmgw::gw
