#include "core/limits/usage_ledger.h"

#include <algorithm>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>


#include "core/base/query_string.h"
#include "core/base/saturating.h"
#include "core/limits/redis_command.h"
#include "core/limits/shared_rate_limit.h"

namespace llmgw {

namespace {

// A model name as a field carries it: the separator and control bytes replaced, the length bounded
// (a model name is a label, not a payload).
constexpr size_t kMaxModelChars = 128;
constexpr std::string_view kOverflowPrefix = "other|other|";

std::string field_model(std::string_view model) {
    if (model.empty()) return "unknown";
    std::string m(model.substr(0, kMaxModelChars));
    for (char& c : m)
        if (c == '|' || static_cast<unsigned char>(c) < 0x20) c = '_';
    return m;
}

}  // namespace

const char* usage_window_name(UsageWindow w) {
    switch (w) {
        case UsageWindow::Minute: return "minute";
        case UsageWindow::Hour: return "hour";
        case UsageWindow::Day: return "day";
    }
    return "hour";
}

int64_t usage_window_seconds(UsageWindow w) {
    switch (w) {
        case UsageWindow::Minute: return 60;
        case UsageWindow::Hour: return 3600;
        case UsageWindow::Day: return 86400;
    }
    return 3600;
}

int64_t usage_retention_seconds(UsageWindow w) {
    switch (w) {
        case UsageWindow::Minute: return 2 * 3600;
        case UsageWindow::Hour: return 2 * 86400;
        case UsageWindow::Day: return 35 * 86400;
    }
    return 86400;
}

int64_t usage_bucket_start(UsageWindow w, int64_t t) {
    const int64_t s = usage_window_seconds(w);
    return t - ((t % s) + s) % s;
}

std::string usage_bucket_key(UsageWindow w, int64_t start) {
    return std::string("llmgw:{usage}:") + usage_window_name(w)[0] + ":" + std::to_string(start);
}

std::vector<std::pair<std::string, int64_t>> usage_increments(const UsageRecord& r) {
    const std::string base = r.identity + "|" + field_model(r.model) + "|";
    return {{base + "r", std::max<int64_t>(0, r.requests)}, {base + "p", std::max<int64_t>(0, r.prompt_tokens)},
            {base + "c", std::max<int64_t>(0, r.completion_tokens)}, {base + "k", std::max<int64_t>(0, r.cached_tokens)}};
}

// KEYS: the minute, hour and day buckets. ARGV[1..3]: their retentions (seconds); ARGV[4]: the
// most fields a bucket holds; then per record four field, increment pairs (requests first). A
// bucket at its bound counts a record whose key and model it does not hold yet under
// "other|other|".
const std::string_view kUsageLedgerScript = R"lua(local max = tonumber(ARGV[4])
for i = 1, #KEYS do
  local k = KEYS[i]
  for j = 5, #ARGV, 8 do
    local overflow = redis.call('HEXISTS', k, ARGV[j]) == 0 and redis.call('HLEN', k) >= max
    for m = j, j + 6, 2 do
      local f = ARGV[m]
      if overflow then f = 'other|other|' .. string.sub(f, -1) end
      redis.call('HINCRBY', k, f, ARGV[m + 1])
    end
  end
  redis.call('EXPIRE', k, ARGV[i])
end
return 1
)lua";

const std::string& usage_ledger_script_sha1() {
    static const std::string hex = redis_script_sha1(kUsageLedgerScript);
    return hex;
}

std::string usage_record_command(const std::vector<UsageRecord>& records, int64_t now_unix_s) {
    RedisCommand c(3 + 3 + 3 + 1 + 8 * records.size());
    c.arg("EVALSHA").arg(usage_ledger_script_sha1()).arg("3");
    for (UsageWindow w : kUsageWindows) c.arg(usage_bucket_key(w, usage_bucket_start(w, now_unix_s)));
    for (UsageWindow w : kUsageWindows) c.arg(usage_retention_seconds(w));
    c.arg(kMaxUsageFieldsPerBucket);
    for (const UsageRecord& r : records)
        for (const auto& [f, v] : usage_increments(r)) c.arg(f).arg(v);
    return c.take();
}

bool UsageBatch::add(const UsageRecord& r, int64_t now_unix_s) {
    const int64_t minute = usage_bucket_start(UsageWindow::Minute, now_unix_s);
    if (records_.empty()) minute_ = minute;
    else if (minute != minute_) return false;
    auto held = std::find_if(records_.begin(), records_.end(),
                             [&r](const UsageRecord& h) { return h.identity == r.identity && h.model == r.model; });
    if (held == records_.end()) {
        if (records_.size() >= kMaxUsageBatchPairs) return false;
        held = records_.insert(records_.end(), UsageRecord{r.identity, r.model, 0, 0, 0, 0});
    }
    held->prompt_tokens = saturating_add(held->prompt_tokens, std::max<int64_t>(0, r.prompt_tokens));
    held->completion_tokens = saturating_add(held->completion_tokens, std::max<int64_t>(0, r.completion_tokens));
    held->cached_tokens = saturating_add(held->cached_tokens, std::max<int64_t>(0, r.cached_tokens));
    held->requests = saturating_add(held->requests, std::max<int64_t>(0, r.requests));
    return true;
}

std::vector<UsageRecord> UsageBatch::take() { return std::exchange(records_, {}); }

std::vector<int64_t> UsageQuery::buckets() const {
    std::vector<int64_t> b;
    for (int64_t t = since; t <= until; t += usage_window_seconds(window)) b.push_back(t);
    return b;
}

std::optional<UsageQuery> parse_usage_query(std::string_view query, int64_t now_unix_s, std::string* err,
                                            std::string* param) {
    UsageQuery q;
    std::optional<int64_t> since, until;
    auto fail = [&](std::string p, std::string e) {
        *param = std::move(p);
        *err = std::move(e);
        return std::nullopt;
    };
    std::string bad;
    auto params = parse_query(query, &bad);
    if (!params) return fail(bad, "malformed percent-encoding");
    for (auto& [name, value] : *params) {
        if (name == "window") {
            if (value == "minute") q.window = UsageWindow::Minute;
            else if (value == "hour") q.window = UsageWindow::Hour;
            else if (value == "day") q.window = UsageWindow::Day;
            else return fail("window", "window must be minute, hour or day");
        } else if (name == "since" || name == "until") {
            auto n = integer_in_range(value, 0, INT64_MAX);
            if (!n) return fail(name, name + " must be a time in unix seconds");
            (name == "since" ? since : until) = n;
        } else if (name == "key") {
            q.key = std::move(value);
        } else {
            std::string shown = name.substr(0, kMaxQueryNameEcho);
            return fail(shown, "unknown parameter '" + shown + "' (use window, since, until, key)");
        }
    }
    q.until = usage_bucket_start(q.window, until.value_or(now_unix_s));
    q.since = usage_bucket_start(q.window, since.value_or(q.until));
    if (q.since > q.until) return fail("since", "since is after until");
    const int64_t n = (q.until - q.since) / usage_window_seconds(q.window) + 1;
    if (n > kMaxUsageBuckets)
        return fail("since", "the range spans " + std::to_string(n) + " " + usage_window_name(q.window) +
                                 " buckets; at most " + std::to_string(kMaxUsageBuckets) +
                                 " (use a larger window or a shorter range)");
    return q;
}

void UsageReport::add_field(std::string_view field, int64_t value) {
    const size_t a = field.find('|'), b = field.rfind('|');
    if (a == std::string_view::npos || b == a || b + 2 != field.size()) return;  // not one of ours
    std::string identity(field.substr(0, a));
    if (!q_.key.empty() && identity != q_.key) return;
    Sums& s = rows_[{std::move(identity), std::string(field.substr(a + 1, b - a - 1))}];
    switch (field.back()) {
        case 'r': s.requests = saturating_add(s.requests, value); break;
        case 'p': s.prompt = saturating_add(s.prompt, value); break;
        case 'c': s.completion = saturating_add(s.completion, value); break;
        case 'k': s.cached = saturating_add(s.cached, value); break;
        default: break;
    }
}

bool UsageReport::add_hgetall(const RedisValue& reply) {
    if (reply.type == RedisValue::Type::Nil) return true;
    if (reply.type != RedisValue::Type::Array || reply.elements.size() % 2) return false;
    for (size_t i = 0; i < reply.elements.size(); i += 2) {
        const auto& f = reply.elements[i];
        const auto& v = reply.elements[i + 1];
        if (f.type != RedisValue::Type::String || v.type != RedisValue::Type::String) return false;
        auto n = integer_in_range(v.str, INT64_MIN, INT64_MAX);
        if (!n) return false;
        add_field(f.str, *n);
    }
    return true;
}

std::string UsageReport::json(std::string_view source) const {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    auto sums = [&w](const Sums& s) {
        w.Key("requests"); w.Int64(s.requests);
        w.Key("prompt_tokens"); w.Int64(s.prompt);
        w.Key("cached_tokens"); w.Int64(s.cached);
        w.Key("completion_tokens"); w.Int64(s.completion);
        w.Key("total_tokens"); w.Int64(saturating_add(s.prompt, s.completion));
    };
    w.StartObject();
    w.Key("object"); w.String("usage");
    w.Key("window"); w.String(usage_window_name(q_.window));
    w.Key("since"); w.Int64(q_.since);
    w.Key("until"); w.Int64(q_.until + usage_window_seconds(q_.window));
    w.Key("source"); w.String(source.data(), static_cast<rapidjson::SizeType>(source.size()));
    if (!q_.key.empty()) { w.Key("key"); w.String(q_.key); }
    Sums total;
    w.Key("data"); w.StartArray();
    for (const auto& [k, s] : rows_) {
        w.StartObject();
        w.Key("key"); w.String(k.first);
        w.Key("model"); w.String(k.second);
        sums(s);
        w.EndObject();
        total.requests = saturating_add(total.requests, s.requests);
        total.prompt = saturating_add(total.prompt, s.prompt);
        total.completion = saturating_add(total.completion, s.completion);
        total.cached = saturating_add(total.cached, s.cached);
    }
    w.EndArray();
    w.Key("totals"); w.StartObject(); sums(total); w.EndObject();
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
}

void LocalUsageLedger::record(const UsageRecord& r, int64_t now_unix_s) {
    std::erase_if(buckets_, [now_unix_s](const auto& b) {
        return b.first.second + usage_window_seconds(b.first.first) + usage_retention_seconds(b.first.first) <= now_unix_s;
    });
    const auto inc = usage_increments(r);
    for (UsageWindow w : kUsageWindows) {
        auto& fields = buckets_[{w, usage_bucket_start(w, now_unix_s)}];
        const bool overflow = !fields.contains(inc.front().first) &&
                              static_cast<int64_t>(fields.size()) >= kMaxUsageFieldsPerBucket;
        for (const auto& [f, v] : inc) {
            int64_t& sum = fields[overflow ? std::string(kOverflowPrefix) + f.back() : f];
            sum = saturating_add(sum, v);
        }
    }
}

void LocalUsageLedger::read(UsageReport& into, UsageWindow w, int64_t start) const {
    auto it = buckets_.find({w, start});
    if (it == buckets_.end()) return;
    for (const auto& [f, v] : it->second) into.add_field(f, v);
}

}  // namespace llmgw
