// The usage ledger: requests and prompt/completion/cached tokens per key and model, counted in minute,
// hour and day buckets. With REDIS_URL each bucket is one Redis hash shared by every replica
// ("llmgw:{usage}:<window>:<start>", one field per key, model and measure, expiring after its
// retention); without it the process keeps the same buckets in memory (LocalUsageLedger). One
// reader turns either into GET /admin/usage's answer. See docs/LIMITS.md.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/limits/redis_value.h"

namespace llmgw {

enum class UsageWindow { Minute, Hour, Day };
inline constexpr UsageWindow kUsageWindows[] = {UsageWindow::Minute, UsageWindow::Hour, UsageWindow::Day};
const char* usage_window_name(UsageWindow w);
int64_t usage_window_seconds(UsageWindow w);
// How long a bucket is kept: 2 hours of minutes, 2 days of hours, 35 days of days.
int64_t usage_retention_seconds(UsageWindow w);
// The most buckets one query reads (a week of hours, 5 days of minutes at most): bounds the work
// and the answer of one GET /admin/usage.
inline constexpr int64_t kMaxUsageBuckets = 168;
// Fields one bucket holds at most (4 per key and model): past it a new key/model pair is
// counted as key "other", model "other", so a flood of keys cannot grow a bucket without bound.
inline constexpr int64_t kMaxUsageFieldsPerBucket = 40'000;

struct UsageRecord {
    std::string identity;  // key fingerprint or "ip:<client>", never a key
    std::string model;     // as the client named it (its text bounded and sanitised)
    int64_t prompt_tokens = 0, completion_tokens = 0;
    int64_t cached_tokens = 0;  // the part of prompt_tokens the runtime served from its prefix cache
    int64_t requests = 1;       // more than one: the sums of a batch (UsageBatch)
};

// Bucket start (unix seconds) of `t` in window `w`.
int64_t usage_bucket_start(UsageWindow w, int64_t t);
std::string usage_bucket_key(UsageWindow w, int64_t start);

// The fields one record adds to, with their increments: "<identity>|<model>|<r|p|c|k>"
// (requests, prompt, completion, cached prompt tokens).
std::vector<std::pair<std::string, int64_t>> usage_increments(const UsageRecord& r);

// Redis: one script adds records to their minute, hour and day buckets (all on the {usage} slot).
extern const std::string_view kUsageLedgerScript;
const std::string& usage_ledger_script_sha1();
// The command's bytes (redis_command.h) adding `records`, all of the minute of `now_unix_s`.
std::string usage_record_command(const std::vector<UsageRecord>& records, int64_t now_unix_s);

// Distinct key and model pairs one batch holds at most (one command's arguments: 8 a pair).
inline constexpr size_t kMaxUsageBatchPairs = 64;

// The records a worker gathers between two sends to Redis: per key and model, the sums, all of one
// minute (so one command adds them to one minute, hour and day bucket each).
class UsageBatch {
public:
    // False, with nothing added, when `r` is of another minute than the records held or the batch
    // is full: send it first.
    bool add(const UsageRecord& r, int64_t now_unix_s);
    bool empty() const { return records_.empty(); }
    int64_t minute() const { return minute_; }  // the held records' minute bucket (unix s)
    std::vector<UsageRecord> take();           // the sums; the batch is empty again

private:
    int64_t minute_ = 0;
    std::vector<UsageRecord> records_;  // one per key and model, few: searched in order
};

// GET /admin/usage?window=minute|hour|day&since=<unix s>&until=<unix s>&key=<fingerprint>
struct UsageQuery {
    UsageWindow window = UsageWindow::Hour;
    int64_t since = 0, until = 0;  // unix seconds, bucket-aligned: [since, until]
    std::string key;               // only this identity (empty: all)
    std::vector<int64_t> buckets() const;  // starts, oldest first
};
// `now_unix_s` fills the defaults (until: now; since: until's bucket, so the current one). Error
// text names the parameter.
std::optional<UsageQuery> parse_usage_query(std::string_view query, int64_t now_unix_s, std::string* err,
                                            std::string* param);

// Sums buckets (each a hash's fields and values) into rows per identity and model.
class UsageReport {
public:
    explicit UsageReport(UsageQuery q) : q_(std::move(q)) {}
    void add_field(std::string_view field, int64_t value);
    // An HGETALL reply (field, value, field, value...); false when it is not one.
    bool add_hgetall(const RedisValue& reply);
    // {"object":"usage","window","since","until","source","data":[{key,model,requests,
    //  prompt_tokens,cached_tokens,completion_tokens,total_tokens}],"totals":{...}}
    std::string json(std::string_view source) const;

private:
    struct Sums {
        int64_t requests = 0, prompt = 0, completion = 0, cached = 0;
    };
    UsageQuery q_;
    std::map<std::pair<std::string, std::string>, Sums> rows_;
};

// The in-process ledger: the same buckets in memory. Not thread-safe (the gateway holds it behind a
// mutex). Buckets past their retention are dropped as records arrive.
class LocalUsageLedger {
public:
    void record(const UsageRecord& r, int64_t now_unix_s);
    void read(UsageReport& into, UsageWindow w, int64_t start) const;
    size_t buckets() const { return buckets_.size(); }

private:
    std::map<std::pair<UsageWindow, int64_t>, std::map<std::string, int64_t>> buckets_;
};

}  // namespace llmgw
