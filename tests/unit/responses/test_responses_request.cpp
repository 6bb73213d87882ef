// Responses request -> chat request: every row of the mapping table, input items, tools, the
// parameters, and the 400s.
#include <catch2/catch.hpp>

#include <map>

#include "core/responses/responses_request.h"
#include "core/responses/responses_table.h"
#include "responses_test_util.h"

using namespace llmgw;
using test::json_doc;

namespace {

const BackendProfile& vllm() { return backend_profile(BackendKind::VLLM); }

ResponsesRequestTranslation translate(const std::string& body, ResponsesRequestOptions opts = {vllm()}) {
    return translate_responses_request(body, opts);
}

// A request with `extra` members added to a minimal valid one.
std::string req(const std::string& extra = "", const std::string& input = R"("hi")") {
    return R"({"model":"m","input":)" + input + (extra.empty() ? "" : "," + extra) + "}";
}

std::string messages(const ResponsesRequestTranslation& t) { return json::to_string(json_doc(t.body)["messages"]); }

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// A sample per table row: a request that uses it. The test fails for a row without a sample, so
// the table cannot grow without a test.
std::map<std::string, std::string> field_samples() {
    return {
        {"model", req()},
        {"input", req()},
        {"instructions", req(R"("instructions":"be brief")")},
        {"tools", req(R"("tools":[{"type":"function","name":"f","parameters":{"type":"object"}}])")},
        {"tool_choice", req(R"("tools":[{"type":"function","name":"f"}],"tool_choice":"required")")},
        {"parallel_tool_calls", req(R"("tools":[{"type":"function","name":"f"}],"parallel_tool_calls":false)")},
        {"max_output_tokens", req(R"("max_output_tokens":50)")},
        {"temperature", req(R"("temperature":0.2)")},
        {"top_p", req(R"("top_p":0.9)")},
        {"text", req(R"("text":{"format":{"type":"json_object"}})")},
        {"reasoning", req(R"("reasoning":{"effort":"low"})")},
        {"stream", req(R"("stream":true)")},
        {"store", req(R"("store":false)")},
        {"previous_response_id", req(R"("previous_response_id":"resp_1")")},
        {"include", req(R"("include":["reasoning.encrypted_content"])")},
        {"metadata", req(R"("metadata":{"k":"v"})")},
        {"user", req(R"("user":"u1")")},
        {"truncation", req(R"("truncation":"auto")")},
        {"prompt_cache_key", req(R"("prompt_cache_key":"conv-1")")},
        {"prompt_cache_retention", req(R"("prompt_cache_retention":"24h")")},
        {"service_tier", req(R"("service_tier":"auto")")},
        {"safety_identifier", req(R"("safety_identifier":"x")")},
        {"top_logprobs", req(R"("top_logprobs":2)")},
        {"max_tool_calls", req(R"("max_tool_calls":3)")},
        {"stream_options", req(R"("stream_options":{"include_obfuscation":false})")},
        {"client_metadata", req(R"("client_metadata":{"session_id":"s"})")},
        {"background", req(R"("background":true)")},
        {"conversation", req(R"("conversation":"conv_1")")},
        {"prompt", req(R"("prompt":{"id":"pmpt_1"})")},
    };
}

std::map<std::string, std::string> item_samples() {
    return {
        {"message", R"({"type":"message","role":"user","content":"hi"})"},
        {"function_call", R"({"type":"function_call","call_id":"c1","name":"f","arguments":"{}"})"},
        {"function_call_output", R"({"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},)"
                                 R"({"type":"function_call_output","call_id":"c1","output":"ok"})"},
        {"custom_tool_call", R"({"type":"custom_tool_call","call_id":"c1","name":"p","input":"x"})"},
        {"custom_tool_call_output", R"({"type":"custom_tool_call","call_id":"c1","name":"p","input":"x"},)"
                                    R"({"type":"custom_tool_call_output","call_id":"c1","output":"done"})"},
        {"reasoning", R"({"type":"reasoning","summary":[{"type":"summary_text","text":"t"}]},)"
                      R"({"type":"message","role":"assistant","content":"a"})"},
    };
}

std::map<std::string, std::string> part_samples() {
    return {
        {"input_text", R"({"type":"input_text","text":"t"})"},
        {"output_text", R"({"type":"output_text","text":"t"})"},
        {"refusal", R"({"type":"refusal","refusal":"no"})"},
        {"input_image", R"({"type":"input_image","image_url":"data:image/png;base64,AAAA"})"},
        {"input_file", R"({"type":"input_file","file_data":"x"})"},
        {"input_audio", R"({"type":"input_audio","input_audio":{"data":"x","format":"wav"}})"},
    };
}

}  // namespace

TEST_CASE("responses table: every top-level field row is mapped, ignored or refused as it says", "[responses]") {
    auto samples = field_samples();
    for (const auto& row : responses_table()) {
        if (row.scope != ResponsesScope::Field) continue;
        INFO("field " << row.name);
        auto it = samples.find(std::string(row.name));
        REQUIRE(it != samples.end());
        auto t = translate(it->second);
        if (row.rule == ResponsesRule::Refused) {
            REQUIRE(t.error);
            CHECK(t.error->status == 400);
            CHECK(t.error->param == row.name);
            CHECK_THAT(t.error->message, Catch::Contains(std::string(row.how)));
            CHECK_THAT(render_openai_error(*t.error), Catch::Contains(R"("param":")" + std::string(row.name)));
        } else {
            REQUIRE(t.ok());
            CHECK(contains(t.facts.ignored_fields, std::string(row.name)) == (row.rule == ResponsesRule::Ignored));
        }
    }
    // background:false asks for nothing; an unknown field is ignored and listed.
    CHECK(translate(req(R"("background":false)")).ok());
    auto unknown = translate(req(R"("brand_new_field":{"x":1})"));
    REQUIRE(unknown.ok());
    CHECK(contains(unknown.facts.ignored_fields, "brand_new_field"));
    CHECK(unknown.body.find("brand_new_field") == std::string::npos);
}

TEST_CASE("responses table: every item and content part row", "[responses]") {
    auto items = item_samples();
    auto parts = part_samples();
    for (const auto& row : responses_table()) {
        INFO(responses_scope_name(row.scope) << " " << row.name);
        std::string body;
        if (row.scope == ResponsesScope::Item) {
            auto it = items.find(std::string(row.name));
            if (row.rule == ResponsesRule::Refused) {
                body = req("", R"([{"type":")" + std::string(row.name) + R"(","id":"x"}])");
            } else {
                REQUIRE(it != items.end());
                body = req("", "[" + it->second + "]");
            }
        } else if (row.scope == ResponsesScope::Part) {
            auto it = parts.find(std::string(row.name));
            REQUIRE(it != parts.end());
            std::string role = row.name == "output_text" || row.name == "refusal" ? "assistant" : "user";
            body = req("", R"([{"type":"message","role":")" + role + R"(","content":[)" + it->second + "]}]");
        } else {
            continue;
        }
        auto t = translate(body);
        if (row.rule == ResponsesRule::Refused) {
            REQUIRE(t.error);
            CHECK(t.error->status == 400);
            CHECK_THAT(t.error->param, Catch::EndsWith(".type"));
            CHECK_THAT(t.error->message, Catch::Contains(std::string(row.name)));
        } else {
            REQUIRE(t.ok());
        }
    }
    auto unknown_item = translate(req("", R"([{"type":"hologram"}])"));
    REQUIRE(unknown_item.error);
    CHECK(unknown_item.error->param == "input.0.type");
    auto unknown_part = translate(req("", R"([{"role":"user","content":[{"type":"hologram"}]}])"));
    REQUIRE(unknown_part.error);
    CHECK(unknown_part.error->param == "input.0.content.0.type");
}

TEST_CASE("responses table: every tool row, hosted and unknown tools are dropped and listed, never refused", "[responses]") {
    for (const auto& row : responses_table()) {
        if (row.scope != ResponsesScope::Tool || row.rule != ResponsesRule::Dropped) continue;
        INFO("tool " << row.name);
        auto t = translate(req(R"("tools":[{"type":")" + std::string(row.name) + R"("},{"type":"function","name":"f"}])"));
        REQUIRE(t.ok());
        CHECK(t.facts.dropped_tools == std::vector<std::string>{std::string(row.name)});
        auto body = json_doc(t.body);
        auto tools = body["tools"].GetArray();
        REQUIRE(tools.Size() == 1);
        CHECK(json::get_str(tools[0]["function"], "name") == std::optional<std::string_view>("f"));
    }
    auto t = translate(req(R"("tools":[{"type":"web_search"},{"type":"web_search"},{"type":"future_tool"}],"tool_choice":"auto")"));
    REQUIRE(t.ok());
    CHECK(t.facts.dropped_tools == std::vector<std::string>{"web_search", "future_tool"});
    auto body = json_doc(t.body);
    CHECK_FALSE(body.HasMember("tools"));  // nothing left: no tools, no tool_choice
    CHECK_FALSE(body.HasMember("tool_choice"));
}

TEST_CASE("responses table: include values", "[responses]") {
    for (const auto& row : responses_table()) {
        if (row.scope != ResponsesScope::Include) continue;
        INFO("include " << row.name);
        auto t = translate(req(R"("include":[")" + std::string(row.name) + R"("])"));
        REQUIRE(t.ok());
        CHECK(t.facts.include_encrypted_reasoning == (row.rule == ResponsesRule::Mapped));
        CHECK(contains(t.facts.ignored_fields, "include:" + std::string(row.name)) == (row.rule == ResponsesRule::Ignored));
    }
    auto bad = translate(req(R"("include":[1])"));
    REQUIRE(bad.error);
    CHECK(bad.error->param == "include.0");
}

TEST_CASE("responses request: string input, instructions and leading developer messages form one system message", "[responses]") {
    auto t = translate(req(R"("instructions":"I1")", R"([
        {"type":"message","role":"developer","content":[{"type":"input_text","text":"D1"}]},
        {"role":"system","content":"S1"},
        {"type":"message","role":"user","content":[{"type":"input_text","text":"U1"},{"type":"input_text","text":"U2"}]},
        {"type":"message","role":"developer","content":"D2"},
        {"type":"message","role":"assistant","content":[{"type":"output_text","text":"A1"}]}])"));
    REQUIRE(t.ok());
    CHECK(messages(t) == R"([{"role":"system","content":"I1\n\nD1\n\nS1"},{"role":"user","content":"U1\n\nU2"},)"
                         R"({"role":"user","content":"D2"},{"role":"assistant","content":"A1"}])");
    auto s = translate(req());
    CHECK(messages(s) == R"([{"role":"user","content":"hi"}])");
    CHECK(s.facts.input_items == R"([{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}],"id":"item_0_0"}])");
}

TEST_CASE("responses request: images are image_url parts, in tool outputs they follow as a user message", "[responses]") {
    auto t = translate(req("", R"([{"role":"user","content":[{"type":"input_text","text":"look"},
        {"type":"input_image","image_url":"https://x/y.png","detail":"low"}]}])"));
    REQUIRE(t.ok());
    CHECK(messages(t) == R"([{"role":"user","content":[{"type":"text","text":"look"},)"
                         R"({"type":"image_url","image_url":{"url":"https://x/y.png","detail":"low"}}]}])");
    auto tool = translate(req("", R"([{"type":"function_call","call_id":"c","name":"view_image","arguments":"{}"},
        {"type":"function_call_output","call_id":"c","output":[{"type":"input_image","image_url":"data:image/png;base64,AA"}]}])"));
    REQUIRE(tool.ok());
    auto m = json_doc(messages(tool));
    REQUIRE(m.Size() == 3);
    CHECK(json::get_str(m[1], "content") == std::optional<std::string_view>("[image attached below]"));
    CHECK(json::get_str(m[2], "role") == std::optional<std::string_view>("user"));
    auto assistant_image = translate(req("", R"([{"role":"assistant","content":[{"type":"input_image","image_url":"u"}]}])"));
    REQUIRE(assistant_image.error);
    CHECK(assistant_image.error->param == "input.0.content.0.type");
    auto file_id = translate(req("", R"([{"role":"user","content":[{"type":"input_image","file_id":"file_1"}]}])"));
    REQUIRE(file_id.error);
    CHECK(file_id.error->param == "input.0.content.0.file_id");
}

TEST_CASE("responses request: consecutive function calls are one assistant message, outputs tool messages", "[responses]") {
    auto t = translate(req("", R"([{"role":"user","content":"go"},
        {"type":"function_call","call_id":"c1","name":"a","arguments":"{\"x\":1}"},
        {"type":"function_call","call_id":"c2","name":"b","arguments":"{}"},
        {"type":"function_call_output","call_id":"c1","output":"one"},
        {"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"two"}]}])"));
    REQUIRE(t.ok());
    CHECK(messages(t) ==
          R"([{"role":"user","content":"go"},{"role":"assistant","content":null,"tool_calls":[)"
          R"({"id":"c1","type":"function","function":{"name":"a","arguments":"{\"x\":1}"}},)"
          R"({"id":"c2","type":"function","function":{"name":"b","arguments":"{}"}}]},)"
          R"({"role":"tool","tool_call_id":"c1","content":"one"},{"role":"tool","tool_call_id":"c2","content":"two"}])");
    auto orphan = translate(req("", R"([{"type":"function_call_output","call_id":"nope","output":"x"}])"));
    REQUIRE(orphan.error);
    CHECK(orphan.error->param == "input.0.call_id");
    CHECK_THAT(orphan.error->message, Catch::Contains("nope"));
    auto text_then_call = translate(req("", R"([{"role":"assistant","content":"let me look"},
        {"type":"function_call","call_id":"c1","name":"a","arguments":"{}"}])"));
    auto m = json_doc(messages(text_then_call));
    REQUIRE(m.Size() == 1);
    CHECK(json::get_str(m[0], "content") == std::optional<std::string_view>("let me look"));
    CHECK(m[0]["tool_calls"].Size() == 1);
}

TEST_CASE("responses request: namespace tools flatten to runtime names and replayed calls use them", "[responses]") {
    auto t = translate(req(R"("tools":[{"type":"namespace","name":"multi_agent_v1","description":"agents","tools":[
            {"type":"function","name":"close_agent","description":"Close","parameters":{"type":"object","properties":{}}},
            {"type":"function","name":"spawn.agent"}]},
        {"type":"function","name":"exec_command","strict":false,"parameters":{"type":"object"}}],
        "tool_choice":{"type":"function","name":"close_agent","namespace":"multi_agent_v1"})",
        R"([{"type":"function_call","call_id":"c","name":"close_agent","namespace":"multi_agent_v1","arguments":"{}"},
            {"type":"function_call_output","call_id":"c","output":"closed"}])"));
    REQUIRE(t.ok());
    auto body = json_doc(t.body);
    auto tools = body["tools"].GetArray();
    REQUIRE(tools.Size() == 3);
    CHECK(json::get_str(tools[0]["function"], "name") == std::optional<std::string_view>("multi_agent_v1__close_agent"));
    CHECK(json::get_str(tools[1]["function"], "name") == std::optional<std::string_view>("multi_agent_v1__spawn_agent"));
    CHECK(json::get_str(tools[2]["function"], "name") == std::optional<std::string_view>("exec_command"));
    CHECK_FALSE(tools[2]["function"].HasMember("strict"));
    CHECK(json::get_str(body["tool_choice"]["function"], "name") == std::optional<std::string_view>("multi_agent_v1__close_agent"));
    CHECK(json::get_str(body["messages"][0]["tool_calls"][0]["function"], "name") ==
          std::optional<std::string_view>("multi_agent_v1__close_agent"));
    const auto* back = t.facts.tools.by_runtime_name("multi_agent_v1__spawn_agent");
    REQUIRE(back);
    CHECK(back->name == "spawn.agent");
    CHECK(back->ns == "multi_agent_v1");
    auto nested = translate(req(R"("tools":[{"type":"namespace","name":"a","tools":[{"type":"namespace","name":"b","tools":[]}]}])"));
    REQUIRE(nested.error);
    CHECK(nested.error->param == "tools.0.tools.0.type");
}

TEST_CASE("responses tool names: the runtime's rule, long names hashed, clashes numbered", "[responses]") {
    CHECK(runtime_tool_name("", "ok_name-1") == "ok_name-1");
    CHECK(runtime_tool_name("ns", "a.b c") == "ns__a_b_c");
    std::string long_name(100, 'x');
    auto cut = runtime_tool_name("", long_name);
    CHECK(cut.size() == kMaxRuntimeToolNameBytes);
    CHECK(cut != runtime_tool_name("", long_name + "y"));
    ResponsesToolNames names;
    CHECK(names.add("", "a.b", ResponsesToolKind::Function) == "a_b");
    CHECK(names.add("", "a_b", ResponsesToolKind::Function) == "a_b_2");
    CHECK(names.add("", "a.b", ResponsesToolKind::Function) == "a_b");  // the same tool twice
    CHECK(names.by_runtime_name("a_b_2")->name == "a_b");
    CHECK(names.by_runtime_name("zzz") == nullptr);
    auto many = std::string(R"("tools":[)");
    for (size_t i = 0; i <= kMaxResponsesTools; ++i) many += (i ? "," : "") + std::string(R"({"type":"function","name":"t)") + std::to_string(i) + "\"}";
    auto t = translate(req(many + "]"));
    REQUIRE(t.error);
    CHECK_THAT(t.error->message, Catch::Contains("tools"));
}

TEST_CASE("responses request: custom tools become one-string-argument functions and round trip", "[responses]") {
    auto t = translate(req(R"("tools":[{"type":"custom","name":"apply_patch","description":"Patch files",
        "format":{"type":"grammar","syntax":"lark","definition":"start: begin_patch"}}])",
        R"([{"type":"custom_tool_call","call_id":"p1","name":"apply_patch","input":"*** Begin Patch"},
            {"type":"custom_tool_call_output","call_id":"p1","output":"Done"}])"));
    REQUIRE(t.ok());
    auto body = json_doc(t.body);
    const auto& fn = body["tools"][0]["function"];
    CHECK(json::get_str(fn, "name") == std::optional<std::string_view>("apply_patch"));
    CHECK_THAT(std::string(json::get_str(fn, "description").value_or("")), Catch::Contains("lark grammar:\nstart: begin_patch"));
    CHECK(json::to_string(fn["parameters"]["required"]) == R"(["input"])");
    CHECK(json::get_str(body["messages"][0]["tool_calls"][0]["function"], "arguments") ==
          std::optional<std::string_view>(R"({"input":"*** Begin Patch"})"));
    CHECK(t.facts.tools.by_runtime_name("apply_patch")->kind == ResponsesToolKind::Custom);
    auto bad = translate(req(R"("tools":[{"type":"custom","name":"x","format":{"type":"regexp"}}])"));
    REQUIRE(bad.error);
    CHECK(bad.error->param == "tools.0.format.type");
}

TEST_CASE("responses request: reasoning items become reasoning_content of the next assistant message", "[responses]") {
    ResponsesRequestOptions opts{vllm()};
    opts.unseal = [](std::string_view sealed) -> std::optional<std::string> {
        if (sealed.rfind("ok:", 0) == 0) return std::string(sealed.substr(3));
        return std::nullopt;
    };
    auto t = translate(req("", R"([{"role":"user","content":"q"},
        {"type":"reasoning","summary":[{"type":"summary_text","text":"summary"}],"encrypted_content":"ok:full chain"},
        {"type":"function_call","call_id":"c","name":"f","arguments":"{}"},
        {"type":"function_call_output","call_id":"c","output":"r"},
        {"type":"reasoning","summary":[{"type":"summary_text","text":"fallback"}],"encrypted_content":"someone else's"},
        {"type":"message","role":"assistant","content":"done"}])"), opts);
    REQUIRE(t.ok());
    auto m = json_doc(messages(t));
    CHECK(json::get_str(m[1], "reasoning_content") == std::optional<std::string_view>("full chain"));
    CHECK(json::get_str(m[3], "reasoning_content") == std::optional<std::string_view>("fallback"));
    auto content = translate(req("", R"([{"type":"reasoning","summary":[],"content":[{"type":"reasoning_text","text":"raw"}]},
        {"role":"assistant","content":"a"}])"));
    CHECK(json::get_str(json_doc(messages(content))[0], "reasoning_content") == std::optional<std::string_view>("raw"));
}

TEST_CASE("responses request: previous items are prepended, their calls answer this input's outputs", "[responses]") {
    ResponsesRequestOptions opts{vllm()};
    opts.previous_items = R"([{"type":"message","role":"user","content":"first"},
        {"type":"function_call","call_id":"c9","name":"f","arguments":"{}"}])";
    auto t = translate(req(R"("instructions":"sys","previous_response_id":"resp_x")",
                           R"([{"type":"function_call_output","call_id":"c9","output":"ok"}])"), opts);
    REQUIRE(t.ok());
    auto m = json_doc(messages(t));
    REQUIRE(m.Size() == 4);
    CHECK(json::get_str(m[0], "role") == std::optional<std::string_view>("system"));
    CHECK(json::get_str(m[1], "content") == std::optional<std::string_view>("first"));
    CHECK(json::get_str(m[3], "tool_call_id") == std::optional<std::string_view>("c9"));
    CHECK(t.facts.previous_response_id == "resp_x");
    CHECK(json_doc(t.facts.input_items).Size() == 1);  // only this request's input
    opts.previous_items = "{broken";
    auto broken = translate(req(), opts);
    REQUIRE(broken.error);
    CHECK(broken.error->param == "previous_response_id");
}

TEST_CASE("responses request: parameters map to the chat request", "[responses]") {
    auto t = translate(req(R"("max_output_tokens":100,"temperature":0.5,"top_p":0.8,"user":"u",
        "reasoning":{"effort":"high","summary":"auto"},"stream":true,"store":false,"metadata":{"a":"b"},
        "text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":true},"verbosity":"low"},
        "tools":[{"type":"function","name":"f"}],"tool_choice":"none","parallel_tool_calls":false)"));
    REQUIRE(t.ok());
    auto b = json_doc(t.body);
    CHECK(b["max_tokens"].GetInt64() == 100);
    CHECK(b["temperature"].GetDouble() == 0.5);
    CHECK(b["top_p"].GetDouble() == 0.8);
    CHECK(json::get_str(b, "user") == std::optional<std::string_view>("u"));
    CHECK(json::get_str(b, "reasoning_effort") == std::optional<std::string_view>("high"));
    CHECK(b["stream"].IsTrue());
    CHECK(b["stream_options"]["include_usage"].IsTrue());
    CHECK(json::to_string(b["response_format"]) ==
          R"({"type":"json_schema","json_schema":{"name":"out","schema":{"type":"object"},"strict":true}})");
    CHECK(json::get_str(b, "tool_choice") == std::optional<std::string_view>("none"));
    CHECK(b["parallel_tool_calls"].IsFalse());
    CHECK_FALSE(b.HasMember("metadata"));
    CHECK_FALSE(b.HasMember("store"));
    CHECK(t.facts.stream);
    CHECK_FALSE(t.facts.store);
    CHECK(t.facts.reasoning_summary);
    auto echo = json_doc(t.facts.response_echo);
    CHECK(json::get_str(echo["metadata"], "a") == std::optional<std::string_view>("b"));
    CHECK(echo["max_output_tokens"].GetInt64() == 100);
    CHECK(json::get_str(echo["reasoning"], "effort") == std::optional<std::string_view>("high"));
    CHECK(echo["store"].IsFalse());
    CHECK(json::get_str(echo["text"]["format"], "type") == std::optional<std::string_view>("json_schema"));
    auto defaults = json_doc(translate(req()).facts.response_echo);
    CHECK(defaults["store"].IsTrue());
    CHECK(defaults["parallel_tool_calls"].IsTrue());
    CHECK(json::get_str(defaults["text"]["format"], "type") == std::optional<std::string_view>("text"));
    CHECK(json::get_str(defaults, "tool_choice") == std::optional<std::string_view>("auto"));
}

TEST_CASE("responses request: max_output_tokens clamps, the thinking switch follows reasoning.effort", "[responses]") {
    ResponsesRequestOptions opts{vllm()};
    opts.max_tokens_cap = 64;
    auto t = translate(req(R"("max_output_tokens":1000)"), opts);
    CHECK(json_doc(t.body)["max_tokens"].GetInt64() == 64);
    CHECK(t.facts.max_output_tokens_clamped);
    // A request without a limit (Codex sends none) gets the cap, and none without a cap.
    CHECK(json_doc(translate(req(), opts).body)["max_tokens"].GetInt64() == 64);
    CHECK_FALSE(json_doc(translate(req()).body).HasMember("max_tokens"));
    ResponsesRequestOptions sglang{backend_profile(BackendKind::SGLang)};
    if (sglang.profile.thinking == ThinkingStyle::ChatTemplateKwargs) {
        auto off = json_doc(translate(req(R"("reasoning":{"effort":"none"})"), sglang).body);
        CHECK(off["chat_template_kwargs"]["enable_thinking"].IsFalse());
    }
    ResponsesRequestOptions no_usage{vllm()};
    no_usage.stream_usage = false;
    CHECK_FALSE(json_doc(translate(req(R"("stream":true)"), no_usage).body).HasMember("stream_options"));
}

TEST_CASE("responses request: tool_choice forms", "[responses]") {
    std::string tools = R"("tools":[{"type":"function","name":"a"},{"type":"function","name":"b"},{"type":"custom","name":"c"}])";
    auto forced = json_doc(translate(req(tools + R"(,"tool_choice":{"type":"custom","name":"c"})")).body);
    CHECK(json::get_str(forced["tool_choice"]["function"], "name") == std::optional<std::string_view>("c"));
    auto allowed = json_doc(translate(req(tools + R"(,"tool_choice":{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"b"}]})")).body);
    REQUIRE(allowed["tools"].Size() == 1);
    CHECK(json::get_str(allowed["tools"][0]["function"], "name") == std::optional<std::string_view>("b"));
    CHECK(json::get_str(allowed, "tool_choice") == std::optional<std::string_view>("required"));
    auto missing = translate(req(tools + R"(,"tool_choice":{"type":"function","name":"zz"})"));
    REQUIRE(missing.error);
    CHECK(missing.error->param == "tool_choice.name");
    auto hosted = translate(req(tools + R"(,"tool_choice":{"type":"web_search_preview"})"));
    REQUIRE(hosted.error);
    CHECK(hosted.error->param == "tool_choice.type");
    auto bad = translate(req(tools + R"(,"tool_choice":"sometimes")"));
    REQUIRE(bad.error);
    CHECK(bad.error->param == "tool_choice");
}

TEST_CASE("responses request: bad bodies and values are 400s naming the field", "[responses]") {
    struct Case {
        std::string body, param, message;
    };
    std::vector<Case> cases{
        {"{", "", "invalid JSON"},
        {std::string(200, '[') + std::string(200, ']'), "", "nesting"},
        {"[]", "", "JSON object"},
        {R"({"input":"x"})", "model", "field required"},
        {R"({"model":"","input":"x"})", "model", "must not be empty"},
        {R"({"model":"m"})", "input", "field required"},
        {R"({"model":"m","input":5})", "input", "string or an array"},
        {R"({"model":"m","input":[]})", "input", "at least one"},
        {req("", R"([{"role":"tool","content":"x"}])"), "input.0.role", "unknown role"},
        {req("", R"([{"role":"user","content":5}])"), "input.0.content", "string or an array"},
        {req("", R"([{"type":"function_call","name":"f","arguments":"{}"}])"), "input.0.call_id", "field required"},
        {req("", R"([{"type":"function_call","call_id":"c","name":"f","arguments":{}}])"), "input.0.arguments", "expected a string"},
        {req(R"("max_output_tokens":0)"), "max_output_tokens", "at least 1"},
        {req(R"("max_output_tokens":"many")"), "max_output_tokens", "integer"},
        {req(R"("temperature":"hot")"), "temperature", "number"},
        {req(R"("reasoning":{"effort":"maximal"})"), "reasoning.effort", "maximal"},
        {req(R"("text":{"format":{"type":"yaml"}})"), "text.format.type", "yaml"},
        {req(R"("text":{"format":{"type":"json_schema","schema":{}}})"), "text.format.name", "field required"},
        {req(R"("stream":"yes")"), "stream", "boolean"},
        {req(R"("metadata":[1])"), "metadata", "object"},
        {req(R"("tools":{})"), "tools", "array"},
        {req(R"("tools":[{"name":"f"}])"), "tools.0.type", "field required"},
        {req(R"("tools":[{"type":"function","name":""}])"), "tools.0.name", "empty"},
    };
    for (const auto& c : cases) {
        INFO(c.body);
        auto t = translate(c.body);
        REQUIRE(t.error);
        CHECK(t.error->status == 400);
        CHECK(t.error->param == c.param);
        CHECK_THAT(t.error->message, Catch::Contains(c.message));
        CHECK(t.body.empty());
    }
}

TEST_CASE("responses table: docs/API_RESPONSES.md lists every row with its rule", "[responses]") {
    std::string doc = test::read_source_file("docs/API_RESPONSES.md");
    for (const auto& row : responses_table()) {
        INFO(responses_scope_name(row.scope) << " " << row.name);
        CHECK_THAT(doc, Catch::Contains("| `" + std::string(row.name) + "` | " + std::string(responses_rule_name(row.rule)) + " | " +
                                        std::string(row.how) + " |"));
    }
}
