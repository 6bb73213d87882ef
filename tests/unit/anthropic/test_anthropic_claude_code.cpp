// What Claude Code sends today, through the request translator: mid-conversation system messages,
// the billing block, thinking and effort, context_management edits; and its two real captured
// turns (tests/fixtures/agents/) translate without a 400.
#include <catch2/catch.hpp>

#include "anthropic_test_util.h"
#include "core/anthropic/anthropic_context_edits.h"
#include "core/anthropic/anthropic_request.h"

using namespace llmgw;

namespace {
AnthropicRequestTranslation tr(const std::string& body, BackendKind k = BackendKind::LlamaCpp, bool keep_billing = false) {
    AnthropicRequestOptions o{backend_profile(k), 0, true, true};
    o.keep_billing_header = keep_billing;
    return translate_anthropic_request(body, o);
}

json::Document ok_doc(const std::string& body, BackendKind k = BackendKind::LlamaCpp, bool keep_billing = false) {
    auto t = tr(body, k, keep_billing);
    if (t.error) INFO(t.error->message);
    REQUIRE(t.ok());
    json::Document d;
    REQUIRE_FALSE(json::parse(t.body, d));
    return d;
}

std::string req(const std::string& messages, const std::string& extra = "") {
    return R"({"model":"m","max_tokens":100,"messages":)" + messages + extra + "}";
}

// The body of a captured agent request (tests/fixtures/agents/NAME), as JSON text.
std::string agent_body(const std::string& name) {
    auto text = test::read_fixture(std::string("agents/").append(name));
    json::Document d;
    REQUIRE_FALSE(json::parse(text, d));
    return json::to_string(d["body"]);
}

const char* kBilling = "x-anthropic-billing-header: cc_version=2.1.197.c40; cc_entrypoint=sdk-cli; cch=8f3a1;";
}  // namespace

TEST_CASE("claude code: a system message inside messages stays in place as a system message", "[anthropic][claude-code]") {
    auto d = ok_doc(req(R"([{"role":"user","content":"Hi"},{"role":"system","content":"Agents: a, b"},
        {"role":"assistant","content":"Hello"},{"role":"system","content":[{"type":"text","text":"Mode: plan","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Be careful"}]},
        {"role":"user","content":"Go"}])", R"(,"system":"Lead")"));
    const auto& m = d["messages"];
    REQUIRE(m.Size() == 6);
    CHECK(m[0]["role"] == "system");
    CHECK(m[0]["content"] == "Lead");
    CHECK(m[2]["role"] == "system");
    CHECK(m[2]["content"] == "Agents: a, b");
    CHECK(m[4]["role"] == "system");
    CHECK(m[4]["content"] == "Mode: plan\n\nBe careful");
    CHECK(m[5]["content"] == "Go");
}

TEST_CASE("claude code: a bad mid-conversation system message is a 400 naming it", "[anthropic][claude-code]") {
    auto t = tr(req(R"([{"role":"user","content":"Hi"},{"role":"system","content":[{"type":"image","source":{"type":"url","url":"u"}}]}])"));
    REQUIRE(t.error);
    CHECK(t.error->param == "messages.1.content.0.type");
    auto r = tr(req(R"([{"role":"tool","content":"Hi"}])"));
    REQUIRE(r.error);
    CHECK(r.error->param == "messages.0.role");
    auto only = tr(req(R"([{"role":"system","content":"Hi"}])"));
    REQUIRE(only.error);
    CHECK(only.error->param == "messages");
}

TEST_CASE("claude code: the billing block is dropped by default and kept on request", "[anthropic][claude-code]") {
    std::string body = req(R"([{"role":"user","content":"Hi"}])",
                           std::string(R"(,"system":[{"type":"text","text":")") + kBilling + R"("},{"type":"text","text":"You are an agent."}])");
    auto t = tr(body);
    REQUIRE(t.ok());
    CHECK(t.facts.billing_header_dropped);
    auto d = ok_doc(body);
    CHECK(d["messages"][0]["content"] == "You are an agent.");
    auto kept = ok_doc(body, BackendKind::LlamaCpp, true);
    CHECK(kept["messages"][0]["content"] == std::string(kBilling) + "\n\nYou are an agent.");
    CHECK_FALSE(tr(body, BackendKind::LlamaCpp, true).facts.billing_header_dropped);

    // Only a first block that is the billing header: the same text elsewhere is prompt.
    auto later = ok_doc(req(R"([{"role":"user","content":"Hi"}])",
                            std::string(R"(,"system":[{"type":"text","text":"A"},{"type":"text","text":")") + kBilling + R"("}])"));
    CHECK(later["messages"][0]["content"] == std::string("A\n\n") + kBilling);
    // A string system prompt loses its billing line.
    auto str = ok_doc(req(R"([{"role":"user","content":"Hi"}])", std::string(R"(,"system":")") + kBilling + R"(\nRest")"));
    CHECK(str["messages"][0]["content"] == "Rest");
    // A system prompt that is only the billing block leaves no system message.
    auto only = ok_doc(req(R"([{"role":"user","content":"Hi"}])", std::string(R"(,"system":[{"type":"text","text":")") + kBilling + R"("}])"));
    CHECK(only["messages"][0]["role"] == "user");
}

TEST_CASE("claude code: thinking turns the template switch on or off, effort goes where the runtime takes it", "[anthropic][claude-code]") {
    for (auto [type, on] : {std::pair<const char*, bool>{"enabled", true}, {"adaptive", true}, {"disabled", false}}) {
        INFO(type);
        auto d = ok_doc(req(R"([{"role":"user","content":"Hi"}])", std::string(R"(,"thinking":{"type":")") + type + R"("})"));
        CHECK(d["chat_template_kwargs"]["enable_thinking"].GetBool() == on);
    }
    for (auto [effort, sent] : {std::pair<const char*, const char*>{"low", "low"}, {"medium", "medium"}, {"high", "high"},
                                {"xhigh", "high"}, {"max", "high"}}) {
        INFO(effort);
        auto d = ok_doc(req(R"([{"role":"user","content":"Hi"}])", std::string(R"(,"output_config":{"effort":")") + effort + R"("})"));
        CHECK(d["reasoning_effort"] == sent);
    }
    // A runtime without reasoning_effort gets nothing it would refuse.
    auto tgi = ok_doc(req(R"([{"role":"user","content":"Hi"}])", R"(,"output_config":{"effort":"high"})"), BackendKind::TGI);
    CHECK_FALSE(tgi.HasMember("reasoning_effort"));
    CHECK_FALSE(tgi.HasMember("chat_template_kwargs"));
    auto bad = tr(req(R"([{"role":"user","content":"Hi"}])", R"(,"output_config":{"effort":"extreme"})"));
    REQUIRE(bad.error);
    CHECK(bad.error->param == "output_config.effort");
}

TEST_CASE("claude code: output_config.format is structured output, once", "[anthropic][claude-code]") {
    auto d = ok_doc(req(R"([{"role":"user","content":"Hi"}])",
                        R"(,"output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}})"));
    CHECK(d["response_format"]["type"] == "json_schema");
    auto both = tr(req(R"([{"role":"user","content":"Hi"}])",
                       R"(,"output_format":{"type":"json_schema","schema":{}},"output_config":{"format":{"type":"json_schema","schema":{}}})"));
    REQUIRE(both.error);
    CHECK(both.error->param == "output_config.format");
}

namespace {
// Three tool round trips: t1 (Read), t2 (Bash), t3 (Read), each with a 300-byte result.
std::string three_tool_uses(const std::string& edit) {
    std::string msgs = R"([{"role":"user","content":"go"})";
    const char* names[] = {"Read", "Bash", "Read"};
    for (int i = 1; i <= 3; ++i) {
        std::string id = "t";
        id += std::to_string(i);
        msgs += R"(,{"role":"assistant","content":[{"type":"tool_use","id":")" + id + R"(","name":")" + names[i - 1] +
                R"(","input":{"arg":"value)" + id + R"("}}]})";
        msgs += R"(,{"role":"user","content":[{"type":"tool_result","tool_use_id":")" + id + R"(","content":")" +
                std::string(300, 'r') + R"("}]})";
    }
    msgs += "]";
    return req(msgs, R"(,"context_management":{"edits":[)" + edit + "]}");
}
// The content of each tool message, in order.
std::vector<std::string> tool_results(const json::Document& d) {
    std::vector<std::string> out;
    for (const auto& m : d["messages"].GetArray())
        if (m["role"] == "tool") out.emplace_back(json::sv(m["content"]));
    return out;
}
const std::string kCleared(kClearedToolResult);
const std::string kKept(300, 'r');
}  // namespace

TEST_CASE("claude code: clear_tool_uses clears the oldest results past the trigger, as the API does", "[anthropic][claude-code]") {
    // Under the trigger (the default is 100k input tokens): nothing changes.
    auto none = ok_doc(three_tool_uses(R"({"type":"clear_tool_uses_20250919"})"));
    CHECK(tool_results(none) == std::vector<std::string>{kKept, kKept, kKept});
    // Past an input_tokens trigger, keep the last one.
    auto one = ok_doc(three_tool_uses(
        R"({"type":"clear_tool_uses_20250919","trigger":{"type":"input_tokens","value":10},"keep":{"type":"tool_uses","value":1}})"));
    CHECK(tool_results(one) == std::vector<std::string>{kCleared, kCleared, kKept});
    CHECK(one["messages"][1]["tool_calls"][0]["function"]["arguments"] == R"({"arg":"valuet1"})");
    // Excluded tools are never cleared; clear_tool_inputs empties the calls' arguments too.
    auto excl = ok_doc(three_tool_uses(
        R"({"type":"clear_tool_uses_20250919","trigger":{"type":"tool_uses","value":2},"keep":{"type":"tool_uses","value":0},"exclude_tools":["Bash"],"clear_tool_inputs":true})"));
    CHECK(tool_results(excl) == std::vector<std::string>{kCleared, kKept, kCleared});
    CHECK(excl["messages"][1]["tool_calls"][0]["function"]["arguments"] == "{}");
    CHECK(excl["messages"][3]["tool_calls"][0]["function"]["arguments"] == R"({"arg":"valuet2"})");
    // A trigger not passed (3 tool uses is not more than 3), and a clear_at_least that cannot be met.
    auto under = ok_doc(three_tool_uses(R"({"type":"clear_tool_uses_20250919","trigger":{"type":"tool_uses","value":3}})"));
    CHECK(tool_results(under) == std::vector<std::string>{kKept, kKept, kKept});
    auto little = ok_doc(three_tool_uses(
        R"({"type":"clear_tool_uses_20250919","trigger":{"type":"tool_uses","value":0},"keep":{"type":"tool_uses","value":1},"clear_at_least":{"type":"input_tokens","value":100000}})"));
    CHECK(tool_results(little) == std::vector<std::string>{kKept, kKept, kKept});
}

TEST_CASE("claude code: clear_thinking changes nothing, unknown edits are noted, bad edits are a 400", "[anthropic][claude-code]") {
    auto base = tr(three_tool_uses(R"({"type":"clear_thinking_20251015","keep":"all"})"));
    REQUIRE(base.ok());
    CHECK(base.facts.ignored.empty());
    auto compact = tr(three_tool_uses(R"({"type":"compact_20260112"})"));
    REQUIRE(compact.ok());
    CHECK(compact.facts.ignored == std::vector<std::string>{"context_management.edits.0.compact_20260112"});
    CHECK(compact.body == base.body);
    auto bad = tr(three_tool_uses(R"({"type":"clear_tool_uses_20250919","keep":{"type":"input_tokens","value":1}})"));
    REQUIRE(bad.error);
    CHECK(bad.error->param == "context_management.edits.0.keep.type");
}

TEST_CASE("claude code: both captured turns translate, billing dropped, system in place, effort and thinking on",
          "[anthropic][claude-code]") {
    for (const char* name : {"claude-code-2.1.197-turn1.json", "claude-code-2.1.197-turn2-tool-result.json"}) {
        INFO(name);
        auto t = tr(agent_body(name));
        if (t.error) INFO(t.error->message);
        REQUIRE(t.ok());
        CHECK(t.facts.ignored.empty());  // every field it sends is in the table
        CHECK(t.facts.billing_header_dropped);
        CHECK(t.facts.stream);
        CHECK(t.facts.thinking_enabled);
        json::Document d;
        REQUIRE_FALSE(json::parse(t.body, d));
        const auto& m = d["messages"];
        CHECK(m[0]["role"] == "system");
        CHECK(json::sv(m[0]["content"]).starts_with("You are a Claude agent"));
        CHECK(m[1]["role"] == "user");
        CHECK(m[2]["role"] == "system");
        CHECK(json::sv(m[2]["content"]).starts_with("Available agent types"));
        CHECK(d["reasoning_effort"] == "high");
        CHECK(d["chat_template_kwargs"]["enable_thinking"].GetBool());
        CHECK(d["tools"].Size() == 24);
        CHECK(d["user"].IsString());
    }
    // Turn 2 ends with the assistant's tool call and its result as a tool message.
    auto t2 = ok_doc(agent_body("claude-code-2.1.197-turn2-tool-result.json"));
    const auto& m = t2["messages"];
    CHECK(m[m.Size() - 2]["tool_calls"][0]["id"] == "toolu_cap1");
    CHECK(m[m.Size() - 1]["role"] == "tool");
    CHECK(m[m.Size() - 1]["content"] == "hi");
}
