#!/usr/bin/env bash
# Retrieval-augmented generation in miniature, all through the gateway:
#   1. embed a handful of documents and the question (POST /v1/embeddings),
#   2. rank the documents by cosine similarity (in jq) and keep the best two,
#   3. ask the chat model to answer from those passages only, citing them.
# When the runtime serves no embeddings (TGI), every document goes into the prompt instead.
# Needs jq. LLMGW_EMBED_MODEL picks the embedding model (default: the chat model).
set -euo pipefail
. "$(dirname "$0")/common.sh"
need_jq
model="$(llmgw_model)"
embed_model="${LLMGW_EMBED_MODEL:-$model}"
question="${1:-How does llmgw decide whether the backend is ready?}"

docs='[
  "llmgw answers GET /livez with 200 as long as the process runs; it never contacts the backend.",
  "GET /readyz returns 200 only when the backend answers its health check, and caches the result for READINESS_CACHE_S seconds.",
  "Rate limiting uses a token bucket per API key, configured with RATE_LIMIT_RPM and RATE_LIMIT_BURST.",
  "The Anthropic Messages API is translated to chat completions unless ANTHROPIC_MODE is native."
]'

# 1 + 2: embeddings, then cosine ranking. Falls back to all documents if embeddings fail.
body="$(jq -n --arg m "$embed_model" --arg q "$question" --argjson d "$docs" '{model: $m, input: ([$q] + $d)}')"
if emb="$(openai_curl "$LLMGW_URL/v1/embeddings" -H "Content-Type: application/json" -d "$body" 2>/dev/null)"; then
  context="$(printf '%s' "$emb" | jq -r --argjson d "$docs" '
    def dot(a; b): [a, b] | transpose | map(.[0] * .[1]) | add;
    def norm(a): (dot(a; a) | sqrt) as $n | if $n == 0 then 1 else $n end;
    (.data | sort_by(.index) | map(.embedding)) as $v
    | [range(1; $v | length) | {i: (. - 1), score: (dot($v[0]; $v[.]) / (norm($v[0]) * norm($v[.])))}]
    | sort_by(-.score) | .[:2]
    | map("[\(.i + 1)] \($d[.i])") | join("\n")')"
  echo "retrieved by embedding similarity:" >&2
else
  context="$(jq -r -n --argjson d "$docs" '$d | to_entries | map("[\(.key + 1)] \(.value)") | join("\n")')"
  echo "embeddings unavailable; using every document:" >&2
fi
printf '%s\n\n' "$context" >&2

# 3: the grounded prompt.
prompt="Answer the question using only the passages below. Cite passage numbers like [1].
If the passages do not contain the answer, say so.

Passages:
$context

Question: $question"
jq -n --arg m "$model" --arg p "$prompt" '{
    model: $m,
    max_tokens: 256,
    temperature: 0,
    messages: [
      {role: "system", content: "You answer strictly from the provided passages."},
      {role: "user", content: $p}
    ]
  }' \
  | openai_curl "$LLMGW_URL/v1/chat/completions" -H "Content-Type: application/json" -d @- \
  | jq -r '.choices[0].message.content // "(no content)"'
