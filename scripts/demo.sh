#!/usr/bin/env bash
# The quick start: `llmgw mock` as the runtime, `llmgw serve` in front of it, and a real chat
# completion (then a streamed one, and the same question through the Anthropic API) with curl.
set -euo pipefail
BIN=${1:-build/llmgw}
DIR=$(mktemp -d /tmp/llmgw-demo-XXXXXX)
cleanup() { kill "${SERVE_PID:-}" "${MOCK_PID:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 500); do [ -s "$1" ] && return 0; sleep 0.02; done; echo "demo: $2 did not start" >&2; cat "$DIR"/*.log >&2; exit 1; }

"$BIN" mock --port 0 --port-file "$DIR/mock.port" --model demo-model >"$DIR/mock.log" 2>&1 & MOCK_PID=$!
wait_port "$DIR/mock.port" "llmgw mock"
MOCK=$(cat "$DIR/mock.port")

API_KEYS=demo-key BACKEND_KIND=vllm BACKEND_BASE_URL="http://127.0.0.1:$MOCK" MODEL_NAME=demo-model LOG_LEVEL=warning \
  "$BIN" serve --port 0 --port-file "$DIR/serve.port" >"$DIR/serve.log" 2>&1 & SERVE_PID=$!
wait_port "$DIR/serve.port" "llmgw serve"
GW="http://127.0.0.1:$(cat "$DIR/serve.port")"

echo "llmgw mock  on http://127.0.0.1:$MOCK (the runtime)"
echo "llmgw serve on $GW (the gateway, API key: demo-key)"
echo
echo "\$ curl $GW/v1/chat/completions -H 'Authorization: Bearer demo-key' -d '{\"model\":\"demo-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}'"
curl -sS --fail-with-body "$GW/v1/chat/completions" -H 'Authorization: Bearer demo-key' -H 'Content-Type: application/json' \
  -d '{"model":"demo-model","messages":[{"role":"user","content":"Say hello"}]}'
echo; echo
echo "\$ curl -N $GW/v1/chat/completions ... \"stream\":true"
curl -sS -N --fail-with-body "$GW/v1/chat/completions" -H 'Authorization: Bearer demo-key' -H 'Content-Type: application/json' \
  -d '{"model":"demo-model","stream":true,"messages":[{"role":"user","content":"Say hello"}]}' | head -c 600
echo; echo
echo "\$ curl $GW/v1/messages -H 'x-api-key: demo-key' ... (Anthropic Messages API)"
curl -sS "$GW/v1/messages" -H 'x-api-key: demo-key' -H 'anthropic-version: 2023-06-01' -H 'Content-Type: application/json' \
  -d '{"model":"demo-model","max_tokens":64,"messages":[{"role":"user","content":"Say hello"}]}'
echo; echo
echo "\$ curl $GW/v1/models   (without a key)"
curl -sS "$GW/v1/models"
echo
