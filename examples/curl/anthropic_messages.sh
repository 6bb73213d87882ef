#!/usr/bin/env bash
# POST /v1/messages: Anthropic Messages API, translated by the gateway for any OpenAI-compatible
# runtime. max_tokens is required, as on Anthropic's API.
set -euo pipefail
. "$(dirname "$0")/common.sh"
model="$(llmgw_model)"

anthropic_curl "$LLMGW_URL/v1/messages" \
  -H "Content-Type: application/json" \
  -d @- <<JSON | pretty
{
  "model": "$model",
  "max_tokens": 256,
  "system": "You are a concise assistant.",
  "messages": [
    {"role": "user", "content": "In one sentence: what does an API gateway do?"}
  ]
}
JSON
