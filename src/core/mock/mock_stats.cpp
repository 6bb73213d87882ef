#include "core/mock/mock_stats.h"

#include <algorithm>

#include "core/mock/mock_json.h"

namespace llmgw::mock {

void Stats::record(std::string method, std::string path, std::vector<std::pair<std::string, std::string>> headers,
                   std::string body) {
    std::lock_guard<std::mutex> lk(mu_);
    ++by_path_[path];
    last_method_ = std::move(method);
    last_path_ = std::move(path);
    last_headers_ = std::move(headers);
    last_body_ = std::move(body);
}

std::string Stats::to_json() const {
    rapidjson::StringBuffer sb;
    jw::Writer w(sb);
    auto counter = [&w](std::string_view name, uint64_t v) { jw::key(w, name), w.Uint64(v); };
    w.StartObject();
    counter("requests_total", requests_total);
    counter("api_requests", api_requests);
    counter("streams_started", streams_started);
    counter("streams_completed", streams_completed);
    counter("streams_aborted", streams_aborted);
    counter("streams_reset", streams_reset);
    jw::key(w, "streams_active"), w.Int64(streams_active);
    counter("connections_total", connections_total);
    counter("failures_injected", failures_injected);
    counter("requests_hung", requests_hung);
    counter("responses_completed", responses_completed);
    std::lock_guard<std::mutex> lk(mu_);
    jw::key(w, "requests_by_path");
    w.StartObject();
    for (auto& [path, n] : by_path_) counter(path, n);
    w.EndObject();
    jw::key(w, "last_request");
    if (last_method_.empty()) {
        w.Null();
    } else {
        w.StartObject();
        jw::kv(w, "method", last_method_);
        jw::kv(w, "path", last_path_);
        jw::key(w, "headers");
        w.StartObject();
        std::vector<std::pair<std::string, std::string>> merged;  // a repeated header: values joined by ", "
        for (auto& [k, v] : last_headers_) {
            auto it = std::find_if(merged.begin(), merged.end(), [&k = k](auto& m) { return m.first == k; });
            if (it == merged.end()) merged.emplace_back(k, v);
            else it->second += ", " + v;
        }
        for (auto& [k, v] : merged) jw::kv(w, k, v);
        w.EndObject();
        jw::kv(w, "body", last_body_);
        w.EndObject();
    }
    w.EndObject();
    return jw::text(sb);
}

void Stats::reset() {
    for (auto* c : {&requests_total, &api_requests, &streams_started, &streams_completed, &streams_aborted,
                    &streams_reset, &failures_injected, &requests_hung, &responses_completed, &connections_total})
        *c = 0;
    std::lock_guard<std::mutex> lk(mu_);
    last_method_.clear();
    last_path_.clear();
    last_body_.clear();
    last_headers_.clear();
    by_path_.clear();
}

}  // namespace llmgw::mock
