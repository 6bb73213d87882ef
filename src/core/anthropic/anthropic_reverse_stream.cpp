// Anthropic Messages stream -> OpenAI chat.completion.chunk stream (for `llmgw translate`).
#include "core/anthropic/anthropic_reverse.h"
#include "core/base/sse.h"

namespace llmgw {

using json::Value;

void OpenAIStreamFromAnthropic::chunk(Value delta, std::string_view finish_reason, std::string& out,
                                      json::Document& d) {
    auto& a = d.GetAllocator();
    Value c(rapidjson::kObjectType);
    json::add_str(c, "id", id_, a);
    c.AddMember("object", "chat.completion.chunk", a);
    c.AddMember("created", 0, a);
    json::add_str(c, "model", model_, a);
    Value choice(rapidjson::kObjectType);
    choice.AddMember("index", 0, a);
    choice.AddMember("delta", delta, a);
    if (finish_reason.empty()) choice.AddMember("finish_reason", Value(rapidjson::kNullType), a);
    else json::add_str(choice, "finish_reason", finish_reason, a);
    Value choices(rapidjson::kArrayType);
    choices.PushBack(choice, a);
    c.AddMember("choices", choices, a);
    out += sse_format("", json::to_string(c));
}

void OpenAIStreamFromAnthropic::end(std::string& out) {
    if (include_usage_) {
        json::Document d(rapidjson::kObjectType);
        auto& a = d.GetAllocator();
        json::add_str(d, "id", id_, a);
        d.AddMember("object", "chat.completion.chunk", a);
        d.AddMember("created", 0, a);
        json::add_str(d, "model", model_, a);
        d.AddMember("choices", Value(rapidjson::kArrayType), a);
        d.AddMember("usage", openai_usage_json(usage_, a), a);
        out += sse_format("", json::to_string(d));
    }
    out += sse_format("", "[DONE]");
    done_ = true;
}

void OpenAIStreamFromAnthropic::feed(std::string_view data, std::string& out) {
    if (done_) return;
    json::Document in;
    if (auto f = json::parse(data, in)) {
        fail(ApiError::bad_request("stream event: " + json::describe(*f)), out);
        return;
    }
    if (!in.IsObject()) {
        fail(ApiError::bad_request("stream event is not a JSON object"), out);
        return;
    }
    auto type = json::get_str(in, "type").value_or("");
    json::Document d;
    auto& a = d.GetAllocator();
    if (type == "message_start") {
        const Value* m = json::get(in, "message");
        if (m) {
            id_ = make_completion_id(json::get_str(*m, "id").value_or(""));
            model_ = json::get_str(*m, "model").value_or("");
            TokenUsage u = usage_from_anthropic(json::get(*m, "usage"));
            if (u.present) usage_ = u;
        }
        if (started_) return;  // a second message_start adds nothing for OpenAI clients
        started_ = true;
        Value delta(rapidjson::kObjectType);
        delta.AddMember("role", "assistant", a);
        delta.AddMember("content", "", a);
        chunk(std::move(delta), {}, out, d);
    } else if (type == "content_block_start") {
        auto index = json::get_int(in, "index").value_or(0);
        const Value* block = json::get(in, "content_block");
        if (!block || index < 0 || index > 100000) return;
        if (static_cast<size_t>(index) >= tool_index_of_block_.size()) tool_index_of_block_.resize(index + 1, -1);
        auto btype = json::get_str(*block, "type").value_or("");
        Value delta(rapidjson::kObjectType);
        if (btype == "tool_use") {
            int k = tools_++;
            tool_index_of_block_[index] = k;
            Value fn(rapidjson::kObjectType);
            json::add_str(fn, "name", json::get_str(*block, "name").value_or(""), a);
            const Value* input = json::get(*block, "input");
            bool has_input = input && input->IsObject() && input->MemberCount() > 0;
            json::add_str(fn, "arguments", has_input ? json::to_string(*input) : "", a);
            Value call(rapidjson::kObjectType);
            call.AddMember("index", k, a);
            json::add_str(call, "id", json::get_str(*block, "id").value_or(""), a);
            call.AddMember("type", "function", a);
            call.AddMember("function", fn, a);
            Value calls(rapidjson::kArrayType);
            calls.PushBack(call, a);
            delta.AddMember("tool_calls", calls, a);
        } else if (btype == "text" && json::get_str(*block, "text").value_or("") != "") {
            json::add_str(delta, "content", *json::get_str(*block, "text"), a);
        } else {
            return;
        }
        chunk(std::move(delta), {}, out, d);
    } else if (type == "content_block_delta") {
        auto index = json::get_int(in, "index").value_or(0);
        const Value* dl = json::get(in, "delta");
        if (!dl) return;
        auto dtype = json::get_str(*dl, "type").value_or("");
        Value delta(rapidjson::kObjectType);
        if (dtype == "text_delta") {
            json::add_str(delta, "content", json::get_str(*dl, "text").value_or(""), a);
        } else if (dtype == "thinking_delta") {
            json::add_str(delta, "reasoning_content", json::get_str(*dl, "thinking").value_or(""), a);
        } else if (dtype == "input_json_delta") {
            int k = index >= 0 && static_cast<size_t>(index) < tool_index_of_block_.size() ? tool_index_of_block_[index] : -1;
            if (k < 0) return;
            Value fn(rapidjson::kObjectType);
            json::add_str(fn, "arguments", json::get_str(*dl, "partial_json").value_or(""), a);
            Value call(rapidjson::kObjectType);
            call.AddMember("index", k, a);
            call.AddMember("function", fn, a);
            Value calls(rapidjson::kArrayType);
            calls.PushBack(call, a);
            delta.AddMember("tool_calls", calls, a);
        } else {
            return;  // signature_delta, citations_delta: nothing to say in OpenAI terms
        }
        chunk(std::move(delta), {}, out, d);
    } else if (type == "message_delta") {
        const Value* dl = json::get(in, "delta");
        auto stop = dl ? json::get_str(*dl, "stop_reason").value_or("end_turn") : "end_turn";
        if (const Value* u = json::get(in, "usage")) {
            TokenUsage nu = usage_from_anthropic(u);
            usage_.completion_tokens = nu.completion_tokens;
            if (json::get(*u, "input_tokens")) {
                usage_.prompt_tokens = nu.prompt_tokens;
                usage_.cached_tokens = nu.cached_tokens;
            }
        }
        finished_ = true;
        chunk(Value(rapidjson::kObjectType), openai_finish_reason(stop), out, d);
    } else if (type == "message_stop") {
        end(out);
    } else if (type == "error") {
        const Value* e = json::get(in, "error");
        std::string_view etype = e ? json::get_str(*e, "type").value_or("api_error") : "api_error";
        fail(ApiError{status_for_anthropic_error_type(etype),
                      std::string(e ? json::get_str(*e, "message").value_or("") : ""), {}, {}},
             out);
    }
    // ping and unknown event types carry nothing.
}

void OpenAIStreamFromAnthropic::finish(std::string& out) {
    if (done_) return;
    if (finished_) end(out);
    else fail(ApiError::bad_gateway("stream ended before message_delta"), out);
}

void OpenAIStreamFromAnthropic::fail(const ApiError& e, std::string& out) {
    if (done_) return;
    error_ = e;
    out += sse_format("", render_openai_error(e));
    done_ = true;
}

}  // namespace llmgw
