// One route as the human-facing documents see it: what serve's route table (gateway.cpp) says
// about it. The documents are generated from that table, so a route added there appears in
// /openapi.json, /docs and /reference without a change here.
#pragma once
#include <string_view>

namespace llmgw {

struct ApiRoute {
    std::string_view path;    // OpenAPI template, e.g. "/v1/models/{model}"
    std::string_view method;  // "GET", "POST"
    bool needs_auth;
    bool anthropic;           // errors in the Anthropic envelope (else OpenAI's)
};

// What the documents say about an operation; a route the catalogue does not know gets a generic
// entry (documented as a JSON object in and out) rather than being left out.
struct OperationDoc {
    std::string_view operation_id;
    std::string_view tag;              // "OpenAI", "Anthropic", "Operations", "Documentation"
    std::string_view summary;
    std::string_view request_schema;   // components/schemas name, empty when there is no body
    std::string_view response_schema;  // components/schemas name, empty for non-JSON answers
    std::string_view content_type;     // of the 200 answer
    bool streams;                      // may answer text/event-stream when "stream": true
    std::string_view example_body;     // a small valid request body for the examples (POST)
};

OperationDoc operation_doc(const ApiRoute& r);

}  // namespace llmgw
