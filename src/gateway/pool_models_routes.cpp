// GET /v1/models and /v1/models/{id} with a backends file: the merged list of every pool's
// models under their public names, in the OpenAI shape. Pools without a model list contribute what
// one of their replicas lists, asked at the time of the request.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/api/model_list.h"
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

    void finish() {
        std::vector<PoolModel> all;
        const auto& cfg = table->router.config();
        for (const auto& p : cfg.pools)
            for (const auto& m : p.models) all.push_back({m.name, p.name});
        const auto& open = table->router.open_pools();
        for (size_t i = 0; i < open.size(); ++i)
            for (auto& id : listed[i]) all.push_back({std::move(id), cfg.pools[open[i]].name});
        if (ctx.ex->detached()) return;
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

void merged_models(const RequestContext& ctx, bool single, std::string wanted) {
    auto merged = std::make_shared<MergedModels>(MergedModels{ctx, ctx.worker.shared().pools.table(), {}, 0, single,
                                                               std::move(wanted)});
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
        merged_models(ctx, false, {});
        return;
    }
    constexpr std::string_view kPrefix = "/v1/models/";
    std::string_view path = ctx.ex->request().path;
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    merged_models(ctx, true, std::string(path.substr(kPrefix.size())));
}

}  // namespace llmgw::gw
