// Golden: the real first request of Codex CLI 0.171.0 (tests/fixtures/agents/) through the
// Responses translator, as `llmgw translate request --from responses` reads it.
#include <catch2/catch.hpp>

#include "core/api/translate_capture.h"
#include "core/responses/responses_request.h"
#include "core/responses/responses_reverse.h"
#include "responses_test_util.h"

using namespace llmgw;
using test::json_doc;

namespace {
std::string codex_turn1() {
    auto cap = extract_capture_body(test::read_fixture("agents/codex-0.171.0-turn1.json"));
    REQUIRE_FALSE(cap.error);
    REQUIRE(cap.recorded);
    return cap.body;
}
}  // namespace

TEST_CASE("responses golden: Codex turn 1 becomes a valid chat request for llama.cpp", "[responses]") {
    ResponsesRequestOptions opts{backend_profile(BackendKind::LlamaCpp)};
    auto t = translate_responses_request(codex_turn1(), opts);
    REQUIRE(t.ok());
    auto body = json_doc(t.body);
    CHECK(json::get_str(body, "model") == std::optional<std::string_view>("tiny"));
    CHECK(body["stream"].IsTrue());

    // The two developer messages lead as one system message; the user messages follow in order.
    auto msgs = body["messages"].GetArray();
    REQUIRE(msgs.Size() == 3);
    CHECK(json::get_str(msgs[0], "role") == std::optional<std::string_view>("system"));
    std::string system(json::get_str(msgs[0], "content").value_or(""));
    CHECK(system.rfind("You are a coding agent running in the Codex CLI", 0) == 0);
    CHECK_THAT(system, Catch::Contains("<skills_instructions>"));
    CHECK(json::get_str(msgs[1], "role") == std::optional<std::string_view>("user"));
    CHECK_THAT(std::string(json::get_str(msgs[1], "content").value_or("")), Catch::StartsWith("<environment_context>"));
    CHECK(json::get_str(msgs[2], "content") == std::optional<std::string_view>("Run echo hi"));

    // Functions flat, the namespace flattened, web_search dropped and named.
    std::vector<std::string> names;
    for (auto& tool : body["tools"].GetArray()) {
        CHECK(json::get_str(tool, "type") == std::optional<std::string_view>("function"));
        names.emplace_back(json::get_str(tool["function"], "name").value_or(""));
    }
    std::vector<std::string> expected{"exec_command", "write_stdin", "request_user_input", "view_image",
                                      "multi_agent_v1__close_agent", "multi_agent_v1__resume_agent",
                                      "multi_agent_v1__send_input", "multi_agent_v1__spawn_agent",
                                      "multi_agent_v1__wait_agent", "get_goal", "create_goal", "update_goal"};
    CHECK(names == expected);
    CHECK(t.facts.dropped_tools == std::vector<std::string>{"web_search"});
    const auto* spawn = t.facts.tools.by_runtime_name("multi_agent_v1__spawn_agent");
    REQUIRE(spawn);
    CHECK(spawn->ns == "multi_agent_v1");
    CHECK(spawn->name == "spawn_agent");
    // Codex offers apply_patch as a custom tool in some versions; this capture has none.
    for (const auto& tool : t.facts.tools.all()) CHECK(tool.kind == ResponsesToolKind::Function);

    CHECK(json::get_str(body, "tool_choice") == std::optional<std::string_view>("auto"));
    CHECK(body["parallel_tool_calls"].IsTrue());
    CHECK_FALSE(body.HasMember("reasoning_effort"));  // Codex sends only reasoning.summary
    CHECK(t.facts.reasoning_summary);
    CHECK(t.facts.include_encrypted_reasoning);
    CHECK(t.facts.stream);
    CHECK_FALSE(t.facts.store);
    for (std::string f : {"prompt_cache_key", "client_metadata"})
        CHECK(std::find(t.facts.ignored_fields.begin(), t.facts.ignored_fields.end(), f) != t.facts.ignored_fields.end());
    CHECK(body.HasMember("stream_options"));
    CHECK(json_doc(t.facts.input_items).Size() == 4);
    auto echo = json_doc(t.facts.response_echo);
    CHECK(echo["tools"].Size() == 9);  // the client's tools as sent, web_search included
}

TEST_CASE("responses golden: Codex turn 1 survives chat -> responses -> chat", "[responses]") {
    ResponsesRequestOptions opts{backend_profile(BackendKind::VLLM)};
    auto t = translate_responses_request(codex_turn1(), opts);
    REQUIRE(t.ok());
    auto back = translate_chat_request_to_responses(t.body);
    REQUIRE(back.ok());
    auto again = translate_responses_request(back.body, opts);
    REQUIRE(again.ok());
    CHECK(json_doc(again.body)["messages"] == json_doc(t.body)["messages"]);
    CHECK(json_doc(again.body)["tools"] == json_doc(t.body)["tools"]);
}
