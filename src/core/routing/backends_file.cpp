#include "core/routing/backends_file.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <set>

#include "core/base/text_util.h"
#include "core/ops/config.h"

namespace llmgw {

namespace {

// Thrown inside the parser only, turned into BackendsFileError at its boundary.
struct Invalid {
    int line;
    std::string message;
};

int line_of(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

[[noreturn]] void fail(const YAML::Node& at, std::string message) { throw Invalid{line_of(at), std::move(message)}; }

// Unknown keys are refused: a misspelt "fallbak" would otherwise silently disable a failover.
void only_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed, std::string_view what) {
    for (const auto& kv : map) {
        const std::string key = kv.first.as<std::string>();
        bool known = false;
        for (auto a : allowed) known = known || key == a;
        if (!known) {
            std::string list;
            for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
            fail(kv.first, "unknown key '" + key + "' in " + std::string(what) + " (expected one of: " + list + ")");
        }
    }
}

std::string scalar(const YAML::Node& n, std::string_view what) {
    if (!n.IsScalar()) fail(n, std::string(what) + " must be a string");
    return n.as<std::string>();
}

std::string non_empty(const YAML::Node& n, std::string_view what) {
    std::string s = scalar(n, what);
    if (s.empty()) fail(n, std::string(what) + " must not be empty");
    return s;
}

// A pool name is used in metrics labels and log lines: keep it to a plain identifier.
bool is_plain_name(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
    return true;
}

std::string normalized_url(const YAML::Node& n) {
    std::string raw = non_empty(n, "a replica's url");
    auto u = parse_url(raw);
    if (!u) fail(n, "'" + raw + "' is not a valid http(s) URL");
    std::string path = u->path;
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.size() >= 3 && path.compare(path.size() - 3, 3, "/v1") == 0) path.resize(path.size() - 3);
    return u->scheme + "://" + u->host + ":" + std::to_string(u->port) + path;
}

ReplicaConfig parse_replica(const YAML::Node& n) {
    ReplicaConfig r;
    if (n.IsScalar()) {
        r.url = normalized_url(n);
        return r;
    }
    if (!n.IsMap()) fail(n, "a replica is a URL or a map with url and weight");
    only_keys(n, {"url", "weight"}, "a replica");
    if (!n["url"]) fail(n, "a replica needs a url");
    r.url = normalized_url(n["url"]);
    if (const auto w = n["weight"]) {
        long long v = 0;
        try {
            v = w.as<long long>();
        } catch (const YAML::Exception&) {
            fail(w, "weight must be a whole number");
        }
        if (v < 1 || v > kMaxReplicaWeight)
            fail(w, "weight must be between 1 and " + std::to_string(kMaxReplicaWeight));
        r.weight = static_cast<uint32_t>(v);
    }
    return r;
}

ModelEntry parse_model(const YAML::Node& n) {
    ModelEntry m;
    if (n.IsScalar()) {
        m.name = m.upstream = non_empty(n, "a model's name");
        return m;
    }
    if (!n.IsMap()) fail(n, "a model is a name or a map with name, upstream and aliases");
    only_keys(n, {"name", "upstream", "aliases"}, "a model");
    if (!n["name"]) fail(n, "a model needs a name");
    m.name = non_empty(n["name"], "a model's name");
    m.upstream = n["upstream"] ? non_empty(n["upstream"], "upstream") : m.name;
    if (const auto a = n["aliases"]) {
        if (!a.IsSequence()) fail(a, "aliases must be a list");
        for (const auto& x : a) m.aliases.push_back(non_empty(x, "an alias"));
    }
    return m;
}

PoolConfig parse_pool(const YAML::Node& n, const EnvLookup& env) {
    if (!n.IsMap()) fail(n, "a pool must be a map");
    only_keys(n, {"name", "kind", "replicas", "api_key", "api_key_env", "models", "fallback", "health", "balance"}, "a pool");
    PoolConfig p;
    if (!n["name"]) fail(n, "a pool needs a name");
    p.name = non_empty(n["name"], "a pool's name");
    if (!is_plain_name(p.name))
        fail(n["name"], "pool name '" + p.name + "' may use only letters, digits, '-', '_' and '.' (64 at most)");
    if (!n["kind"]) fail(n, "pool '" + p.name + "' needs a kind (" + std::string(backend_kind_names()) + ")");
    const std::string kind = to_lower(scalar(n["kind"], "kind"));
    auto k = parse_backend_kind(kind);
    if (!k) fail(n["kind"], "unknown kind '" + kind + "' (expected " + std::string(backend_kind_names()) + ")");
    p.kind = *k;

    const auto reps = n["replicas"];
    if (!reps) fail(n, "pool '" + p.name + "' needs replicas");
    if (reps.IsScalar()) {
        p.replicas.push_back(parse_replica(reps));
    } else if (reps.IsSequence()) {
        if (reps.size() == 0) fail(reps, "pool '" + p.name + "' has no replicas");
        if (reps.size() > kMaxReplicasPerPool)
            fail(reps, "pool '" + p.name + "' has more than " + std::to_string(kMaxReplicasPerPool) + " replicas");
        for (const auto& r : reps) p.replicas.push_back(parse_replica(r));
    } else {
        fail(reps, "replicas must be a list of URLs");
    }

    if (n["api_key"] && n["api_key_env"]) fail(n["api_key_env"], "use api_key or api_key_env, not both");
    if (n["api_key"]) p.api_key = scalar(n["api_key"], "api_key");
    if (const auto e = n["api_key_env"]) {
        const std::string var = non_empty(e, "api_key_env");
        auto v = env(var);
        if (!v) fail(e, "api_key_env names " + var + ", which is not set");
        p.api_key = *v;
    }

    if (const auto ms = n["models"]) {
        if (!ms.IsSequence()) fail(ms, "models must be a list");
        if (ms.size() > kMaxModelsPerPool)
            fail(ms, "pool '" + p.name + "' has more than " + std::to_string(kMaxModelsPerPool) + " models");
        for (const auto& m : ms) p.models.push_back(parse_model(m));
    }
    if (n["fallback"]) p.fallback = non_empty(n["fallback"], "fallback");
    p.health = p.models.empty() ? HealthProbe::Path : HealthProbe::Completion;
    if (const auto h = n["health"]) {
        const std::string v = scalar(h, "health");
        if (v == "completion") p.health = HealthProbe::Completion;
        else if (v == "path") p.health = HealthProbe::Path;
        else fail(h, "health must be 'completion' (a one-token request) or 'path' (the runtime's health URL)");
        if (p.health == HealthProbe::Completion && p.models.empty())
            fail(h, "health: completion needs a model list (the request names the pool's first model)");
    }
    if (const auto b = n["balance"]) {
        const std::string v = scalar(b, "balance");
        if (v == "outstanding") p.balance = Balance::Outstanding;
        else if (v == "queue") p.balance = Balance::Queue;
        else fail(b, "balance must be 'outstanding' (requests in flight from here) or 'queue' (plus the runtime's reported queue)");
    }
    return p;
}

// Checks across pools: unique pool names, one pool per public name, fallbacks that exist.
void check_pools(const YAML::Node& seq, const BackendsConfig& c) {
    std::set<std::string> pools, names;
    for (size_t i = 0; i < c.pools.size(); ++i) {
        const auto& p = c.pools[i];
        const auto node = seq[i];
        if (!pools.insert(p.name).second) fail(node["name"], "pool name '" + p.name + "' is used twice");
        for (size_t j = 0; j < p.models.size(); ++j) {
            const auto& m = p.models[j];
            const auto mnode = node["models"][j];
            if (!names.insert(m.name).second)
                fail(mnode, "model name '" + m.name + "' is served by two pools or listed twice");
            for (const auto& a : m.aliases)
                if (!names.insert(a).second) fail(mnode, "alias '" + a + "' is already a model name or alias");
        }
    }
    for (size_t i = 0; i < c.pools.size(); ++i) {
        const auto& p = c.pools[i];
        if (p.fallback.empty()) continue;
        if (p.fallback == p.name) fail(seq[i]["fallback"], "pool '" + p.name + "' cannot be its own fallback");
        if (!pools.count(p.fallback))
            fail(seq[i]["fallback"], "fallback '" + p.fallback + "' is not a pool in this file");
    }
}

}  // namespace

std::string BackendsFileError::describe() const {
    return line > 0 ? "line " + std::to_string(line) + ": " + message : message;
}

std::optional<BackendsConfig> parse_backends_file(std::string_view yaml, const EnvLookup& env, BackendsFileError* err) {
    if (yaml.size() > kMaxBackendsFileBytes) {
        *err = {0, "the file is larger than " + std::to_string(kMaxBackendsFileBytes) + " bytes"};
        return std::nullopt;
    }
    try {
        const YAML::Node root = YAML::Load(std::string(yaml));
        if (!root.IsMap()) fail(root, "the file must be a map with a 'pools' list");
        only_keys(root, {"pools"}, "the file");
        const auto seq = root["pools"];
        if (!seq || !seq.IsSequence() || seq.size() == 0) fail(seq ? seq : root, "'pools' must be a non-empty list");
        if (seq.size() > kMaxPools) fail(seq, "more than " + std::to_string(kMaxPools) + " pools");
        BackendsConfig c;
        for (const auto& p : seq) c.pools.push_back(parse_pool(p, env));
        check_pools(seq, c);
        return c;
    } catch (const Invalid& e) {
        *err = {e.line, e.message};
    } catch (const YAML::Exception& e) {
        *err = {e.mark.line >= 0 ? e.mark.line + 1 : 0, e.msg};
    }
    return std::nullopt;
}

BackendsConfig single_backend_config(const ServeConfig& cfg) {
    PoolConfig p;
    p.name = "default";
    p.kind = cfg.backend_kind;
    p.replicas.push_back({cfg.backend_base_url, 1});
    p.api_key = cfg.backend_api_key;
    BackendsConfig c;
    c.pools.push_back(std::move(p));
    return c;
}

}  // namespace llmgw
