#!/usr/bin/env bash
# POST /v1/completions: legacy text completion (raw prompt, no chat template).
set -euo pipefail
. "$(dirname "$0")/common.sh"
model="$(llmgw_model)"

openai_curl "$LLMGW_URL/v1/completions" \
  -H "Content-Type: application/json" \
  -d @- <<JSON | pretty
{
  "model": "$model",
  "prompt": "The three primary colours are",
  "max_tokens": 32,
  "temperature": 0
}
JSON
