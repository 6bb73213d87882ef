#include "core/docs/openapi_schemas.h"

namespace llmgw {

const std::string_view kOpenApiComponents = R"JSON({
"securitySchemes": {
  "bearer": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <key>, a key from API_KEYS (OpenAI SDKs)"},
  "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key", "description": "x-api-key: <key>, a key from API_KEYS (Anthropic SDKs)"}
},
"schemas": {
  "JsonObject": {"type": "object"},
  "OpenAIError": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object",
    "required": ["message", "type"], "properties": {"message": {"type": "string"}, "type": {"type": "string"},
    "param": {"type": ["string", "null"]}, "code": {"type": ["string", "null"]}}}}},
  "AnthropicError": {"type": "object", "required": ["type", "error"], "properties": {"type": {"const": "error"},
    "error": {"type": "object", "required": ["type", "message"], "properties": {"type": {"type": "string"},
    "message": {"type": "string"}}}}},
  "Probe": {"type": "object", "required": ["status"], "properties": {"status": {"enum": ["ok", "unavailable"]},
    "backend": {"type": "object"}}},
  "Health": {"type": "object", "required": ["status", "gateway", "backend"], "properties": {
    "status": {"enum": ["ok", "unavailable"]},
    "gateway": {"type": "object", "properties": {"ok": {"type": "boolean"}, "version": {"type": "string"}, "uptime_s": {"type": "number"}}},
    "backend": {"type": "object", "properties": {"ok": {"type": "boolean"}, "kind": {"type": "string"}, "url": {"type": "string"},
      "status": {"type": "integer"}, "latency_ms": {"type": "number"}, "detail": {"type": "string"},
      "discovery": {"enum": ["pending", "running", "done", "unreachable"]}, "detected": {"type": ["string", "null"]},
      "context_length": {"type": "integer"}, "native_messages": {"type": "boolean"},
      "stream_usage": {"type": ["boolean", "null"]}, "top_k": {"type": ["boolean", "null"]}, "tokenizer": {"type": ["boolean", "null"]}}}}},
  "Root": {"type": "object", "required": ["name", "version", "endpoints"], "properties": {"name": {"const": "llmgw"},
    "version": {"type": "string"}, "backend": {"type": "object"},
    "endpoints": {"type": "object", "additionalProperties": {"type": "string"}}}},
  "Usage": {"type": "object", "properties": {"prompt_tokens": {"type": "integer"}, "completion_tokens": {"type": "integer"},
    "total_tokens": {"type": "integer"}}},
  "Model": {"type": "object", "required": ["id", "object"], "properties": {"id": {"type": "string"}, "object": {"const": "model"},
    "created": {"type": "integer"}, "owned_by": {"type": "string"}}},
  "ModelList": {"type": "object", "required": ["object", "data"], "properties": {"object": {"const": "list"},
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Model"}}}},
  "ChatMessage": {"type": "object", "required": ["role"], "properties": {
    "role": {"enum": ["system", "developer", "user", "assistant", "tool"]},
    "content": {"type": ["string", "array", "null"], "items": {"type": "object"}},
    "tool_calls": {"type": "array", "items": {"type": "object"}}, "tool_call_id": {"type": "string"}}},
  "ChatCompletionRequest": {"type": "object", "required": ["model", "messages"], "properties": {
    "model": {"type": "string"}, "messages": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/ChatMessage"}},
    "stream": {"type": "boolean"}, "max_tokens": {"type": "integer", "minimum": 1}, "max_completion_tokens": {"type": "integer", "minimum": 1},
    "temperature": {"type": "number"}, "top_p": {"type": "number"}, "stop": {"type": ["string", "array"]},
    "tools": {"type": "array", "items": {"type": "object"}}, "tool_choice": {"type": ["string", "object"]}}},
  "ChatCompletion": {"type": "object", "required": ["id", "object", "choices"], "properties": {
    "id": {"type": "string"}, "object": {"const": "chat.completion"}, "created": {"type": "integer"}, "model": {"type": "string"},
    "choices": {"type": "array", "items": {"type": "object", "properties": {"index": {"type": "integer"},
      "message": {"$ref": "#/components/schemas/ChatMessage"}, "finish_reason": {"type": ["string", "null"]}}}},
    "usage": {"$ref": "#/components/schemas/Usage"}}},
  "CompletionRequest": {"type": "object", "required": ["model", "prompt"], "properties": {
    "model": {"type": "string"}, "prompt": {"type": ["string", "array"]}, "stream": {"type": "boolean"},
    "max_tokens": {"type": "integer", "minimum": 1}, "temperature": {"type": "number"}}},
  "Completion": {"type": "object", "required": ["id", "object", "choices"], "properties": {
    "id": {"type": "string"}, "object": {"const": "text_completion"}, "created": {"type": "integer"}, "model": {"type": "string"},
    "choices": {"type": "array", "items": {"type": "object", "properties": {"index": {"type": "integer"},
      "text": {"type": "string"}, "finish_reason": {"type": ["string", "null"]}}}},
    "usage": {"$ref": "#/components/schemas/Usage"}}},
  "EmbeddingRequest": {"type": "object", "required": ["model", "input"], "properties": {
    "model": {"type": "string"}, "input": {"type": ["string", "array"]}, "encoding_format": {"enum": ["float", "base64"]}}},
  "EmbeddingList": {"type": "object", "required": ["object", "data"], "properties": {"object": {"const": "list"},
    "data": {"type": "array", "items": {"type": "object", "properties": {"object": {"const": "embedding"},
      "index": {"type": "integer"}, "embedding": {"type": ["array", "string"], "items": {"type": "number"}}}}},
    "model": {"type": "string"}, "usage": {"$ref": "#/components/schemas/Usage"}}},
  "AnthropicMessage": {"type": "object", "required": ["role", "content"], "properties": {
    "role": {"enum": ["user", "assistant"]}, "content": {"type": ["string", "array"], "items": {"$ref": "#/components/schemas/ContentBlock"}}}},
  "ContentBlock": {"type": "object", "required": ["type"], "properties": {
    "type": {"enum": ["text", "image", "tool_use", "tool_result", "thinking", "redacted_thinking", "document"]},
    "text": {"type": "string"}, "id": {"type": "string"}, "name": {"type": "string"}, "input": {"type": "object"},
    "tool_use_id": {"type": "string"}}},
  "MessagesRequest": {"type": "object", "required": ["model", "max_tokens", "messages"], "properties": {
    "model": {"type": "string"}, "max_tokens": {"type": "integer", "minimum": 1},
    "messages": {"type": "array", "items": {"$ref": "#/components/schemas/AnthropicMessage"}},
    "system": {"type": ["string", "array"]}, "stream": {"type": "boolean"}, "temperature": {"type": "number"},
    "top_p": {"type": "number"}, "top_k": {"type": "integer"}, "stop_sequences": {"type": "array", "items": {"type": "string"}},
    "tools": {"type": "array", "items": {"type": "object"}}, "tool_choice": {"type": "object"}, "thinking": {"type": "object"},
    "metadata": {"type": "object"}}},
  "Message": {"type": "object", "required": ["id", "type", "role", "content", "model", "stop_reason", "usage"], "properties": {
    "id": {"type": "string"}, "type": {"const": "message"}, "role": {"const": "assistant"},
    "content": {"type": "array", "items": {"$ref": "#/components/schemas/ContentBlock"}}, "model": {"type": "string"},
    "stop_reason": {"type": ["string", "null"]}, "stop_sequence": {"type": ["string", "null"]},
    "usage": {"type": "object", "properties": {"input_tokens": {"type": "integer"}, "output_tokens": {"type": "integer"}}}}},
  "CountTokensRequest": {"type": "object", "required": ["model", "messages"], "properties": {
    "model": {"type": "string"}, "messages": {"type": "array", "items": {"$ref": "#/components/schemas/AnthropicMessage"}},
    "system": {"type": ["string", "array"]}, "tools": {"type": "array", "items": {"type": "object"}}}},
  "TokenCount": {"type": "object", "required": ["input_tokens"], "properties": {"input_tokens": {"type": "integer"}}},
  "ResponsesRequest": {"type": "object", "required": ["model"], "properties": {
    "model": {"type": "string"}, "input": {"type": ["string", "array"], "items": {"type": "object"}},
    "instructions": {"type": ["string", "null"]}, "previous_response_id": {"type": ["string", "null"]},
    "stream": {"type": "boolean"}, "store": {"type": "boolean"}, "max_output_tokens": {"type": "integer", "minimum": 1},
    "temperature": {"type": "number"}, "top_p": {"type": "number"}, "tools": {"type": "array", "items": {"type": "object"}},
    "tool_choice": {"type": ["string", "object"]}, "reasoning": {"type": ["object", "null"]},
    "include": {"type": "array", "items": {"type": "string"}}, "text": {"type": "object"}}},
  "Response": {"type": "object", "required": ["id", "object", "status", "output"], "properties": {
    "id": {"type": "string"}, "object": {"const": "response"}, "created_at": {"type": "integer"},
    "status": {"enum": ["completed", "incomplete", "failed", "in_progress"]}, "model": {"type": "string"},
    "output": {"type": "array", "items": {"type": "object"}}, "previous_response_id": {"type": ["string", "null"]},
    "usage": {"type": ["object", "null"], "properties": {"input_tokens": {"type": "integer"},
      "output_tokens": {"type": "integer"}, "total_tokens": {"type": "integer"}}}}},
  "ResponseDeleted": {"type": "object", "required": ["id", "object", "deleted"], "properties": {
    "id": {"type": "string"}, "object": {"const": "response"}, "deleted": {"const": true}}},
  "InputItemList": {"type": "object", "required": ["object", "data"], "properties": {"object": {"const": "list"},
    "data": {"type": "array", "items": {"type": "object"}}, "first_id": {"type": ["string", "null"]},
    "last_id": {"type": ["string", "null"]}, "has_more": {"type": "boolean"}}}
}
})JSON";

}  // namespace llmgw
