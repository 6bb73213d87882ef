# Shared by the curl examples (sourced, not run): where the gateway is, how to authenticate, which
# model to ask for.
#   LLMGW_URL      gateway base URL (default http://127.0.0.1:8000)
#   LLMGW_API_KEY  a key from API_KEYS (optional: leave unset when auth is off)
#   LLMGW_MODEL    model id (default: the first one GET /v1/models lists)
LLMGW_URL="${LLMGW_URL:-http://127.0.0.1:8000}"
LLMGW_URL="${LLMGW_URL%/}"

# OpenAI style: Authorization: Bearer. Anthropic style: x-api-key. The gateway accepts both.
OPENAI_AUTH=()
ANTHROPIC_AUTH=(-H "anthropic-version: 2023-06-01")
if [ -n "${LLMGW_API_KEY:-}" ]; then
  OPENAI_AUTH=(-H "Authorization: Bearer ${LLMGW_API_KEY}")
  ANTHROPIC_AUTH+=(-H "x-api-key: ${LLMGW_API_KEY}")
fi

# curl that fails on HTTP errors but still prints the error body (curl >= 7.76).
openai_curl()    { curl -sS --fail-with-body ${OPENAI_AUTH[@]+"${OPENAI_AUTH[@]}"} "$@"; }
anthropic_curl() { curl -sS --fail-with-body "${ANTHROPIC_AUTH[@]}" "$@"; }

# After a failed call captured with $(...): print the gateway's error body, which says what went
# wrong, and stop with curl's exit status.
show_error() { local rc=$?; printf '%s\n' "$1" >&2; exit "$rc"; }

have_jq() { command -v jq >/dev/null 2>&1; }
need_jq() { have_jq || { echo "this example needs jq (apt-get install jq / brew install jq)" >&2; exit 3; }; }
# Pretty-print JSON when jq is there, else print it as it came.
pretty() { if have_jq; then jq .; else cat; echo; fi; }

# The model to use: LLMGW_MODEL, else the first id in GET /v1/models.
llmgw_model() {
  if [ -n "${LLMGW_MODEL:-}" ]; then printf '%s' "$LLMGW_MODEL"; return; fi
  local models id
  models="$(openai_curl "$LLMGW_URL/v1/models")"
  id="$(printf '%s' "$models" | grep -o '"id" *: *"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/' || true)"
  if [ -z "$id" ]; then echo "no model listed at $LLMGW_URL/v1/models; set LLMGW_MODEL" >&2; exit 1; fi
  printf '%s' "$id"
}
