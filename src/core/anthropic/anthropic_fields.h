// What the gateway does with each part of an Anthropic Messages request, in one table: every
// top-level field, content block type and `anthropic-beta` value of the current API is mapped
// (to what), ignored (logged at debug) or refused (a 400 naming it). The request translator asks
// this table; docs/API_ANTHROPIC.md renders it; the unit tests walk it.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

enum class FieldKind { TopLevel, Block, Beta };
enum class FieldAction {
    Mapped,   // translated to the runtime's chat request (`target` says where)
    Ignored,  // accepted and dropped: it changes nothing a runtime does (logged at debug)
    Refused,  // a 400 naming it: the runtime cannot do what it asks
};

struct FieldRule {
    FieldKind kind;
    std::string_view name;    // "thinking", "server_tool_use", "effort-2025-11-24"
    FieldAction action;
    std::string_view target;  // Mapped top-level fields: the chat-request key it becomes
    std::string_view why;     // one line for the docs, the debug log and refusals
};

std::span<const FieldRule> anthropic_field_rules();

// The rule for `name`, or nullptr when the table does not know it. Unknown top-level fields and
// betas are ignored (never a 400); unknown block types are refused by the translator.
const FieldRule* find_field_rule(FieldKind kind, std::string_view name);

// `anthropic-beta` (a comma-separated list, repeated headers joined with ',') split into trimmed,
// non-empty values, each with its rule (nullptr when unknown).
struct BetaUse {
    std::string name;
    const FieldRule* rule;
};
std::vector<BetaUse> classify_betas(std::string_view header_value);

std::string_view field_action_name(FieldAction a);  // "mapped" | "ignored" | "refused"

}  // namespace llmgw
