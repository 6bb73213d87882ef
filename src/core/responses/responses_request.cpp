#include "core/responses/responses_request.h"

#include <algorithm>
#include <set>

#include "core/api/request_fields.h"
#include "core/json/stack_document.h"
#include "core/responses/responses_output.h"
#include "core/responses/responses_table.h"

namespace llmgw {

using json::Alloc;
using json::Value;
using namespace reqfield;

namespace {

constexpr std::string_view kReasoningEfforts[] = {"none", "minimal", "low", "medium", "high", "xhigh"};
constexpr std::string_view kCustomInputArgument = "input";

std::string got(const Value& v) { return ", got " + std::string(json::type_name(v)); }

// The chat message list as it is built: system text first (instructions and the system/developer
// messages that come before the conversation), then the conversation in order.
class Conversation {
public:
    explicit Conversation(Alloc& a) : a_(a) {}

    void system(std::string_view text) {
        if (text.empty()) return;
        if (!started_) {
            if (!system_.empty()) system_ += "\n\n";
            system_ += text;
            return;
        }
        // Many chat templates (Qwen3's among them) refuse a system message anywhere but first.
        push_plain("user", text);
    }

    void push_plain(std::string_view role, std::string_view text) {
        Value m(rapidjson::kObjectType);
        json::add_str(m, "role", role, a_);
        json::add_str(m, "content", text, a_);
        push(std::move(m), false);
    }

    void push_content(std::string_view role, Value content) {
        Value m(rapidjson::kObjectType);
        json::add_str(m, "role", role, a_);
        m.AddMember("content", content, a_);
        push(std::move(m), false);
    }

    // Assistant text, opening an assistant message that following tool calls join.
    void assistant_text(std::string text) {
        Value m(rapidjson::kObjectType);
        m.AddMember("role", "assistant", a_);
        json::add_str(m, "content", text, a_);
        push(std::move(m), true);
        assistant_open_ = true;
    }

    // A tool call joins the open assistant message, or opens one.
    void tool_call(std::string_view call_id, std::string_view runtime_name, std::string_view arguments) {
        if (!assistant_open_) {
            Value m(rapidjson::kObjectType);
            m.AddMember("role", "assistant", a_);
            m.AddMember("content", Value(rapidjson::kNullType), a_);
            push(std::move(m), true);
            assistant_open_ = true;
        }
        Value& m = msgs_[msgs_.Size() - 1];
        if (!m.HasMember("tool_calls")) m.AddMember("tool_calls", Value(rapidjson::kArrayType), a_);
        Value fn(rapidjson::kObjectType);
        json::add_str(fn, "name", runtime_name, a_);
        json::add_str(fn, "arguments", arguments, a_);
        Value call(rapidjson::kObjectType);
        json::add_str(call, "id", call_id, a_);
        call.AddMember("type", "function", a_);
        call.AddMember("function", fn, a_);
        m["tool_calls"].PushBack(call, a_);
    }

    // Tool messages follow their assistant message directly; images they carry come after them.
    void tool_output(std::string_view call_id, std::string_view text, Value images) {
        Value m(rapidjson::kObjectType);
        m.AddMember("role", "tool", a_);
        json::add_str(m, "tool_call_id", call_id, a_);
        json::add_str(m, "content", text, a_);
        flush_assistant();
        started_ = true;
        msgs_.PushBack(m, a_);
        for (auto& img : images.GetArray()) carried_images_.PushBack(Value(img, a_), a_);
    }

    void reasoning(std::string_view text) {
        assistant_open_ = false;
        if (!pending_reasoning_.empty() && !text.empty()) pending_reasoning_ += "\n\n";
        pending_reasoning_ += text;
    }

    // Nothing the runtime could answer: no system text, no message.
    bool empty() const { return system_.empty() && msgs_.Empty() && carried_images_.Empty(); }

    Value finish() {
        flush_images();
        Value out(rapidjson::kArrayType);
        if (!system_.empty()) {
            Value m(rapidjson::kObjectType);
            m.AddMember("role", "system", a_);
            json::add_str(m, "content", system_, a_);
            out.PushBack(m, a_);
        }
        for (auto& m : msgs_.GetArray()) out.PushBack(m, a_);
        return out;
    }

private:
    void flush_assistant() { assistant_open_ = false; }

    void flush_images() {
        if (carried_images_.Empty()) return;
        Value m(rapidjson::kObjectType);
        m.AddMember("role", "user", a_);
        m.AddMember("content", carried_images_, a_);
        carried_images_ = Value(rapidjson::kArrayType);
        msgs_.PushBack(m, a_);
    }

    // Reasoning restored from earlier reasoning items goes with the next assistant message.
    void push(Value m, bool assistant) {
        flush_images();
        assistant_open_ = false;
        started_ = true;
        if (assistant && !pending_reasoning_.empty()) {
            json::add_str(m, "reasoning_content", pending_reasoning_, a_);
            pending_reasoning_.clear();
        }
        msgs_.PushBack(m, a_);
    }

    Alloc& a_;
    Value msgs_{rapidjson::kArrayType};
    Value carried_images_{rapidjson::kArrayType};
    std::string system_;
    std::string pending_reasoning_;
    bool started_ = false;
    bool assistant_open_ = false;
};

class Translator {
public:
    Translator(const ResponsesRequestOptions& o, json::Document& out, ResponsesRequestFacts& f)
        : opts_(o), out_(out), a_(out.GetAllocator()), facts_(f), convo_(a_) {}

    void run(const Value& req) {
        if (!req.IsObject()) fail("", "request body must be a JSON object" + got(req));
        out_.SetObject();
        check_fields(req);
        facts_.model = std::string(need_str(req, "", "model"));
        if (facts_.model.empty()) fail("model", "must not be empty");
        json::add_str(out_, "model", facts_.model, a_);

        Value tools = read_tools(req);
        if (auto instr = opt_str(req, "", "instructions")) convo_.system(*instr);
        previous_items();
        input(req);
        if (convo_.empty()) fail("input", "no message for the runtime to answer (reasoning items alone say nothing)");
        out_.AddMember("messages", convo_.finish(), a_);

        sampling(req);
        reasoning(req);
        text_format(req);
        tool_choice(req, tools);
        stream(req);
        include(req);
        echo(req);
    }

private:
    // ---- the table --------------------------------------------------------------------------
    void check_fields(const Value& req) {
        for (auto& m : req.GetObject()) {
            std::string_view name = json::sv(m.name);
            if (m.value.IsNull()) continue;
            const ResponsesTableRow* row = responses_rule(ResponsesScope::Field, name);
            if (!row || row->rule == ResponsesRule::Ignored) {
                facts_.ignored_fields.emplace_back(name);
            } else if (row->rule == ResponsesRule::Refused) {
                if (m.value.IsFalse()) continue;  // background: false asks for nothing
                fail(std::string(name), std::string(row->how));
            }
        }
    }

    // ---- tools --------------------------------------------------------------------------------
    void drop_tool(std::string_view type) {
        if (std::find(facts_.dropped_tools.begin(), facts_.dropped_tools.end(), type) == facts_.dropped_tools.end())
            facts_.dropped_tools.emplace_back(type);
    }

    Value function_tool(std::string_view runtime_name, std::optional<std::string_view> description, Value params) {
        Value fn(rapidjson::kObjectType);
        json::add_str(fn, "name", runtime_name, a_);
        if (description) json::add_str(fn, "description", *description, a_);
        fn.AddMember("parameters", params, a_);
        Value tool(rapidjson::kObjectType);
        tool.AddMember("type", "function", a_);
        tool.AddMember("function", fn, a_);
        return tool;
    }

    const std::string& register_tool(std::string_view ns, std::string_view name, ResponsesToolKind kind,
                                     const std::string& p) {
        if (facts_.tools.size() >= kMaxResponsesTools)
            fail(p, "more than " + std::to_string(kMaxResponsesTools) + " tools");
        return facts_.tools.add(ns, name, kind);
    }

    // One tool definition; `ns` non-empty inside a namespace group.
    void tool(const Value& t, const std::string& p, std::string_view ns, Value& out) {
        need_obj(t, p);
        auto type = need_str(t, p, "type");
        const ResponsesTableRow* row = responses_rule(ResponsesScope::Tool, type);
        if (!row || row->rule == ResponsesRule::Dropped) {
            drop_tool(type);
            return;
        }
        if (type == "namespace") {
            if (!ns.empty()) fail(at(p, "type"), "namespaces do not nest");
            auto name = need_str(t, p, "name");
            if (name.empty()) fail(at(p, "name"), "must not be empty");
            const Value& group = need_array(need(t, p, "tools"), at(p, "tools"));
            for (rapidjson::SizeType i = 0; i < group.Size(); ++i) tool(group[i], at(at(p, "tools"), i), name, out);
            return;
        }
        auto name = need_str(t, p, "name");
        if (name.empty()) fail(at(p, "name"), "must not be empty");
        auto description = opt_str(t, p, "description");
        if (type == "function") {
            const std::string& rn = register_tool(ns, name, ResponsesToolKind::Function, p);
            Value params(rapidjson::kObjectType);
            if (const Value* ps = json::get(t, "parameters")) {
                params = Value(need_obj(*ps, at(p, "parameters")), a_);
            } else {  // a function without parameters takes none
                params.AddMember("type", "object", a_);
                params.AddMember("properties", Value(rapidjson::kObjectType), a_);
            }
            out.PushBack(function_tool(rn, description, std::move(params)), a_);
            return;
        }
        // custom: freeform text input, as a function with one string argument.
        const std::string& rn = register_tool(ns, name, ResponsesToolKind::Custom, p);
        std::string desc(description.value_or(""));
        if (const Value* f = json::get(t, "format")) {
            std::string fp = at(p, "format");
            need_obj(*f, fp);
            auto ftype = need_str(*f, fp, "type");
            if (ftype == "grammar") {
                auto syntax = need_str(*f, fp, "syntax");
                auto definition = need_str(*f, fp, "definition");
                if (!desc.empty()) desc += "\n\n";
                desc.append("The `input` argument must match this ").append(syntax).append(" grammar:\n").append(definition);
            } else if (ftype != "text") {
                fail(at(fp, "type"), "expected 'text' or 'grammar', got '" + std::string(ftype) + "'");
            }
        }
        Value input(rapidjson::kObjectType);
        input.AddMember("type", "string", a_);
        input.AddMember("description", "The tool's freeform input.", a_);
        Value props(rapidjson::kObjectType);
        json::add(props, kCustomInputArgument, std::move(input), a_);
        Value required(rapidjson::kArrayType);
        required.PushBack(json::str(kCustomInputArgument, a_), a_);
        Value params(rapidjson::kObjectType);
        params.AddMember("type", "object", a_);
        params.AddMember("properties", props, a_);
        params.AddMember("required", required, a_);
        params.AddMember("additionalProperties", false, a_);
        out.PushBack(function_tool(rn, desc.empty() ? std::nullopt : std::optional<std::string_view>(desc), std::move(params)), a_);
    }

    Value read_tools(const Value& req) {
        Value out(rapidjson::kArrayType);
        const Value* tools = json::get(req, "tools");
        if (!tools) return out;
        need_array(*tools, "tools");
        for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) tool((*tools)[i], at("tools", i), {}, out);
        return out;
    }

    // ---- input items ----------------------------------------------------------------------------
    void previous_items() {
        if (opts_.previous_items.empty()) return;
        previous_.emplace();
        if (auto f = json::parse(opts_.previous_items, *previous_))
            fail("previous_response_id", "the stored conversation is unreadable: " + json::describe(*f));
        need_array(*previous_, "previous_response_id");
        for (rapidjson::SizeType i = 0; i < previous_->Size(); ++i)
            item((*previous_)[i], at("previous_response_id", i));
    }

    void input(const Value& req) {
        const Value& in = need(req, "", "input");
        Value items(rapidjson::kArrayType);
        if (in.IsString()) {
            convo_.push_plain("user", json::sv(in));
            Value part(rapidjson::kObjectType);
            part.AddMember("type", "input_text", a_);
            part.AddMember("text", Value(in, a_), a_);
            Value content(rapidjson::kArrayType);
            content.PushBack(part, a_);
            Value m(rapidjson::kObjectType);
            m.AddMember("type", "message", a_);
            m.AddMember("role", "user", a_);
            m.AddMember("content", content, a_);
            items.PushBack(m, a_);
        } else if (in.IsArray()) {
            if (in.Empty() && opts_.previous_items.empty()) fail("input", "at least one item is required");
            for (rapidjson::SizeType i = 0; i < in.Size(); ++i) {
                item(in[i], at("input", i));
                Value copy(in[i], a_);
                if (!json::get(copy, "type")) copy.AddMember("type", "message", a_);
                items.PushBack(copy, a_);
            }
        } else {
            fail("input", "expected a string or an array of items" + got(in));
        }
        for (rapidjson::SizeType i = 0; i < items.Size(); ++i)
            if (!json::get(items[i], "id")) json::add_str(items[i], "id", make_item_id("item", opts_.id_seed, i), a_);
        facts_.input_items = json::to_string(items);
    }

    void item(const Value& it, const std::string& p) {
        need_obj(it, p);
        // An item without a type but with a role is a message (the "easy input message").
        std::string_view type = "message";
        if (json::get(it, "type") || !json::get(it, "role")) type = need_str(it, p, "type");
        const ResponsesTableRow* row = responses_rule(ResponsesScope::Item, type);
        if (!row) fail(at(p, "type"), "unknown item type '" + std::string(type) + "'");
        if (row->rule == ResponsesRule::Refused) fail(at(p, "type"), "'" + std::string(type) + "': " + std::string(row->how));
        if (type == "message") message(it, p);
        else if (type == "function_call") function_call(it, p, false);
        else if (type == "custom_tool_call") function_call(it, p, true);
        else if (type == "function_call_output" || type == "custom_tool_call_output") call_output(it, p);
        else reasoning_item(it, p);
    }

    Value image_part(const Value& part, const std::string& p) {
        if (json::get(part, "file_id")) fail(at(p, "file_id"), "file ids are not supported; send image_url");
        auto url = need_str(part, p, "image_url");
        Value iu(rapidjson::kObjectType);
        json::add_str(iu, "url", url, a_);
        if (auto detail = opt_str(part, p, "detail"); detail && *detail != "auto") json::add_str(iu, "detail", *detail, a_);
        Value out(rapidjson::kObjectType);
        out.AddMember("type", "image_url", a_);
        out.AddMember("image_url", iu, a_);
        return out;
    }

    // A content part's rule from the table; refused parts fail here.
    std::string_view part_type(const Value& part, const std::string& p) {
        need_obj(part, p);
        auto type = need_str(part, p, "type");
        const ResponsesTableRow* row = responses_rule(ResponsesScope::Part, type);
        if (!row) fail(at(p, "type"), "unknown content part type '" + std::string(type) + "'");
        if (row->rule == ResponsesRule::Refused) fail(at(p, "type"), "'" + std::string(type) + "': " + std::string(row->how));
        return type;
    }

    static void join(std::string& into, std::string_view text) {
        if (!into.empty()) into += "\n\n";
        into += text;
    }

    void message(const Value& m, const std::string& p) {
        auto role = need_str(m, p, "role");
        const Value& content = need(m, p, "content");
        std::string cp = at(p, "content");
        bool system = role == "system" || role == "developer";
        if (role != "user" && role != "assistant" && !system)
            fail(at(p, "role"), "unknown role '" + std::string(role) + "' (expected user, assistant, system or developer)");
        if (content.IsString()) {
            if (system) convo_.system(json::sv(content));
            else if (role == "assistant") convo_.assistant_text(std::string(json::sv(content)));
            else convo_.push_plain("user", json::sv(content));
            return;
        }
        if (!content.IsArray()) fail(cp, "expected a string or an array of content parts" + got(content));
        std::string text;
        Value parts(rapidjson::kArrayType);  // text and image parts in order, when there are images
        bool has_image = false;
        for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
            std::string pp = at(cp, i);
            auto type = part_type(content[i], pp);
            if (type == "input_image") {
                if (role != "user") fail(at(pp, "type"), "images are only valid in user messages");
                parts.PushBack(image_part(content[i], pp), a_);
                has_image = true;
                continue;
            }
            std::string_view t = need_str(content[i], pp, type == "refusal" ? "refusal" : "text");
            join(text, t);
            Value tp(rapidjson::kObjectType);
            tp.AddMember("type", "text", a_);
            json::add_str(tp, "text", t, a_);
            parts.PushBack(tp, a_);
        }
        if (system) convo_.system(text);
        else if (role == "assistant") convo_.assistant_text(std::move(text));
        else if (has_image) convo_.push_content("user", std::move(parts));
        else convo_.push_plain("user", text);
    }

    void function_call(const Value& it, const std::string& p, bool custom) {
        auto call_id = need_str(it, p, "call_id");
        if (call_id.empty()) fail(at(p, "call_id"), "must not be empty");
        auto name = need_str(it, p, "name");
        auto ns = opt_str(it, p, "namespace").value_or("");
        std::string arguments;
        if (custom) {
            auto input = need_str(it, p, "input");
            StackDocument d(rapidjson::kObjectType);
            json::add_str(d, kCustomInputArgument, input, d.GetAllocator());
            arguments = json::to_string(d);
        } else {
            arguments = need_str(it, p, "arguments");
        }
        call_ids_.insert(std::string(call_id));
        convo_.tool_call(call_id, facts_.tools.runtime_name(ns, name), arguments);
    }

    void call_output(const Value& it, const std::string& p) {
        auto call_id = need_str(it, p, "call_id");
        if (!call_ids_.count(std::string(call_id)))
            fail(at(p, "call_id"), "no earlier function_call or custom_tool_call has call_id '" + std::string(call_id) + "'");
        const Value& output = need(it, p, "output");
        std::string op = at(p, "output");
        std::string text;
        Value images(rapidjson::kArrayType);
        if (output.IsString()) {
            text = json::sv(output);
        } else if (output.IsArray()) {
            for (rapidjson::SizeType i = 0; i < output.Size(); ++i) {
                std::string pp = at(op, i);
                auto type = part_type(output[i], pp);
                if (type == "input_image") {
                    // Tool messages carry text only: the image follows in a user message.
                    images.PushBack(image_part(output[i], pp), a_);
                    join(text, "[image attached below]");
                } else {
                    join(text, need_str(output[i], pp, type == "refusal" ? "refusal" : "text"));
                }
            }
        } else {
            fail(op, "expected a string or an array of content parts" + got(output));
        }
        convo_.tool_output(call_id, text, std::move(images));
    }

    // Texts of a reasoning item's `content` (reasoning_text) or `summary` (summary_text) parts.
    static std::string part_texts(const Value* parts) {
        std::string out;
        if (parts && parts->IsArray())
            for (auto& part : parts->GetArray())
                if (auto t = json::get_str(part, "text")) join(out, *t);
        return out;
    }

    void reasoning_item(const Value& it, const std::string& p) {
        std::string text;
        if (auto sealed = opt_str(it, p, "encrypted_content"); sealed && opts_.unseal)
            if (auto restored = opts_.unseal(*sealed)) text = std::move(*restored);
        if (text.empty()) text = part_texts(json::get(it, "content"));
        if (text.empty()) text = part_texts(json::get(it, "summary"));
        convo_.reasoning(text);
    }

    // ---- parameters ------------------------------------------------------------------------------
    void number(const Value& req, std::string_view key) {
        const Value* v = json::get(req, key);
        if (!v) return;
        if (!v->IsNumber()) fail(std::string(key), "expected a number" + got(*v));
        json::add(out_, key, Value(*v, a_), a_);
    }

    void sampling(const Value& req) {
        if (const Value* mt = json::get(req, "max_output_tokens")) {
            auto n = json::as_int(*mt);
            if (!n) fail("max_output_tokens", "expected an integer" + got(*mt));
            if (*n < 1) fail("max_output_tokens", "must be at least 1");
            facts_.max_output_tokens = *n;
            if (opts_.max_tokens_cap > 0 && *n > opts_.max_tokens_cap) {
                facts_.max_output_tokens = opts_.max_tokens_cap;
                facts_.max_output_tokens_clamped = true;
            }
            out_.AddMember("max_tokens", Value(static_cast<int64_t>(facts_.max_output_tokens)), a_);
        } else if (opts_.max_tokens_cap > 0) {
            // Agents (Codex) send no limit: the operator's cap is the most a request may generate.
            facts_.max_output_tokens = opts_.max_tokens_cap;
            out_.AddMember("max_tokens", Value(static_cast<int64_t>(opts_.max_tokens_cap)), a_);
        }
        number(req, "temperature");
        number(req, "top_p");
        if (auto user = opt_str(req, "", "user"); user && !user->empty()) json::add_str(out_, "user", *user, a_);
    }

    void reasoning(const Value& req) {
        const Value* r = json::get(req, "reasoning");
        if (!r) return;
        need_obj(*r, "reasoning");
        if (auto effort = opt_str(*r, "reasoning", "effort")) {
            bool known = false;
            for (auto e : kReasoningEfforts) known |= e == *effort;
            if (!known)
                fail("reasoning.effort", "expected none, minimal, low, medium, high or xhigh, got '" + std::string(*effort) + "'");
            json::add_str(out_, "reasoning_effort", *effort, a_);
            if (opts_.profile.thinking == ThinkingStyle::ChatTemplateKwargs) {
                Value kw(rapidjson::kObjectType);
                kw.AddMember("enable_thinking", *effort != "none", a_);
                out_.AddMember("chat_template_kwargs", kw, a_);
            }
        }
        for (std::string_view key : {"summary", "generate_summary"})
            if (auto s = opt_str(*r, "reasoning", key)) facts_.reasoning_summary |= *s != "none";
    }

    void text_format(const Value& req) {
        const Value* t = json::get(req, "text");
        if (!t) return;
        need_obj(*t, "text");
        const Value* f = json::get(*t, "format");
        if (!f) return;
        need_obj(*f, "text.format");
        auto type = need_str(*f, "text.format", "type");
        if (type == "text") return;
        Value rf(rapidjson::kObjectType);
        if (type == "json_object") {
            rf.AddMember("type", "json_object", a_);
        } else if (type == "json_schema") {
            Value js(rapidjson::kObjectType);
            json::add_str(js, "name", need_str(*f, "text.format", "name"), a_);
            js.AddMember("schema", Value(need_obj(need(*f, "text.format", "schema"), "text.format.schema"), a_), a_);
            if (auto d = opt_str(*f, "text.format", "description")) json::add_str(js, "description", *d, a_);
            if (auto s = opt_bool(*f, "text.format", "strict")) js.AddMember("strict", *s, a_);
            rf.AddMember("type", "json_schema", a_);
            rf.AddMember("json_schema", js, a_);
        } else {
            fail("text.format.type", "expected text, json_object or json_schema, got '" + std::string(type) + "'");
        }
        out_.AddMember("response_format", rf, a_);
    }

    // The runtime name a tool_choice {type, name, namespace?} forces; it must be declared.
    std::string forced_tool(const Value& tc, const std::string& p) {
        auto name = need_str(tc, p, "name");
        auto ns = opt_str(tc, p, "namespace").value_or("");
        std::string rn = facts_.tools.runtime_name(ns, name);
        if (!facts_.tools.by_runtime_name(rn)) fail(at(p, "name"), "no tool named '" + std::string(name) + "' in tools");
        return rn;
    }

    void tool_choice(const Value& req, Value& tools) {
        auto parallel = opt_bool(req, "", "parallel_tool_calls");
        Value choice;  // null: none sent
        if (const Value* tc = json::get(req, "tool_choice")) {
            if (tc->IsString()) {
                auto s = json::sv(*tc);
                if (s != "auto" && s != "none" && s != "required")
                    fail("tool_choice", "expected auto, none or required, got '" + std::string(s) + "'");
                choice = Value(*tc, a_);
            } else {
                need_obj(*tc, "tool_choice");
                auto type = need_str(*tc, "tool_choice", "type");
                if (type == "function" || type == "custom") {
                    Value fn(rapidjson::kObjectType);
                    json::add_str(fn, "name", forced_tool(*tc, "tool_choice"), a_);
                    choice.SetObject();
                    choice.AddMember("type", "function", a_);
                    choice.AddMember("function", fn, a_);
                } else if (type == "allowed_tools") {
                    auto mode = need_str(*tc, "tool_choice", "mode");
                    if (mode != "auto" && mode != "required")
                        fail("tool_choice.mode", "expected auto or required, got '" + std::string(mode) + "'");
                    const Value& allowed = need_array(need(*tc, "tool_choice", "tools"), "tool_choice.tools");
                    std::set<std::string> keep;
                    for (rapidjson::SizeType i = 0; i < allowed.Size(); ++i) {
                        std::string ap = at("tool_choice.tools", i);
                        need_obj(allowed[i], ap);
                        if (json::get(allowed[i], "name")) keep.insert(forced_tool(allowed[i], ap));
                    }
                    Value kept(rapidjson::kArrayType);
                    for (auto& t : tools.GetArray())
                        if (keep.count(std::string(json::sv(t["function"]["name"])))) kept.PushBack(t, a_);
                    tools = std::move(kept);
                    choice = json::str(mode, a_);
                } else {
                    fail("tool_choice.type", "'" + std::string(type) + "' is a hosted tool this runtime cannot run");
                }
            }
        }
        // A tool_choice or parallel_tool_calls without tools is a runtime 400: sent only with tools.
        if (tools.Empty()) return;
        out_.AddMember("tools", tools, a_);
        if (!choice.IsNull()) out_.AddMember("tool_choice", choice, a_);
        if (parallel) out_.AddMember("parallel_tool_calls", *parallel, a_);
    }

    void stream(const Value& req) {
        facts_.stream = opt_bool(req, "", "stream").value_or(false);
        if (!facts_.stream) return;
        out_.AddMember("stream", true, a_);
        if (opts_.stream_usage && opts_.profile.stream_usage) {
            Value so(rapidjson::kObjectType);
            so.AddMember("include_usage", true, a_);
            out_.AddMember("stream_options", so, a_);
        }
    }

    void include(const Value& req) {
        const Value* inc = json::get(req, "include");
        if (!inc) return;
        need_array(*inc, "include");
        for (rapidjson::SizeType i = 0; i < inc->Size(); ++i) {
            if (!(*inc)[i].IsString()) fail(at("include", i), "expected a string" + got((*inc)[i]));
            std::string_view v = json::sv((*inc)[i]);
            const ResponsesTableRow* row = responses_rule(ResponsesScope::Include, v);
            if (row && row->rule == ResponsesRule::Mapped) facts_.include_encrypted_reasoning = true;
            else facts_.ignored_fields.push_back("include:" + std::string(v));
        }
    }

    // The request parameters the response object repeats, with the API's defaults.
    void echo(const Value& req) {
        StackDocument e(rapidjson::kObjectType);
        auto& a = e.GetAllocator();
        auto copy = [&](std::string_view key, Value fallback) {
            const Value* v = json::get(req, key);
            json::add(e, key, v ? Value(*v, a) : std::move(fallback), a);
        };
        if (auto instr = opt_str(req, "", "instructions")) json::add_str(e, "instructions", *instr, a);
        else e.AddMember("instructions", Value(rapidjson::kNullType), a);
        if (facts_.max_output_tokens > 0) e.AddMember("max_output_tokens", Value(static_cast<int64_t>(facts_.max_output_tokens)), a);
        else e.AddMember("max_output_tokens", Value(rapidjson::kNullType), a);
        if (const Value* md = json::get(req, "metadata")) need_obj(*md, "metadata");
        copy("metadata", Value(rapidjson::kObjectType));
        copy("parallel_tool_calls", Value(true));
        facts_.store = opt_bool(req, "", "store").value_or(true);
        facts_.previous_response_id = opt_str(req, "", "previous_response_id").value_or("");
        copy("previous_response_id", Value(rapidjson::kNullType));
        Value reasoning(rapidjson::kObjectType);
        const Value* r = json::get(req, "reasoning");
        const Value* effort = r ? json::get(*r, "effort") : nullptr;
        const Value* summary = r ? json::get(*r, "summary") : nullptr;
        reasoning.AddMember("effort", effort ? Value(*effort, a) : Value(rapidjson::kNullType), a);
        reasoning.AddMember("summary", summary ? Value(*summary, a) : Value(rapidjson::kNullType), a);
        e.AddMember("reasoning", reasoning, a);
        e.AddMember("store", facts_.store, a);
        copy("temperature", Value(1.0));
        Value text(rapidjson::kObjectType);
        Value format(rapidjson::kObjectType);
        format.AddMember("type", "text", a);
        text.AddMember("format", format, a);
        copy("text", std::move(text));
        copy("tool_choice", Value("auto"));
        copy("tools", Value(rapidjson::kArrayType));
        copy("top_p", Value(1.0));
        copy("truncation", Value("disabled"));
        copy("user", Value(rapidjson::kNullType));
        facts_.response_echo = json::to_string(e);
    }

    const ResponsesRequestOptions& opts_;
    json::Document& out_;
    Alloc& a_;
    ResponsesRequestFacts& facts_;
    Conversation convo_;
    std::set<std::string> call_ids_;
    std::optional<json::Document> previous_;  // owns the strings of prepended items while translating
};

}  // namespace

ResponsesRequestTranslation translate_responses_request(std::string_view body, const ResponsesRequestOptions& opts) {
    ResponsesRequestTranslation t;
    StackDocument req;
    if (auto f = json::parse(body, req)) {
        t.error = ApiError::bad_request("request body: " + json::describe(*f));
        return t;
    }
    StackDocument out;
    try {
        Translator(opts, out, t.facts).run(req);
    } catch (const Invalid& e) {
        t.error = to_api_error(e);
        return t;
    }
    t.body = json::to_string(out);
    if (opts.read_tokens) t.tokens = read_token_facts(out);
    return t;
}

}  // namespace llmgw
