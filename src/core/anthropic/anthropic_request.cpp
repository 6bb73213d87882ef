#include "core/anthropic/anthropic_request.h"

#include <algorithm>
#include <initializer_list>
#include <set>
#include <vector>

#include "core/anthropic/anthropic_context_edits.h"
#include "core/anthropic/anthropic_fields.h"
#include "core/anthropic/anthropic_mapping.h"
#include "core/anthropic/token_count.h"
#include "core/api/request_fields.h"
#include "core/json/stack_document.h"

namespace llmgw {

using json::Alloc;
using json::Value;
using namespace reqfield;

namespace {

// Ignored field names kept for the debug log: a body may carry any number of unknown keys, and
// the log line is about the first few, not a copy of the body.
constexpr size_t kMaxIgnoredNames = 32;
constexpr size_t kMaxIgnoredNameBytes = 64;

// Claude Code's first system block: "x-anthropic-billing-header: cc_version=...; cch=<nonce>;".
// It is accounting for Anthropic's API; to a runtime it is prompt text that (with the per-request
// nonce of newer versions) differs on every request from the first token, so no prefix is reused.
constexpr std::string_view kBillingHeaderPrefix = "x-anthropic-billing-header:";

bool empty_value(const Value& v) {
    return v.IsNull() || (v.IsArray() && v.Empty()) || (v.IsObject() && v.MemberCount() == 0);
}

// Anthropic effort levels -> OpenAI reasoning_effort (which stops at "high").
std::optional<std::string_view> runtime_effort(std::string_view effort) {
    if (effort == "low" || effort == "medium" || effort == "high") return effort;
    if (effort == "xhigh" || effort == "max") return "high";
    return std::nullopt;
}

// Server tools and Anthropic-defined tools carry a versioned `type`; the runtime has neither their
// implementation nor their schema, so they are refused by name.
bool is_custom_tool_type(std::string_view t) { return t.empty() || t == "custom"; }

class Translator {
public:
    Translator(const AnthropicRequestOptions& o, json::Document& out, AnthropicRequestFacts& f)
        : opts_(o), out_(out), a_(out.GetAllocator()), facts_(f) {}

    void run(const Value& req) {
        if (!req.IsObject()) fail("", "request body must be a JSON object, got " + std::string(json::type_name(req)));
        screen_fields(req);
        out_.SetObject();
        facts_.model = std::string(need_str(req, "", "model"));
        if (facts_.model.empty()) fail("model", "must not be empty");
        json::add_str(out_, "model", facts_.model, a_);

        read_thinking(req);
        Value messages(rapidjson::kArrayType);
        system(req, messages);
        const Value& msgs = need(req, "", "messages");
        if (!msgs.IsArray()) fail("messages", "expected an array, got " + std::string(json::type_name(msgs)));
        if (msgs.Empty()) fail("messages", "at least one message is required");
        for (rapidjson::SizeType i = 0; i < msgs.Size(); ++i) message(msgs[i], at("messages", i), messages);
        if (!has_turn_) fail("messages", "at least one user or assistant message is required, not only system messages");
        out_.AddMember("messages", messages, a_);

        sampling(req);
        tools(req);
        if (const Value* of = json::get(req, "output_format")) response_format(*of, "output_format");
        output_config(req);
        if (const Value* s = json::get(req, "stream")) {
            if (!s->IsBool()) fail("stream", "expected a boolean, got " + std::string(json::type_name(*s)));
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
        context_management(req);
    }

private:
    // The field table decides: refused fields fail here (when not empty), ignored and unknown ones
    // are noted for the debug log, mapped ones are read by the steps below.
    void screen_fields(const Value& req) {
        for (auto it = req.MemberBegin(); it != req.MemberEnd(); ++it) {
            std::string_view name = json::sv(it->name);
            const FieldRule* rule = find_field_rule(FieldKind::TopLevel, name);
            if (rule && rule->action == FieldAction::Refused) {
                if (!empty_value(it->value)) fail(std::string(name), std::string(rule->why));
            } else if (!rule || rule->action == FieldAction::Ignored) {
                note_ignored(name);
            }
        }
    }

    void note_ignored(std::string_view name) {
        if (facts_.ignored.size() < kMaxIgnoredNames) facts_.ignored.emplace_back(name.substr(0, kMaxIgnoredNameBytes));
    }

    // A block type the table refuses gets its reason; one it does not know is named as unknown.
    [[noreturn]] void refuse_block(std::string_view type, const std::string& bp) {
        const FieldRule* rule = find_field_rule(FieldKind::Block, type);
        if (rule && rule->action == FieldAction::Refused)
            fail(at(bp, "type"), "'" + std::string(type) + "' blocks are not supported: " + std::string(rule->why));
        fail(at(bp, "type"), "unknown block type '" + std::string(type) + "'");
    }

    void read_thinking(const Value& req) {
        const Value* t = json::get(req, "thinking");
        if (!t) return;
        need_obj(*t, "thinking");
        auto type = need_str(*t, "thinking", "type");
        if (type == "enabled" || type == "adaptive") {
            facts_.thinking_enabled = true;
            if (const Value* b = json::get(*t, "budget_tokens"); b && !json::as_int(*b))
                fail("thinking.budget_tokens", "expected an integer");
        } else if (type != "disabled") {
            fail("thinking.type", "expected 'enabled', 'adaptive' or 'disabled', got '" + std::string(type) + "'");
        }
    }

    // Text of a block array that may only hold text blocks (system, tool_result, document content).
    std::string text_blocks(const Value& arr, const std::string& path, rapidjson::SizeType from = 0) {
        std::string out;
        for (rapidjson::SizeType i = from; i < arr.Size(); ++i) {
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
        const Value* s = json::get(req, "system");
        if (!s) return;
        std::string text;
        const bool drop_billing = !opts_.keep_billing_header;
        if (s->IsString()) {
            text = json::sv(*s);
            if (drop_billing && text.starts_with(kBillingHeaderPrefix)) {
                size_t eol = text.find('\n');
                text.erase(0, eol == std::string::npos ? text.size() : eol + 1);
                facts_.billing_header_dropped = true;
            }
        } else if (s->IsArray()) {
            rapidjson::SizeType from = 0;
            if (drop_billing && !s->Empty() && (*s)[0].IsObject()) {
                auto t = json::get_str((*s)[0], "text");
                if (json::get_str((*s)[0], "type") == "text" && t && t->starts_with(kBillingHeaderPrefix)) {
                    from = 1;
                    facts_.billing_header_dropped = true;
                }
            }
            text = text_blocks(*s, "system", from);
        } else {
            fail("system", "expected a string or an array of text blocks, got " + std::string(json::type_name(*s)));
        }
        if (text.empty()) return;
        Value m(rapidjson::kObjectType);
        m.AddMember("role", "system", a_);
        json::add_str(m, "content", text, a_);
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
        json::add_str(iu, "url", url, a_);
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
            if (c.IsString()) text = json::sv(c);
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

    std::string search_result_text(const Value& block, const std::string& p) {
        std::string text;
        for (std::string_view key : {"title", "source"})
            if (auto v = opt_str(block, p, key); v && !v->empty()) text.append(*v).append("\n");
        const Value& c = need(block, p, "content");
        if (!c.IsArray()) fail(at(p, "content"), "expected an array of text blocks");
        if (!text.empty()) text += "\n";
        return text + text_blocks(c, at(p, "content"));
    }

    static Value text_part(std::string_view text, Alloc& a) {
        Value part(rapidjson::kObjectType);
        part.AddMember("type", "text", a);
        json::add_str(part, "text", text, a);
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
            return json::str(joined, a_);
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
        if (const Value* c = json::get(block, "content")) {
            std::string cp = at(p, "content");
            if (c->IsString()) {
                text = json::sv(*c);
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
                    } else if (type == "document" || type == "search_result") {
                        if (!text.empty()) text += "\n\n";
                        text += type == "document" ? document_text(b, bp) : search_result_text(b, bp);
                    } else {
                        refuse_block(type, bp);
                    }
                }
            } else {
                fail(cp, "expected a string or an array of blocks, got " + std::string(json::type_name(*c)));
            }
        }
        if (const Value* e = json::get(block, "is_error")) {
            if (!e->IsBool()) fail(at(p, "is_error"), "expected a boolean");
            if (e->GetBool()) text = "[tool error] " + text;
        }
        return text;
    }

    void message(const Value& m, const std::string& p, Value& out) {
        need_obj(m, p);
        auto role = need_str(m, p, "role");
        if (role == "system") {
            mid_system(m, p, out);
            return;
        }
        if (role != "user" && role != "assistant")
            fail(at(p, "role"), "unknown role '" + std::string(role) + "' (expected 'user', 'assistant' or 'system')");
        has_turn_ = true;
        const Value& content = need(m, p, "content");
        std::string cp = at(p, "content");
        if (content.IsString()) {
            Value msg(rapidjson::kObjectType);
            json::add_str(msg, "role", role, a_);
            msg.AddMember("content", Value(content, a_), a_);
            out.PushBack(msg, a_);
            return;
        }
        if (!content.IsArray()) fail(cp, "expected a string or an array of content blocks, got " + std::string(json::type_name(content)));
        if (role == "user") user_blocks(content, cp, out);
        else assistant_blocks(content, cp, out);
    }

    // A system message inside `messages` (beta mid-conversation-system) stays where it is, as a
    // system message: the position carries meaning (from here on), and keeping it in place keeps
    // every earlier token of the prompt, so the runtime's prefix cache still matches. llama.cpp's
    // own /v1/messages does the same, and the Qwen3 template renders a system message that is not
    // first in place (docs/API_ANTHROPIC.md).
    void mid_system(const Value& m, const std::string& p, Value& out) {
        const Value& content = need(m, p, "content");
        std::string cp = at(p, "content");
        std::string text;
        if (content.IsString()) text = json::sv(content);
        else if (content.IsArray()) text = text_blocks(content, cp);
        else fail(cp, "expected a string or an array of text blocks, got " + std::string(json::type_name(content)));
        if (text.empty()) return;
        Value msg(rapidjson::kObjectType);
        msg.AddMember("role", "system", a_);
        json::add_str(msg, "content", text, a_);
        out.PushBack(msg, a_);
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
            } else if (type == "document" || type == "search_result") {
                parts.texts.push_back(type == "document" ? document_text(b, bp) : search_result_text(b, bp));
                parts.order.push_back(0);
            } else if (type == "tool_result") {
                auto id = need_str(b, bp, "tool_use_id");
                if (!tool_use_ids_.count(std::string(id)))
                    fail(at(bp, "tool_use_id"), "no earlier tool_use block has id '" + std::string(id) + "'");
                // Tool messages go first: OpenAI wants them right after the assistant's tool_calls.
                Value tm(rapidjson::kObjectType);
                tm.AddMember("role", "tool", a_);
                json::add_str(tm, "tool_call_id", id, a_);
                json::add_str(tm, "content", tool_result_text(b, bp, tool_images), a_);
                out.PushBack(tm, a_);
            } else if (type == "tool_use" || type == "thinking" || type == "redacted_thinking") {
                fail(at(bp, "type"), "'" + std::string(type) + "' blocks are only valid in assistant messages");
            } else {
                refuse_block(type, bp);
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
                if (const Value* in = json::get(b, "input")) {
                    if (!in->IsObject()) fail(at(bp, "input"), "expected an object, got " + std::string(json::type_name(*in)));
                    args = json::to_string(*in);
                }
                tool_use_ids_.insert(std::string(id));
                Value fn(rapidjson::kObjectType);
                json::add_str(fn, "name", name, a_);
                json::add_str(fn, "arguments", args, a_);
                Value call(rapidjson::kObjectType);
                json::add_str(call, "id", id, a_);
                call.AddMember("type", "function", a_);
                call.AddMember("function", fn, a_);
                calls.PushBack(call, a_);
            } else if (type == "thinking" || type == "redacted_thinking") {
                // Runtimes re-derive reasoning; prior thinking is not part of the prompt.
            } else if (type == "image" || type == "document" || type == "search_result" || type == "tool_result") {
                fail(at(bp, "type"), "'" + std::string(type) + "' blocks are only valid in user messages");
            } else {
                refuse_block(type, bp);
            }
        }
        Value msg(rapidjson::kObjectType);
        msg.AddMember("role", "assistant", a_);
        if (has_text || calls.Empty()) json::add_str(msg, "content", text, a_);
        else msg.AddMember("content", Value(rapidjson::kNullType), a_);
        if (!calls.Empty()) msg.AddMember("tool_calls", calls, a_);
        out.PushBack(msg, a_);
    }

    void number(const Value& req, std::string_view key) {
        const Value* v = json::get(req, key);
        if (!v) return;
        if (!v->IsNumber()) fail(std::string(key), "expected a number, got " + std::string(json::type_name(*v)));
        json::add(out_, key, Value(*v, a_), a_);
    }

    void sampling(const Value& req) {
        const Value* mt = json::get(req, "max_tokens");
        if (!mt) {
            if (opts_.require_max_tokens) fail("max_tokens", "field required");
        } else {
            auto n = json::as_int(*mt);
            if (!n) fail("max_tokens", "expected an integer, got " + std::string(json::type_name(*mt)));
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
        if (const Value* k = json::get(req, "top_k")) {
            if (!json::as_int(*k)) fail("top_k", "expected an integer, got " + std::string(json::type_name(*k)));
            if (opts_.profile.top_k) out_.AddMember("top_k", Value(*k, a_), a_);
        }
        if (const Value* s = json::get(req, "stop_sequences")) {
            if (!s->IsArray()) fail("stop_sequences", "expected an array of strings, got " + std::string(json::type_name(*s)));
            for (rapidjson::SizeType i = 0; i < s->Size(); ++i)
                if (!(*s)[i].IsString()) fail(at("stop_sequences", i), "expected a string");
            if (!s->Empty()) out_.AddMember("stop", Value(*s, a_), a_);
        }
        if (const Value* md = json::get(req, "metadata")) {
            need_obj(*md, "metadata");
            if (auto user = opt_str(*md, "metadata", "user_id"); user && !user->empty())
                json::add_str(out_, "user", *user, a_);
        }
    }

    void tools(const Value& req) {
        const Value* tools = json::get(req, "tools");
        std::set<std::string> names;
        Value out(rapidjson::kArrayType);
        if (tools) {
            if (!tools->IsArray()) fail("tools", "expected an array, got " + std::string(json::type_name(*tools)));
            for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
                std::string p = at("tools", i);
                const Value& t = need_obj((*tools)[i], p);
                auto type = opt_str(t, p, "type").value_or("");
                if (!is_custom_tool_type(type)) {
                    auto name = json::get_str(t, "name").value_or("");
                    fail(at(p, "type"), "tool type '" + std::string(type) + "'" +
                                            (name.empty() ? "" : " ('" + std::string(name) + "')") +
                                            " is an Anthropic server or built-in tool that this runtime cannot run; "
                                            "declare it as a custom tool with an input_schema instead");
                }
                auto name = need_str(t, p, "name");
                if (name.empty()) fail(at(p, "name"), "must not be empty");
                const Value& schema = need_obj(need(t, p, "input_schema"), at(p, "input_schema"));
                Value fn(rapidjson::kObjectType);
                json::add_str(fn, "name", name, a_);
                if (auto d = opt_str(t, p, "description")) json::add_str(fn, "description", *d, a_);
                fn.AddMember("parameters", Value(schema, a_), a_);
                Value tool(rapidjson::kObjectType);
                tool.AddMember("type", "function", a_);
                tool.AddMember("function", fn, a_);
                out.PushBack(tool, a_);
                names.insert(std::string(name));
            }
        }
        facts_.has_tools = !out.Empty();
        const Value* tc = json::get(req, "tool_choice");
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
            if (const Value* d = json::get(*tc, "disable_parallel_tool_use")) {
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
    // Given as output_format (beta) or output_config.format (GA), once.
    void response_format(const Value& of, const std::string& path) {
        need_obj(of, path);
        if (out_.HasMember("response_format")) fail(path, "give either output_format or output_config.format, not both");
        auto type = need_str(of, path, "type");
        if (type != "json_schema") fail(at(path, "type"), "expected 'json_schema', got '" + std::string(type) + "'");
        const Value& schema = need_obj(need(of, path, "schema"), at(path, "schema"));
        Value js(rapidjson::kObjectType);
        js.AddMember("name", "output", a_);
        js.AddMember("schema", Value(schema, a_), a_);
        Value rf(rapidjson::kObjectType);
        rf.AddMember("type", "json_schema", a_);
        rf.AddMember("json_schema", js, a_);
        out_.AddMember("response_format", rf, a_);
    }

    void output_config(const Value& req) {
        const Value* oc = json::get(req, "output_config");
        if (!oc) return;
        need_obj(*oc, "output_config");
        if (auto effort = opt_str(*oc, "output_config", "effort")) {
            auto level = runtime_effort(*effort);
            if (!level)
                fail("output_config.effort", "expected 'low', 'medium', 'high', 'xhigh' or 'max', got '" + std::string(*effort) + "'");
            if (opts_.profile.reasoning_effort) json::add_str(out_, "reasoning_effort", *level, a_);
        }
        if (const Value* f = json::get(*oc, "format")) response_format(*f, "output_config.format");
    }

    // context_management.edits: clear_tool_uses is applied to the translated prompt; clear_thinking
    // changes nothing (earlier thinking never reaches the runtime); others are noted as ignored.
    void context_management(const Value& req) {
        const Value* cm = json::get(req, "context_management");
        if (!cm) return;
        need_obj(*cm, "context_management");
        const Value* edits = json::get(*cm, "edits");
        if (!edits) return;
        if (!edits->IsArray()) fail("context_management.edits", "expected an array, got " + std::string(json::type_name(*edits)));
        for (rapidjson::SizeType i = 0; i < edits->Size(); ++i) {
            std::string p = at("context_management.edits", i);
            const Value& e = need_obj((*edits)[i], p);
            auto type = need_str(e, p, "type");
            if (type.starts_with("clear_tool_uses_")) {
                ClearToolUses c = clear_tool_uses_edit(e, p);
                int64_t prompt = c.trigger_on_tool_uses ? 0 : estimate_tokens_for_openai_request(out_);
                apply_clear_tool_uses(out_["messages"], c, prompt, a_);
            } else if (!type.starts_with("clear_thinking_")) {
                note_ignored(at(p, type));
            }
        }
    }

    // A count: {"type": one of `types`, "value": N >= 0} -> its type and N.
    struct Count {
        std::string_view type;
        int64_t value;
    };
    Count count(const Value& e, const std::string& p, std::string_view key, std::initializer_list<std::string_view> types) {
        std::string cp = at(p, key);
        const Value& v = need_obj(need(e, p, key), cp);
        auto type = need_str(v, cp, "type");
        if (std::find(types.begin(), types.end(), type) == types.end()) {
            std::string expected;
            for (auto t : types) expected += (expected.empty() ? "'" : " or '") + std::string(t) + "'";
            fail(at(cp, "type"), "expected " + expected + ", got '" + std::string(type) + "'");
        }
        auto n = json::as_int(need(v, cp, "value"));
        if (!n || *n < 0) fail(at(cp, "value"), "expected a non-negative integer");
        return {type, *n};
    }

    ClearToolUses clear_tool_uses_edit(const Value& e, const std::string& p) {
        ClearToolUses c;
        if (json::get(e, "trigger")) {
            Count t = count(e, p, "trigger", {"input_tokens", "tool_uses"});
            c.trigger_on_tool_uses = t.type == "tool_uses";
            c.trigger = t.value;
        }
        if (json::get(e, "keep")) c.keep = count(e, p, "keep", {"tool_uses"}).value;
        if (json::get(e, "clear_at_least")) c.clear_at_least = count(e, p, "clear_at_least", {"input_tokens"}).value;
        if (const Value* x = json::get(e, "exclude_tools")) {
            if (!x->IsArray()) fail(at(p, "exclude_tools"), "expected an array of tool names");
            for (rapidjson::SizeType i = 0; i < x->Size(); ++i) {
                if (!(*x)[i].IsString()) fail(at(at(p, "exclude_tools"), i), "expected a string");
                c.exclude_tools.emplace_back(json::sv((*x)[i]));
            }
        }
        if (const Value* ci = json::get(e, "clear_tool_inputs")) {
            // A boolean, or the names of the tools whose inputs go (taken as all: an overcut is
            // safe, the results are cleared anyway).
            if (!ci->IsBool() && !ci->IsArray()) fail(at(p, "clear_tool_inputs"), "expected a boolean or an array");
            c.clear_tool_inputs = ci->IsBool() ? ci->GetBool() : !ci->Empty();
        }
        return c;
    }

    const AnthropicRequestOptions& opts_;
    json::Document& out_;
    Alloc& a_;
    AnthropicRequestFacts& facts_;
    std::set<std::string> tool_use_ids_;
    bool has_turn_ = false;  // a user or assistant message was seen
};

}  // namespace

std::optional<ApiError> anthropic_request_to_openai(std::string_view body, const AnthropicRequestOptions& opts,
                                                    json::Document& out, AnthropicRequestFacts& facts) {
    StackDocument req;
    if (auto f = json::parse(body, req)) return ApiError::bad_request("request body: " + json::describe(*f));
    facts.conversation = read_conversation(req);
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
    if (t.error) return t;
    t.body = json::to_string(out);
    if (opts.read_tokens) t.tokens = read_token_facts(out);
    return t;
}

}  // namespace llmgw
