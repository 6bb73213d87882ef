// Gateway metrics in Prometheus text exposition format.
//
// Storage is sharded: each worker thread records into its own shard (a flat array of atomics
// written only by that thread, with plain relaxed load+store), and render() sums the shards with
// relaxed loads at scrape time. The hot path is an index computation and a few uncontended
// stores: no lock, no locked instruction, no allocation.
// Every label dimension is bounded: methods, routes, error kinds and directions are fixed lists;
// models, statuses and identities are interned into fixed-capacity tables whose overflow folds
// into the value "other", so a scanner or a client inventing model names cannot grow memory or
// the number of series.
#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

// ---- Exposition text helpers ------------------------------------------------------------

// Label value escaping per the text format: backslash, double quote and newline.
std::string escape_label_value(std::string_view v);
// HELP text escaping: backslash and newline.
std::string escape_help(std::string_view v);
// Shortest round-trip decimal for a sample value or bucket bound; "+Inf"/"-Inf"/"NaN" as Prometheus spells them.
std::string format_metric_value(double v);

// ---- Bounded label interning ------------------------------------------------------------

// Maps label values to dense indices 1..capacity; index 0 is "other", where every value past the
// capacity folds. Lookup of a known value is lock-free and allocation-free (open addressing over
// atomic pointers); only the first sighting of a new value takes the mutex.
class LabelInterner {
public:
    explicit LabelInterner(size_t capacity);
    ~LabelInterner();
    LabelInterner(const LabelInterner&) = delete;
    LabelInterner& operator=(const LabelInterner&) = delete;

    uint32_t intern(std::string_view value);
    size_t size() const { return capacity_ + 1; }  // including "other"
    // The value at `index`, "other" for 0, empty for a slot not assigned yet.
    std::string_view name(size_t index) const;

private:
    struct Entry {
        std::string value;
        uint32_t index;
    };
    const Entry* probe(std::string_view value, size_t hash) const;

    size_t capacity_;
    size_t table_size_;  // power of two, at least 2 * capacity
    std::unique_ptr<std::atomic<const Entry*>[]> table_;
    std::unique_ptr<std::atomic<const Entry*>[]> by_index_;  // [capacity + 1]
    std::vector<std::unique_ptr<Entry>> owned_;              // guarded by mu_
    std::mutex mu_;
};

// ---- The gateway's metric families --------------------------------------------------------

// What went wrong talking to the backend: the `kind` label of chat_api_backend_errors_total.
enum class BackendErrorKind { Connect, Timeout, Status5xx, Status4xx, Protocol, Reset };
inline constexpr size_t kBackendErrorKinds = 6;
std::string_view backend_error_kind_name(BackendErrorKind k);  // "connect", "timeout", ...

struct ModelId {
    uint32_t index = 0;  // 0 = "other"
};

struct MetricsOptions {
    // Route templates ("/v1/chat/completions", ...). Index i is route i; an index out of range
    // (a path no route matched) is recorded under the extra route label "unmatched".
    std::vector<std::string> routes;
    size_t shards = 1;           // one per thread that records (workers, plus any other)
    size_t max_models = 16;      // distinct model label values before folding into "other"
    size_t max_identities = 256; // distinct rate-limited identities before "other"
    // Distinct identities (key fingerprints or client addresses) with usage series before "other":
    // a Prometheus series each, so a gateway with thousands of keys keeps a bounded exposition
    // (GET /admin/usage has every key).
    size_t max_usage_identities = 256;
    size_t max_statuses = 32;    // distinct HTTP statuses before "other"
};

class GatewayMetrics;

// A worker's handle for recording. Cheap to copy; must not outlive its GatewayMetrics.
// Contract: a shard has one writer thread. Give each worker its own shard (and any other thread
// that records, e.g. a control thread, a shard of its own); two threads writing one shard can
// lose counts (never memory safety: every cell is an atomic).
class MetricsRecorder {
public:
    // A finished HTTP exchange: chat_api_requests_total and chat_api_request_duration_seconds.
    // `method` is the request method ("GET", ...; anything unusual is "OTHER").
    void on_request(size_t route, std::string_view method, int status, double duration_s) const;
    void on_backend_error(BackendErrorKind kind) const;
    // `identity` is a key fingerprint or client address, never a key.
    void on_rate_limited(std::string_view identity) const;
    void on_ttft(size_t route, ModelId model, double seconds) const;
    void on_inter_token(size_t route, ModelId model, double seconds) const;
    void on_tokens(ModelId model, uint64_t prompt, uint64_t completion) const;
    // A forwarded API request ended: llmgw_key_requests_total and llmgw_key_tokens_total by identity
    // (`cached`: the part of `prompt` the runtime served from its prefix cache).
    void on_key_usage(std::string_view identity, uint64_t prompt, uint64_t completion, uint64_t cached) const;
    void on_stream_start() const;
    void on_stream_end() const;
    // Time from sending the upstream request to its last byte (or failure).
    void on_upstream(size_t route, double seconds) const;
    void on_client_abort(size_t route) const;

private:
    friend class GatewayMetrics;
    MetricsRecorder(GatewayMetrics* m, std::atomic<uint64_t>* cells) : m_(m), cells_(cells) {}
    GatewayMetrics* m_;
    std::atomic<uint64_t>* cells_;
};

class GatewayMetrics {
public:
    explicit GatewayMetrics(MetricsOptions opts);
    ~GatewayMetrics();
    GatewayMetrics(const GatewayMetrics&) = delete;
    GatewayMetrics& operator=(const GatewayMetrics&) = delete;

    // The recorder of worker `shard` (taken modulo the shard count).
    MetricsRecorder recorder(size_t shard);
    // Resolve a model name once per request; unknown names past the cap become "other".
    ModelId model(std::string_view name);
    size_t route_count() const { return routes_.size(); }  // without "unmatched"

    // The full exposition, HELP and TYPE lines included.
    std::string render() const;
    static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

    // llmgw_build_info (version and BACKEND_KIND as labels, value 1) and llmgw_backend_up (1 when
    // the backend's last health check passed): what dashboards and alerts start from.
    static std::string render_state(std::string_view version, std::string_view backend_kind, bool backend_up);

    // Bucket upper bounds (seconds), exposed for docs and tests.
    static const std::vector<double>& request_buckets();
    static const std::vector<double>& ttft_buckets();
    static const std::vector<double>& itl_buckets();

    struct Family;
    struct Dim;

private:
    friend class MetricsRecorder;
    size_t route_index(size_t route) const { return route < routes_.size() ? route : routes_.size(); }

    std::vector<std::string> routes_;
    std::chrono::steady_clock::time_point start_;
    LabelInterner models_, identities_, statuses_, usage_identities_;
    // status code -> interned index + 1 (0: not resolved yet), so a status costs one load.
    std::unique_ptr<std::atomic<uint32_t>[]> status_cache_;
    uint32_t status_index(int status);
    std::vector<std::unique_ptr<Dim>> dims_;
    std::vector<std::unique_ptr<Family>> families_;
    // Families the recorder writes, in render order within families_.
    const Family *requests_ = nullptr, *duration_ = nullptr, *backend_errors_ = nullptr,
                 *rate_limited_ = nullptr, *ttft_ = nullptr, *itl_ = nullptr, *tokens_ = nullptr,
                 *active_ = nullptr, *upstream_ = nullptr, *aborts_ = nullptr,
                 *key_requests_ = nullptr, *key_tokens_ = nullptr;
    size_t shard_cells_ = 0;
    std::vector<std::unique_ptr<std::atomic<uint64_t>[]>> shards_;
};

}  // namespace llmgw
