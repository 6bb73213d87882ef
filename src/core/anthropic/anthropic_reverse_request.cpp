// OpenAI chat completion request -> Anthropic Messages request (for `llmgw translate`).
#include <algorithm>

#include "core/anthropic/anthropic_reverse.h"

namespace llmgw {

using json::Alloc;
using json::Value;

namespace {

struct Invalid {
    std::string message;
};

Value text_block(std::string_view text, Alloc& a) {
    Value b(rapidjson::kObjectType);
    b.AddMember("type", "text", a);
    json::add_str(b, "text", text, a);
    return b;
}

Value image_block(std::string_view url, Alloc& a) {
    Value src(rapidjson::kObjectType);
    // data:<media>;base64,<data> -> a base64 source; anything else stays a URL.
    auto semi = url.find(";base64,");
    if (url.rfind("data:", 0) == 0 && semi != std::string_view::npos) {
        src.AddMember("type", "base64", a);
        json::add_str(src, "media_type", url.substr(5, semi - 5), a);
        json::add_str(src, "data", url.substr(semi + 8), a);
    } else {
        src.AddMember("type", "url", a);
        json::add_str(src, "url", url, a);
    }
    Value b(rapidjson::kObjectType);
    b.AddMember("type", "image", a);
    b.AddMember("source", src, a);
    return b;
}

// Content string or parts -> Anthropic blocks appended to `blocks`.
void content_blocks(const Value* content, const std::string& path, Value& blocks, Alloc& a) {
    if (!content) return;
    if (content->IsString()) {
        if (content->GetStringLength() > 0) blocks.PushBack(text_block(json::sv(*content), a), a);
        return;
    }
    if (!content->IsArray()) throw Invalid{path + ": expected a string or an array of parts"};
    for (rapidjson::SizeType i = 0; i < content->Size(); ++i) {
        const Value& p = (*content)[i];
        auto type = json::get_str(p, "type").value_or("");
        if (type == "text") {
            blocks.PushBack(text_block(json::get_str(p, "text").value_or(""), a), a);
        } else if (type == "image_url") {
            const Value* iu = json::get(p, "image_url");
            auto url = iu && iu->IsString() ? json::sv(*iu) : (iu ? json::get_str(*iu, "url").value_or("") : "");
            blocks.PushBack(image_block(url, a), a);
        } else {
            throw Invalid{path + "." + std::to_string(i) + ".type: part type '" + std::string(type) +
                          "' has no Anthropic equivalent"};
        }
    }
}

std::string flat_text(const Value* content) {
    if (!content) return {};
    if (content->IsString()) return std::string(json::sv(*content));
    std::string out;
    if (content->IsArray())
        for (auto& p : content->GetArray())
            if (auto t = json::get_str(p, "text")) {
                if (!out.empty()) out += "\n\n";
                out += *t;
            }
    return out;
}

class Reverser {
public:
    explicit Reverser(json::Document& out) : out_(out), a_(out.GetAllocator()) {}

    void run(const Value& req) {
        if (!req.IsObject()) throw Invalid{"request body must be a JSON object"};
        out_.SetObject();
        auto model = json::get_str(req, "model");
        if (!model) throw Invalid{"model: field required"};
        json::add_str(out_, "model", *model, a_);
        if (auto n = json::get_int(req, "n"); n && *n > 1) throw Invalid{"n: Anthropic returns one choice only"};

        int64_t max_tokens = json::get_int(req, "max_completion_tokens")
                                 .value_or(json::get_int(req, "max_tokens").value_or(kReverseDefaultMaxTokens));
        out_.AddMember("max_tokens", Value(static_cast<int64_t>(max_tokens)), a_);

        const Value* msgs = json::get(req, "messages");
        if (!msgs || !msgs->IsArray()) throw Invalid{"messages: expected an array"};
        std::string system;
        Value messages(rapidjson::kArrayType);
        for (rapidjson::SizeType i = 0; i < msgs->Size(); ++i) {
            const Value& m = (*msgs)[i];
            std::string p = "messages." + std::to_string(i);
            auto role = json::get_str(m, "role").value_or("");
            if (role == "system" || role == "developer") {
                // Anthropic has one top-level system prompt; every system message joins it.
                std::string t = flat_text(json::get(m, "content"));
                if (!t.empty()) system += (system.empty() ? "" : "\n\n") + t;
            } else if (role == "user") {
                content_blocks(json::get(m, "content"), p + ".content", turn("user", messages), a_);
            } else if (role == "assistant") {
                Value& blocks = turn("assistant", messages);
                content_blocks(json::get(m, "content"), p + ".content", blocks, a_);
                tool_calls(m, blocks);
            } else if (role == "tool") {
                Value b(rapidjson::kObjectType);
                b.AddMember("type", "tool_result", a_);
                json::add_str(b, "tool_use_id", json::get_str(m, "tool_call_id").value_or(""), a_);
                json::add_str(b, "content", flat_text(json::get(m, "content")), a_);
                turn("user", messages).PushBack(b, a_);
            } else {
                throw Invalid{p + ".role: unknown role '" + std::string(role) + "'"};
            }
        }
        // A single text block reads better as a plain string.
        for (auto& m : messages.GetArray()) {
            Value& c = m["content"];
            if (c.Size() == 1 && c[0]["type"] == "text") {
                Value s(c[0]["text"], a_);
                c = s;
            }
        }
        if (!system.empty()) json::add_str(out_, "system", system, a_);
        out_.AddMember("messages", messages, a_);
        sampling(req);
        tools(req);
    }

private:
    Value& turn(std::string_view role, Value& messages) {
        if (messages.Empty() || json::sv(messages[messages.Size() - 1]["role"]) != role) {
            Value m(rapidjson::kObjectType);
            json::add_str(m, "role", role, a_);
            m.AddMember("content", Value(rapidjson::kArrayType), a_);
            messages.PushBack(m, a_);
        }
        return messages[messages.Size() - 1]["content"];
    }

    void tool_calls(const Value& m, Value& blocks) {
        const Value* tc = json::get(m, "tool_calls");
        if (!tc || !tc->IsArray()) return;
        for (auto& c : tc->GetArray()) {
            const Value* fn = json::get(c, "function");
            Value b(rapidjson::kObjectType);
            b.AddMember("type", "tool_use", a_);
            json::add_str(b, "id", json::get_str(c, "id").value_or(""), a_);
            json::add_str(b, "name", fn ? json::get_str(*fn, "name").value_or("") : "", a_);
            b.AddMember("input", tool_input_from_arguments(fn ? json::get(*fn, "arguments") : nullptr, a_), a_);
            blocks.PushBack(b, a_);
        }
    }

    void copy(const Value& req, std::string_view from, std::string_view to) {
        if (const Value* v = json::get(req, from)) json::add(out_, to, Value(*v, a_), a_);
    }

    void sampling(const Value& req) {
        if (const Value* t = json::get(req, "temperature"); t && t->IsNumber())
            out_.AddMember("temperature", std::min(1.0, t->GetDouble()), a_);  // Anthropic's range is 0..1
        copy(req, "top_p", "top_p");
        copy(req, "top_k", "top_k");
        copy(req, "stream", "stream");
        if (const Value* s = json::get(req, "stop")) {
            Value arr(rapidjson::kArrayType);
            if (s->IsString()) arr.PushBack(Value(*s, a_), a_);
            else if (s->IsArray()) arr.CopyFrom(*s, a_);
            if (!arr.Empty()) out_.AddMember("stop_sequences", arr, a_);
        }
        if (auto u = json::get_str(req, "user")) {
            Value md(rapidjson::kObjectType);
            json::add_str(md, "user_id", *u, a_);
            out_.AddMember("metadata", md, a_);
        }
        bool thinking = false;
        if (auto e = json::get_str(req, "reasoning_effort")) thinking = *e != "none" && *e != "minimal";
        if (const Value* kw = json::get(req, "chat_template_kwargs"))
            if (const Value* et = json::get(*kw, "enable_thinking"); et && et->IsBool()) thinking = et->GetBool();
        if (thinking) {
            Value t(rapidjson::kObjectType);
            t.AddMember("type", "enabled", a_);
            t.AddMember("budget_tokens", 1024, a_);
            out_.AddMember("thinking", t, a_);
        }
        if (const Value* rf = json::get(req, "response_format"); rf && json::get_str(*rf, "type") == "json_schema") {
            const Value* js = json::get(*rf, "json_schema");
            const Value* schema = js ? json::get(*js, "schema") : nullptr;
            if (schema) {
                Value of(rapidjson::kObjectType);
                of.AddMember("type", "json_schema", a_);
                of.AddMember("schema", Value(*schema, a_), a_);
                out_.AddMember("output_format", of, a_);
            }
        }
    }

    void tools(const Value& req) {
        const Value* tools = json::get(req, "tools");
        if (!tools || !tools->IsArray() || tools->Empty()) return;
        Value out(rapidjson::kArrayType);
        for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
            const Value& t = (*tools)[i];
            const Value* fn = json::get(t, "function");
            if (json::get_str(t, "type").value_or("function") != "function" || !fn)
                throw Invalid{"tools." + std::to_string(i) + ": only function tools have an Anthropic equivalent"};
            Value tool(rapidjson::kObjectType);
            json::add_str(tool, "name", json::get_str(*fn, "name").value_or(""), a_);
            if (auto d = json::get_str(*fn, "description")) json::add_str(tool, "description", *d, a_);
            if (const Value* p = json::get(*fn, "parameters"); p && p->IsObject()) {
                tool.AddMember("input_schema", Value(*p, a_), a_);
            } else {
                Value schema(rapidjson::kObjectType);
                schema.AddMember("type", "object", a_);
                schema.AddMember("properties", Value(rapidjson::kObjectType), a_);
                tool.AddMember("input_schema", schema, a_);
            }
            out.PushBack(tool, a_);
        }
        out_.AddMember("tools", out, a_);
        std::optional<ToolChoice> choice;
        if (const Value* tc = json::get(req, "tool_choice")) {
            choice = tool_choice_from_openai(*tc);
            if (!choice) throw Invalid{"tool_choice: not a value Anthropic can express"};
        }
        if (const Value* ptc = json::get(req, "parallel_tool_calls"); ptc && ptc->IsFalse()) {
            if (!choice) choice = ToolChoice{"auto", {}, false};
            choice->disable_parallel_tool_use = true;
        }
        if (choice) {
            Value c(rapidjson::kObjectType);
            json::add_str(c, "type", choice->type, a_);
            if (choice->type == "tool") json::add_str(c, "name", choice->name, a_);
            if (choice->disable_parallel_tool_use) c.AddMember("disable_parallel_tool_use", true, a_);
            out_.AddMember("tool_choice", c, a_);
        }
    }

    json::Document& out_;
    Alloc& a_;
};

}  // namespace

TranslatedBody translate_openai_request(std::string_view body) {
    TranslatedBody t;
    json::Document in, out;
    if (auto f = json::parse(body, in)) {
        t.error = ApiError::bad_request("request body: " + json::describe(*f));
        return t;
    }
    try {
        Reverser(out).run(in);
    } catch (const Invalid& e) {
        t.error = ApiError::bad_request(e.message);
        return t;
    }
    t.body = json::to_string(out);
    return t;
}

}  // namespace llmgw
