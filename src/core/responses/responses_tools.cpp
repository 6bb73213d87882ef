#include "core/responses/responses_tools.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace llmgw {

namespace {

constexpr std::string_view kNamespaceSeparator = "__";
// An over-long name keeps this many bytes, then '_' and 8 hex digits of its hash: still unique in
// practice, still recognisable to the model.
constexpr size_t kHashSuffixBytes = 9;

bool runtime_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

// FNV-1a, 32 bits: a stable suffix for names cut to the runtime's limit.
uint32_t fnv1a(std::string_view s) {
    uint32_t h = 2166136261u;
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    return h;
}

std::string client_key(std::string_view ns, std::string_view name) {
    std::string k(ns);
    k.push_back('\0');
    k.append(name);
    return k;
}

}  // namespace

std::string runtime_tool_name(std::string_view ns, std::string_view name) {
    std::string full;
    if (!ns.empty()) full.append(ns).append(kNamespaceSeparator);
    full.append(name);
    std::string out;
    out.reserve(full.size());
    for (char c : full) out.push_back(runtime_char(c) ? c : '_');
    if (out.empty()) out.assign(1, '_');
    if (out.size() > kMaxRuntimeToolNameBytes) {
        char suffix[kHashSuffixBytes + 1];
        std::snprintf(suffix, sizeof suffix, "_%08x", fnv1a(full));
        out.resize(kMaxRuntimeToolNameBytes - kHashSuffixBytes);
        out.append(suffix);
    }
    return out;
}

const std::string& ResponsesToolNames::add(std::string_view ns, std::string_view name, ResponsesToolKind kind) {
    std::string key = client_key(ns, name);
    if (auto it = by_client_.find(key); it != by_client_.end()) return tools_[it->second].runtime_name;
    std::string base = runtime_tool_name(ns, name);
    std::string candidate = base;
    for (size_t n = 2; by_runtime_.count(candidate); ++n) {
        std::string suffix(1, '_');
        suffix += std::to_string(n);
        candidate = base.substr(0, std::min(base.size(), kMaxRuntimeToolNameBytes - suffix.size())) + suffix;
    }
    tools_.push_back({candidate, std::string(name), std::string(ns), kind});
    by_runtime_.emplace(candidate, tools_.size() - 1);
    by_client_.emplace(std::move(key), tools_.size() - 1);
    return tools_.back().runtime_name;
}

std::string ResponsesToolNames::runtime_name(std::string_view ns, std::string_view name) const {
    if (auto it = by_client_.find(client_key(ns, name)); it != by_client_.end()) return tools_[it->second].runtime_name;
    return runtime_tool_name(ns, name);
}

const ResponsesToolName* ResponsesToolNames::by_runtime_name(std::string_view runtime_name) const {
    auto it = by_runtime_.find(runtime_name);
    return it == by_runtime_.end() ? nullptr : &tools_[it->second];
}

}  // namespace llmgw
