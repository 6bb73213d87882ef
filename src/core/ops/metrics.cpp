#include "core/ops/metrics.h"

#include <array>
#include <charconv>
#include <cmath>
#include <functional>

namespace llmgw {

// ---- Exposition text helpers ------------------------------------------------------------

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string escape_help(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string format_metric_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// ---- LabelInterner ------------------------------------------------------------------------

namespace {
// Longer values are truncated before interning so a huge client-supplied model name cannot
// pin much memory even in the bounded table.
constexpr size_t kMaxLabelValueLen = 200;
constexpr std::string_view kOther = "other";
constexpr std::string_view kUnmatchedRoute = "unmatched";
constexpr size_t kStatusCacheSize = 1000;
}  // namespace

LabelInterner::LabelInterner(size_t capacity) : capacity_(capacity) {
    table_size_ = 16;
    while (table_size_ < 2 * capacity_) table_size_ <<= 1;
    table_ = std::make_unique<std::atomic<const Entry*>[]>(table_size_);
    by_index_ = std::make_unique<std::atomic<const Entry*>[]>(capacity_ + 1);
    owned_.reserve(capacity_);
}

LabelInterner::~LabelInterner() = default;

const LabelInterner::Entry* LabelInterner::probe(std::string_view value, size_t hash) const {
    const size_t mask = table_size_ - 1;
    // The table is at most half full, so an empty slot ends every probe sequence.
    for (size_t i = 0; i < table_size_; ++i) {
        const Entry* e = table_[(hash + i) & mask].load(std::memory_order_acquire);
        if (!e) return nullptr;
        if (e->value == value) return e;
    }
    return nullptr;
}

uint32_t LabelInterner::intern(std::string_view value) {
    value = value.substr(0, kMaxLabelValueLen);
    const size_t hash = std::hash<std::string_view>{}(value);
    if (const Entry* e = probe(value, hash)) return e->index;

    std::lock_guard lock(mu_);
    if (const Entry* e = probe(value, hash)) return e->index;
    if (owned_.size() >= capacity_) return 0;
    auto entry = std::make_unique<Entry>(Entry{std::string(value), uint32_t(owned_.size() + 1)});
    const Entry* e = entry.get();
    owned_.push_back(std::move(entry));
    by_index_[e->index].store(e, std::memory_order_release);
    const size_t mask = table_size_ - 1;
    for (size_t i = 0;; ++i) {
        auto& slot = table_[(hash + i) & mask];
        if (!slot.load(std::memory_order_relaxed)) {
            slot.store(e, std::memory_order_release);
            break;
        }
    }
    return e->index;
}

std::string_view LabelInterner::name(size_t index) const {
    if (index == 0) return kOther;
    if (index > capacity_) return {};
    const Entry* e = by_index_[index].load(std::memory_order_acquire);
    return e ? std::string_view(e->value) : std::string_view();
}

// ---- Dimensions and families ----------------------------------------------------------------

std::string_view backend_error_kind_name(BackendErrorKind k) {
    switch (k) {
        case BackendErrorKind::Connect: return "connect";
        case BackendErrorKind::Timeout: return "timeout";
        case BackendErrorKind::Status5xx: return "status_5xx";
        case BackendErrorKind::Status4xx: return "status_4xx";
        case BackendErrorKind::Protocol: return "protocol";
        case BackendErrorKind::Reset: return "reset";
    }
    return "protocol";
}

namespace {

constexpr std::array<std::string_view, 8> kMethods = {"GET", "HEAD", "POST", "PUT", "DELETE",
                                                      "OPTIONS", "PATCH", "OTHER"};

size_t method_index(std::string_view m) {
    for (size_t i = 0; i + 1 < kMethods.size(); ++i)
        if (kMethods[i] == m) return i;
    return kMethods.size() - 1;
}

enum class FamilyKind { Counter, Gauge, Histogram };

uint64_t seconds_to_ns(double s) {
    if (!(s > 0)) return 0;  // negative and NaN count as zero
    if (s > 1e9) s = 1e9;
    return uint64_t(std::llround(s * 1e9));
}

}  // namespace

struct GatewayMetrics::Dim {
    virtual ~Dim() = default;
    virtual size_t size() const = 0;
    // Empty for an index that holds no value yet (an unassigned interner slot).
    virtual std::string_view name(size_t i) const = 0;
};

namespace {

struct FixedDim : GatewayMetrics::Dim {
    std::vector<std::string> values;
    explicit FixedDim(std::vector<std::string> v) : values(std::move(v)) {}
    size_t size() const override { return values.size(); }
    std::string_view name(size_t i) const override { return values[i]; }
};

struct InternedDim : GatewayMetrics::Dim {
    const LabelInterner* interner;
    explicit InternedDim(const LabelInterner* in) : interner(in) {}
    size_t size() const override { return interner->size(); }
    std::string_view name(size_t i) const override { return interner->name(i); }
};

}  // namespace

struct GatewayMetrics::Family {
    std::string name, help;
    FamilyKind kind = FamilyKind::Counter;
    std::vector<std::string> labels;
    std::vector<const Dim*> dims;
    const std::vector<double>* buckets = nullptr;  // histograms only
    bool show_zero = false;  // render series that never moved (fixed, meaningful label sets)
    size_t offset = 0;       // first cell within a shard

    // Cells per series: a counter or gauge is one; a histogram is its buckets, +Inf, and the sum
    // in nanoseconds (integers, so concurrent adds are exact).
    size_t cells() const { return buckets ? buckets->size() + 2 : 1; }
    size_t series() const {
        size_t n = 1;
        for (auto* d : dims) n *= d->size();
        return n;
    }
    // Dimension sizes, copied at construction so the hot path makes no virtual calls.
    std::array<size_t, 4> sizes{};
    size_t series_cells = 1;

    // Row-major index of a label combination, in cells from the shard start.
    size_t cell(std::initializer_list<size_t> idx) const {
        size_t s = 0, k = 0;
        for (size_t i : idx) s = s * sizes[k++] + i;
        return offset + s * series_cells;
    }
};

const std::vector<double>& GatewayMetrics::request_buckets() {
    static const std::vector<double> b = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                          2.5,   5,    10,    30,   60,  120, 300, 600};
    return b;
}
const std::vector<double>& GatewayMetrics::ttft_buckets() {
    static const std::vector<double> b = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                          1,    2,     5,    10,  30,   60};
    return b;
}
const std::vector<double>& GatewayMetrics::itl_buckets() {
    static const std::vector<double> b = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                          0.1,   0.25,   0.5,   1,    2.5};
    return b;
}

GatewayMetrics::GatewayMetrics(MetricsOptions opts)
    : routes_(std::move(opts.routes)),
      start_(std::chrono::steady_clock::now()),
      models_(opts.max_models),
      identities_(opts.max_identities),
      statuses_(opts.max_statuses),
      usage_identities_(opts.max_usage_identities) {
    auto fixed = [&](std::vector<std::string> v) {
        dims_.push_back(std::make_unique<FixedDim>(std::move(v)));
        return dims_.back().get();
    };
    auto interned = [&](const LabelInterner* in) {
        dims_.push_back(std::make_unique<InternedDim>(in));
        return dims_.back().get();
    };
    std::vector<std::string> route_values = routes_;
    route_values.push_back(std::string(kUnmatchedRoute));
    const Dim* method = fixed({kMethods.begin(), kMethods.end()});
    const Dim* route = fixed(route_values);
    const Dim* status = interned(&statuses_);
    const Dim* model = interned(&models_);
    const Dim* identity = interned(&identities_);
    const Dim* usage_identity = interned(&usage_identities_);
    std::vector<std::string> kinds;
    for (size_t k = 0; k < kBackendErrorKinds; ++k)
        kinds.emplace_back(backend_error_kind_name(BackendErrorKind(k)));
    const Dim* kind = fixed(kinds);
    const Dim* direction = fixed({"prompt", "completion"});
    // Cached prompt tokens are part of the prompt's count: a third direction, per identity only.
    const Dim* key_direction = fixed({"prompt", "completion", "cached"});

    size_t next = 0;
    auto add = [&](Family f) {
        for (size_t k = 0; k < f.dims.size(); ++k) f.sizes[k] = f.dims[k]->size();
        f.series_cells = f.cells();
        f.offset = next;
        next += f.series() * f.cells();
        families_.push_back(std::make_unique<Family>(std::move(f)));
        return families_.back().get();
    };
    using K = FamilyKind;
    requests_ = add({"chat_api_requests_total", "HTTP requests answered, by method, route template and status.",
                     K::Counter, {"method", "path", "status"}, {method, route, status}});
    duration_ = add({"chat_api_request_duration_seconds",
                     "Time from request received to response complete, by method and route template.",
                     K::Histogram, {"method", "path"}, {method, route}, &request_buckets()});
    backend_errors_ = add({"chat_api_backend_errors_total",
                           "Failed exchanges with the backend, by kind (connect, timeout, status_5xx, "
                           "status_4xx, protocol, reset).",
                           K::Counter, {"kind"}, {kind}, nullptr, true});
    rate_limited_ = add({"chat_api_rate_limited_total",
                         "Requests refused with 429 by the gateway's rate limiter, by identity "
                         "(key fingerprint or client address).",
                         K::Counter, {"identity"}, {identity}});
    ttft_ = add({"llmgw_time_to_first_token_seconds",
                 "Time from request received to the first content token streamed, by route and model.",
                 K::Histogram, {"route", "model"}, {route, model}, &ttft_buckets()});
    itl_ = add({"llmgw_inter_token_latency_seconds",
                "Time between consecutive content events of a stream, by route and model.",
                K::Histogram, {"route", "model"}, {route, model}, &itl_buckets()});
    tokens_ = add({"llmgw_tokens_total", "Tokens reported by the backend's usage, by model and direction.",
                   K::Counter, {"model", "direction"}, {model, direction}});
    active_ = add({"llmgw_active_streams", "Streaming responses currently being relayed.", K::Gauge, {}, {},
                   nullptr, true});
    upstream_ = add({"llmgw_upstream_duration_seconds",
                     "Time from sending the upstream request to its completion, by route.", K::Histogram,
                     {"route"}, {route}, &request_buckets()});
    aborts_ = add({"llmgw_client_aborts_total",
                   "Requests whose client disconnected before the response completed, by route.",
                   K::Counter, {"route"}, {route}});
    key_requests_ = add({"llmgw_key_requests_total",
                         "API requests forwarded to the backend, by identity (key fingerprint or client address; "
                         "past the cap, \"other\").",
                         K::Counter, {"identity"}, {usage_identity}});
    key_tokens_ = add({"llmgw_key_tokens_total",
                       "Tokens charged to an identity (reported usage, or what the gateway counted), by direction; "
                       "cached: the prompt tokens the runtime reported served from its prefix cache (part of prompt).",
                       K::Counter, {"identity", "direction"}, {usage_identity, key_direction}});
    shard_cells_ = next;

    status_cache_ = std::make_unique<std::atomic<uint32_t>[]>(kStatusCacheSize);
    const size_t n = opts.shards ? opts.shards : 1;
    // Pad each shard by a cache line so neighbours' hot cells never share one.
    for (size_t i = 0; i < n; ++i)
        shards_.push_back(std::make_unique<std::atomic<uint64_t>[]>(shard_cells_ + 8));
}

GatewayMetrics::~GatewayMetrics() = default;

MetricsRecorder GatewayMetrics::recorder(size_t shard) {
    return MetricsRecorder(this, shards_[shard % shards_.size()].get());
}

ModelId GatewayMetrics::model(std::string_view name) { return ModelId{models_.intern(name)}; }

uint32_t GatewayMetrics::status_index(int status) {
    const bool cacheable = status >= 0 && status < int(kStatusCacheSize);
    if (cacheable)
        if (uint32_t c = status_cache_[size_t(status)].load(std::memory_order_relaxed)) return c - 1;
    char buf[16];
    auto res = std::to_chars(buf, buf + sizeof buf, status);
    const uint32_t idx = statuses_.intern(std::string_view(buf, size_t(res.ptr - buf)));
    if (cacheable) status_cache_[size_t(status)].store(idx + 1, std::memory_order_relaxed);
    return idx;
}

// ---- Recording --------------------------------------------------------------------------

namespace {

// A shard has a single writer, so a relaxed load and store suffice: no locked read-modify-write
// (~14 ns each on this class of machine, versus ~1 ns). render() reads with relaxed loads; a
// 64-bit aligned atomic store is never torn.
inline void add(std::atomic<uint64_t>* cells, size_t i, uint64_t v) {
    cells[i].store(cells[i].load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
}

inline void observe(std::atomic<uint64_t>* cells, size_t base, const std::vector<double>& bounds,
                    double seconds) {
    size_t b = 0;
    while (b < bounds.size() && !(seconds <= bounds[b])) ++b;  // NaN lands in +Inf
    add(cells, base + b, 1);
    add(cells, base + bounds.size() + 1, seconds_to_ns(seconds));
}

}  // namespace

void MetricsRecorder::on_request(size_t route, std::string_view method, int status,
                                 double duration_s) const {
    const size_t r = m_->route_index(route), mi = method_index(method);
    const size_t si = m_->status_index(status);
    add(cells_, m_->requests_->cell({mi, r, si}), 1);
    observe(cells_, m_->duration_->cell({mi, r}), *m_->duration_->buckets, duration_s);
}

void MetricsRecorder::on_backend_error(BackendErrorKind kind) const {
    add(cells_, m_->backend_errors_->cell({size_t(kind)}), 1);
}

void MetricsRecorder::on_rate_limited(std::string_view identity) const {
    add(cells_, m_->rate_limited_->cell({m_->identities_.intern(identity)}), 1);
}

void MetricsRecorder::on_ttft(size_t route, ModelId model, double seconds) const {
    observe(cells_, m_->ttft_->cell({m_->route_index(route), model.index}), *m_->ttft_->buckets, seconds);
}

void MetricsRecorder::on_inter_token(size_t route, ModelId model, double seconds) const {
    observe(cells_, m_->itl_->cell({m_->route_index(route), model.index}), *m_->itl_->buckets, seconds);
}

void MetricsRecorder::on_key_usage(std::string_view identity, uint64_t prompt, uint64_t completion,
                                   uint64_t cached) const {
    const uint32_t id = m_->usage_identities_.intern(identity);
    add(cells_, m_->key_requests_->cell({id}), 1);
    if (prompt) add(cells_, m_->key_tokens_->cell({id, 0}), prompt);
    if (completion) add(cells_, m_->key_tokens_->cell({id, 1}), completion);
    if (cached) add(cells_, m_->key_tokens_->cell({id, 2}), cached);
}

void MetricsRecorder::on_tokens(ModelId model, uint64_t prompt, uint64_t completion) const {
    if (prompt) add(cells_, m_->tokens_->cell({model.index, 0}), prompt);
    if (completion) add(cells_, m_->tokens_->cell({model.index, 1}), completion);
}

// The gauge is a sum over shards of wrapping unsigned cells, so a stream may start on one
// shard and end on another and the total is still right.
void MetricsRecorder::on_stream_start() const { add(cells_, m_->active_->offset, 1); }
void MetricsRecorder::on_stream_end() const { add(cells_, m_->active_->offset, uint64_t(-1)); }

void MetricsRecorder::on_upstream(size_t route, double seconds) const {
    observe(cells_, m_->upstream_->cell({m_->route_index(route)}), *m_->upstream_->buckets, seconds);
}

void MetricsRecorder::on_client_abort(size_t route) const {
    add(cells_, m_->aborts_->cell({m_->route_index(route)}), 1);
}

// ---- Rendering --------------------------------------------------------------------------

namespace {

struct LabelPair {
    std::string_view name, value;
};

void write_sample(std::string& out, std::string_view name, std::string_view suffix,
                  const std::vector<LabelPair>& labels, std::string_view le, std::string_view value) {
    out += name;
    out += suffix;
    if (!labels.empty() || !le.empty()) {
        out += '{';
        bool first = true;
        for (auto& l : labels) {
            if (!first) out += ',';
            first = false;
            out += l.name;
            out += "=\"";
            out += escape_label_value(l.value);
            out += '"';
        }
        if (!le.empty()) {
            if (!first) out += ',';
            out += "le=\"";
            out += le;
            out += '"';
        }
        out += '}';
    }
    out += ' ';
    out += value;
    out += '\n';
}

void write_header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += escape_help(help);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

}  // namespace

std::string GatewayMetrics::render_state(std::string_view version, std::string_view backend_kind, bool backend_up) {
    std::string out;
    write_header(out, "llmgw_build_info", "The gateway's version and configured backend kind; always 1.", "gauge");
    write_sample(out, "llmgw_build_info", "", {{"version", version}, {"backend_kind", backend_kind}}, {}, "1");
    write_header(out, "llmgw_backend_up",
                 "1 when the backend's last health check passed (cached READINESS_CACHE_S), else 0.", "gauge");
    write_sample(out, "llmgw_backend_up", "", {}, {}, backend_up ? "1" : "0");
    return out;
}

std::string GatewayMetrics::render() const {
    std::string out;
    out.reserve(8192);
    const double uptime =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    write_header(out, "chat_api_uptime_seconds", "Seconds since the gateway started.", "gauge");
    write_sample(out, "chat_api_uptime_seconds", "", {}, {}, format_metric_value(uptime));

    std::vector<uint64_t> totals;
    std::vector<LabelPair> labels;
    std::vector<size_t> idx;
    for (const auto& fp : families_) {
        const Family& f = *fp;
        const size_t cells = f.cells(), series = f.series();
        totals.assign(series * cells, 0);
        for (const auto& shard : shards_)
            for (size_t i = 0; i < totals.size(); ++i)
                totals[i] += shard[f.offset + i].load(std::memory_order_relaxed);

        const char* type = f.kind == FamilyKind::Counter ? "counter"
                           : f.kind == FamilyKind::Gauge ? "gauge"
                                                         : "histogram";
        write_header(out, f.name, f.help, type);
        idx.assign(f.dims.size(), 0);
        for (size_t s = 0; s < series; ++s) {
            // Decompose the row-major series number into per-dimension indices.
            size_t rest = s;
            for (size_t k = f.dims.size(); k-- > 0;) {
                idx[k] = rest % f.dims[k]->size();
                rest /= f.dims[k]->size();
            }
            labels.clear();
            bool assigned = true;
            for (size_t k = 0; k < f.dims.size(); ++k) {
                std::string_view v = f.dims[k]->name(idx[k]);
                if (v.empty()) assigned = false;
                labels.push_back({f.labels[k], v});
            }
            if (!assigned) continue;
            const uint64_t* c = &totals[s * cells];
            if (f.kind == FamilyKind::Counter) {
                if (c[0] == 0 && !f.show_zero) continue;
                write_sample(out, f.name, "", labels, {}, std::to_string(c[0]));
            } else if (f.kind == FamilyKind::Gauge) {
                write_sample(out, f.name, "", labels, {}, std::to_string(int64_t(c[0])));
            } else {
                const auto& bounds = *f.buckets;
                uint64_t count = 0;
                for (size_t b = 0; b <= bounds.size(); ++b) count += c[b];
                if (count == 0 && !f.show_zero) continue;
                uint64_t cum = 0;
                for (size_t b = 0; b < bounds.size(); ++b) {
                    cum += c[b];
                    write_sample(out, f.name, "_bucket", labels, format_metric_value(bounds[b]),
                                 std::to_string(cum));
                }
                write_sample(out, f.name, "_bucket", labels, "+Inf", std::to_string(count));
                write_sample(out, f.name, "_sum", labels, {},
                             format_metric_value(double(c[bounds.size() + 1]) / 1e9));
                write_sample(out, f.name, "_count", labels, {}, std::to_string(count));
            }
        }
    }
    return out;
}

}  // namespace llmgw
