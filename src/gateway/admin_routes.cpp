// /admin/*: what operators read, behind ADMIN_KEYS (GatewayWorker::authorize_admin).
#include "gateway/routes.h"

namespace llmgw::gw {

void admin_backends(const RequestContext& ctx) {
    ctx.ex->add_header("cache-control", "no-store");
    ctx.respond_json(200, ctx.worker.shared().pools.admin_json(net::now_ns()));
}

}  // namespace llmgw::gw
