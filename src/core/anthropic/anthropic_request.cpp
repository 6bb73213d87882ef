#include "core/anthropic/anthropic_request.h"

#include <set>
#include <vector>

#include "core/anthropic/anthropic_mapping.h"
#include "core/api/request_fields.h"
#include "core/json/stack_document.h"

namespace llmgw {

using ajson::Alloc;
using ajson::Value;
using namespace reqfield;

namespace {

// Server tools and Anthropic-defined tools carry a versioned `type`; the runtime has neither their
// implementation nor their schema, so they are refused by name.
bool is_custom_tool_type(std::string_view t) { return t.empty() || t == "custom"; }

class Translator {
public:
    Translator(const AnthropicRequestOptions& o, ajson::Document& out, AnthropicRequestFacts& f)
        : opts_(o), out_(out), a_(out.GetAllocator()), facts_(f) {}

    void run(const Value& req) {
        if (!req.IsObject()) fail("", "request body must be a JSON object, got " + std::string(ajson::type_name(req)));
        out_.SetObject();
        facts_.model = std::string(need_str(req, "", "model"));
        if (facts_.model.empty()) fail("model", "must not be empty");
        ajson::add_str(out_, "model", facts_.model, a_);

        read_thinking(req);
        Value messages(rapidjson::kArrayType);
        system(req, messages);
        const Value& msgs = need(req, "", "messages");
        if (!msgs.IsArray()) fail("messages", "expected an array, got " + std::string(ajson::type_name(msgs)));
        if (msgs.Empty()) fail("messages", "at least one message is required");
        for (rapidjson::SizeType i = 0; i < msgs.Size(); ++i) message(msgs[i], at("messages", i), messages);
        out_.AddMember("messages", messages, a_);

        sampling(req);
        tools(req);
        output_format(req);
        if (const Value* s = ajson::get(req, "stream")) {
            if (!s->IsBool()) fail("stream", "expected a boolean, got " + std::string(ajson::type_name(*s)));
            facts_.stream = s->GetBool();
        }
        if (facts_.stream) {
            out_.AddMember("stream", true, a_);
            if (opts_.stream_usage && opts_.profile.stream_usage) {
                Value so(rapidjson::kObjectType);
                so.AddMember("include_usage", true, a_);
                out_.AddMember("stream_options", so, a_);
            }
        }
        if (opts_.profile.thinking == ThinkingStyle::ChatTemplateKwargs) {
            // Sent both ways: Qwen-style templates think by default, and hidden reasoning the client
            // never asked for would eat its max_tokens and its latency.
            Value kw(rapidjson::kObjectType);
            kw.AddMember("enable_thinking", facts_.thinking_enabled, a_);
            out_.AddMember("chat_template_kwargs", kw, a_);
        }
        if (const Value* servers = ajson::get(req, "mcp_servers"); servers && servers->IsArray() && !servers->Empty())
            fail("mcp_servers", "remote MCP servers are not supported: the runtime cannot call them");
    }

private:
    void read_thinking(const Value& req) {
        const Value* t = ajson::get(req, "thinking");
        if (!t) return;
        need_obj(*t, "thinking");
        auto type = need_str(*t, "thinking", "type");
        if (type == "enabled" || type == "adaptive") {
            facts_.thinking_enabled = true;
            if (const Value* b = ajson::get(*t, "budget_tokens"); b && !ajson::as_int(*b))
                fail("thinking.budget_tokens", "expected an integer");
        } else if (type != "disabled") {
            fail("thinking.type", "expected 'enabled', 'adaptive' or 'disabled', got '" + std::string(type) + "'");
        }
    }

    // Text of a block array that may only hold text blocks (system, tool_result, document content).
    std::string text_blocks(const Value& arr, const std::string& path) {
        std::string out;
        for (rapidjson::SizeType i = 0; i < arr.Size(); ++i) {
            std::string p = at(path, i);
            need_obj(arr[i], p);
            auto type = need_str(arr[i], p, "type");
            if (type != "text") fail(at(p, "type"), "expected 'text' here, got '" + std::string(type) + "'");
            if (!out.empty()) out += "\n\n";
            out += need_str(arr[i], p, "text");
        }
        return out;
    }

    void system(const Value& req, Value& messages) {
        const Value* s = ajson::get(req, "system");
        if (!s) return;
        std::string text;
        if (s->IsString()) text = ajson::sv(*s);
        else if (s->IsArray()) text = text_blocks(*s, "system");
        else fail("system", "expected a string or an array of text blocks, got " + std::string(ajson::type_name(*s)));
        if (text.empty()) return;
        Value m(rapidjson::kObjectType);
        m.AddMember("role", "system", a_);
        ajson::add_str(m, "content", text, a_);
        messages.PushBack(m, a_);
    }

    Value image_part(const Value& block, const std::string& p) {
        const Value& src = need_obj(need(block, p, "source"), at(p, "source"));
        std::string sp = at(p, "source");
        auto type = need_str(src, sp, "type");
        std::string url;
        if (type == "base64") {
            auto media = need_str(src, sp, "media_type");
            auto data = need_str(src, sp, "data");
            url.reserve(media.size() + data.size() + 13);
            url.append("data:").append(media).append(";base64,").append(data);
        } else if (type == "url") {
            url = need_str(src, sp, "url");
        } else {
            fail(at(sp, "type"), "image source type '" + std::string(type) + "' is not supported (use base64 or url)");
        }
        Value iu(rapidjson::kObjectType);
        ajson::add_str(iu, "url", url, a_);
        Value part(rapidjson::kObjectType);
        part.AddMember("type", "image_url", a_);
        part.AddMember("image_url", iu, a_);
        return part;
    }

    std::string document_text(const Value& block, const std::string& p) {
        const Value& src = need_obj(need(block, p, "source"), at(p, "source"));
        std::string sp = at(p, "source");
        auto type = need_str(src, sp, "type");
        std::string text;
        if (type == "text") {
            text = need_str(src, sp, "data");
        } else if (type == "content") {
            const Value& c = need(src, sp, "content");
            if (c.IsString()) text = ajson::sv(c);
            else if (c.IsArray()) text = text_blocks(c, at(sp, "content"));
            else fail(at(sp, "content"), "expected a string or an array of text blocks");
        } else {
            fail(at(sp, "type"), "document source type '" + std::string(type) +
                                     "' is not supported: only text documents can be sent to this runtime");
        }
        if (auto title = opt_str(block, p, "title"); title && !title->empty())
            text = std::string(*title) + "\n\n" + text;
        return text;
    }

    static Value text_part(std::string_view text, Alloc& a) {
        Value part(rapidjson::kObjectType);
        part.AddMember("type", "text", a);
        ajson::add_str(part, "text", text, a);
        return part;
    }

    // A user or assistant content list made of text and image parts: a plain string when only text.
    struct Parts {
        std::vector<std::string> texts;  // in order, interleaved with images via `order`
        Value images{rapidjson::kArrayType};
        std::vector<int> order;          // 0 = next text, 1 = next image
        bool empty() const { return order.empty(); }
    };

    Value render_parts(Parts& parts) {
        bool has_image = false;
        for (int o : parts.order) has_image |= (o == 1);
        if (!has_image) {
            std::string joined;
            for (size_t i = 0; i < parts.texts.size(); ++i) {
                if (i) joined += "\n\n";
                joined += parts.texts[i];
            }
            return ajson::str(joined, a_);
        }
        Value arr(rapidjson::kArrayType);
        size_t ti = 0;
        rapidjson::SizeType ii = 0;
        for (int o : parts.order) {
            if (o == 0) arr.PushBack(text_part(parts.texts[ti++], a_), a_);
            else arr.PushBack(Value(parts.images[ii++], a_), a_);
        }
        return arr;
    }

    std::string tool_result_text(const Value& block, const std::string& p, Parts& carried_images) {
        std::string text;
        if (const Value* c = ajson::get(block, "content")) {
            std::string cp = at(p, "content");
            if (c->IsString()) {
                text = ajson::sv(*c);
            } else if (c->IsArray()) {
                for (rapidjson::SizeType i = 0; i < c->Size(); ++i) {
                    std::string bp = at(cp, i);
                    const Value& b = need_obj((*c)[i], bp);
                    auto type = need_str(b, bp, "type");
                    if (type == "text") {
                        if (!text.empty()) text += "\n\n";
                        text += need_str(b, bp, "text");
                    } else if (type == "image") {
                        // OpenAI tool messages carry text only: the image follows in the user turn.
                        carried_images.images.PushBack(image_part(b, bp), a_);
                        carried_images.order.push_back(1);
                        if (!text.empty()) text += "\n\n";
                        text += "[image attached below]";
                    } else if (type == "document") {
                        if (!text.empty()) text += "\n\n";
                        text += document_text(b, bp);
                    } else {
                        fail(at(bp, "type"), "unknown block type '" + std::string(type) + "' in tool_result content");
                    }
                }
            } else {
                fail(cp, "expected a string or an array of blocks, got " + std::string(ajson::type_name(*c)));
            }
        }
        if (const Value* e = ajson::get(block, "is_error")) {
            if (!e->IsBool()) fail(at(p, "is_error"), "expected a boolean");
            if (e->GetBool()) text = "[tool error] " + text;
        }
        return text;
    }

    void message(const Value& m, const std::string& p, Value& out) {
        need_obj(m, p);
        auto role = need_str(m, p, "role");
        if (role != "user" && role != "assistant")
            fail(at(p, "role"), "unknown role '" + std::string(role) + "' (expected 'user' or 'assistant')");
        const Value& content = need(m, p, "content");
        std::string cp = at(p, "content");
        if (content.IsString()) {
            Value msg(rapidjson::kObjectType);
            ajson::add_str(msg, "role", role, a_);
            msg.AddMember("content", Value(content, a_), a_);
            out.PushBack(msg, a_);
            return;
        }
        if (!content.IsArray()) fail(cp, "expected a string or an array of content blocks, got " + std::string(ajson::type_name(content)));
        if (role == "user") user_blocks(content, cp, out);
        else assistant_blocks(content, cp, out);
    }

    void user_blocks(const Value& blocks, const std::string& cp, Value& out) {
        Parts parts, tool_images;
        for (rapidjson::SizeType i = 0; i < blocks.Size(); ++i) {
            std::string bp = at(cp, i);
            const Value& b = need_obj(blocks[i], bp);
            auto type = need_str(b, bp, "type");
            if (type == "text") {
                parts.texts.emplace_back(need_str(b, bp, "text"));
                parts.order.push_back(0);
            } else if (type == "image") {
                parts.images.PushBack(image_part(b, bp), a_);
                parts.order.push_back(1);
            } else if (type == "document") {
                parts.texts.push_back(document_text(b, bp));
                parts.order.push_back(0);
            } else if (type == "tool_result") {
                auto id = need_str(b, bp, "tool_use_id");
                if (!tool_use_ids_.count(std::string(id)))
                    fail(at(bp, "tool_use_id"), "no earlier tool_use block has id '" + std::string(id) + "'");
                // Tool messages go first: OpenAI wants them right after the assistant's tool_calls.
                Value tm(rapidjson::kObjectType);
                tm.AddMember("role", "tool", a_);
                ajson::add_str(tm, "tool_call_id", id, a_);
                ajson::add_str(tm, "content", tool_result_text(b, bp, tool_images), a_);
                out.PushBack(tm, a_);
            } else if (type == "tool_use" || type == "thinking" || type == "redacted_thinking") {
                fail(at(bp, "type"), "'" + std::string(type) + "' blocks are only valid in assistant messages");
            } else {
                fail(at(bp, "type"), "unknown block type '" + std::string(type) + "'");
            }
        }
        for (auto& img : tool_images.images.GetArray()) {
            parts.images.PushBack(Value(img, a_), a_);
            parts.order.push_back(1);
        }
        bool only_tool_results = parts.empty() && blocks.Size() > 0;
        if (only_tool_results) return;
        Value msg(rapidjson::kObjectType);
        msg.AddMember("role", "user", a_);
        msg.AddMember("content", render_parts(parts), a_);
        out.PushBack(msg, a_);
    }

    void assistant_blocks(const Value& blocks, const std::string& cp, Value& out) {
        std::string text;
        bool has_text = false;
        Value calls(rapidjson::kArrayType);
        for (rapidjson::SizeType i = 0; i < blocks.Size(); ++i) {
            std::string bp = at(cp, i);
            const Value& b = need_obj(blocks[i], bp);
            auto type = need_str(b, bp, "type");
            if (type == "text") {
                if (has_text) text += "\n\n";
                text += need_str(b, bp, "text");
                has_text = true;
            } else if (type == "tool_use") {
                auto id = need_str(b, bp, "id");
                if (id.empty()) fail(at(bp, "id"), "must not be empty");
                auto name = need_str(b, bp, "name");
                std::string args = "{}";
                if (const Value* in = ajson::get(b, "input")) {
                    if (!in->IsObject()) fail(at(bp, "input"), "expected an object, got " + std::string(ajson::type_name(*in)));
                    args = ajson::to_string(*in);
                }
                tool_use_ids_.insert(std::string(id));
                Value fn(rapidjson::kObjectType);
                ajson::add_str(fn, "name", name, a_);
                ajson::add_str(fn, "arguments", args, a_);
                Value call(rapidjson::kObjectType);
                ajson::add_str(call, "id", id, a_);
                call.AddMember("type", "function", a_);
                call.AddMember("function", fn, a_);
                calls.PushBack(call, a_);
            } else if (type == "thinking" || type == "redacted_thinking") {
                // Runtimes re-derive reasoning; prior thinking is not part of the prompt.
            } else if (type == "image" || type == "document" || type == "tool_result") {
                fail(at(bp, "type"), "'" + std::string(type) + "' blocks are only valid in user messages");
            } else {
                fail(at(bp, "type"), "unknown block type '" + std::string(type) + "'");
            }
        }
        Value msg(rapidjson::kObjectType);
        msg.AddMember("role", "assistant", a_);
        if (has_text || calls.Empty()) ajson::add_str(msg, "content", text, a_);
        else msg.AddMember("content", Value(rapidjson::kNullType), a_);
        if (!calls.Empty()) msg.AddMember("tool_calls", calls, a_);
        out.PushBack(msg, a_);
    }

    void number(const Value& req, std::string_view key) {
        const Value* v = ajson::get(req, key);
        if (!v) return;
        if (!v->IsNumber()) fail(std::string(key), "expected a number, got " + std::string(ajson::type_name(*v)));
        ajson::add(out_, key, Value(*v, a_), a_);
    }

    void sampling(const Value& req) {
        const Value* mt = ajson::get(req, "max_tokens");
        if (!mt) {
            if (opts_.require_max_tokens) fail("max_tokens", "field required");
        } else {
            auto n = ajson::as_int(*mt);
            if (!n) fail("max_tokens", "expected an integer, got " + std::string(ajson::type_name(*mt)));
            if (*n < 1) fail("max_tokens", "must be at least 1");
            facts_.max_tokens = *n;
            if (opts_.max_tokens_cap > 0 && *n > opts_.max_tokens_cap) {
                facts_.max_tokens = opts_.max_tokens_cap;
                facts_.max_tokens_clamped = true;
            }
            out_.AddMember("max_tokens", Value(static_cast<int64_t>(facts_.max_tokens)), a_);
        }
        number(req, "temperature");
        number(req, "top_p");
        if (const Value* k = ajson::get(req, "top_k")) {
            if (!ajson::as_int(*k)) fail("top_k", "expected an integer, got " + std::string(ajson::type_name(*k)));
            if (opts_.profile.top_k) out_.AddMember("top_k", Value(*k, a_), a_);
        }
        if (const Value* s = ajson::get(req, "stop_sequences")) {
            if (!s->IsArray()) fail("stop_sequences", "expected an array of strings, got " + std::string(ajson::type_name(*s)));
            for (rapidjson::SizeType i = 0; i < s->Size(); ++i)
                if (!(*s)[i].IsString()) fail(at("stop_sequences", i), "expected a string");
            if (!s->Empty()) out_.AddMember("stop", Value(*s, a_), a_);
        }
        if (const Value* md = ajson::get(req, "metadata")) {
            need_obj(*md, "metadata");
            if (auto user = opt_str(*md, "metadata", "user_id"); user && !user->empty())
                ajson::add_str(out_, "user", *user, a_);
        }
    }

    void tools(const Value& req) {
        const Value* tools = ajson::get(req, "tools");
        std::set<std::string> names;
        Value out(rapidjson::kArrayType);
        if (tools) {
            if (!tools->IsArray()) fail("tools", "expected an array, got " + std::string(ajson::type_name(*tools)));
            for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
                std::string p = at("tools", i);
                const Value& t = need_obj((*tools)[i], p);
                auto type = opt_str(t, p, "type").value_or("");
                if (!is_custom_tool_type(type)) {
                    auto name = ajson::get_str(t, "name").value_or("");
                    fail(at(p, "type"), "tool type '" + std::string(type) + "'" +
                                            (name.empty() ? "" : " ('" + std::string(name) + "')") +
                                            " is an Anthropic server or built-in tool that this runtime cannot run; "
                                            "declare it as a custom tool with an input_schema instead");
                }
                auto name = need_str(t, p, "name");
                if (name.empty()) fail(at(p, "name"), "must not be empty");
                const Value& schema = need_obj(need(t, p, "input_schema"), at(p, "input_schema"));
                Value fn(rapidjson::kObjectType);
                ajson::add_str(fn, "name", name, a_);
                if (auto d = opt_str(t, p, "description")) ajson::add_str(fn, "description", *d, a_);
                fn.AddMember("parameters", Value(schema, a_), a_);
                Value tool(rapidjson::kObjectType);
                tool.AddMember("type", "function", a_);
                tool.AddMember("function", fn, a_);
                out.PushBack(tool, a_);
                names.insert(std::string(name));
            }
        }
        facts_.has_tools = !out.Empty();
        const Value* tc = ajson::get(req, "tool_choice");
        std::optional<ToolChoice> choice;
        if (tc) {
            need_obj(*tc, "tool_choice");
            ToolChoice c;
            c.type = need_str(*tc, "tool_choice", "type");
            if (c.type != "auto" && c.type != "any" && c.type != "tool" && c.type != "none")
                fail("tool_choice.type", "expected 'auto', 'any', 'tool' or 'none', got '" + c.type + "'");
            if (c.type == "tool") {
                c.name = need_str(*tc, "tool_choice", "name");
                if (!names.count(c.name)) fail("tool_choice.name", "no tool named '" + c.name + "' in tools");
            }
            if (const Value* d = ajson::get(*tc, "disable_parallel_tool_use")) {
                if (!d->IsBool()) fail("tool_choice.disable_parallel_tool_use", "expected a boolean");
                c.disable_parallel_tool_use = d->GetBool();
            }
            choice = c;
        }
        if (!facts_.has_tools) return;  // a tool_choice without tools is a runtime 400; drop it
        out_.AddMember("tools", out, a_);
        if (choice) {
            out_.AddMember("tool_choice", openai_tool_choice(*choice, a_), a_);
            if (choice->disable_parallel_tool_use) out_.AddMember("parallel_tool_calls", false, a_);
        }
    }

    // Structured outputs: {"type":"json_schema","schema":{...}} -> response_format json_schema.
    void output_format(const Value& req) {
        const Value* of = ajson::get(req, "output_format");
        if (!of) return;
        need_obj(*of, "output_format");
        auto type = need_str(*of, "output_format", "type");
        if (type != "json_schema") fail("output_format.type", "expected 'json_schema', got '" + std::string(type) + "'");
        const Value& schema = need_obj(need(*of, "output_format", "schema"), "output_format.schema");
        Value js(rapidjson::kObjectType);
        js.AddMember("name", "output", a_);
        js.AddMember("schema", Value(schema, a_), a_);
        Value rf(rapidjson::kObjectType);
        rf.AddMember("type", "json_schema", a_);
        rf.AddMember("json_schema", js, a_);
        out_.AddMember("response_format", rf, a_);
    }

    const AnthropicRequestOptions& opts_;
    ajson::Document& out_;
    Alloc& a_;
    AnthropicRequestFacts& facts_;
    std::set<std::string> tool_use_ids_;
};

}  // namespace

std::optional<ApiError> anthropic_request_to_openai(std::string_view body, const AnthropicRequestOptions& opts,
                                                    ajson::Document& out, AnthropicRequestFacts& facts) {
    StackDocument req;
    if (auto f = ajson::parse(body, req)) return ApiError::bad_request("request body: " + ajson::describe(*f));
    try {
        Translator(opts, out, facts).run(req);
    } catch (const Invalid& e) {
        out.SetNull();
        return to_api_error(e);
    }
    return std::nullopt;
}

AnthropicRequestTranslation translate_anthropic_request(std::string_view body, const AnthropicRequestOptions& opts) {
    AnthropicRequestTranslation t;
    StackDocument out;
    t.error = anthropic_request_to_openai(body, opts, out, t.facts);
    if (!t.error) t.body = ajson::to_string(out);
    return t;
}

}  // namespace llmgw
