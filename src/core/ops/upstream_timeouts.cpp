#include "core/ops/upstream_timeouts.h"

#include <algorithm>

namespace llmgw {

namespace {
constexpr double kSideCallCapS = 30;       // a tokenizer answers in milliseconds when it answers
constexpr double kCheckCapS = 5;           // a health or model list, from a backend that is up
constexpr double kCheckWithBodyCapS = 60;  // one generated token, maybe after a model load

long ms(double s) { return static_cast<long>(s * 1000); }
}  // namespace

UpstreamTimeouts upstream_timeouts(const ServeConfig& cfg, UpstreamPurpose purpose) {
    const long connect = ms(cfg.connect_timeout_s);
    switch (purpose) {
        case UpstreamPurpose::Relay: return {ms(cfg.request_timeout_s), connect};
        case UpstreamPurpose::SideCall: return {ms(std::min(cfg.request_timeout_s, kSideCallCapS)), connect};
        case UpstreamPurpose::Check: {
            // Never longer than a whole request may take: a backend that hangs is found out at
            // the same pace by checks as by clients.
            const long check = ms(std::min({cfg.connect_timeout_s, cfg.request_timeout_s, kCheckCapS}));
            return {check, check};
        }
        case UpstreamPurpose::CheckWithBody:
            return {ms(std::min(cfg.request_timeout_s, kCheckWithBodyCapS)),
                    ms(std::min({cfg.connect_timeout_s, cfg.request_timeout_s, kCheckCapS}))};
    }
    return {ms(cfg.request_timeout_s), connect};
}

}  // namespace llmgw
