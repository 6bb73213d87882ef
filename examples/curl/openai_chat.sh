#!/usr/bin/env bash
# POST /v1/chat/completions: one chat turn, OpenAI style.
set -euo pipefail
. "$(dirname "$0")/common.sh"
model="$(llmgw_model)"

openai_curl "$LLMGW_URL/v1/chat/completions" \
  -H "Content-Type: application/json" \
  -d @- <<JSON | pretty
{
  "model": "$model",
  "messages": [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "Name three uses of a reverse proxy, one line each."}
  ],
  "max_tokens": 128,
  "temperature": 0.2
}
JSON
