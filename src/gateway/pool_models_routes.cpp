// GET /v1/models and /v1/models/{id} with a backends file: the merged list of every pool's
// models under their public names, in the OpenAI shape, or in the Anthropic Models API shape for a
// client that sends anthropic-version. Pools without a model list contribute what one of their
// replicas lists, asked at the time of the request.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <unordered_set>

#include "core/anthropic/anthropic_models.h"
#include "core/api/model_list.h"
#include "core/base/url_path.h"
#include "core/routing/model_list.h"
#include "gateway/forward.h"
#include "gateway/routes.h"

namespace llmgw::gw {

namespace {

struct MergedModels {
    RequestContext ctx;
    std::shared_ptr<const RoutingTable> table;
    std::vector<std::vector<std::string>> listed;  // per open pool, in open_pools() order
    size_t pending = 0;
    bool single = false;  // GET /v1/models/{id}
    std::string wanted;
    AnthropicModelsQuery page;  // the Anthropic shape's paging (ctx.route.style == Anthropic)

    void finish() {
        std::vector<PoolModel> all;
        const auto& cfg = table->router.config();
        for (const auto& p : cfg.pools)
            for (const auto& m : p.models) all.push_back({m.name, p.name});
        const auto& open = table->router.open_pools();
        for (size_t i = 0; i < open.size(); ++i)
            for (auto& id : listed[i]) all.push_back({std::move(id), cfg.pools[open[i]].name});
        if (ctx.ex->detached()) return;
        if (ctx.route.style == ApiStyle::Anthropic) {
            respond_anthropic(all);
            return;
        }
        if (!single) {
            ctx.respond_json(200, render_model_list(all));
            return;
        }
        for (const auto& m : all) {
            if (m.id != wanted) continue;
            std::string list = render_model_list({m});
            // The one entry of the list: {"object":"list","data":[ENTRY]}.
            size_t open_at = list.find('[') + 1;
            ctx.respond_json(200, std::string_view(list).substr(open_at, list.size() - open_at - 2));
            return;
        }
        not_served();
    }

    void respond_anthropic(const std::vector<PoolModel>& all) {
        std::vector<ListedModel> models;  // de-duplicated as the OpenAI list is: the first entry wins
        std::unordered_set<std::string_view> seen;
        for (const auto& m : all)
            if (seen.insert(m.id).second) models.push_back({m.id, 0, {}});
        if (!single) {
            ApiError err;
            std::string body = render_anthropic_models_page(models, page, &err);
            if (body.empty()) ctx.fail(err);
            else ctx.respond_json(200, body);
            return;
        }
        if (const ListedModel* m = find_listed_model(models, wanted)) ctx.respond_json(200, render_anthropic_model(*m));
        else not_served();
    }

    void not_served() {
        ApiError e = ApiError::not_found("model '" + wanted.substr(0, 200) + "' is not served here");
        e.param = "model";
        e.code = "model_not_found";
        ctx.fail(e);
    }
};

void ask_pool(const std::shared_ptr<MergedModels>& merged, size_t slot, size_t pool) {
    auto& w = merged->ctx.worker;
    auto& pools = w.shared().pools;
    ReplicaSet tried = 0;
    auto lease = std::make_shared<ReplicaLease>(pools.acquire(*merged->table, pool, &tried, w.random64()));
    net::UpstreamRequest req;
    req.method = "GET";
    req.url = lease->url + "/v1/models";
    w.set_pool_headers(req, merged->ctx.request_id, &merged->ctx.ex->request(),
                       merged->table->router.config().pools[pool].api_key);
    side_call(w, std::move(req),
              [merged, slot, lease, &pools](int status, std::string answer, const net::UpstreamResult& r) {
                  bool failed = status == 0 || status >= 500;
                  pools.release(*lease, failed ? AttemptOutcome::Failed : AttemptOutcome::Answered,
                                failed ? r.message : std::string());
                  if (!failed && status < 300) merged->listed[slot] = listed_model_ids(answer).value_or(std::vector<std::string>{});
                  if (--merged->pending == 0) merged->finish();
              });
}

void merged_models(const RequestContext& ctx, bool single, std::string wanted, AnthropicModelsQuery page) {
    auto merged = std::make_shared<MergedModels>(MergedModels{ctx, ctx.worker.shared().pools.table(), {}, 0, single,
                                                               std::move(wanted), std::move(page)});
    const auto& open = merged->table->router.open_pools();
    merged->listed.resize(open.size());
    merged->pending = open.size();
    if (open.empty()) {
        merged->finish();
        return;
    }
    for (size_t i = 0; i < open.size(); ++i) ask_pool(merged, i, open[i]);
}

}  // namespace

void pool_models(const RequestContext& ctx) {
    if (ctx.route.route == Route::Models) {
        AnthropicModelsQuery page;
        if (ctx.route.style == ApiStyle::Anthropic) {
            ApiError err;
            auto q = parse_anthropic_models_query(ctx.ex->request().query, &err);
            if (!q) {
                ctx.fail(err);
                return;
            }
            page = std::move(*q);
        }
        merged_models(ctx, false, {}, std::move(page));
        return;
    }
    if (auto id = model_id_in_path(ctx)) merged_models(ctx, true, std::move(*id), {});
}

}  // namespace llmgw::gw
