#!/usr/bin/env bash
# POST /v1/messages/count_tokens: prompt tokens of a Messages request (system, tools and messages
# included) without generating. Real counts where the runtime can tokenize; an estimate otherwise.
# -i shows the response headers too: one of them says which method was used.
set -euo pipefail
. "$(dirname "$0")/common.sh"
model="$(llmgw_model)"

anthropic_curl -i "$LLMGW_URL/v1/messages/count_tokens" \
  -H "Content-Type: application/json" \
  -d @- <<JSON
{
  "model": "$model",
  "system": "You are a concise assistant.",
  "tools": [
    {
      "name": "get_weather",
      "description": "Current weather for a city.",
      "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    }
  ],
  "messages": [{"role": "user", "content": "What is the weather in Lisbon right now?"}]
}
JSON
echo
