#include "core/anthropic/token_count.h"

#include "core/json/json_value.h"
#include "core/anthropic/anthropic_request.h"
#include "core/api/token_facts.h"

namespace llmgw {

using json::Value;

TokenCountPlan plan_token_count(std::string_view anthropic_body, const BackendProfile& profile,
                                std::string_view model_override) {
    TokenCountPlan plan;
    AnthropicRequestOptions opts{profile, 0, false, false};
    json::Document req;
    AnthropicRequestFacts facts;
    if (auto e = anthropic_request_to_openai(anthropic_body, opts, req, facts)) {
        plan.error = e;
        return plan;
    }
    plan.estimate = estimate_tokens_for_openai_request(req);
    plan.style = profile.tokenize;
    json::Document body(rapidjson::kObjectType);
    auto& b = body.GetAllocator();
    auto copy = [&](std::string_view key) {
        if (const Value* v = json::get(req, key)) json::add(body, key, Value(*v, b), b);
    };
    switch (plan.style) {
        case TokenizeStyle::ChatTokenize:
            // vLLM/SGLang apply the chat template themselves, with the same tools and switches.
            json::add_str(body, "model", model_override.empty() ? std::string_view(facts.model) : model_override, b);
            copy("messages");
            copy("tools");
            copy("chat_template_kwargs");
            body.AddMember("add_generation_prompt", true, b);
            plan.path = "/tokenize";
            break;
        case TokenizeStyle::ApplyTemplateTokenize:
            copy("messages");
            copy("tools");
            copy("tool_choice");
            copy("chat_template_kwargs");
            plan.path = "/apply-template";
            break;
        case TokenizeStyle::TextTokenize: {
            // TGI tokenises plain text only: the messages' text, roles included, approximates the
            // template (the overhead tokens are the part it misses).
            std::string text;
            if (const Value* msgs = json::get(req, "messages"); msgs && msgs->IsArray())
                for (auto& m : msgs->GetArray()) {
                    text += json::get_str(m, "role").value_or("");
                    text += "\n";
                    if (auto c = json::get_str(m, "content")) text += *c;
                    else if (const Value* c2 = json::get(m, "content")) text += json::to_string(*c2);
                    if (const Value* tc = json::get(m, "tool_calls")) text += json::to_string(*tc);
                    text += "\n";
                }
            if (const Value* tools = json::get(req, "tools")) text += json::to_string(*tools);
            json::add_str(body, "inputs", text, b);
            plan.path = "/tokenize";
            break;
        }
        case TokenizeStyle::None:
            return plan;
    }
    plan.body = json::to_string(body);
    return plan;
}

std::optional<std::string> tokenize_request_from_template(std::string_view answer) {
    json::Document d;
    if (json::parse(answer, d)) return std::nullopt;
    auto prompt = json::get_str(d, "prompt");
    if (!prompt) return std::nullopt;
    json::Document body(rapidjson::kObjectType);
    auto& a = body.GetAllocator();
    json::add_str(body, "content", *prompt, a);
    // The server tokenises chat prompts with special tokens added and parsed; so do we, so the
    // count matches what a chat completion would use (at worst one BOS too many).
    body.AddMember("add_special", true, a);
    body.AddMember("parse_special", true, a);
    return json::to_string(body);
}

std::optional<int64_t> parse_tokenize_count(std::string_view answer) {
    json::Document d;
    if (json::parse(answer, d)) return std::nullopt;
    if (d.IsArray()) return static_cast<int64_t>(d.Size());
    for (const char* key : {"input_tokens", "count"})
        if (auto n = json::get_int(d, key); n && *n >= 0) return n;
    if (const Value* t = json::get(d, "tokens"); t && t->IsArray()) return static_cast<int64_t>(t->Size());
    return std::nullopt;
}

std::string render_count_tokens(int64_t input_tokens) {
    return "{\"input_tokens\":" + std::to_string(input_tokens) + "}";
}

}  // namespace llmgw
