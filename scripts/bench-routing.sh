#!/usr/bin/env bash
# What routing to pools costs and buys (issue 15), in one run on this machine; loopback only.
#  1. CPU: scripts/routing-cost.cpp, built against build/libllmgw_core_*.a: the route, session key
#     and replica pick of one request, and a model rename of a request and its answer.
#  2. Throughput where the replicas are the bottleneck: `llmgw mock --slots` answers SLOTS
#     requests at once (a runtime's batch), each paced by --itl-ms, so one replica serves about
#     SLOTS / answer-time requests a second whatever the client sends. wrk drives one gateway
#     fronting one replica, then one fronting three, with distinct conversations (a counter in
#     each prompt). The aim: three replicas serve at least 2.5x one replica's rate.
# A benchmark, not a test: it asserts nothing.
#   usage: scripts/bench-routing.sh [path/to/build] [seconds per wrk run]
set -euo pipefail
BUILD=${1:-build}
SECS=${2:-10}
BIN=$BUILD/llmgw
SLOTS=8 TOKENS=21 ITL_MS=5 CONNS=64
command -v wrk >/dev/null || { echo "bench-routing: wrk is not installed (scripts/install-deps.sh)" >&2; exit 1; }
DIR=$(mktemp -d /tmp/llmgw-bench-routing-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT

echo "## routing CPU per request (scripts/routing-cost.cpp)"
L=$BUILD
if g++ -O2 -std=c++20 -DRAPIDJSON_HAS_STDSTRING=1 -Isrc -include src/core/json/rapidjson_nonnull_stack.h \
    scripts/routing-cost.cpp "$L/libllmgw_core_routing.a" "$L/libllmgw_core_ops.a" "$L/libllmgw_core_backend.a" \
    "$L/libllmgw_core_api.a" "$L/libllmgw_core_json.a" "$L/libllmgw_core_base.a" \
    -lyaml-cpp -lcrypto -lz -lzstd -o "$DIR/routing-cost" 2>"$DIR/cost.err"; then
  "$DIR/routing-cost"
else
  echo "could not build scripts/routing-cost.cpp: $(head -c 300 "$DIR/cost.err")"
fi

start() {  # start NAME ARGS... -> prints the port
  local name=$1; shift
  "$BIN" "$@" --port 0 --port-file "$DIR/$name.port" >"$DIR/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 500); do [ -s "$DIR/$name.port" ] && break; sleep 0.02; done
  cat "$DIR/$name.port"
}

REPLICAS=()
for i in 1 2 3; do
  REPLICAS+=("$(start "mock$i" mock --workers 1 --slots "$SLOTS" --tokens "$TOKENS" --itl-ms "$ITL_MS")")
done
pool_file() {  # pool_file FILE PORT... : one pool of those replicas
  local f=$1; shift
  { echo "pools:"; echo "  - name: chat"; echo "    kind: vllm"; echo "    replicas:"
    for p in "$@"; do echo "      - http://127.0.0.1:$p"; done; } >"$f"
}
pool_file "$DIR/one.yaml" "${REPLICAS[0]}"
pool_file "$DIR/three.yaml" "${REPLICAS[@]}"
GW1=$(LOG_LEVEL=error HEALTH_CHECK_INTERVAL_S=0 BACKENDS_FILE="$DIR/one.yaml" start gw1 serve)
GW3=$(LOG_LEVEL=error HEALTH_CHECK_INTERVAL_S=0 BACKENDS_FILE="$DIR/three.yaml" start gw3 serve)
sleep 0.5

cat >"$DIR/conversations.lua" <<'LUA'
-- Distinct conversations: session affinity spreads them as it would real users.
local n = 0
request = function()
  n = n + 1
  local body = '{"model":"mock-model","max_tokens":21,"messages":[{"role":"user","content":"conversation ' .. n .. '"}]}'
  return wrk.format("POST", "/v1/chat/completions", {["Content-Type"] = "application/json"}, body)
end
LUA

rps() {  # rps PORT -> requests/s
  wrk -t1 -c"$CONNS" -d"${SECS}s" -s "$DIR/conversations.lua" "http://127.0.0.1:$1/v1/chat/completions" 2>&1 |
    awk '/Requests\/sec/ {print $2}'
}
ONE=$(rps "$GW1")
THREE=$(rps "$GW3")
echo
echo "## throughput: mock replicas of $SLOTS slots, $TOKENS tokens at $ITL_MS ms, wrk -c$CONNS for ${SECS}s"
echo "| replicas | req/s | x one replica |"
echo "|---|---|---|"
echo "| 1 | $ONE | 1.00 |"
echo "| 3 | $THREE | $(awk -v a="$THREE" -v b="$ONE" 'BEGIN { printf "%.2f", a / b }') |"
