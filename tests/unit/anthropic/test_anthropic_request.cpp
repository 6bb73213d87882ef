// Anthropic request -> OpenAI request: every mapping and validation rule, table-driven.
#include <catch2/catch.hpp>

#include "anthropic_test_util.h"
#include "core/anthropic/anthropic_request.h"

using namespace llmgw;

namespace {
const BackendProfile& vllm() { return backend_profile(BackendKind::VLLM); }
const BackendProfile& ollama() { return backend_profile(BackendKind::Ollama); }

AnthropicRequestTranslation tr(const std::string& body, const BackendProfile& p = vllm(), int64_t cap = 0) {
    return translate_anthropic_request(body, AnthropicRequestOptions{p, cap, true, true});
}

json::Document ok_doc(const std::string& body, const BackendProfile& p = vllm(), int64_t cap = 0) {
    auto t = tr(body, p, cap);
    INFO(body);
    if (t.error) INFO(t.error->message);
    REQUIRE(t.ok());
    json::Document d;
    REQUIRE_FALSE(json::parse(t.body, d));
    return d;
}

std::string wrap(const std::string& messages, const std::string& extra = "") {
    return R"({"model":"m","max_tokens":100,"messages":)" + messages + extra + "}";
}
}  // namespace

TEST_CASE("request: minimal text request maps model, max_tokens, plain string content", "[anthropic]") {
    auto d = ok_doc(wrap(R"([{"role":"user","content":"Hi"}])"));
    CHECK(d["model"] == "m");
    CHECK(d["max_tokens"].GetInt64() == 100);
    REQUIRE(d["messages"].Size() == 1);
    CHECK(d["messages"][0]["role"] == "user");
    CHECK(d["messages"][0]["content"] == "Hi");
    CHECK_FALSE(d.HasMember("stream"));
}

TEST_CASE("request: system as string and as text blocks becomes a leading system message", "[anthropic]") {
    auto a = ok_doc(wrap(R"([{"role":"user","content":"Hi"}])", R"(,"system":"Be brief")"));
    CHECK(a["messages"][0]["role"] == "system");
    CHECK(a["messages"][0]["content"] == "Be brief");
    auto b = ok_doc(wrap(R"([{"role":"user","content":"Hi"}])",
                         R"(,"system":[{"type":"text","text":"A","cache_control":{"type":"ephemeral"}},{"type":"text","text":"B"}])"));
    CHECK(b["messages"][0]["content"] == "A\n\nB");
    CHECK(b["messages"][1]["role"] == "user");
}

TEST_CASE("request: text-only block arrays become one string, images become image_url parts", "[anthropic]") {
    auto d = ok_doc(wrap(R"([{"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]}])"));
    CHECK(d["messages"][0]["content"] == "one\n\ntwo");

    auto img = ok_doc(wrap(R"([{"role":"user","content":[{"type":"text","text":"look"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},
        {"type":"image","source":{"type":"url","url":"https://x/y.jpg"}}]}])"));
    const auto& c = img["messages"][0]["content"];
    REQUIRE(c.IsArray());
    REQUIRE(c.Size() == 3);
    CHECK(c[0]["type"] == "text");
    CHECK(c[0]["text"] == "look");
    CHECK(c[1]["type"] == "image_url");
    CHECK(c[1]["image_url"]["url"] == "data:image/png;base64,AAAA");
    CHECK(c[2]["image_url"]["url"] == "https://x/y.jpg");
}

TEST_CASE("request: text documents become text, with their title", "[anthropic]") {
    auto d = ok_doc(wrap(R"([{"role":"user","content":[{"type":"document","title":"T","source":{"type":"text","media_type":"text/plain","data":"body"}},{"type":"text","text":"sum it"}]}])"));
    CHECK(d["messages"][0]["content"] == "T\n\nbody\n\nsum it");
}

TEST_CASE("request: tool_use and tool_result map to tool_calls and tool messages in valid order", "[anthropic]") {
    auto d = ok_doc(wrap(R"([
      {"role":"user","content":"weather?"},
      {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Let me check."},
         {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}},
         {"type":"tool_use","id":"toolu_2","name":"get_time","input":{}}]},
      {"role":"user","content":[{"type":"text","text":"also this"},
         {"type":"tool_result","tool_use_id":"toolu_1","content":"21C"},
         {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"boom"}],"is_error":true}]}
    ])"));
    const auto& m = d["messages"];
    REQUIRE(m.Size() == 5);
    CHECK(m[1]["role"] == "assistant");
    CHECK(m[1]["content"] == "Let me check.");  // thinking dropped
    REQUIRE(m[1]["tool_calls"].Size() == 2);
    CHECK(m[1]["tool_calls"][0]["id"] == "toolu_1");
    CHECK(m[1]["tool_calls"][0]["type"] == "function");
    CHECK(m[1]["tool_calls"][0]["function"]["name"] == "get_weather");
    CHECK(m[1]["tool_calls"][0]["function"]["arguments"] == R"({"city":"Paris"})");
    CHECK(m[1]["tool_calls"][1]["function"]["arguments"] == "{}");
    // tool messages come before the user's other content of the same turn
    CHECK(m[2]["role"] == "tool");
    CHECK(m[2]["tool_call_id"] == "toolu_1");
    CHECK(m[2]["content"] == "21C");
    CHECK(m[3]["role"] == "tool");
    CHECK(m[3]["tool_call_id"] == "toolu_2");
    CHECK(std::string(m[3]["content"].GetString()).find("error") != std::string::npos);
    CHECK(std::string(m[3]["content"].GetString()).find("boom") != std::string::npos);
    CHECK(m[4]["role"] == "user");
    CHECK(m[4]["content"] == "also this");
}

TEST_CASE("request: assistant with only tool calls has null content, only tool results add no user message", "[anthropic]") {
    auto d = ok_doc(wrap(R"([{"role":"user","content":"q"},
      {"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{"x":1}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"a"}]}])"));
    const auto& m = d["messages"];
    REQUIRE(m.Size() == 3);
    CHECK(m[1]["content"].IsNull());
    CHECK(m[2]["role"] == "tool");
    CHECK(m[2]["content"] == "");
}

TEST_CASE("request: images inside a tool_result follow in a user message", "[anthropic]") {
    auto d = ok_doc(wrap(R"([{"role":"user","content":"q"},
      {"role":"assistant","content":[{"type":"tool_use","id":"a","name":"shot","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":[{"type":"text","text":"here"},
         {"type":"image","source":{"type":"base64","media_type":"image/png","data":"QQ=="}}]}]}])"));
    const auto& m = d["messages"];
    REQUIRE(m.Size() == 4);
    CHECK(m[2]["role"] == "tool");
    CHECK(m[3]["role"] == "user");
    REQUIRE(m[3]["content"].IsArray());
    CHECK(m[3]["content"][0]["image_url"]["url"] == "data:image/png;base64,QQ==");
}

TEST_CASE("request: sampling fields, stop_sequences, metadata", "[anthropic]") {
    auto d = ok_doc(wrap(R"([{"role":"user","content":"x"}])",
                         R"(,"temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["END","##"],"metadata":{"user_id":"u1"})"));
    CHECK(d["temperature"].GetDouble() == 0.5);
    CHECK(d["top_p"].GetDouble() == 0.9);
    CHECK(d["top_k"].GetInt() == 40);
    REQUIRE(d["stop"].Size() == 2);
    CHECK(d["stop"][1] == "##");
    CHECK(d["user"] == "u1");
    // top_k only where the runtime accepts it
    auto o = ok_doc(wrap(R"([{"role":"user","content":"x"}])", R"(,"top_k":40)"), ollama());
    CHECK_FALSE(o.HasMember("top_k"));
}

TEST_CASE("request: tools and every tool_choice", "[anthropic]") {
    const std::string tools = R"(,"tools":[{"name":"get_weather","description":"d","input_schema":{"type":"object","properties":{"city":{"type":"string"}}},"cache_control":{"type":"ephemeral"}}])";
    auto d = ok_doc(wrap(R"([{"role":"user","content":"x"}])", tools));
    REQUIRE(d["tools"].Size() == 1);
    CHECK(d["tools"][0]["type"] == "function");
    CHECK(d["tools"][0]["function"]["name"] == "get_weather");
    CHECK(d["tools"][0]["function"]["description"] == "d");
    CHECK(d["tools"][0]["function"]["parameters"]["properties"]["city"]["type"] == "string");
    CHECK_FALSE(d.HasMember("tool_choice"));

    struct Row { const char* choice; const char* expect; bool parallel_false; };
    const Row rows[] = {
        {R"({"type":"auto"})", R"("auto")", false},
        {R"({"type":"any"})", R"("required")", false},
        {R"({"type":"none"})", R"("none")", false},
        {R"({"type":"tool","name":"get_weather"})", R"({"type":"function","function":{"name":"get_weather"}})", false},
        {R"({"type":"auto","disable_parallel_tool_use":true})", R"("auto")", true},
        {R"({"type":"any","disable_parallel_tool_use":false})", R"("required")", false},
    };
    for (const auto& r : rows) {
        INFO(r.choice);
        auto t = ok_doc(wrap(R"([{"role":"user","content":"x"}])", tools + R"(,"tool_choice":)" + r.choice));
        CHECK(json::to_string(t["tool_choice"]) == r.expect);
        CHECK(t.HasMember("parallel_tool_calls") == r.parallel_false);
        if (r.parallel_false) CHECK(t["parallel_tool_calls"].IsFalse());
    }
    auto facts = tr(wrap(R"([{"role":"user","content":"x"}])", tools)).facts;
    CHECK(facts.has_tools);
}

TEST_CASE("request: stream adds include_usage where supported and when asked", "[anthropic]") {
    auto d = ok_doc(wrap(R"([{"role":"user","content":"x"}])", R"(,"stream":true)"));
    CHECK(d["stream"].IsTrue());
    CHECK(d["stream_options"]["include_usage"].IsTrue());
    auto t = translate_anthropic_request(wrap(R"([{"role":"user","content":"x"}])", R"(,"stream":true)"),
                                         AnthropicRequestOptions{vllm(), 0, false, true});
    REQUIRE(t.ok());
    CHECK(t.facts.stream);
    CHECK(t.body.find("stream_options") == std::string::npos);
    auto localai = ok_doc(wrap(R"([{"role":"user","content":"x"}])", R"(,"stream":true)"), backend_profile(BackendKind::LocalAI));
    CHECK_FALSE(localai.HasMember("stream_options"));
}

TEST_CASE("request: thinking switches chat_template_kwargs on runtimes that know it", "[anthropic]") {
    auto on = tr(wrap(R"([{"role":"user","content":"x"}])", R"(,"thinking":{"type":"enabled","budget_tokens":2048})"));
    REQUIRE(on.ok());
    CHECK(on.facts.thinking_enabled);
    CHECK(on.body.find(R"("chat_template_kwargs":{"enable_thinking":true})") != std::string::npos);
    auto off = tr(wrap(R"([{"role":"user","content":"x"}])", R"(,"thinking":{"type":"disabled"})"));
    CHECK_FALSE(off.facts.thinking_enabled);
    CHECK(off.body.find(R"("enable_thinking":false)") != std::string::npos);
    auto absent = tr(wrap(R"([{"role":"user","content":"x"}])"));
    CHECK(absent.body.find(R"("enable_thinking":false)") != std::string::npos);
    auto oll = tr(wrap(R"([{"role":"user","content":"x"}])", R"(,"thinking":{"type":"enabled","budget_tokens":2048})"), ollama());
    CHECK(oll.facts.thinking_enabled);
    CHECK(oll.body.find("chat_template_kwargs") == std::string::npos);
}

TEST_CASE("request: max_tokens is clamped to the cap", "[anthropic]") {
    auto t = tr(R"({"model":"m","max_tokens":64000,"messages":[{"role":"user","content":"x"}]})", vllm(), 2048);
    REQUIRE(t.ok());
    CHECK(t.facts.max_tokens == 2048);
    CHECK(t.facts.max_tokens_clamped);
    CHECK(t.body.find(R"("max_tokens":2048)") != std::string::npos);
    auto small = tr(R"({"model":"m","max_tokens":100,"messages":[{"role":"user","content":"x"}]})", vllm(), 2048);
    CHECK(small.facts.max_tokens == 100);
    CHECK_FALSE(small.facts.max_tokens_clamped);
}

TEST_CASE("request: output_format json_schema becomes response_format", "[anthropic]") {
    auto d = ok_doc(wrap(R"([{"role":"user","content":"x"}])", R"(,"output_format":{"type":"json_schema","schema":{"type":"object"}})"));
    CHECK(d["response_format"]["type"] == "json_schema");
    CHECK(d["response_format"]["json_schema"]["schema"]["type"] == "object");
}

TEST_CASE("request: every structural error is a 400 naming the field path", "[anthropic]") {
    struct Row { const char* body; const char* fragment; };
    const Row rows[] = {
        {R"(not json)", "invalid JSON at offset 1"},
        {R"([1,2])", "request body must be a JSON object"},
        {R"({"max_tokens":5,"messages":[{"role":"user","content":"x"}]})", "model: field required"},
        {R"({"model":3,"max_tokens":5,"messages":[]})", "model: expected a string"},
        {R"({"model":"m","max_tokens":5})", "messages: field required"},
        {R"({"model":"m","max_tokens":5,"messages":{}})", "messages: expected an array"},
        {R"({"model":"m","max_tokens":5,"messages":[]})", "messages: at least one message"},
        {R"({"model":"m","messages":[{"role":"user","content":"x"}]})", "max_tokens: field required"},
        {R"({"model":"m","max_tokens":"5","messages":[{"role":"user","content":"x"}]})", "max_tokens: expected an integer"},
        {R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]})", "max_tokens: must be at least 1"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"wizard","content":"x"}]})", "messages.0.role: unknown role 'wizard'"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user"}]})", "messages.0.content: field required"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":5}]})", "messages.0.content: expected a string or an array"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":[{"type":"text","text":"x"},{"type":"foo"}]}]})", "messages.2.content.1.type: unknown block type 'foo'"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text"}]}]})", "messages.0.content.0.text: field required"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"nope","content":"x"}]}]})", "messages.0.content.0.tool_use_id: no earlier tool_use block has id 'nope'"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]}]})", "messages.0.content.0.type: 'tool_use' blocks are only valid in assistant messages"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"image","source":{"type":"url","url":"u"}}]}]})", "messages.0.content.0.type: 'image' blocks are only valid in user messages"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":[1]}]}]})", "messages.0.content.0.input: expected an object"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]})", "messages.0.content.0.source.type: image source type 'file'"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"x"}}]}]})", "messages.0.content.0.source.type: document source type 'base64'"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"system":5})", "system: expected a string or an array"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"system":[{"type":"image"}]})", "system.0.type: expected 'text'"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search_20250305","name":"web_search"}]})", "tools.0.type: tool type 'web_search_20250305' ('web_search')"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"bash_20250124","name":"bash"}]})", "tools.0.type: tool type 'bash_20250124'"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"text_editor_20250728","name":"str_replace_based_edit_tool"}]})", "tools.0.type: tool type 'text_editor_20250728'"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f"}]})", "tools.0.input_schema: field required"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"tool","name":"g"}})", "tool_choice.name: no tool named 'g'"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"sometimes"}})", "tool_choice.type: expected 'auto', 'any', 'tool' or 'none'"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"thinking":{"type":"maybe"}})", "thinking.type: expected"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"stop_sequences":"END"})", "stop_sequences: expected an array"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"stop_sequences":["a",1]})", "stop_sequences.1: expected a string"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"temperature":"hot"})", "temperature: expected a number"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"stream":"yes"})", "stream: expected a boolean"},
        {R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"mcp_servers":[{"type":"url","url":"u","name":"n"}]})", "mcp_servers: remote MCP servers are not supported"},
    };
    for (const auto& r : rows) {
        INFO(r.body);
        auto t = tr(r.body);
        REQUIRE(t.error);
        CHECK(t.error->status == 400);
        CHECK_THAT(t.error->message, Catch::Contains(r.fragment));
        CHECK(render_anthropic_error(*t.error).find("invalid_request_error") != std::string::npos);
    }
}

TEST_CASE("request: hostile nesting is refused, not recursed into", "[anthropic]") {
    std::string deep = R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"metadata":)";
    deep += std::string(100000, '[') + std::string(100000, ']') + "}";
    auto t = tr(deep);
    REQUIRE(t.error);
    CHECK_THAT(t.error->message, Catch::Contains("nesting deeper"));
}

TEST_CASE("request: count_tokens bodies need no max_tokens", "[anthropic]") {
    auto t = translate_anthropic_request(R"({"model":"m","messages":[{"role":"user","content":"x"}]})",
                                         AnthropicRequestOptions{vllm(), 0, false, false});
    REQUIRE(t.ok());
    CHECK(t.body.find("max_tokens") == std::string::npos);
}

TEST_CASE("request: llama.cpp fixture requests translate to what the chat fixtures sent", "[anthropic]") {
    // messages_tool_result_followup is the Anthropic twin of chat_tool_result_followup.
    auto t = tr(test::fixture_body("messages_tool_result_followup.request"), backend_profile(BackendKind::LlamaCpp));
    REQUIRE(t.ok());
    json::Document got, want;
    REQUIRE_FALSE(json::parse(t.body, got));
    REQUIRE_FALSE(json::parse(test::fixture_body("chat_tool_result_followup.request"), want));
    CHECK(json::to_string(got["tools"]) == json::to_string(want["tools"]));
    REQUIRE(got["messages"].Size() == want["messages"].Size());
    CHECK(got["messages"][1]["tool_calls"][0]["function"]["name"] == want["messages"][1]["tool_calls"][0]["function"]["name"]);
    CHECK(got["messages"][2]["role"] == "tool");
    CHECK(got["messages"][2]["tool_call_id"] == got["messages"][1]["tool_calls"][0]["id"]);
}
