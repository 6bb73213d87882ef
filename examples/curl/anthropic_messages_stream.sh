#!/usr/bin/env bash
# POST /v1/messages with "stream": true: Anthropic's event stream (message_start,
# content_block_start, content_block_delta..., content_block_stop, message_delta, message_stop).
set -euo pipefail
. "$(dirname "$0")/common.sh"
model="$(llmgw_model)"

anthropic_curl -N "$LLMGW_URL/v1/messages" \
  -H "Content-Type: application/json" \
  -d @- <<JSON
{
  "model": "$model",
  "max_tokens": 128,
  "stream": true,
  "messages": [{"role": "user", "content": "Write a haiku about latency."}]
}
JSON
