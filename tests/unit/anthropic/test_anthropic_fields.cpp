// The Anthropic field table (anthropic_fields.h), walked: every top-level field, block type and
// beta it lists is exercised through the request translator, and the table's verdict must be what
// the translator does. A row added without a sample here fails the walk.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "anthropic_test_util.h"
#include "core/anthropic/anthropic_context_edits.h"
#include "core/anthropic/anthropic_fields.h"
#include "core/anthropic/anthropic_request.h"

using namespace llmgw;

namespace {
const BackendProfile& llamacpp() { return backend_profile(BackendKind::LlamaCpp); }

constexpr std::string_view kBase = R"({"model":"m","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]})";

// `base` with each member of `extra` (a JSON object's members) set, replacing equal keys.
std::string with(std::string_view base, const std::string& extra) {
    json::Document d, e;
    REQUIRE_FALSE(json::parse(base, d));
    REQUIRE_FALSE(json::parse("{" + extra + "}", e));
    for (auto& m : e.GetObject()) {
        d.RemoveMember(m.name);
        d.AddMember(json::Value(m.name, d.GetAllocator()), json::Value(m.value, d.GetAllocator()), d.GetAllocator());
    }
    return json::to_string(d);
}

AnthropicRequestTranslation tr(const std::string& body, const BackendProfile& p = llamacpp(), bool keep_billing = false) {
    AnthropicRequestOptions o{p, 0, true, true};
    o.keep_billing_header = keep_billing;
    return translate_anthropic_request(body, o);
}

json::Document doc(const AnthropicRequestTranslation& t) {
    if (t.error) INFO(t.error->message);
    REQUIRE(t.ok());
    json::Document d;
    REQUIRE_FALSE(json::parse(t.body, d));
    return d;
}

const std::string kTool = R"({"name":"get_weather","input_schema":{"type":"object"}})";
const std::string kToolTurns = R"([{"role":"user","content":"w?"},
    {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"get_weather","input":{"city":"Paris"}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"sunny"}]}])";

struct TopSample {
    std::string control;  // members every variant carries (may replace the base's)
    std::string value;    // the field's value
};
// One sample per top-level row of the table.
const std::map<std::string, TopSample>& top_samples() {
    static const std::map<std::string, TopSample> s = {
        {"model", {"", R"("other")"}},
        {"messages", {"", R"([{"role":"user","content":"Hi"},{"role":"system","content":"Be brief"}])"}},
        {"max_tokens", {"", "50"}},
        {"system", {"", R"("Be brief")"}},
        {"stop_sequences", {"", R"(["END"])"}},
        {"stream", {"", "true"}},
        {"temperature", {"", "0.5"}},
        {"top_p", {"", "0.9"}},
        {"top_k", {"", "5"}},
        {"tools", {"", "[" + kTool + "]"}},
        {"tool_choice", {R"("tools":[)" + kTool + "]", R"({"type":"any"})"}},
        {"thinking", {"", R"({"type":"adaptive"})"}},
        {"output_config", {"", R"({"effort":"max"})"}},
        {"output_format", {"", R"({"type":"json_schema","schema":{"type":"object"}})"}},
        {"metadata", {"", R"({"user_id":"u1"})"}},
        {"context_management", {R"("messages":)" + kToolTurns,
                                R"({"edits":[{"type":"clear_tool_uses_20250919","trigger":{"type":"tool_uses","value":0},"keep":{"type":"tool_uses","value":0}}]})"}},
        {"service_tier", {"", R"("auto")"}},
        {"cache_control", {"", R"({"type":"ephemeral"})"}},
        {"container", {"", R"("container_1")"}},
        {"inference_geo", {"", R"("us")"}},
        {"speed", {"", R"("fast")"}},
        {"mcp_servers", {"", R"([{"type":"url","url":"https://mcp.example/sse","name":"x"}])"}},
    };
    return s;
}

struct BlockSample {
    std::string with;     // messages holding the block
    std::string without;  // the same messages without it
};
std::string user_blocks(const std::string& blocks) { return R"([{"role":"user","content":[)" + blocks + "]}]"; }
std::string assistant_blocks(const std::string& blocks) {
    return R"([{"role":"user","content":"Hi"},{"role":"assistant","content":[)" + blocks + "]}]";
}
const std::string kText = R"({"type":"text","text":"Hi"})";
std::string server_result(std::string_view type) {
    return R"({"type":")" + std::string(type) + R"(","tool_use_id":"srvtoolu_1","content":[]})";
}
// One sample per block row of the table.
const std::map<std::string, BlockSample>& block_samples() {
    static const std::map<std::string, BlockSample> s = {
        {"text", {user_blocks(kText + "," + R"({"type":"text","text":"more","citations":[]})"), user_blocks(kText)}},
        {"image", {user_blocks(kText + R"(,{"type":"image","source":{"type":"url","url":"https://x/y.png"}})"), user_blocks(kText)}},
        {"document", {user_blocks(kText + R"(,{"type":"document","source":{"type":"text","media_type":"text/plain","data":"doc"}})"), user_blocks(kText)}},
        {"search_result", {user_blocks(kText + R"(,{"type":"search_result","source":"https://s","title":"T","content":[{"type":"text","text":"found"}]})"), user_blocks(kText)}},
        {"tool_use", {assistant_blocks(kText + R"(,{"type":"tool_use","id":"t1","name":"f","input":{}})"), assistant_blocks(kText)}},
        {"tool_result", {kToolTurns, R"([{"role":"user","content":"w?"},
            {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"get_weather","input":{"city":"Paris"}}]}])"}},
        {"thinking", {assistant_blocks(R"({"type":"thinking","thinking":"hmm","signature":"s"},)" + kText), assistant_blocks(kText)}},
        {"redacted_thinking", {assistant_blocks(R"({"type":"redacted_thinking","data":"xx"},)" + kText), assistant_blocks(kText)}},
        {"server_tool_use", {assistant_blocks(R"({"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}})"), ""}},
        {"web_search_tool_result", {assistant_blocks(server_result("web_search_tool_result")), ""}},
        {"web_fetch_tool_result", {assistant_blocks(server_result("web_fetch_tool_result")), ""}},
        {"code_execution_tool_result", {assistant_blocks(server_result("code_execution_tool_result")), ""}},
        {"bash_code_execution_tool_result", {assistant_blocks(server_result("bash_code_execution_tool_result")), ""}},
        {"text_editor_code_execution_tool_result", {assistant_blocks(server_result("text_editor_code_execution_tool_result")), ""}},
        {"tool_search_tool_result", {assistant_blocks(server_result("tool_search_tool_result")), ""}},
        {"mcp_tool_use", {assistant_blocks(R"({"type":"mcp_tool_use","id":"mcptoolu_1","name":"x","server_name":"s","input":{}})"), ""}},
        {"mcp_tool_result", {user_blocks(R"({"type":"mcp_tool_result","tool_use_id":"mcptoolu_1","content":[]})"), ""}},
        {"container_upload", {user_blocks(R"({"type":"container_upload","file_id":"file_1"})"), ""}},
    };
    return s;
}
}  // namespace

TEST_CASE("fields: every top-level row is exercised and does what the table says", "[anthropic][fields]") {
    std::set<std::string> rows;
    for (const auto& rule : anthropic_field_rules()) {
        if (rule.kind != FieldKind::TopLevel) continue;
        std::string name(rule.name);
        rows.insert(name);
        INFO("field " << name << " (" << field_action_name(rule.action) << ")");
        auto it = top_samples().find(name);
        REQUIRE(it != top_samples().end());
        std::string control = it->second.control.empty() ? std::string(kBase) : with(kBase, it->second.control);
        auto t = tr(with(control, "\"" + name + "\":" + it->second.value));
        switch (rule.action) {
            case FieldAction::Mapped: {
                auto d = doc(t);
                CHECK(d.HasMember(std::string(rule.target)));
                CHECK(t.body != tr(control).body);
                CHECK(t.facts.ignored.empty());
                break;
            }
            case FieldAction::Ignored:
                CHECK(t.ok());
                CHECK(t.body == tr(control).body);
                CHECK(t.facts.ignored == std::vector<std::string>{name});
                break;
            case FieldAction::Refused:
                REQUIRE(t.error);
                CHECK(t.error->status == 400);
                CHECK(t.error->param == name);
                CHECK(t.error->message.find(std::string(rule.why)) != std::string::npos);
                break;
        }
    }
    CHECK(rows.size() == top_samples().size());  // no sample left without a row
}

TEST_CASE("fields: every block row is exercised and does what the table says", "[anthropic][fields]") {
    std::set<std::string> rows;
    for (const auto& rule : anthropic_field_rules()) {
        if (rule.kind != FieldKind::Block) continue;
        std::string name(rule.name);
        rows.insert(name);
        INFO("block " << name << " (" << field_action_name(rule.action) << ")");
        auto it = block_samples().find(name);
        REQUIRE(it != block_samples().end());
        auto t = tr(with(kBase, "\"messages\":" + it->second.with));
        switch (rule.action) {
            case FieldAction::Mapped:
                CHECK(doc(t).HasMember("messages"));
                CHECK(t.body != tr(with(kBase, "\"messages\":" + it->second.without)).body);
                break;
            case FieldAction::Ignored:
                CHECK(doc(t).HasMember("messages"));
                CHECK(t.body == tr(with(kBase, "\"messages\":" + it->second.without)).body);
                break;
            case FieldAction::Refused:
                REQUIRE(t.error);
                CHECK(t.error->status == 400);
                CHECK(t.error->param.ends_with(".type"));
                CHECK(t.error->message.find("'" + name + "' blocks are not supported: " + std::string(rule.why)) !=
                      std::string::npos);
                break;
        }
    }
    CHECK(rows.size() == block_samples().size());
}

TEST_CASE("fields: every beta row is classified, unknown betas are known as unknown and never refused", "[anthropic][fields]") {
    std::string header;
    size_t betas = 0;
    for (const auto& rule : anthropic_field_rules()) {
        if (rule.kind != FieldKind::Beta) continue;
        CHECK(rule.action != FieldAction::Refused);
        header += std::string(rule.name) + " , ";
        ++betas;
    }
    header += "some-future-beta-2027-01-01,,";
    auto uses = classify_betas(header);
    REQUIRE(uses.size() == betas + 1);
    for (size_t i = 0; i < betas; ++i) {
        REQUIRE(uses[i].rule);
        CHECK(uses[i].rule->name == uses[i].name);
    }
    CHECK(uses.back().name == "some-future-beta-2027-01-01");
    CHECK(uses.back().rule == nullptr);
}

TEST_CASE("fields: names are unique within their kind and every row says why", "[anthropic][fields]") {
    std::set<std::pair<int, std::string_view>> seen;
    for (const auto& rule : anthropic_field_rules()) {
        INFO(rule.name);
        CHECK(seen.insert({static_cast<int>(rule.kind), rule.name}).second);
        CHECK_FALSE(rule.why.empty());
        if (rule.kind != FieldKind::Beta) CHECK((rule.action == FieldAction::Mapped) == !rule.target.empty());
    }
}

TEST_CASE("fields: unknown top-level fields are ignored and noted, a bounded number of them", "[anthropic][fields]") {
    auto t = tr(with(kBase, R"("future_field":{"x":1},"another":[1,2])"));
    REQUIRE(t.ok());
    CHECK(t.body == tr(std::string(kBase)).body);
    CHECK(t.facts.ignored == std::vector<std::string>{"future_field", "another"});

    std::string many;
    for (int i = 0; i < 100; ++i) {
        many += i ? ",\"f" : "\"f";
        many += std::to_string(i);
        many.append(200, 'x');
        many += "\":1";
    }
    auto m = tr(with(kBase, many));
    REQUIRE(m.ok());
    CHECK(m.facts.ignored.size() == 32);
    CHECK(m.facts.ignored[0].size() == 64);
}

TEST_CASE("fields: an empty mcp_servers is no request for MCP and passes", "[anthropic][fields]") {
    CHECK(tr(with(kBase, R"("mcp_servers":[])")).ok());
    CHECK(tr(with(kBase, R"("mcp_servers":null)")).ok());
}
