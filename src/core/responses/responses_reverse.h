// The reverse directions, for `llmgw translate` only: an OpenAI chat completion request -> a
// Responses request, and a Responses `response` object -> an OpenAI chat completion. They let a
// capture from a runtime that serves /v1/responses natively be compared with the gateway's own
// translation; serve does not need them.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/api/translated_body.h"

namespace llmgw {

TranslatedBody translate_chat_request_to_responses(std::string_view chat_body);
TranslatedBody translate_response_to_chat(std::string_view response_body);

}  // namespace llmgw
