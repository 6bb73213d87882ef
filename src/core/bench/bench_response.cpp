#include "core/bench/bench_response.h"

#include <rapidjson/document.h>

#include "core/json/json_value.h"
#include "core/json/json_parse.h"
#include "core/json/stack_document.h"

namespace llmgw {

namespace {
using Value = rapidjson::Value;

bool non_empty_string(const Value* v) { return v && v->IsString() && v->GetStringLength() > 0; }

std::optional<uint64_t> uint_member(const Value* obj, const char* name) {
    if (!obj) return std::nullopt;
    const Value* v = json::get(*obj, name);
    if (v && v->IsUint64()) return v->GetUint64();
    return std::nullopt;
}

// {"error": {...}} or {"error": "text"} or {"type": "error", ...}: the message, or empty.
std::string error_message(const Value& d) {
    const Value* e = json::get(d, "error");
    if (!e || e->IsNull()) return {};
    if (e->IsString()) return e->GetString();
    if (const Value* m = json::get(*e, "message"); m && m->IsString()) return m->GetString();
    return "error";
}

// Whether an OpenAI choice (stream delta or whole message) carries generated output.
bool carries_output(const Value& choice, bool stream) {
    const Value* part = json::get(choice, stream ? "delta" : "message");
    if (part) {
        for (const char* k : {"content", "reasoning_content", "reasoning"})
            if (non_empty_string(json::get(*part, k))) return true;
        const Value* tc = json::get(*part, "tool_calls");
        if (tc && ((tc->IsArray() && !tc->Empty()) || tc->IsObject())) return true;
    }
    return non_empty_string(json::get(choice, "text"));  // completions
}

size_t output_text_size(const Value& choice) {
    size_t n = 0;
    if (const Value* msg = json::get(choice, "message")) {
        for (const char* k : {"content", "reasoning_content", "reasoning"})
            if (const Value* v = json::get(*msg, k); v && v->IsString()) n += v->GetStringLength();
    }
    if (const Value* t = json::get(choice, "text"); t && t->IsString()) n += t->GetStringLength();
    return n;
}
}  // namespace

void ResponseMeter::token_at(double t) {
    ++token_events_;
    if (first_token_s_ < 0) first_token_s_ = t;
    else itl_s_.push_back(t - last_token_s_);
    last_token_s_ = t;
}

void ResponseMeter::on_event(const SseEvent& ev, double t) {
    ++events_;
    if (api_ == BenchApi::Messages) {
        on_anthropic_event(ev.event, ev.data, t);
    } else {
        on_openai_chunk(ev.data, t);
    }
}

void ResponseMeter::on_openai_chunk(std::string_view data, double t) {
    if (data == "[DONE]") {
        finished_ = true;
        return;
    }
    StackDocument d;
    if (json::parse(data, d) || !d.IsObject()) return;
    if (auto e = error_message(d); !e.empty()) {
        if (error_.empty()) error_ = e;
        return;
    }
    bool output = false;
    if (const Value* choices = json::get(d, "choices"); choices && choices->IsArray()) {
        for (const auto& c : choices->GetArray()) {
            if (carries_output(c, true)) output = true;
            const Value* fr = json::get(c, "finish_reason");
            if (fr && fr->IsString()) finished_ = true;
        }
    }
    if (output) token_at(t);
    // Usage: LocalAI puts zeros on every chunk, so a zero output count does not override a
    // real one seen earlier.
    if (const Value* u = json::get(d, "usage"); u && u->IsObject()) {
        auto in = uint_member(u, "prompt_tokens");
        auto out = uint_member(u, "completion_tokens");
        if (out && (*out > 0 || !usage_output_)) {
            usage_output_ = out;
            if (in) usage_input_ = in;
        }
    }
}

void ResponseMeter::on_anthropic_event(std::string_view type, std::string_view data, double t) {
    StackDocument d;
    if (json::parse(data, d) || !d.IsObject()) return;
    if (const Value* ty = json::get(d, "type"); ty && ty->IsString()) type = ty->GetString();
    if (type == "error") {
        if (error_.empty()) {
            error_ = error_message(d);
            if (error_.empty()) error_ = "error event";
        }
    } else if (type == "message_start") {
        const Value* msg = json::get(d, "message");
        const Value* u = msg ? json::get(*msg, "usage") : nullptr;
        if (auto in = uint_member(u, "input_tokens")) usage_input_ = in;
    } else if (type == "content_block_delta") {
        const Value* delta = json::get(d, "delta");
        if (delta && (non_empty_string(json::get(*delta, "text")) ||
                      non_empty_string(json::get(*delta, "thinking")) ||
                      non_empty_string(json::get(*delta, "partial_json"))))
            token_at(t);
    } else if (type == "message_delta") {
        if (auto out = uint_member(json::get(d, "usage"), "output_tokens")) usage_output_ = out;
        if (auto in = uint_member(json::get(d, "usage"), "input_tokens"); in && *in > 0) usage_input_ = in;
    } else if (type == "message_stop") {
        finished_ = true;
    }
}

// A failed parse leaves the document null, which on_parsed_body reports (json::parse refuses a
// NUL inside the body rather than judging the part before it).
void ResponseMeter::on_body(std::string_view body, double t) {
    StackDocument d;
    json::parse(body, d);
    on_parsed_body(d, t);
}

void ResponseMeter::on_body_in_place(std::string& body, double t) {
    StackDocument d;
    json::parse_insitu(body.data(), body.size(), d);  // std::string ends in a NUL
    on_parsed_body(d, t);
}

void ResponseMeter::on_parsed_body(const rapidjson::Document& d, double t) {
    finished_ = true;
    if (!d.IsObject()) {
        error_ = "response is not JSON";
        return;
    }
    if (auto e = error_message(d); !e.empty()) {
        error_ = e;
        return;
    }
    if (const Value* ty = json::get(d, "type");
        ty && ty->IsString() && std::string_view(ty->GetString()) == "error") {
        error_ = "error response";
        return;
    }
    // The whole answer arrives at once: its first token reaches the client with the body.
    first_token_s_ = t;
    const Value* u = json::get(d, "usage");
    if (api_ == BenchApi::Messages) {
        usage_input_ = uint_member(u, "input_tokens");
        usage_output_ = uint_member(u, "output_tokens");
        size_t chars = 0;
        if (const Value* content = json::get(d, "content"); content && content->IsArray())
            for (const auto& b : content->GetArray())
                for (const char* k : {"text", "thinking"})
                    if (const Value* v = json::get(b, k); v && v->IsString()) chars += v->GetStringLength();
        estimated_output_ = (chars + 3) / 4;
        return;
    }
    usage_input_ = uint_member(u, "prompt_tokens");
    if (api_ == BenchApi::Embeddings) {
        usage_output_ = 0;
        const Value* data = json::get(d, "data");
        if (!data || !data->IsArray() || data->Empty()) error_ = "no embeddings in response";
        return;
    }
    usage_output_ = uint_member(u, "completion_tokens");
    size_t chars = 0;
    bool output = false;
    if (const Value* choices = json::get(d, "choices"); choices && choices->IsArray()) {
        for (const auto& c : choices->GetArray()) {
            chars += output_text_size(c);
            output = output || carries_output(c, false);
        }
    }
    estimated_output_ = (chars + 3) / 4;
    if (!output && !usage_output_) first_token_s_ = -1;
}

}  // namespace llmgw
