// At start-up (and when the backend comes back), serve asks the backend what it is, the way
// `llmgw probe` does: which runtime answers (a warning when it is not BACKEND_KIND), the model's
// context length (the max_tokens cap on /v1/messages when MAX_TOKENS_CAP is 0), what it supports
// of usage in streams, top_k and a tokenizer (one-token requests judged by
// core/backend_capabilities.h), and, in ANTHROPIC_MODE=auto or native, whether it serves
// /v1/messages itself (one 8-token request, as probe does; native falls back to translation when
// the route is missing), and in RESPONSES_MODE=auto whether it serves /v1/responses
// (one stateless 16-token request).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>

#include "core/backend/backend_capabilities.h"
#include "core/backend/backend_profile.h"
#include "core/ops/config.h"
#include "net/upstream_client.h"

namespace llmgw::gw {

// Published by one worker, read by all: plain atomics, no lock on the request path.
struct DiscoveredBackend {
    std::atomic<int64_t> context_length{0};  // 0 = unknown
    std::atomic<int> detected_kind{-1};      // a BackendKind, or -1 when not identified
    std::atomic<bool> native_messages{false};  // answers /v1/messages itself (checked in ANTHROPIC_MODE=auto)
    std::atomic<bool> native_responses{false};  // answers /v1/responses itself (checked in RESPONSES_MODE=auto)
    // ANTHROPIC_MODE=native in front of a runtime that answered /v1/messages with 404, 405 or
    // 501: serve translates instead (and warns once a round).
    std::atomic<bool> native_messages_missing{false};
    // Learned features; Unknown leaves the per-kind table's value in effect. A round that learns
    // nothing keeps what an earlier one did. stream_usage is also set to No by a request that
    // met a 400 for the stream_options serve added (forward.cpp).
    std::atomic<Learned> stream_usage{Learned::Unknown};
    std::atomic<Learned> top_k{Learned::Unknown};
    std::atomic<Learned> tokenizer{Learned::Unknown};
    std::atomic<bool> discovered{false};  // the backend answered a discovery request
    std::atomic<bool> attempted{false};   // a discovery round has finished (answered or not)

    LearnedCapabilities learned() const {
        return {stream_usage.load(std::memory_order_relaxed), top_k.load(std::memory_order_relaxed),
                tokenizer.load(std::memory_order_relaxed)};
    }
};

// Runs the discovery requests on `client`'s loop and calls `done` once every answer is in.
void discover_backend(net::UpstreamClient& client, const ServeConfig& cfg, const BackendProfile& profile,
                      DiscoveredBackend& facts, std::function<void()> done = nullptr);

}  // namespace llmgw::gw
