// OpenAI Responses routes. POST /v1/responses is translated to the runtime's chat completions by
// core/responses (whole or streamed, through forward()), or in RESPONSES_MODE=native|auto passed to
// the runtime's own /v1/responses. `store` keeps the response in the shared ResponsesState, which
// GET, DELETE /v1/responses/{id}, GET .../input_items and previous_response_id read, each only for
// the key that created it.
#include <chrono>

#include "core/anthropic/token_count.h"
#include "core/api/request_body.h"
#include "core/backend/backend_facts.h"
#include "core/responses/input_items_page.h"
#include "core/responses/responses_preflight.h"
#include "core/responses/responses_request.h"
#include "core/responses/responses_response.h"
#include "core/responses/responses_stream.h"
#include "gateway/forward.h"
#include "gateway/log.h"
#include "gateway/routes.h"
#include "gateway/token_limits.h"

namespace llmgw::gw {

namespace {

// A response id in a path is ours ("resp_" and id characters) or it is not found; the bound
// keeps an absurd path out of error messages.
constexpr size_t kMaxResponseIdBytes = 128;

// Whose responses a request sees: the key's fingerprint, or everyone's ("") when auth is off.
std::string owner_of(const RequestContext& ctx) {
    return ctx.worker.shared().auth_required ? ctx.scope->identity : std::string();
}

// 404 as OpenAI answers an unknown response id: invalid_request_error, naming where the id was.
void unknown_response(const RequestContext& ctx, std::string_view id, std::string param) {
    ApiError e = ApiError::not_found("Response with id '" + std::string(id.substr(0, kMaxResponseIdBytes)) +
                                     "' not found (it may have expired or been evicted from the gateway's store)");
    e.param = std::move(param);
    ctx.scope->respond(e.status, "application/json", render_openai_error(e, "invalid_request_error"));
}

// The {id} of /v1/responses/{id}[/input_items]; match_route guarantees it is non-empty.
std::string_view path_id(const RequestContext& ctx) {
    std::string_view p = ctx.ex->request().path;
    constexpr std::string_view kPrefix = "/v1/responses/";
    p.remove_prefix(kPrefix.size());
    if (p.ends_with('/')) p.remove_suffix(1);
    return p.substr(0, p.find('/'));
}

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Turns the runtime's chat answer into the Responses answer, and stores a finished response
// before its last bytes leave (a client that continues from it right away finds it).
class ResponsesAdapter : public ResponseAdapter {
public:
    struct Storage {
        ResponsesState* state = nullptr;  // null: store false
        std::string owner;
        std::string input_items;  // everything the model saw as input, previous conversation first
    };

    ResponsesAdapter(ResponsesOutputContext ctx, Storage storage)
        : ctx_(std::move(ctx)), storage_(std::move(storage)), stream_(ctx_) {}

    void stream_event(const StreamChunk& chunk, std::string& out) override {
        stream_.feed(chunk, out);
        store_stream();
    }
    void stream_end(std::string& out) override {
        stream_.finish(out);
        store_stream();
    }
    void stream_fail(const ApiError& e, std::string& out) override { stream_.fail(e, out); store_stream(); }
    bool stream_over() const override { return stream_.done(); }
    std::string whole_body(std::string_view body, ApiError* err) override {
        auto t = translate_chat_to_response(body, ctx_);
        if (!t.ok()) {
            *err = *t.error;
            return {};
        }
        output_tokens_ = t.usage.completion_tokens;
        store(t.body, t.output_items);
        return std::move(t.body);
    }
    int64_t output_tokens() const override { return output_tokens_ ? output_tokens_ : stream_.output_tokens(); }

private:
    void store_stream() {
        if (!stream_.done() || stored_ || stream_.status() == "failed") return;
        store(stream_.response_json(), stream_.output_items_json());
    }
    void store(const std::string& response, const std::string& output_items) {
        stored_ = true;
        if (!storage_.state) return;
        std::string id = make_response_id(ctx_.id_seed);
        if (!storage_.state->put(id, StoredResponse{storage_.owner, response, std::move(storage_.input_items), output_items}))
            log_event(spdlog::level::warn, "responses", "response too large for the store (RESPONSES_STORE_MAX_BYTES); not stored",
                      {{"response_id", id}});
    }

    ResponsesOutputContext ctx_;
    Storage storage_;
    ResponsesStreamTranslator stream_;
    bool stored_ = false;
    int64_t output_tokens_ = 0;
};

// RESPONSES_MODE: native always; auto when discovery found the runtime's endpoint and the request
// needs nothing only the gateway keeps (responses_preflight.h).
bool use_native(const GatewayShared& s, const ResponsesPreflight& p) {
    switch (s.cfg.responses_mode) {
        case ResponsesMode::Native: return true;
        case ResponsesMode::Auto: return p.stateless && s.backend.native_responses.load(std::memory_order_relaxed);
        default: return false;
    }
}

void forward_native(const RequestContext& ctx) {
    auto& req = ctx.ex->request();
    ForwardRequest fr = forward_request(ctx, "/v1/responses");
    auto facts = inspect_request_body(req.body, token_read_for(ctx, fr.upstream_path));
    if (!facts.ok) {
        ctx.fail(ApiError::bad_request(facts.error, facts.error_param));
        return;
    }
    fr.stream = facts.stream;
    fr.model = facts.model;
    fr.session = conversation_session(facts.conversation, req);
    fr.tokens = std::move(facts.tokens);
    fr.body = std::move(req.body);
    forward(ctx, std::move(fr));
}

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

}  // namespace

void responses_create(const RequestContext& ctx) {
    auto& shared = ctx.worker.shared();
    auto& req = ctx.ex->request();
    const ResponsesPreflight pre = preflight_responses_request(req.body);
    if (pre.ok && use_native(shared, pre)) return forward_native(ctx);

    const std::string owner = owner_of(ctx);
    std::string previous;
    if (!pre.previous_response_id.empty()) {
        auto prev = shared.responses.get(pre.previous_response_id, owner);
        if (!prev) return unknown_response(ctx, pre.previous_response_id, "previous_response_id");
        previous = conversation_items(*prev);
    }
    const std::string seed = ctx.worker.random_hex_id();
    ResponsesState* state = &shared.responses;
    ReasoningUnsealer unseal = [state, owner, request_id = ctx.request_id](std::string_view blob) {
        auto text = state->open_reasoning(owner, blob);
        if (!text)
            log_event(spdlog::level::debug, "responses", "encrypted_content not sealed by this gateway for this key; reasoning dropped",
                      {{"request_id", request_id}, {"bytes", static_cast<unsigned long>(blob.size())}});
        return text;
    };
    const BackendProfile profile = shared.profile_for(pre.model);  // the runtime of the model's pool
    ResponsesRequestOptions opts{profile, shared.cfg.max_tokens_cap, true, previous, unseal, seed};
    opts.read_tokens = reserves_tokens(ctx);
    auto tr = translate_responses_request(req.body, opts);
    // A max_output_tokens past what the context leaves after the prompt is clamped.
    if (int64_t cap = tr.ok() ? shared.output_cap_for(tr.body, tr.facts.model, tr.tokens) : 0; cap > 0 && tr.facts.max_output_tokens > cap) {
        opts.max_tokens_cap = cap;
        tr = translate_responses_request(req.body, opts);
    }
    if (!tr.ok()) return ctx.fail(*tr.error);
    auto& facts = tr.facts;
    if (!facts.dropped_tools.empty()) ctx.ex->add_header("x-llmgw-dropped-tools", joined(facts.dropped_tools));
    if (!facts.ignored_fields.empty() && log_enabled(spdlog::level::debug))
        log_event(spdlog::level::debug, "responses", "fields without effect on the runtime ignored",
                  {{"request_id", ctx.request_id}, {"fields", joined(facts.ignored_fields)}});

    ResponsesOutputContext out{facts.model, seed, unix_now(), facts.response_echo, facts.tools, facts.reasoning_summary,
                               nullptr, facts.include_encrypted_reasoning};
    if (facts.include_encrypted_reasoning)
        out.seal = [state, owner](std::string_view reasoning) { return state->seal_reasoning(owner, reasoning); };
    ResponsesAdapter::Storage storage;
    if (facts.store) {
        storage.state = state;
        storage.owner = owner;
        storage.input_items = previous.empty() ? facts.input_items
                                               : conversation_items({{}, {}, previous, facts.input_items});
    }

    ForwardRequest fr = forward_request(ctx, "/v1/chat/completions");
    fr.stream = facts.stream;
    fr.model = facts.model;
    // Codex's conversation id is in prompt_cache_key, which the translation leaves out: the
    // preflight read it from the client's body.
    fr.session = conversation_session(pre.conversation, req);
    fr.body = std::move(tr.body);
    fr.tokens = tr.tokens;
    if (facts.stream && profile.stream_usage) {
        // Translated again only if the runtime refuses stream_options (rare, so not up front).
        fr.body_without_stream_options = [client_body = std::move(req.body), profile,  // no longer needed here
                                          previous = std::move(previous), unseal = std::move(unseal), seed,
                                          cap = opts.max_tokens_cap] {
            return translate_responses_request(client_body, ResponsesRequestOptions{profile, cap, false, previous, unseal, seed})
                .body;
        };
    }
    fr.adapter = std::make_unique<ResponsesAdapter>(std::move(out), std::move(storage));
    forward(ctx, std::move(fr));
}

void responses_get(const RequestContext& ctx) {
    std::string_view id = path_id(ctx);
    auto r = ctx.worker.shared().responses.get(id, owner_of(ctx));
    if (!r) return unknown_response(ctx, id, "response_id");
    ctx.respond_json(200, r->response);
}

void responses_delete(const RequestContext& ctx) {
    std::string_view id = path_id(ctx);
    if (!ctx.worker.shared().responses.erase(id, owner_of(ctx))) return unknown_response(ctx, id, "response_id");
    ctx.respond_json(200, R"({"id":)" + json_quote(id) + R"(,"object":"response","deleted":true})");
}

void responses_input_items(const RequestContext& ctx) {
    std::string_view id = path_id(ctx);
    ApiError err;
    auto q = parse_items_page_query(ctx.ex->request().query, &err);
    if (!q) return ctx.fail(err);
    auto r = ctx.worker.shared().responses.get(id, owner_of(ctx));
    if (!r) return unknown_response(ctx, id, "response_id");
    std::string page = render_items_page(r->input_items, *q, &err);
    if (page.empty()) return ctx.fail(err);
    ctx.respond_json(200, page);
}

}  // namespace llmgw::gw
