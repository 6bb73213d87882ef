// The one table deciding what happens to every part of a Responses request that llmgw translates to
// a runtime's chat completions: each top-level field, input item type, content part type, tool
// type and `include` value is mapped, ignored (accepted, without effect on the runtime), dropped
// (hosted tools: left out and named in a response header, because agents always offer them) or
// refused (a 400 in OpenAI's envelope naming the field). The translator reads this table, the unit
// tests walk it, and docs/API_RESPONSES.md prints it.
#pragma once
#include <span>
#include <string_view>

namespace llmgw {

enum class ResponsesScope { Field, Item, Part, Tool, Include };
enum class ResponsesRule {
    Mapped,   // translated for the runtime (or echoed in the response object)
    Ignored,  // accepted; no effect on what the runtime sees
    Dropped,  // a hosted tool: removed from the request and listed in ResponsesRequestFacts
    Refused,  // 400 naming the field: the runtime cannot do what it asks
};

struct ResponsesTableRow {
    ResponsesScope scope;
    std::string_view name;   // field name, item `type`, part `type`, tool `type`, include value
    ResponsesRule rule;
    std::string_view how;    // what becomes of it; for Refused the 400's explanation
};

std::span<const ResponsesTableRow> responses_table();
// The row for a name, or nullptr. What is not in the table: an unknown top-level field or include
// value is ignored (and listed for a debug log), an unknown tool type is dropped, an unknown item
// or part type is refused.
const ResponsesTableRow* responses_rule(ResponsesScope scope, std::string_view name);

std::string_view responses_rule_name(ResponsesRule r);    // "mapped", "ignored", ...
std::string_view responses_scope_name(ResponsesScope s);  // "field", "item", ...

}  // namespace llmgw
