#include "core/anthropic/anthropic_stream.h"

#include <algorithm>

#include "core/anthropic/anthropic_response.h"
#include "core/base/sse.h"
#include "core/json/stack_document.h"
#include "core/base/text_util.h"

namespace llmgw {

using json::Value;

AnthropicStreamTranslator::AnthropicStreamTranslator(AnthropicStreamOptions opts) : opts_(std::move(opts)) {}

namespace {
// An event's head; its data is one line of compact JSON (a JSON writer never emits a raw newline).
void open_event(std::string_view event, std::string& out) {
    out.append("event: ").append(event).append("\ndata: ");
}
void close_event(std::string& out) { out.append("\n\n"); }
}  // namespace

void AnthropicStreamTranslator::emit(std::string_view event, const Value& data, std::string& out) {
    open_event(event, out);
    writer_.write(data, out);
    close_event(out);
}

void AnthropicStreamTranslator::chunk(const Value& v, std::string& out) {
    if (state_ == State::Idle) {
        message_id_ = make_message_id(!opts_.id_seed.empty() ? std::string_view(opts_.id_seed)
                                                             : json::get_str(v, "id").value_or(""));
        start(out);
    }
    const Value* choices = json::get(v, "choices");
    if (!choices || !choices->IsArray()) return;
    for (auto& c : choices->GetArray()) {
        if (!c.IsObject()) continue;
        if (auto idx = json::get_int(c, "index"); idx && *idx != 0) continue;  // n > 1 is not Anthropic
        if (const Value* delta = json::get(c, "delta"); delta && delta->IsObject()) {
            std::string_view reasoning = reasoning_text(*delta);
            if (!reasoning.empty()) {
                ++tally_.content_chunks;
                if (opts_.thinking_enabled) text_delta(Block::Thinking, reasoning, out);
            }
            if (auto content = json::get_str(*delta, "content"); content && !content->empty()) {
                ++tally_.content_chunks;
                text_delta(Block::Text, *content, out);
            }
            for_each_tool_call(*delta, [&](const Value& call) { tool_delta(call, out); });
        }
        if (tally_.read_finish(c))
            if (auto s = matched_stop_string(c)) stop_string_ = std::move(s);
    }
}

void AnthropicStreamTranslator::start(std::string& out) {
    state_ = State::Open;
    StackDocument d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    if (message_id_.empty()) message_id_ = make_message_id(opts_.id_seed);
    Value m(rapidjson::kObjectType);
    json::add_str(m, "id", message_id_, a);
    m.AddMember("type", "message", a);
    m.AddMember("role", "assistant", a);
    json::add_str(m, "model", opts_.model, a);
    m.AddMember("content", Value(rapidjson::kArrayType), a);
    m.AddMember("stop_reason", Value(rapidjson::kNullType), a);
    m.AddMember("stop_sequence", Value(rapidjson::kNullType), a);
    TokenUsage u = tally_.usage;
    u.completion_tokens = 0;
    m.AddMember("usage", anthropic_usage_json(u, a), a);
    d.AddMember("type", "message_start", a);
    d.AddMember("message", m, a);
    emit("message_start", d, out);
    StackDocument ping(rapidjson::kObjectType);
    ping.AddMember("type", "ping", ping.GetAllocator());
    emit("ping", ping, out);
}

void AnthropicStreamTranslator::close_block(std::string& out) {
    if (open_ == Block::None) return;
    StackDocument d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("type", "content_block_stop", a);
    d.AddMember("index", next_index_ - 1, a);
    emit("content_block_stop", d, out);
    open_ = Block::None;
    open_tool_ = -1;
}

void AnthropicStreamTranslator::open_block(Block kind, std::string& out, const ToolSlot* tool, std::string_view name) {
    close_block(out);
    StackDocument d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    Value b(rapidjson::kObjectType);
    if (kind == Block::Thinking) {
        b.AddMember("type", "thinking", a);
        b.AddMember("thinking", "", a);
        b.AddMember("signature", "", a);
    } else if (kind == Block::Text) {
        b.AddMember("type", "text", a);
        b.AddMember("text", "", a);
    } else {
        b.AddMember("type", "tool_use", a);
        json::add_str(b, "id", tool->id, a);
        json::add_str(b, "name", name, a);
        b.AddMember("input", Value(rapidjson::kObjectType), a);
    }
    d.AddMember("type", "content_block_start", a);
    d.AddMember("index", next_index_, a);
    d.AddMember("content_block", b, a);
    emit("content_block_start", d, out);
    open_ = kind;
    ++next_index_;
}

// The hot event of a stream: written with the writer alone, no document.
void AnthropicStreamTranslator::text_delta(Block kind, std::string_view text, std::string& out) {
    if (open_ != kind) open_block(kind, out);
    const bool thinking = kind == Block::Thinking;
    open_event("content_block_delta", out);
    auto& w = writer_.begin(out);
    w.StartObject();
    w.Key("type");
    w.String("content_block_delta");
    w.Key("index");
    w.Int(next_index_ - 1);
    w.Key("delta");
    w.StartObject();
    w.Key("type");
    w.String(thinking ? "thinking_delta" : "text_delta");
    w.Key(thinking ? "thinking" : "text");
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    w.EndObject();
    w.EndObject();
    close_event(out);
}

// One entry of delta.tool_calls; find_tool_call (core/api/chat_completion.h) says which call it
// continues. A new id starts a new call.
void AnthropicStreamTranslator::tool_delta(const Value& call, std::string& out) {
    ToolCallFragment f = read_tool_call_fragment(call);
    std::optional<size_t> found = find_tool_call(tools_, f);
    int slot = found ? static_cast<int>(*found) : -1;
    if (slot < 0) {
        ToolSlot s;
        s.upstream_index = f.index;
        s.id = !f.id.empty() ? std::string(f.id) : make_tool_use_id(message_id_, tools_.size());
        tools_.push_back(s);
        slot = static_cast<int>(tools_.size()) - 1;
        open_block(Block::Tool, out, &tools_.back(), f.name);
        tools_.back().block_index = next_index_ - 1;
        open_tool_ = slot;
    }
    // A fragment for a call whose block was already closed cannot be delivered in Anthropic's
    // sequential block model; runtimes stream calls one after another, so this does not happen.
    if (open_ != Block::Tool || open_tool_ != slot) return;

    const std::string& fragment = f.arguments;
    if (fragment.empty()) return;
    ++tally_.content_chunks;
    StackDocument d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    Value delta(rapidjson::kObjectType);
    delta.AddMember("type", "input_json_delta", a);
    json::add_str(delta, "partial_json", fragment, a);
    d.AddMember("type", "content_block_delta", a);
    d.AddMember("index", tools_[slot].block_index, a);
    d.AddMember("delta", delta, a);
    emit("content_block_delta", d, out);
}

void AnthropicStreamTranslator::complete(std::string& out) {
    if (done()) return;
    if (state_ == State::Idle) start(out);
    close_block(out);
    FinishFacts facts;
    facts.finish_reason = tally_.finish_reason;
    facts.tool_calls_seen = !tools_.empty();
    facts.stop_sequence_matched = stop_string_.has_value();
    stop_reason_ = anthropic_stop_reason(facts);

    StackDocument d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    Value delta(rapidjson::kObjectType);
    json::add_str(delta, "stop_reason", stop_reason_, a);
    if (stop_reason_ == "stop_sequence") json::add_str(delta, "stop_sequence", *stop_string_, a);
    else delta.AddMember("stop_sequence", Value(rapidjson::kNullType), a);
    Value usage(rapidjson::kObjectType);
    if (tally_.usage.present && tally_.usage.prompt_tokens > 0) {
        // message_start went out before the runtime reported the prompt size; SDKs take these.
        usage.AddMember("input_tokens", Value(static_cast<int64_t>(tally_.usage.anthropic_input_tokens())), a);
        usage.AddMember("cache_read_input_tokens", Value(static_cast<int64_t>(tally_.usage.cached_tokens)), a);
    }
    usage.AddMember("output_tokens", Value(static_cast<int64_t>(output_tokens())), a);
    d.AddMember("type", "message_delta", a);
    d.AddMember("delta", delta, a);
    d.AddMember("usage", usage, a);
    emit("message_delta", d, out);

    StackDocument stop(rapidjson::kObjectType);
    stop.AddMember("type", "message_stop", stop.GetAllocator());
    emit("message_stop", stop, out);
    state_ = State::Done;
}

void AnthropicStreamTranslator::emit_failure(const ApiError& e, std::string& out) {
    sse_append(out, "error", render_anthropic_error(e));
    state_ = State::Done;
}

}  // namespace llmgw
