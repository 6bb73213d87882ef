#!/usr/bin/env bash
# Structured output: extract fields from free text as JSON that follows a schema, with
# response_format {"type": "json_schema", ...} on /v1/chat/completions (passed through unchanged).
# vLLM, SGLang, llama.cpp, Ollama (recent), LM Studio and LocalAI constrain decoding to the
# schema; TGI expects its own form ({"type": "json", "value": <schema>}). See docs/BACKENDS.md.
# Needs jq.
set -euo pipefail
. "$(dirname "$0")/common.sh"
need_jq
model="$(llmgw_model)"
text="${1:-Order #4411 from Ana Lima (ana@example.com): 3 x USB-C cable, 1 x 65 W charger. Ship to Porto by Friday.}"

schema='{
  "type": "object",
  "properties": {
    "order_id": {"type": "string"},
    "customer": {"type": "string"},
    "email": {"type": "string"},
    "items": {"type": "array", "items": {"type": "object",
              "properties": {"name": {"type": "string"}, "quantity": {"type": "integer"}},
              "required": ["name", "quantity"]}},
    "city": {"type": "string"}
  },
  "required": ["order_id", "customer", "items"]
}'

content="$(jq -n --arg m "$model" --arg t "$text" --argjson s "$schema" '{
    model: $m,
    temperature: 0,
    max_tokens: 512,
    messages: [
      {role: "system", content: "Extract the order as JSON matching the schema. Output JSON only."},
      {role: "user", content: $t}
    ],
    response_format: {type: "json_schema", json_schema: {name: "order", schema: $s, strict: true}}
  }' \
  | openai_curl "$LLMGW_URL/v1/chat/completions" -H "Content-Type: application/json" -d @- \
  | jq -r '.choices[0].message.content // ""')"

if printf '%s' "$content" | jq -e . >/dev/null 2>&1; then
  printf '%s' "$content" | jq .
else
  # The runtime ignored response_format (or the model is a test double such as `llmgw mock`).
  echo "model output is not valid JSON (does the runtime support response_format?):" >&2
  printf '%s\n' "$content"
fi
