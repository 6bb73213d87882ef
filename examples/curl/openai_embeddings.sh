#!/usr/bin/env bash
# POST /v1/embeddings: vectors for two inputs. Needs a runtime that serves embeddings (TGI does
# not: the gateway answers 501) and, for most runtimes, an embedding model (LLMGW_MODEL).
set -euo pipefail
. "$(dirname "$0")/common.sh"
model="$(llmgw_model)"

response="$(openai_curl "$LLMGW_URL/v1/embeddings" \
  -H "Content-Type: application/json" \
  -d @- <<JSON
{
  "model": "$model",
  "input": ["llmgw is an API gateway", "vLLM is an inference engine"]
}
JSON
)" || show_error "$response"
if have_jq; then
  # Vectors are long: show their shape and the first values.
  printf '%s' "$response" | jq '{model, vectors: (.data | length), dimensions: (.data[0].embedding | length),
                                  first_values: (.data[0].embedding[:4]), usage}'
else
  printf '%s\n' "$response"
fi
