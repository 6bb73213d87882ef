#include <catch2/catch.hpp>

#include "core/ops/upstream_timeouts.h"

using namespace llmgw;

TEST_CASE("upstream timeouts: relays take the configuration, side calls and checks are capped", "[config]") {
    ServeConfig cfg;
    cfg.request_timeout_s = 600;
    cfg.connect_timeout_s = 10;
    auto relay = upstream_timeouts(cfg, UpstreamPurpose::Relay);
    CHECK(relay.total_ms == 600'000);
    CHECK(relay.connect_ms == 10'000);
    auto side = upstream_timeouts(cfg, UpstreamPurpose::SideCall);
    CHECK(side.total_ms == 30'000);
    CHECK(side.connect_ms == 10'000);
    auto check = upstream_timeouts(cfg, UpstreamPurpose::Check);
    CHECK(check.total_ms == 5'000);
    CHECK(check.connect_ms == 5'000);
    auto with_body = upstream_timeouts(cfg, UpstreamPurpose::CheckWithBody);
    CHECK(with_body.total_ms == 60'000);
    CHECK(with_body.connect_ms == 5'000);
    // Short configured timeouts are never lengthened by the caps.
    cfg.request_timeout_s = 2;
    cfg.connect_timeout_s = 1;
    CHECK(upstream_timeouts(cfg, UpstreamPurpose::SideCall).total_ms == 2'000);
    CHECK(upstream_timeouts(cfg, UpstreamPurpose::Check).total_ms == 1'000);
    CHECK(upstream_timeouts(cfg, UpstreamPurpose::CheckWithBody).total_ms == 2'000);
    CHECK(upstream_timeouts(cfg, UpstreamPurpose::CheckWithBody).connect_ms == 1'000);
    // A check never outlasts a whole request: REQUEST_TIMEOUT_S=1 with the default connect timeout.
    cfg.request_timeout_s = 1;
    cfg.connect_timeout_s = 10;
    CHECK(upstream_timeouts(cfg, UpstreamPurpose::Check).total_ms == 1'000);
    CHECK(upstream_timeouts(cfg, UpstreamPurpose::Check).connect_ms == 1'000);
    CHECK(upstream_timeouts(cfg, UpstreamPurpose::CheckWithBody).connect_ms == 1'000);
}
