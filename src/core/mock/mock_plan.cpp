#include "core/mock/mock_plan.h"

#include <algorithm>
#include <cctype>
#include <climits>

#include "core/mock/mock_json.h"
#include "core/mock/mock_schema.h"
#include "core/mock/mock_text.h"
#include "core/base/text_util.h"

namespace llmgw::mock {

namespace {
using json::get;
constexpr uint64_t kReasoningSalt = 0x5245415330ULL;

std::string_view sv(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// Fields chat and completions share: model, stream, stream_options, max_tokens, stop.
struct Common {
    std::string model;
    bool stream = false;
    bool include_usage = false;
    int budget = INT_MAX;  // max tokens to generate
    std::vector<std::string> stops;
};

bool read_common(const rapidjson::Value& req, const Options& opt, Common& c, RequestError& err) {
    if (!req.IsObject()) {
        err = {400, "request body must be a JSON object"};
        return false;
    }
    std::string asked;
    if (auto* m = get(req, "model"); m && m->IsString()) asked = std::string(sv(*m));
    bool own_name = opt.profile == BackendKind::LlamaCpp || opt.profile == BackendKind::TGI;
    c.model = own_name || asked.empty() ? opt.model : asked;
    if (opt.strict_model && !asked.empty() && asked != opt.model &&
        (opt.profile == BackendKind::VLLM || opt.profile == BackendKind::Ollama)) {
        err = {404, opt.profile == BackendKind::Ollama ? "model \"" + asked + "\" not found, try pulling it first"
                                                       : "The model `" + asked + "` does not exist."};
        return false;
    }
    if (opt.reject_top_k && get(req, "top_k")) {
        err = {400, "Unrecognized request argument supplied: top_k"};  // OpenAI's own wording
        return false;
    }
    if (auto* s = get(req, "stream"); s && s->IsBool()) c.stream = s->GetBool();
    if (auto* so = get(req, "stream_options"))
        if (auto* iu = get(*so, "include_usage"); iu && iu->IsBool()) c.include_usage = iu->GetBool();
    for (const char* k : {"max_tokens", "max_completion_tokens", "n_predict"}) {
        auto* m = get(req, k);
        if (!m || m->IsNull()) continue;
        if (!m->IsInt64() || m->GetInt64() < 0) {
            err = {400, std::string(k) + " must be a non-negative integer"};
            return false;
        }
        c.budget = std::min<int64_t>(c.budget, m->GetInt64());
    }
    if (auto* s = get(req, "stop")) {
        if (s->IsString() && s->GetStringLength() > 0) c.stops.emplace_back(sv(*s));
        if (s->IsArray())
            for (auto& x : s->GetArray())
                if (x.IsString() && x.GetStringLength() > 0) c.stops.emplace_back(sv(x));
    }
    return true;
}

void fill_common(Plan& p, Common& c) {
    p.model = std::move(c.model);
    p.stream = c.stream;
    p.include_usage = c.include_usage;
}

// Text answer: reasoning words, then content words, within the budget, cut at a stop string.
void generate_text(Plan& p, const Common& c, const Options& opt, int reasoning_wanted) {
    int r = std::clamp(reasoning_wanted, 0, c.budget);
    int n = std::clamp(opt.tokens, 0, c.budget - r);
    p.reasoning = generate_words(p.seed ^ kReasoningSalt, r);
    p.content = generate_words(p.seed, n);
    int used = cut_at_stop(p.content, c.stops, p.stop_hit);
    p.completion_tokens = r + used;
    bool capped = r + n < reasoning_wanted + opt.tokens;
    p.finish = p.stop_hit || !capped ? "stop" : "length";
}

const rapidjson::Value* find_tool(const rapidjson::Value& tools, std::string_view name) {
    for (auto& t : tools.GetArray()) {
        auto* f = get(t, "function");
        auto* n = f ? get(*f, "name") : nullptr;
        if (n && n->IsString() && (name.empty() || sv(*n) == name)) return f;
    }
    return nullptr;
}

// The tool the "model" calls, or nullptr for a text answer.
const rapidjson::Value* chosen_tool(const rapidjson::Value& req, RequestError& err, bool& failed) {
    auto* tools = get(req, "tools");
    if (!tools || !tools->IsArray() || tools->Empty()) return nullptr;
    auto* choice = get(req, "tool_choice");
    if (choice && choice->IsString() && sv(*choice) == "none") return nullptr;
    std::string_view wanted;
    if (choice && choice->IsObject())
        if (auto* f = get(*choice, "function"))
            if (auto* n = get(*f, "name"); n && n->IsString()) wanted = sv(*n);
    auto* tool = find_tool(*tools, wanted);
    if (!tool && !wanted.empty()) {
        failed = true;
        err = {400, "tool_choice names a function that is not in tools: " + std::string(wanted)};
    }
    return tool;
}

bool check_context(const Plan& p, const Options& opt, RequestError& err) {
    if (p.prompt_tokens <= opt.context_length) return true;
    err = {400, "the request exceeds the available context size: " + std::to_string(p.prompt_tokens) +
                    " prompt tokens, context is " + std::to_string(opt.context_length)};
    return false;
}
}  // namespace

std::string tool_call_id(BackendKind k, uint64_t seed) {
    switch (k) {
        case BackendKind::LlamaCpp: return alnum_id(seed, 32);  // no "call_" prefix
        case BackendKind::Ollama: {
            return "call_" + to_lower(alnum_id(seed, 8));
        }
        case BackendKind::TGI: return "0";
        default: return "chatcmpl-tool-" + hex_id(seed, 32);
    }
}

int cut_at_stop(std::vector<std::string>& pieces, const std::vector<std::string>& stops, std::optional<std::string>& hit) {
    std::string text;
    for (auto& p : pieces) text += p;
    size_t best = std::string::npos;
    for (auto& s : stops) {
        size_t pos = text.find(s);
        if (pos < best) {
            best = pos;
            hit = s;
        }
    }
    if (best == std::string::npos) return static_cast<int>(pieces.size());
    size_t match_end = best + hit->size();
    int used = 0;
    std::vector<std::string> kept;
    size_t at = 0;
    for (auto& p : pieces) {
        if (at < match_end) ++used;  // the runtime generated this token before it saw the stop
        if (at < best) {
            size_t take = std::min(p.size(), best - at);
            if (take > 0) kept.push_back(p.substr(0, take));
        }
        at += p.size();
    }
    pieces = std::move(kept);
    return used;
}

std::string cached_prompt(const rapidjson::Value& messages, const rapidjson::Value* tools) {
    std::string prompt = chat_prompt(messages);
    if (!tools) return prompt;
    size_t at = 0;
    if (messages.IsArray() && !messages.Empty())
        if (auto* role = get(messages[0], "role"); role && role->IsString() && sv(*role) == "system")
            at = prompt.find("<|im_end|>");
    prompt.insert(at == std::string::npos ? 0 : at, jw::serialize(*tools));
    return prompt;
}

int chat_prompt_tokens(const rapidjson::Value& req) {
    int n = 0;
    if (auto* m = get(req, "messages"); m && m->IsArray()) n += count_tokens(chat_prompt(*m));
    if (auto* t = get(req, "tools"); t && t->IsArray() && !t->Empty()) n += count_tokens(jw::serialize(*t));
    return n;
}

std::optional<Plan> plan_chat(const rapidjson::Value& req, const Options& opt, RequestError& err) {
    Common c;
    if (!read_common(req, opt, c, err)) return std::nullopt;
    auto* messages = get(req, "messages");
    if (!messages || !messages->IsArray()) {
        err = {400, "'messages' is required and must be an array"};
        return std::nullopt;
    }
    Plan p;
    fill_common(p, c);
    p.seed = hash64(jw::serialize(*messages));
    p.prompt_tokens = chat_prompt_tokens(req);
    if (!check_context(p, opt, err)) return std::nullopt;
    auto* tools = get(req, "tools");
    p.tools_offered = tools && tools->IsArray() && !tools->Empty();
    if (opt.prompt_cache) {
        p.prompt = cached_prompt(*messages, p.tools_offered ? tools : nullptr);
        p.cached_tokens = std::clamp(opt.prompt_cache->reuse(p.prompt), 0, std::max(0, p.prompt_tokens - 1));
    }

    const Wire& wire = wire_for(opt.profile);
    int reasoning = wire.reasoning_field.empty() ? 0 : opt.reasoning_tokens;
    if (auto* k = get(req, "chat_template_kwargs"))
        if (auto* t = get(*k, "enable_thinking"); t && t->IsBool() && !t->GetBool()) reasoning = 0;

    bool failed = false;
    const rapidjson::Value* tool = chosen_tool(req, err, failed);
    if (failed) return std::nullopt;
    if (!tool) {
        generate_text(p, c, opt, reasoning);
        return p;
    }
    int r = std::clamp(reasoning, 0, c.budget);
    p.reasoning = generate_words(p.seed ^ kReasoningSalt, r);
    ToolCallPlan call;
    call.name = std::string(sv(*get(*tool, "name")));
    call.id = tool_call_id(opt.profile, mix64(p.seed ^ 0x544f4f4cULL));  // not the response id's material
    call.arguments = schema_example_json(get(*tool, "parameters"), hash64(call.name, p.seed));
    call.fragments = fragment(call.arguments, p.seed);
    p.completion_tokens = r + static_cast<int>(call.fragments.size());
    p.tool = std::move(call);
    p.finish = "tool_calls";
    return p;
}

std::optional<Plan> plan_completion(const rapidjson::Value& req, const Options& opt, RequestError& err) {
    Common c;
    if (!read_common(req, opt, c, err)) return std::nullopt;
    auto* prompt = get(req, "prompt");
    if (!prompt || !(prompt->IsString() || prompt->IsArray())) {
        err = {400, "'prompt' is required: a string or an array"};
        return std::nullopt;
    }
    Plan p;
    fill_common(p, c);
    p.seed = hash64(jw::serialize(*prompt));
    if (prompt->IsString()) {
        p.prompt_tokens = count_tokens(sv(*prompt));
    } else {
        for (auto& x : prompt->GetArray())  // strings, or token ids (one token each)
            p.prompt_tokens += x.IsString() ? count_tokens(sv(x)) : 1;
    }
    if (!check_context(p, opt, err)) return std::nullopt;
    generate_text(p, c, opt, 0);
    return p;
}

}  // namespace llmgw::mock
