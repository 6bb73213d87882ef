// GET /v1/models and /v1/models/{id}. The list is the runtime's, relayed as it is to OpenAI
// clients; a client that sends anthropic-version gets it in the Anthropic Models API shape. One
// model is answered from the list, for every runtime alike: most have no /v1/models/{id} route.
#include "core/anthropic/anthropic_models.h"
#include "core/api/model_list.h"
#include "core/base/url_path.h"
#include "gateway/forward.h"
#include "gateway/routes.h"

namespace llmgw::gw {

namespace {

// Model ids in an error message: enough to see what the runtime serves, bounded for a long list.
constexpr size_t kListedIdsInError = 20;

std::optional<std::vector<ListedModel>> read_list(std::string_view body, ApiError* err) {
    auto models = parse_model_list(body);
    if (!models) *err = ApiError::bad_gateway("backend's GET /v1/models answer is not a model list");
    return models;
}

std::string listed_ids(const std::vector<ListedModel>& models) {
    std::string s;
    for (size_t i = 0; i < models.size() && i < kListedIdsInError; ++i) s += (i ? ", " : "") + models[i].id;
    if (models.size() > kListedIdsInError) s += ", ...";
    return s.empty() ? "none" : s;
}

class AnthropicModelsPage : public ResponseAdapter {
public:
    explicit AnthropicModelsPage(AnthropicModelsQuery q) : q_(std::move(q)) {}
    void stream_event(const StreamChunk&, std::string&) override {}
    void stream_end(std::string&) override {}
    void stream_fail(const ApiError&, std::string&) override {}
    std::string whole_body(std::string_view body, ApiError* err) override {
        auto models = read_list(body, err);
        return models ? render_anthropic_models_page(*models, q_, err) : std::string();
    }

private:
    AnthropicModelsQuery q_;
};

class OneModel : public ResponseAdapter {
public:
    OneModel(std::string id, ApiStyle style) : id_(std::move(id)), style_(style) {}
    void stream_event(const StreamChunk&, std::string&) override {}
    void stream_end(std::string&) override {}
    void stream_fail(const ApiError&, std::string&) override {}
    std::string whole_body(std::string_view body, ApiError* err) override {
        auto models = read_list(body, err);
        if (!models) return {};
        const ListedModel* m = find_listed_model(*models, id_);
        if (!m) {
            *err = ApiError::not_found("model '" + id_.substr(0, 200) + "' is not served by the backend (it lists: " +
                                       listed_ids(*models) + ")");
            return {};
        }
        return style_ == ApiStyle::Anthropic ? render_anthropic_model(*m) : m->object_json;
    }

private:
    std::string id_;
    ApiStyle style_;
};

void forward_list(const RequestContext& ctx, std::unique_ptr<ResponseAdapter> adapter) {
    ForwardRequest fr = forward_request(ctx, "/v1/models");
    fr.method = "GET";
    fr.adapter = std::move(adapter);
    forward(ctx, std::move(fr));
}

}  // namespace

void models_list(const RequestContext& ctx) {
    if (ctx.route.style != ApiStyle::Anthropic) {
        proxy_get(ctx);
        return;
    }
    ApiError err;
    auto q = parse_anthropic_models_query(ctx.ex->request().query, &err);
    if (!q) {
        ctx.fail(err);
        return;
    }
    forward_list(ctx, std::make_unique<AnthropicModelsPage>(std::move(*q)));
}

std::optional<std::string> model_id_in_path(const RequestContext& ctx) {
    std::string_view path = ctx.ex->request().path;
    constexpr std::string_view kPrefix = "/v1/models/";
    std::string_view raw = path.substr(kPrefix.size());  // match_route saw the prefix and an id
    if (raw.size() > 1 && raw.back() == '/') raw.remove_suffix(1);
    auto id = percent_decode(raw);
    if (!id)
        ctx.fail(ApiError::bad_request("model id in the path is not valid percent-encoding: " +
                                       std::string(raw.substr(0, 200))));
    return id;
}

void model_get(const RequestContext& ctx) {
    if (auto id = model_id_in_path(ctx)) forward_list(ctx, std::make_unique<OneModel>(std::move(*id), ctx.route.style));
}

}  // namespace llmgw::gw
