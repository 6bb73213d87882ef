// Forwarding one client request to the backend and relaying the answer: stream or whole body,
// with backpressure, cancellation on client disconnect, and error mapping. What the answer is
// turned into on the way back is the adapter's business (identity for OpenAI routes, the
// Anthropic translator for /v1/messages).
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "core/api/api_error.h"
#include "core/api/conversation_facts.h"
#include "core/api/stream_chunk.h"
#include "core/api/token_facts.h"
#include "core/ops/upstream_timeouts.h"
#include "gateway/gateway.h"
#include "gateway/routes.h"

namespace llmgw::gw {

// Turns the backend's answer into the client's.
class ResponseAdapter {
public:
    virtual ~ResponseAdapter() = default;
    // A stream event's "data:" payload from the backend, read once for the metrics observer and
    // the adapter (core/api/stream_chunk.h); append what the client should get.
    virtual void stream_event(const StreamChunk& chunk, std::string& out) = 0;
    // The backend's stream ended cleanly.
    virtual void stream_end(std::string& out) = 0;
    // The backend's stream broke (reset, timeout, an event over the size limit) after it had
    // started.
    virtual void stream_fail(const ApiError& e, std::string& out) = 0;
    // The adapter has written its last event (it met an error event or an event it cannot
    // read): the rest of the backend's stream is not needed.
    virtual bool stream_over() const { return false; }
    // A whole 2xx JSON body; returns the client's body, or sets *err.
    virtual std::string whole_body(std::string_view body, ApiError* err) = 0;
    // Output tokens the adapter counted, when the backend reported none.
    virtual int64_t output_tokens() const { return 0; }
};

struct ForwardRequest {
    Route route = Route::NotFound;
    ApiStyle style = ApiStyle::OpenAI;
    std::string method = "POST";
    std::string upstream_path;  // e.g. "/v1/chat/completions"
    std::string body;
    bool stream = false;
    bool strip_usage_chunk = false;  // we asked for include_usage; the client did not
    // Set when the gateway added stream_options: builds the body to send again if the runtime
    // rejects that field (older Ollama answers 400).
    std::function<std::string()> body_without_stream_options;
    std::string request_id;
    std::string model;
    // The conversation's key for replica affinity (conversation_session), from the route's own
    // parse of the client's body; 0: no affinity.
    uint64_t session = 0;
    // What the token budget reserves, read in the route's own parse of the body (a chat request's
    // prompt estimate, the output limit asked for); absent, the budget reads them from `body`.
    std::optional<TokenFacts> tokens;
    std::unique_ptr<ResponseAdapter> adapter;  // null: relay bytes unchanged
};

// A call to the runtime for ctx's request (its route, API style and request id) at `upstream_path`;
// the route adds the body and what it read from it.
ForwardRequest forward_request(const RequestContext& ctx, std::string upstream_path);

// Answers ctx's request with the backend's answer, recording the backend side of it (upstream
// duration, backend errors, TTFT, inter-token latency, tokens, active streams) on the way.
void forward(const RequestContext& ctx, ForwardRequest fr);

// The conversation's key for session affinity: the facts a route read from the client's body,
// with the client's x-session-id (or session-id) header.
uint64_t conversation_session(const ConversationFacts& conversation, const net::HttpRequest& req);

// What an attempt's end says about the replica that answered it (status 0: no head came).
AttemptOutcome attempt_outcome(const net::UpstreamResult& r, int status, std::string_view body);

// A small call answered whole (count_tokens, a pool's model list, a health probe), with the
// timeouts of its purpose. The answer is kept up to `max_answer_bytes` (a count or a model list is
// far smaller than the default); `done` gets the HTTP status (0 when the transport failed), the
// body and the transport result.
inline constexpr size_t kMaxSideCallAnswerBytes = 4u << 20;
using SideCallDone = std::function<void(int status, std::string body, const net::UpstreamResult& r)>;
void side_call(GatewayWorker& w, net::UpstreamRequest req, SideCallDone done,
               UpstreamPurpose purpose = UpstreamPurpose::SideCall, size_t max_answer_bytes = kMaxSideCallAnswerBytes);

// Maps a transport failure to the error a client sees (502 unreachable, 504 timeout, ...).
ApiError upstream_failure_error(const net::UpstreamResult& r);

}  // namespace llmgw::gw
