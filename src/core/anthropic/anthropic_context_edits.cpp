#include "core/anthropic/anthropic_context_edits.h"

#include <algorithm>
#include <map>

namespace llmgw {

using json::Value;

namespace {

// The estimate's rate (token_count.h): 3 bytes a token, an overcount on purpose.
constexpr int64_t kBytesPerToken = 3;

Value* member(Value& obj, std::string_view key) {
    if (!obj.IsObject()) return nullptr;
    auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
    return it == obj.MemberEnd() ? nullptr : &it->value;
}

struct ToolUse {
    Value* result = nullptr;     // the tool message's content
    Value* arguments = nullptr;  // the call's function.arguments (may be null)
    std::string name;
};

}  // namespace

size_t apply_clear_tool_uses(Value& messages, const ClearToolUses& edit, int64_t prompt_tokens, json::Alloc& a) {
    if (!messages.IsArray()) return 0;
    std::map<std::string, ToolUse> calls;  // by call id, from the assistants' tool_calls
    std::vector<ToolUse> uses;             // tool results in conversation order
    for (auto& m : messages.GetArray()) {
        if (Value* tcs = member(m, "tool_calls"); tcs && tcs->IsArray()) {
            for (auto& tc : tcs->GetArray()) {
                Value* id = member(tc, "id");
                Value* fn = member(tc, "function");
                if (!id || !id->IsString() || !fn) continue;
                Value* name = member(*fn, "name");
                calls[std::string(json::sv(*id))] =
                    ToolUse{nullptr, member(*fn, "arguments"), name && name->IsString() ? std::string(json::sv(*name)) : ""};
            }
        }
        Value* role = member(m, "role");
        Value* id = member(m, "tool_call_id");
        if (!role || !role->IsString() || json::sv(*role) != "tool" || !id || !id->IsString()) continue;
        auto it = calls.find(std::string(json::sv(*id)));
        if (it == calls.end()) continue;
        ToolUse u = it->second;
        u.result = member(m, "content");
        if (u.result) uses.push_back(u);
    }
    int64_t seen = edit.trigger_on_tool_uses ? static_cast<int64_t>(uses.size()) : prompt_tokens;
    if (seen <= edit.trigger) return 0;

    std::vector<ToolUse*> eligible;
    for (auto& u : uses)
        if (std::find(edit.exclude_tools.begin(), edit.exclude_tools.end(), u.name) == edit.exclude_tools.end())
            eligible.push_back(&u);
    size_t keep = static_cast<size_t>(std::max<int64_t>(0, edit.keep));
    if (eligible.size() <= keep) return 0;
    eligible.resize(eligible.size() - keep);  // the oldest ones

    int64_t freed = 0;
    for (ToolUse* u : eligible) {
        if (u->result->IsString()) freed += u->result->GetStringLength() / kBytesPerToken;
        if (edit.clear_tool_inputs && u->arguments && u->arguments->IsString())
            freed += u->arguments->GetStringLength() / kBytesPerToken;
    }
    if (freed < edit.clear_at_least) return 0;  // the API skips an edit that cannot free enough
    for (ToolUse* u : eligible) {
        u->result->SetString(kClearedToolResult.data(), static_cast<rapidjson::SizeType>(kClearedToolResult.size()), a);
        if (edit.clear_tool_inputs && u->arguments) u->arguments->SetString("{}", a);
    }
    return eligible.size();
}

}  // namespace llmgw
