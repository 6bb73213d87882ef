// components/schemas and components/securitySchemes of /openapi.json: concise JSON Schema
// (2020-12, as OpenAPI 3.1 uses) of what clients send and get. The gateway passes fields it does
// not read through to the runtime, so request objects allow more than they list.
#pragma once
#include <string_view>

namespace llmgw {

extern const std::string_view kOpenApiComponents;  // the "components" object, as JSON

}  // namespace llmgw
