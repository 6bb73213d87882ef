// What the mock "model" decides to say for a request, before any wire formatting: the reasoning
// and content pieces (one per token), or a tool call, the finish reason and the token counts.
// Internal to the mock engine; see mock_engine.h for the rules.
#pragma once
#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/mock/mock_engine.h"
#include "core/mock/mock_wire.h"

namespace llmgw::mock {

struct ToolCallPlan {
    std::string id;
    std::string name;
    std::string arguments;               // compact JSON text
    std::vector<std::string> fragments;  // arguments split as a runtime streams them
};

struct Plan {
    std::string model;  // as the response reports it
    bool stream = false;
    bool include_usage = false;
    bool tools_offered = false;
    std::vector<std::string> reasoning;  // reasoning pieces (empty when the profile has none)
    std::vector<std::string> content;    // content pieces, already cut at a stop string
    std::optional<ToolCallPlan> tool;
    std::string finish;                  // "stop" | "length" | "tool_calls"
    std::optional<std::string> stop_hit; // the stop string that ended generation
    int prompt_tokens = 0;
    std::string prompt;         // chat: the text a prefix cache compares (cached_prompt())
    int cached_tokens = 0;
    int completion_tokens = 0;
    uint64_t seed = 0;                   // hash of the conversation / prompt
};

struct ScriptStep;

struct RequestError {
    int status = 400;
    std::string message;
};

// Parses a request body that must be a JSON object; otherwise fills `err` with the profile's error.
bool parse_request(const Engine& e, std::string_view body, rapidjson::Document& doc, Response& err);

// The text a prefix cache compares, laid out as Qwen-style chat templates lay out the prompt:
// the leading system message's text, then the tools (`tools` may be null), then the rest.
std::string cached_prompt(const rapidjson::Value& messages, const rapidjson::Value* tools);

// Prompt tokens of a chat request body: the ChatML rendering of `messages` plus its `tools`.
int chat_prompt_tokens(const rapidjson::Value& req);

// nullopt and `err` filled when the request is invalid.
std::optional<Plan> plan_chat(const rapidjson::Value& req, const Options& opt, RequestError& err);
std::optional<Plan> plan_completion(const rapidjson::Value& req, const Options& opt, RequestError& err);

// Replaces what the plan says with a scripted step (mock_script.h); the request's other choices
// (stream, usage, model) stay.
void apply_step(Plan& p, const ScriptStep& step, const Options& opt);

// The id a profile's runtime gives a tool call (seeded, so equal requests give equal ids).
std::string tool_call_id(BackendKind k, uint64_t seed);

// Cuts pieces before the earliest occurrence of any stop string. Returns how many pieces were
// generated up to the end of the match (all of them when nothing matched) and sets `hit`.
int cut_at_stop(std::vector<std::string>& pieces, const std::vector<std::string>& stops,
                std::optional<std::string>& hit);

}  // namespace llmgw::mock
