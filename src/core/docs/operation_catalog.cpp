#include <array>

#include "core/docs/api_route.h"

namespace llmgw {

namespace {

struct Entry {
    std::string_view method, path;
    OperationDoc doc;
};

constexpr std::string_view kJson = "application/json";

// What the documents say about each route serve has; keyed by method and path template.
constexpr auto kCatalogue = std::to_array<Entry>({
    {"GET", "/", {"getRoot", "Operations", "Service summary and endpoint map (HTML for a browser)", "", "Root", kJson, false, ""}},
    {"GET", "/livez", {"getLivez", "Operations", "Liveness: the process answers", "", "Probe", kJson, false, ""}},
    {"GET", "/readyz", {"getReadyz", "Operations", "Readiness: the backend answers its health check (cached)", "", "Probe", kJson, false, ""}},
    {"GET", "/health", {"getHealth", "Operations", "Combined status and what discovery learned about the backend", "", "Health", kJson, false, ""}},
    {"GET", "/metrics", {"getMetrics", "Operations", "Prometheus exposition", "", "", "text/plain; version=0.0.4", false, ""}},
    {"GET", "/admin/backends", {"getAdminBackends", "Operations", "Pools and replicas: state, load, recent latency and errors, ejections (a key from ADMIN_KEYS)", "", "", kJson, false, ""}},
    {"GET", "/openapi.json", {"getOpenApi", "Documentation", "This OpenAPI document", "", "", kJson, false, ""}},
    {"GET", "/docs", {"getDocs", "Documentation", "How to use this gateway (HTML)", "", "", "text/html", false, ""}},
    {"GET", "/reference", {"getReference", "Documentation", "This document as a browsable reference (HTML)", "", "", "text/html", false, ""}},
    {"GET", "/v1/models", {"listModels", "OpenAI", "Models the runtime serves (Anthropic Models API shape with anthropic-version)", "", "ModelList", kJson, false, ""}},
    {"GET", "/v1/models/{model}", {"retrieveModel", "OpenAI", "One model the runtime serves, from its list (Anthropic shape with anthropic-version)", "", "Model", kJson, false, ""}},
    {"POST", "/v1/chat/completions",
     {"createChatCompletion", "OpenAI", "Chat completion (OpenAI Chat Completions API)", "ChatCompletionRequest",
      "ChatCompletion", kJson, true, R"({"model":"MODEL","messages":[{"role":"user","content":"Hi"}]})"}},
    {"POST", "/v1/completions",
     {"createCompletion", "OpenAI", "Text completion (OpenAI Completions API)", "CompletionRequest", "Completion",
      kJson, true, R"({"model":"MODEL","prompt":"Once upon a time","max_tokens":32})"}},
    {"POST", "/v1/embeddings",
     {"createEmbedding", "OpenAI", "Embeddings (OpenAI Embeddings API)", "EmbeddingRequest", "EmbeddingList", kJson,
      false, R"({"model":"MODEL","input":"Hello"})"}},
    {"POST", "/v1/messages",
     {"createMessage", "Anthropic", "Message (Anthropic Messages API), translated to the runtime's chat API",
      "MessagesRequest", "Message", kJson, true,
      R"({"model":"MODEL","max_tokens":256,"messages":[{"role":"user","content":"Hi"}]})"}},
    {"POST", "/v1/messages/count_tokens",
     {"countMessageTokens", "Anthropic", "Count the input tokens of a Messages request", "CountTokensRequest",
      "TokenCount", kJson, false, R"({"model":"MODEL","messages":[{"role":"user","content":"Hi"}]})"}},
    {"POST", "/v1/responses",
     {"createResponse", "OpenAI", "Response (OpenAI Responses API), translated to the runtime's chat API",
      "ResponsesRequest", "Response", kJson, true, R"({"model":"MODEL","input":"Hi"})"}},
    {"GET", "/v1/responses/{id}",
     {"getResponse", "OpenAI", "A stored response (store: true), for the key that created it", "", "Response", kJson,
      false, ""}},
    {"DELETE", "/v1/responses/{id}",
     {"deleteResponse", "OpenAI", "Delete a stored response", "", "ResponseDeleted", kJson, false, ""}},
    {"GET", "/v1/responses/{id}/input_items",
     {"listInputItems", "OpenAI", "The input items of a stored response (limit, order, after)", "", "InputItemList",
      kJson, false, ""}},
});

}  // namespace

OperationDoc operation_doc(const ApiRoute& r) {
    for (const auto& e : kCatalogue)
        if (e.method == r.method && e.path == r.path) return e.doc;
    // A route the catalogue does not know yet: documented generically, never left out.
    return {"", r.anthropic ? "Anthropic" : "OpenAI", "", r.method == "POST" ? "JsonObject" : "", "JsonObject", kJson,
            false, r.method == "POST" ? R"({"model":"MODEL"})" : ""};
}

}  // namespace llmgw
