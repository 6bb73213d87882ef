// One error type for the whole gateway, rendered per API style. Routes pick the style; nothing
// else decides how an error looks on the wire.
#pragma once
#include <string>
#include <string_view>

namespace llmgw {

enum class ApiStyle { OpenAI, Anthropic };

struct ApiError {
    int status = 500;
    std::string message;
    std::string param;  // OpenAI "param" (JSON path of the offending field), may be empty
    std::string code;   // OpenAI "code", may be empty

    static ApiError bad_request(std::string msg, std::string param = {});
    static ApiError unauthorized(std::string msg);
    static ApiError not_found(std::string msg);
    static ApiError method_not_allowed(std::string msg);
    static ApiError too_large(std::string msg);
    static ApiError unsupported_media_type(std::string msg);
    static ApiError rate_limited(std::string msg);
    static ApiError not_implemented(std::string msg);
    static ApiError bad_gateway(std::string msg);
    static ApiError unavailable(std::string msg);
    static ApiError gateway_timeout(std::string msg);
    static ApiError internal(std::string msg);
};

// OpenAI "type" for a status: invalid_request_error, authentication_error, ...
std::string_view openai_error_type(int status);
// Anthropic "error.type" for a status: invalid_request_error, overloaded_error, ...
std::string_view anthropic_error_type(int status);

// {"error":{"message","type","param","code"}}
std::string render_openai_error(const ApiError& e);
// The same with a `type` other than the status's usual one (OpenAI answers an unknown response id
// with 404 invalid_request_error).
std::string render_openai_error(const ApiError& e, std::string_view type);
// {"type":"error","error":{"type","message"}}
std::string render_anthropic_error(const ApiError& e);
std::string render_error(ApiStyle style, const ApiError& e);

// An upstream error body in whatever shape the runtime sent, normalised: if it is already an
// OpenAI envelope it is returned unchanged for OpenAI routes; otherwise its message is extracted
// (error.message, message, error as string, detail, or the raw text) and re-wrapped.
std::string wrap_upstream_error(ApiStyle style, int status, std::string_view body);
// The human message inside an upstream error body, best effort.
std::string upstream_error_message(std::string_view body);

}  // namespace llmgw
