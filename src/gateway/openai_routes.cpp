// OpenAI routes: the body goes to the backend as the client sent it, except for the surgical
// edits the gateway needs (a default model, usage in streams for metrics).
#include "core/api/request_body.h"
#include "core/base/url_path.h"
#include "gateway/forward.h"
#include "gateway/routes.h"
#include "gateway/token_limits.h"

namespace llmgw::gw {

void proxy_get(const RequestContext& ctx) {
    const auto& req = ctx.ex->request();
    if (!is_safe_forward_path(req.path)) {
        ctx.fail(ApiError::bad_request("invalid path: " + req.path.substr(0, 200)));
        return;
    }
    // A trailing slash is ignored, as in route matching: runtimes serve only the bare path.
    std::string path = req.path.size() > 1 && req.path.back() == '/' ? req.path.substr(0, req.path.size() - 1) : req.path;
    if (!req.query.empty()) path += "?" + req.query;
    ForwardRequest fr = forward_request(ctx, std::move(path));
    fr.method = "GET";
    forward(ctx, std::move(fr));
}

void proxy_openai_post(const RequestContext& ctx) {
    const auto& shared = ctx.worker.shared();
    const auto& req = ctx.ex->request();
    RequestFacts facts = inspect_request_body(req.body, token_read_for(ctx, ctx.route.template_path));
    if (!facts.ok) {
        ctx.fail(ApiError::bad_request(facts.error, facts.error_param));
        return;
    }
    // The runtime of the model's pool (with BACKENDS_FILE, each pool its own kind).
    const BackendProfile profile = shared.profile_for(facts.has_model ? facts.model : shared.cfg.model_name);
    if (ctx.route.route == Route::Embeddings && !profile.embeddings) {
        ctx.fail(ApiError::not_implemented(std::string(profile.display) +
                                           " does not serve embeddings on its OpenAI-compatible API"));
        return;
    }
    ForwardRequest fr = forward_request(ctx, std::string(ctx.route.template_path));
    fr.stream = facts.stream;
    fr.model = facts.model;
    fr.session = conversation_session(facts.conversation, req);
    fr.tokens = std::move(facts.tokens);  // the edits below change neither the prompt nor max_tokens
    std::string body;
    if (!facts.has_model && !shared.cfg.model_name.empty()) {
        body = insert_member(req.body, "model", json_quote(shared.cfg.model_name));
        fr.model = shared.cfg.model_name;
    }
    // Ask for usage on streams so token metrics are exact; the extra chunk is not relayed to a
    // client that did not ask for it.
    if (facts.stream && !facts.include_usage && ctx.route.route != Route::Embeddings && profile.stream_usage) {
        std::string plain = body.empty() ? std::move(ctx.ex->request().body) : std::move(body);
        body = with_include_usage(plain, facts);
        fr.strip_usage_chunk = true;
        fr.body_without_stream_options = [plain = std::move(plain)] { return plain; };
    }
    fr.body = body.empty() ? std::move(ctx.ex->request().body) : std::move(body);
    forward(ctx, std::move(fr));
}

}  // namespace llmgw::gw
