#!/usr/bin/env bash
# POST /v1/chat/completions with "stream": true: Server-Sent Events, relayed by the gateway chunk
# by chunk as the runtime produces them. include_usage asks for a last chunk with token counts.
set -euo pipefail
. "$(dirname "$0")/common.sh"
model="$(llmgw_model)"

# -N: print each event as it arrives instead of buffering.
openai_curl -N "$LLMGW_URL/v1/chat/completions" \
  -H "Content-Type: application/json" \
  -d @- <<JSON
{
  "model": "$model",
  "messages": [{"role": "user", "content": "Count from one to five in words."}],
  "max_tokens": 64,
  "stream": true,
  "stream_options": {"include_usage": true}
}
JSON
