#include "core/responses/responses_stream.h"

#include "core/base/text_util.h"
#include "core/json/stack_document.h"

namespace llmgw {

using json::Value;

namespace {
std::string_view item_prefix(ResponsesItemKind kind, bool custom) {
    switch (kind) {
        case ResponsesItemKind::Reasoning: return "rs";
        case ResponsesItemKind::Message:
        case ResponsesItemKind::Refusal: return "msg";
        case ResponsesItemKind::ToolCall: return custom ? "ctc" : "fc";
    }
    return "item";
}
}  // namespace

ResponsesStreamTranslator::ResponsesStreamTranslator(ResponsesOutputContext ctx)
    : ctx_(std::move(ctx)), response_id_(make_response_id(ctx_.id_seed)) {}

size_t ResponsesStreamTranslator::tool_calls() const {
    size_t n = 0;
    for (const auto& it : items_) n += it.data.kind == ResponsesItemKind::ToolCall;
    return n;
}

void ResponsesStreamTranslator::emit(std::string_view type, Value& fields, json::Alloc& a, std::string& out) {
    Value ev(rapidjson::kObjectType);
    json::add_str(ev, "type", type, a);
    ev.AddMember("sequence_number", Value(static_cast<int64_t>(sequence_++)), a);
    if (fields.IsObject())
        for (auto& m : fields.GetObject()) ev.AddMember(m.name, m.value, a);
    out.append("event: ").append(type).append("\ndata: ");  // compact JSON is one line
    writer_.write(ev, out);
    out.append("\n\n");
}

Value ResponsesStreamTranslator::item_ref(const Item& item, json::Alloc& a) const {
    Value v(rapidjson::kObjectType);
    json::add_str(v, "item_id", item.data.id, a);
    v.AddMember("output_index", Value(static_cast<uint64_t>(item.output_index)), a);
    return v;
}

void ResponsesStreamTranslator::chunk(const Value& v, std::string& out) {
    if (state_ == State::Idle) start(out);
    const Value* choices = json::get(v, "choices");
    if (!choices || !choices->IsArray()) return;
    for (auto& c : choices->GetArray()) {
        if (!c.IsObject()) continue;
        if (auto idx = json::get_int(c, "index"); idx && *idx != 0) continue;  // n > 1 has no Responses form
        if (const Value* delta = json::get(c, "delta"); delta && delta->IsObject()) {
            if (auto r = reasoning_text(*delta); !r.empty()) content_delta(ResponsesItemKind::Reasoning, r, out);
            if (auto t = json::get_str(*delta, "content"); t && !t->empty()) content_delta(ResponsesItemKind::Message, *t, out);
            if (auto t = json::get_str(*delta, "refusal"); t && !t->empty()) content_delta(ResponsesItemKind::Refusal, *t, out);
            for_each_tool_call(*delta, [&](const Value& call) { tool_delta(call, out); });
        }
        tally_.read_finish(c);
    }
}

void ResponsesStreamTranslator::start(std::string& out) {
    state_ = State::Open;
    for (std::string_view type : {"response.created", "response.in_progress"}) {
        StackDocument d(rapidjson::kObjectType);
        auto& a = d.GetAllocator();
        Value fields(rapidjson::kObjectType);
        fields.AddMember("response",
                         response_object_json(ctx_, "in_progress", {}, nullptr, Value(rapidjson::kArrayType),
                                              Value(rapidjson::kNullType), a),
                         a);
        emit(type, fields, a, out);
    }
}

ResponsesStreamTranslator::Item& ResponsesStreamTranslator::open_item(ResponsesItemKind kind, std::string_view runtime_name,
                                                                      std::string_view call_id, std::string& out) {
    Item item;
    item.output_index = items_.size();
    item.data.kind = kind;
    item.data.id = make_item_id(item_prefix(kind, is_custom_call(ctx_, runtime_name)), ctx_.id_seed, item.output_index);
    item.data.runtime_name = runtime_name;
    item.data.call_id = call_id;
    items_.push_back(std::move(item));
    Item& it = items_.back();

    StackDocument d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    Value fields(rapidjson::kObjectType);
    fields.AddMember("output_index", Value(static_cast<uint64_t>(it.output_index)), a);
    Value shown = output_item_json(it.data, "in_progress", ctx_, a);
    if (kind != ResponsesItemKind::ToolCall) {
        // Content arrives in the events that follow; the added item starts empty.
        if (shown.HasMember("content")) shown["content"].Clear();
        if (shown.HasMember("summary")) shown["summary"].Clear();
    }
    fields.AddMember("item", shown, a);
    emit("response.output_item.added", fields, a, out);

    if (kind == ResponsesItemKind::ToolCall) return it;
    Value part_fields = item_ref(it, a);
    Value part(rapidjson::kObjectType);
    const char* event = "response.content_part.added";
    if (kind == ResponsesItemKind::Reasoning && ctx_.reasoning_summary) {
        event = "response.reasoning_summary_part.added";
        part_fields.AddMember("summary_index", 0, a);
        part.AddMember("type", "summary_text", a);
        part.AddMember("text", "", a);
    } else {
        part_fields.AddMember("content_index", 0, a);
        if (kind == ResponsesItemKind::Refusal) {
            part.AddMember("type", "refusal", a);
            part.AddMember("refusal", "", a);
        } else {
            json::add_str(part, "type", kind == ResponsesItemKind::Reasoning ? "reasoning_text" : "output_text", a);
            part.AddMember("text", "", a);
            if (kind == ResponsesItemKind::Message) {
                part.AddMember("annotations", Value(rapidjson::kArrayType), a);
                part.AddMember("logprobs", Value(rapidjson::kArrayType), a);
            }
        }
    }
    part_fields.AddMember("part", part, a);
    emit(event, part_fields, a, out);
    return it;
}

bool ResponsesStreamTranslator::within_bounds(size_t bytes, bool new_item, std::string& out) {
    if (done()) return false;
    if (new_item && items_.size() >= kMaxResponsesOutputItems) {
        fail(ApiError::bad_gateway("the runtime's answer has more than " + std::to_string(kMaxResponsesOutputItems) +
                                   " output items"),
             out);
        return false;
    }
    if (bytes > kMaxResponsesOutputBytes - output_bytes_) {
        fail(ApiError::bad_gateway("the runtime's answer is longer than " + std::to_string(kMaxResponsesOutputBytes) +
                                   " bytes"),
             out);
        return false;
    }
    output_bytes_ += bytes;
    return true;
}

void ResponsesStreamTranslator::content_delta(ResponsesItemKind kind, std::string_view text, std::string& out) {
    bool new_item = open_content_ < 0 || items_[open_content_].data.kind != kind;
    if (!within_bounds(text.size(), new_item, out)) return;
    ++tally_.content_chunks;
    if (new_item) {
        close_content("completed", out);
        open_item(kind, {}, {}, out);
        open_content_ = static_cast<int>(items_.size()) - 1;
    }
    Item& it = items_[open_content_];
    it.data.text += text;
    StackDocument d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    Value fields = item_ref(it, a);
    const char* event = "response.output_text.delta";
    if (kind == ResponsesItemKind::Reasoning && ctx_.reasoning_summary) {
        event = "response.reasoning_summary_text.delta";
        fields.AddMember("summary_index", 0, a);
    } else {
        fields.AddMember("content_index", 0, a);
        if (kind == ResponsesItemKind::Reasoning) event = "response.reasoning_text.delta";
        else if (kind == ResponsesItemKind::Refusal) event = "response.refusal.delta";
    }
    json::add_str(fields, "delta", text, a);
    if (kind == ResponsesItemKind::Message) fields.AddMember("logprobs", Value(rapidjson::kArrayType), a);
    emit(event, fields, a, out);
}

// A fragment continues the call find_tool_call names, else starts one. Calls stay open until the
// response ends, so a fragment for an earlier call is still delivered (events carry output_index).
void ResponsesStreamTranslator::tool_delta(const Value& call, std::string& out) {
    ToolCallFragment f = read_tool_call_fragment(call);
    struct Key {
        std::string id;
        std::optional<int64_t> upstream_index;
        size_t item;
    };
    std::vector<Key> calls;
    for (size_t i = 0; i < items_.size(); ++i)
        if (items_[i].data.kind == ResponsesItemKind::ToolCall) calls.push_back({items_[i].data.call_id, items_[i].upstream_index, i});
    Item* it = nullptr;
    auto found = find_tool_call(calls, f);
    if (!within_bounds(f.arguments.size(), !found, out)) return;
    if (found) {
        it = &items_[calls[*found].item];
    } else {
        close_content("completed", out);
        size_t n = items_.size();
        std::string call_id = !f.id.empty() ? std::string(f.id) : make_item_id("call", ctx_.id_seed, n);
        it = &open_item(ResponsesItemKind::ToolCall, f.name, call_id, out);
        it->upstream_index = f.index;
    }
    if (!it->open || f.arguments.empty()) return;
    ++tally_.content_chunks;
    it->data.text += f.arguments;
    // A custom tool's input is JSON-wrapped ({"input": "..."}) until the call is whole; it goes out
    // decoded when the item closes.
    if (is_custom_call(ctx_, it->data.runtime_name)) return;
    StackDocument d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    Value fields = item_ref(*it, a);
    json::add_str(fields, "delta", f.arguments, a);
    emit("response.function_call_arguments.delta", fields, a, out);
}

void ResponsesStreamTranslator::close_content(std::string_view status, std::string& out) {
    if (open_content_ < 0) return;
    close_item(items_[open_content_], status, out);
    open_content_ = -1;
}

void ResponsesStreamTranslator::close_item(Item& it, std::string_view status, std::string& out) {
    if (!it.open) return;
    it.open = false;
    it.status = status;
    const ResponsesItemKind kind = it.data.kind;
    if (kind == ResponsesItemKind::Reasoning && ctx_.include_encrypted_reasoning && ctx_.seal)
        it.data.encrypted_content = ctx_.seal(it.data.text);
    StackDocument d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    if (kind == ResponsesItemKind::ToolCall) {
        bool custom = is_custom_call(ctx_, it.data.runtime_name);
        if (custom) {
            std::string input = custom_tool_input(it.data.text);
            if (!input.empty()) {
                Value delta = item_ref(it, a);
                json::add_str(delta, "delta", input, a);
                emit("response.custom_tool_call_input.delta", delta, a, out);
            }
            Value done = item_ref(it, a);
            json::add_str(done, "input", input, a);
            emit("response.custom_tool_call_input.done", done, a, out);
        } else {
            Value done = item_ref(it, a);
            json::add_str(done, "arguments", it.data.text, a);
            const ResponsesToolName* tool = ctx_.tools.by_runtime_name(it.data.runtime_name);
            json::add_str(done, "name", tool ? std::string_view(tool->name) : std::string_view(it.data.runtime_name), a);
            emit("response.function_call_arguments.done", done, a, out);
        }
    } else {
        bool summary = kind == ResponsesItemKind::Reasoning && ctx_.reasoning_summary;
        Value done = item_ref(it, a);
        Value part(rapidjson::kObjectType);
        const char* done_event = "response.output_text.done";
        const char* part_event = "response.content_part.done";
        if (summary) {
            done_event = "response.reasoning_summary_text.done";
            part_event = "response.reasoning_summary_part.done";
            done.AddMember("summary_index", 0, a);
            part.AddMember("type", "summary_text", a);
        } else {
            done.AddMember("content_index", 0, a);
            if (kind == ResponsesItemKind::Reasoning) {
                done_event = "response.reasoning_text.done";
                part.AddMember("type", "reasoning_text", a);
            } else if (kind == ResponsesItemKind::Message) {
                part.AddMember("type", "output_text", a);
            }
        }
        Value part_fields(done, a);  // item_id, output_index and the part's index
        if (kind == ResponsesItemKind::Refusal) {
            done_event = "response.refusal.done";
            json::add_str(done, "refusal", it.data.text, a);
            part.AddMember("type", "refusal", a);
            json::add_str(part, "refusal", it.data.text, a);
        } else {
            json::add_str(done, "text", it.data.text, a);
            json::add_str(part, "text", it.data.text, a);
        }
        if (kind == ResponsesItemKind::Message) {
            done.AddMember("logprobs", Value(rapidjson::kArrayType), a);
            part.AddMember("annotations", Value(rapidjson::kArrayType), a);
            part.AddMember("logprobs", Value(rapidjson::kArrayType), a);
        }
        emit(done_event, done, a, out);
        part_fields.AddMember("part", part, a);
        emit(part_event, part_fields, a, out);
    }
    Value fields(rapidjson::kObjectType);
    fields.AddMember("output_index", Value(static_cast<uint64_t>(it.output_index)), a);
    fields.AddMember("item", output_item_json(it.data, status, ctx_, a), a);
    emit("response.output_item.done", fields, a, out);
}

void ResponsesStreamTranslator::complete(std::string& out) {
    if (done()) return;
    if (state_ == State::Idle) start(out);
    // length: cut at max_output_tokens; content_filter: the runtime stopped on its own policy.
    std::string_view reason;
    if (tally_.finish_reason == "length") reason = "max_output_tokens";
    else if (tally_.finish_reason == "content_filter") reason = "content_filter";
    std::string_view item_status = reason.empty() ? "completed" : "incomplete";
    close_content(item_status, out);
    for (auto& it : items_) close_item(it, item_status, out);
    terminate(reason.empty() ? "completed" : "incomplete", reason, nullptr, out);
}

void ResponsesStreamTranslator::terminate(std::string_view status, std::string_view incomplete_reason,
                                          const ApiError* error, std::string& out) {
    StackDocument d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    Value output(rapidjson::kArrayType);
    // Items a failure cut short are kept, marked incomplete.
    for (const auto& it : items_)
        output.PushBack(output_item_json(it.data, it.open ? "incomplete" : it.status, ctx_, a), a);
    output_json_ = json::to_string(output);
    Value response = response_object_json(ctx_, status, incomplete_reason, error, std::move(output),
                                          responses_usage_json(tally_.usage, output_tokens(), a), a);
    response_json_ = json::to_string(response);
    status_ = status;
    Value fields(rapidjson::kObjectType);
    fields.AddMember("response", response, a);
    std::string event = "response." + std::string(status);
    emit(event, fields, a, out);
    state_ = State::Done;
}

void ResponsesStreamTranslator::emit_failure(const ApiError& e, std::string& out) {
    if (state_ == State::Idle) start(out);
    terminate("failed", {}, &e, out);
}

}  // namespace llmgw
