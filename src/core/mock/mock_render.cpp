// Wire formatting of a Plan for /v1/chat/completions and /v1/completions, per profile (mock_wire.h).
#include <functional>

#include "core/mock/mock_engine.h"
#include "core/mock/mock_json.h"
#include "core/mock/mock_plan.h"
#include "core/mock/mock_text.h"

namespace llmgw::mock {

namespace {
using jw::key;
using jw::kv;
using jw::str;
using W = jw::Writer;
using DeltaFn = std::function<void(W&)>;

std::string response_id(BackendKind k, bool chat, uint64_t seed) {
    switch (k) {
        case BackendKind::LlamaCpp: return "chatcmpl-" + alnum_id(seed, 32);  // also for completions
        case BackendKind::Ollama: return (chat ? "chatcmpl-" : "cmpl-") + std::to_string(seed % 1000);
        case BackendKind::TGI: return "";
        default: return (chat ? "chatcmpl-" : "cmpl-") + hex_id(seed, 32);
    }
}

struct Ctx {
    const Options& opt;
    const Wire& wire;
    const Plan& plan;
    std::string id;
};

void envelope(W& w, const Ctx& c, std::string_view object) {
    kv(w, "id", c.id);
    kv(w, "object", object);
    kv(w, "created", c.opt.created);
    kv(w, "model", c.plan.model);
    if (!c.wire.system_fingerprint.empty()) kv(w, "system_fingerprint", c.wire.system_fingerprint);
}

void usage(W& w, const Ctx& c) {
    key(w, "usage");
    w.StartObject();
    kv(w, "prompt_tokens", c.plan.prompt_tokens);
    kv(w, "completion_tokens", c.plan.completion_tokens);
    kv(w, "total_tokens", c.plan.prompt_tokens + c.plan.completion_tokens);
    if (c.wire.timings || c.plan.cached_tokens > 0) {
        key(w, "prompt_tokens_details");
        w.StartObject();
        kv(w, "cached_tokens", c.plan.cached_tokens);
        w.EndObject();
    }
    w.EndObject();
}

// llama.cpp's per-request timings, consistent with the pacing the server applies.
void timings(W& w, const Ctx& c) {
    double prompt_ms = std::max(1, c.opt.ttft_ms);
    double predicted_ms = std::max(1, c.opt.itl_ms * std::max(1, c.plan.completion_tokens));
    int pn = std::max(1, c.plan.prompt_tokens), cn = std::max(1, c.plan.completion_tokens);
    key(w, "timings");
    w.StartObject();
    kv(w, "cache_n", c.plan.cached_tokens);  // llama.cpp: prompt_tokens = cache_n + prompt_n
    kv(w, "prompt_n", c.plan.prompt_tokens - c.plan.cached_tokens);
    key(w, "prompt_ms"), w.Double(prompt_ms);
    key(w, "prompt_per_token_ms"), w.Double(prompt_ms / pn);
    key(w, "prompt_per_second"), w.Double(1000.0 * pn / prompt_ms);
    kv(w, "predicted_n", c.plan.completion_tokens);
    key(w, "predicted_ms"), w.Double(predicted_ms);
    key(w, "predicted_per_token_ms"), w.Double(predicted_ms / cn);
    key(w, "predicted_per_second"), w.Double(1000.0 * cn / predicted_ms);
    w.EndObject();
}

void finish_reason(W& w, const Ctx& c, std::string_view finish) {
    if (!finish.empty()) kv(w, "finish_reason", finish);
    else if (!c.wire.omit_nulls) key(w, "finish_reason"), w.Null();
}

void stop_reason(W& w, const Ctx& c) {
    key(w, "stop_reason");
    if (c.plan.stop_hit) str(w, *c.plan.stop_hit);
    else w.Null();
}

std::string usage_chunk(const Ctx& c, std::string_view object) {
    rapidjson::StringBuffer sb;
    W w(sb);
    w.StartObject();
    envelope(w, c, object);
    key(w, "choices");
    w.StartArray();
    w.EndArray();
    usage(w, c);
    if (c.wire.timings) timings(w, c);
    w.EndObject();
    return jw::text(sb);
}

// ---- chat ----

void tool_function(W& w, const ToolCallPlan& t, bool args_object) {
    key(w, "function");
    w.StartObject();
    kv(w, "name", t.name);
    key(w, "arguments");
    if (args_object) jw::raw(w, t.arguments);
    else str(w, t.arguments);
    w.EndObject();
}

std::string chat_chunk(const Ctx& c, const DeltaFn& delta, std::string_view finish, bool last) {
    rapidjson::StringBuffer sb;
    W w(sb);
    w.StartObject();
    envelope(w, c, "chat.completion.chunk");
    key(w, "choices");
    w.StartArray();
    w.StartObject();
    kv(w, "index", 0);
    key(w, "delta");
    w.StartObject();
    delta(w);
    w.EndObject();
    if (c.wire.chat_logprobs_null) key(w, "logprobs"), w.Null();
    finish_reason(w, c, finish);
    if (c.wire.stop_reason && !finish.empty()) stop_reason(w, c);
    w.EndObject();
    w.EndArray();
    if (last && c.wire.timings && !c.plan.include_usage) timings(w, c);
    w.EndObject();
    return jw::text(sb);
}

// The deltas of a chat stream, in order, before finish placement.
std::vector<DeltaFn> chat_deltas(const Ctx& c) {
    const Wire& wire = c.wire;
    const Plan& p = c.plan;
    auto role = [&wire](W& w) { if (wire.role_on_every_delta) kv(w, "role", "assistant"); };
    std::vector<DeltaFn> out;
    if (wire.role_chunk)
        out.push_back([&wire](W& w) {
            kv(w, "role", "assistant");
            key(w, "content");
            if (wire.role_chunk_content_null) w.Null();
            else str(w, "");
        });
    for (auto& r : p.reasoning)
        out.push_back([&wire, role, &r](W& w) {
            role(w);
            if (wire.role_on_every_delta) kv(w, "content", "");
            kv(w, wire.reasoning_field, r);
        });
    if (!p.tool) {
        for (auto& piece : p.content)
            out.push_back([&, role](W& w) {
                role(w);
                kv(w, "content", piece);
                if (wire.empty_tool_calls && p.tools_offered) key(w, "tool_calls"), w.StartArray(), w.EndArray();
            });
        return out;
    }
    const ToolCallPlan& t = *p.tool;
    switch (wire.tool_stream) {
        case ToolStream::Whole:
            out.push_back([&, role](W& w) {
                role(w);
                kv(w, "content", "");
                key(w, "tool_calls");
                w.StartArray();
                w.StartObject();
                kv(w, "id", t.id);
                kv(w, "index", 0);
                kv(w, "type", "function");
                tool_function(w, t, false);
                w.EndObject();
                w.EndArray();
            });
            break;
        case ToolStream::ObjectFragments:
            // TGI#2794: an object, not an array; id "" and name null after the first chunk.
            for (size_t i = 0; i <= t.fragments.size(); ++i)
                out.push_back([&, role, i](W& w) {
                    role(w);
                    key(w, "tool_calls");
                    w.StartObject();
                    kv(w, "index", 0);
                    kv(w, "id", i == 0 ? t.id : "");
                    kv(w, "type", "function");
                    key(w, "function");
                    w.StartObject();
                    key(w, "name");
                    if (i == 0) str(w, t.name);
                    else w.Null();
                    kv(w, "arguments", i == 0 ? std::string_view() : std::string_view(t.fragments[i - 1]));
                    w.EndObject();
                    w.EndObject();
                });
            break;
        case ToolStream::IdNameThenArgs:
        case ToolStream::IdNameWithFirstArg: {
            bool with_first = wire.tool_stream == ToolStream::IdNameWithFirstArg && !t.fragments.empty();
            out.push_back([&, with_first](W& w) {
                key(w, "tool_calls");
                w.StartArray();
                w.StartObject();
                kv(w, "index", 0);
                kv(w, "id", t.id);
                kv(w, "type", "function");
                key(w, "function");
                w.StartObject();
                kv(w, "name", t.name);
                if (with_first) kv(w, "arguments", t.fragments[0]);
                w.EndObject();
                w.EndObject();
                w.EndArray();
            });
            for (size_t i = with_first ? 1 : 0; i < t.fragments.size(); ++i)
                out.push_back([&, i](W& w) {
                    key(w, "tool_calls");
                    w.StartArray();
                    w.StartObject();
                    kv(w, "index", 0);
                    key(w, "function");
                    w.StartObject();
                    kv(w, "arguments", t.fragments[i]);
                    w.EndObject();
                    w.EndObject();
                    w.EndArray();
                });
            break;
        }
    }
    return out;
}

std::vector<std::string> chat_stream(const Ctx& c) {
    std::vector<DeltaFn> deltas = chat_deltas(c);
    std::string_view finish = c.plan.tool ? c.wire.tool_stream_finish : std::string_view(c.plan.finish);
    size_t first_piece = c.wire.role_chunk ? 1 : 0;
    bool ride = c.wire.finish_on_last_piece && deltas.size() > first_piece;
    std::vector<std::string> events;
    for (size_t i = 0; i < deltas.size(); ++i) {
        bool last = ride && i + 1 == deltas.size();
        events.push_back(chat_chunk(c, deltas[i], last ? finish : std::string_view(), last));
    }
    if (!ride) {
        const Wire& wire = c.wire;
        events.push_back(chat_chunk(c, [&wire](W& w) {
            if (wire.role_on_every_delta) kv(w, "role", "assistant"), kv(w, "content", "");
        }, finish, true));
    }
    if (c.plan.include_usage) events.push_back(usage_chunk(c, "chat.completion.chunk"));
    events.emplace_back("[DONE]");
    return events;
}

std::string join(const std::vector<std::string>& pieces) {
    std::string s;
    for (auto& p : pieces) s += p;
    return s;
}

std::string chat_body(const Ctx& c) {
    const Wire& wire = c.wire;
    const Plan& p = c.plan;
    rapidjson::StringBuffer sb;
    W w(sb);
    w.StartObject();
    envelope(w, c, "chat.completion");
    key(w, "choices");
    w.StartArray();
    w.StartObject();
    kv(w, "index", 0);
    key(w, "message");
    w.StartObject();
    kv(w, "role", "assistant");
    if (!p.tool) {
        kv(w, "content", join(p.content));
    } else if (wire.tool_content == ToolContent::Empty) {
        kv(w, "content", "");
    } else if (wire.tool_content == ToolContent::Null && !wire.omit_nulls) {
        key(w, "content"), w.Null();
    }
    if (!wire.reasoning_field.empty()) {
        if (!p.reasoning.empty()) kv(w, wire.reasoning_field, join(p.reasoning));
        else if (wire.empty_tool_calls) key(w, wire.reasoning_field), w.Null();  // vllm always has the field
    }
    if (p.tool || wire.empty_tool_calls) {
        key(w, "tool_calls");
        w.StartArray();
        if (p.tool) {
            w.StartObject();
            kv(w, "id", p.tool->id);
            if (c.opt.profile == BackendKind::Ollama) kv(w, "index", 0);
            kv(w, "type", "function");
            tool_function(w, *p.tool, wire.tool_args_object);
            w.EndObject();
        }
        w.EndArray();
    }
    w.EndObject();
    if (wire.chat_logprobs_null) key(w, "logprobs"), w.Null();
    finish_reason(w, c, p.finish);
    if (wire.stop_reason) stop_reason(w, c);
    w.EndObject();
    w.EndArray();
    usage(w, c);
    if (wire.timings) timings(w, c);
    w.EndObject();
    return jw::text(sb);
}

// ---- completions ----

// The completions API uses one object shape for a stream chunk and for the whole body; only
// whether usage (and timings) is attached differs.
std::string text_completion(const Ctx& c, std::string_view text, std::string_view finish, bool with_usage) {
    rapidjson::StringBuffer sb;
    W w(sb);
    w.StartObject();
    envelope(w, c, "text_completion");
    key(w, "choices");
    w.StartArray();
    w.StartObject();
    kv(w, "index", 0);
    kv(w, "text", text);
    if (c.wire.text_logprobs_null) key(w, "logprobs"), w.Null();
    finish_reason(w, c, finish);
    if (c.wire.stop_reason) stop_reason(w, c);
    w.EndObject();
    w.EndArray();
    if (with_usage) usage(w, c);
    if (with_usage && c.wire.timings) timings(w, c);
    w.EndObject();
    return jw::text(sb);
}

std::string text_chunk(const Ctx& c, std::string_view text, std::string_view finish, bool last) {
    return text_completion(c, text, finish, last && c.wire.completions_usage_always);
}

std::vector<std::string> text_stream(const Ctx& c) {
    const auto& pieces = c.plan.content;
    bool ride = c.wire.finish_on_last_piece && !pieces.empty();
    std::vector<std::string> events;
    for (size_t i = 0; i < pieces.size(); ++i) {
        bool last = ride && i + 1 == pieces.size();
        events.push_back(text_chunk(c, pieces[i], last ? std::string_view(c.plan.finish) : std::string_view(), last));
    }
    if (!ride) events.push_back(text_chunk(c, "", c.plan.finish, true));
    if (c.plan.include_usage && !c.wire.completions_usage_always) events.push_back(usage_chunk(c, "text_completion"));
    events.emplace_back("[DONE]");
    return events;
}

std::string text_body(const Ctx& c) { return text_completion(c, join(c.plan.content), c.plan.finish, true); }

template <class PlanFn, class StreamFn, class BodyFn>
Response generate(const Engine& e, std::string_view body, bool chat, PlanFn plan_fn, StreamFn stream_fn, BodyFn body_fn) {
    Response out;
    rapidjson::Document doc;
    if (!parse_request(e, body, doc, out)) return out;
    RequestError err;
    auto plan = plan_fn(doc, e.options(), err);
    if (!plan) return e.error(err.status, err.message);
    Ctx c{e.options(), wire_for(e.options().profile), *plan, response_id(e.options().profile, chat, plan->seed)};
    out.completion_tokens = plan->completion_tokens;
    if (plan->stream) {
        out.content_type = "text/event-stream";
        out.events = stream_fn(c);
    } else {
        out.body = body_fn(c);
    }
    return out;
}
}  // namespace

Response Engine::chat_completions(std::string_view body) const {
    return generate(*this, body, true, plan_chat, chat_stream, chat_body);
}

Response Engine::chat_completions(std::string_view body, const ScriptStep& step) const {
    auto scripted = [&step](const rapidjson::Value& req, const Options& opt, RequestError& err) {
        auto plan = plan_chat(req, opt, err);
        if (plan) apply_step(*plan, step, opt);
        return plan;
    };
    return generate(*this, body, true, scripted, chat_stream, chat_body);
}

Response Engine::completions(std::string_view body) const {
    return generate(*this, body, false, plan_completion, text_stream, text_body);
}

}  // namespace llmgw::mock
