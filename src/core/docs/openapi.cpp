#include "core/docs/openapi.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <map>

#include "core/docs/openapi_schemas.h"

namespace llmgw {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void key(Writer& w, std::string_view s) { w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void ref(Writer& w, std::string_view schema) {
    w.StartObject();
    key(w, "$ref");
    str(w, "#/components/schemas/" + std::string(schema));
    w.EndObject();
}

// {"<type>": {"schema": ...}} for one content type; a JSON schema name, else a plain string.
// {"type": <type>}: a body the document does not describe further.
void type_schema(Writer& w, std::string_view type) {
    w.StartObject();
    key(w, "type");
    str(w, type);
    w.EndObject();
}
void content(Writer& w, std::string_view type, std::string_view schema) {
    key(w, "content");
    w.StartObject();
    key(w, type);
    w.StartObject();
    key(w, "schema");
    if (!schema.empty()) ref(w, schema);
    else type_schema(w, "string");
    w.EndObject();
    w.EndObject();
}

void write_operation(Writer& w, const ApiRoute& r) {
    const OperationDoc d = operation_doc(r);
    w.StartObject();
    key(w, "operationId");
    str(w, d.operation_id.empty() ? operation_id(r) : std::string(d.operation_id));
    key(w, "tags");
    w.StartArray();
    str(w, d.tag);
    w.EndArray();
    key(w, "summary");
    str(w, d.summary.empty() ? std::string(r.method) + " " + std::string(r.path) : std::string(d.summary));

    // Path parameters: each {name} of the template.
    bool has_params = false;
    for (size_t open = r.path.find('{'); open != std::string_view::npos; open = r.path.find('{', open + 1)) {
        size_t close = r.path.find('}', open);
        if (close == std::string_view::npos) break;
        if (!has_params) {
            key(w, "parameters");
            w.StartArray();
            has_params = true;
        }
        w.StartObject();
        key(w, "name");
        str(w, r.path.substr(open + 1, close - open - 1));
        key(w, "in");
        str(w, "path");
        key(w, "required");
        w.Bool(true);
        key(w, "schema");
        type_schema(w, "string");
        w.EndObject();
    }
    if (has_params) w.EndArray();

    if (!d.request_schema.empty()) {
        key(w, "requestBody");
        w.StartObject();
        key(w, "required");
        w.Bool(true);
        content(w, "application/json", d.request_schema);
        w.EndObject();
    }

    key(w, "responses");
    w.StartObject();
    key(w, "200");
    w.StartObject();
    key(w, "description");
    str(w, d.streams ? "The answer; with \"stream\": true, server-sent events" : "The answer");
    key(w, "content");
    w.StartObject();
    key(w, d.content_type);
    w.StartObject();
    key(w, "schema");
    if (d.response_schema.empty()) type_schema(w, d.content_type == "application/json" ? "object" : "string");
    else ref(w, d.response_schema);
    w.EndObject();
    if (d.streams) {
        key(w, "text/event-stream");
        w.StartObject();
        key(w, "schema");
        type_schema(w, "string");
        w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    if (r.path == "/readyz" || r.path == "/health") {
        key(w, "503");
        w.StartObject();
        key(w, "description");
        str(w, "The backend is not ready");
        content(w, "application/json", d.response_schema);
        w.EndObject();
    }
    key(w, "default");
    w.StartObject();
    key(w, "description");
    str(w, r.anthropic ? "An error, in the Anthropic envelope" : "An error, in the OpenAI envelope");
    content(w, "application/json", r.anthropic ? "AnthropicError" : "OpenAIError");
    w.EndObject();
    w.EndObject();

    key(w, "security");
    w.StartArray();
    if (r.needs_auth) {
        for (std::string_view scheme : {"bearer", "apiKey"}) {
            w.StartObject();
            key(w, scheme);
            w.StartArray();
            w.EndArray();
            w.EndObject();
        }
    }
    w.EndArray();
    w.EndObject();
}

}  // namespace

std::string operation_id(const ApiRoute& r) {
    std::string id;
    for (char c : r.method) id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool upper = true;
    for (char c : r.path) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            upper = true;
            continue;
        }
        id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        upper = false;
    }
    return id;
}

std::string openapi_document(const std::vector<ApiRoute>& routes, const OpenApiInfo& info) {
    // Routes grouped by path, in table order of first appearance.
    std::vector<std::string_view> paths;
    std::map<std::string_view, std::vector<const ApiRoute*>> by_path;
    for (const auto& r : routes) {
        if (!by_path.contains(r.path)) paths.push_back(r.path);
        by_path[r.path].push_back(&r);
    }

    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    key(w, "openapi");
    str(w, "3.1.0");
    key(w, "info");
    w.StartObject();
    key(w, "title");
    str(w, "llmgw");
    key(w, "version");
    str(w, info.version);
    key(w, "description");
    str(w, std::string("OpenAI- and Anthropic-compatible gateway in front of a self-hosted LLM runtime. ") +
               (info.auth_enabled ? "Operations with a security requirement need a key from API_KEYS, as a Bearer token or x-api-key."
                                  : "This instance has no API keys configured: every route is open."));
    w.EndObject();
    key(w, "servers");
    w.StartArray();
    w.StartObject();
    key(w, "url");
    str(w, info.server_url);
    w.EndObject();
    w.EndArray();
    key(w, "paths");
    w.StartObject();
    for (auto path : paths) {
        key(w, path);
        w.StartObject();
        for (const ApiRoute* r : by_path[path]) {
            std::string method;
            for (char c : r->method) method += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            key(w, method);
            write_operation(w, *r);
        }
        w.EndObject();
    }
    w.EndObject();
    key(w, "components");
    w.RawValue(kOpenApiComponents.data(), kOpenApiComponents.size(), rapidjson::kObjectType);
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace llmgw
