#!/usr/bin/env bash
# The CPU a Redis-limited request costs the gateway, against the in-process limiter, in one run on
# this machine (issue 16's aim: under 10 us extra). One `llmgw mock`, one redis-server on a free
# loopback port, then `llmgw serve` (1 worker) six times: no limit, the in-process limits
# (RATE_LIMIT_ENABLED + TOKEN_LIMIT_TPM), the same through REDIS_URL, then each Redis call alone. Each serves N non-stream
# requests from `llmgw bench` at concurrency C; the gateway's CPU (utime + stime from
# /proc/PID/stat) divided by N is the cost per request. A benchmark, not a test: it asserts nothing.
#   usage: scripts/bench-redis-limits.sh [path/to/llmgw] [requests] [concurrency]
set -euo pipefail
BIN=${1:-build/llmgw}
N=${2:-20000}
C=${3:-16}
command -v redis-server >/dev/null || { echo "bench-redis-limits: redis-server is not installed" >&2; exit 1; }
DIR=$(mktemp -d /tmp/llmgw-bench-redis-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
TICK=$(getconf CLK_TCK)

start() {  # start NAME ARGS... -> prints the port
  local name=$1; shift
  "$BIN" "$@" --port 0 --port-file "$DIR/$name.port" >"$DIR/$name.log" 2>&1 &
  PIDS+=($!)
  echo $! >"$DIR/$name.pid"
  for _ in $(seq 1 500); do [ -s "$DIR/$name.port" ] && break; sleep 0.02; done
  cat "$DIR/$name.port"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$DIR/redis.log" 2>&1 &
PIDS+=($!)
REDIS_PID=$!
for _ in $(seq 1 200); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.02; done

MOCK=$(start mock mock --workers 1 --tokens 16)
KEY=sk-bench-0123456789
LIMITS=(RATE_LIMIT_ENABLED=true RATE_LIMIT_RPM=1e9 RATE_LIMIT_BURST=1e9 TOKEN_LIMIT_TPM=1e12)

run() {  # run LABEL ENV... -> one table row
  local label=$1; shift
  local port pid t0 t1 r0 r1
  # In the substitution's subshell: the exports reach only this gateway.
  port=$(export LOG_LEVEL=error WORKERS=1 API_KEYS=$KEY BACKEND_BASE_URL="http://127.0.0.1:$MOCK" "$@"; start "$label" serve)
  pid=$(cat "$DIR/$label.pid")
  PIDS+=("$pid")
  sleep 0.5  # connections to Redis up, discovery done
  # Warm-up, then the measured run.
  "$BIN" bench --url "http://127.0.0.1:$port" --key "$KEY" --model mock-model --no-stream -c "$C" -n 2000 --output-tokens 16 >/dev/null 2>&1
  t0=$(cpu_ticks "$pid"); r0=$(cpu_ticks "$REDIS_PID")
  "$BIN" bench --url "http://127.0.0.1:$port" --key "$KEY" --model mock-model --no-stream -c "$C" -n "$N" --output-tokens 16 >"$DIR/$label.bench" 2>&1
  t1=$(cpu_ticks "$pid"); r1=$(cpu_ticks "$REDIS_PID")
  kill "$pid"
  awk -v l="$label" -v a="$t0" -v b="$t1" -v ra="$r0" -v rb="$r1" -v n="$N" -v hz="$TICK" \
    'BEGIN { printf "| %s | %d | %.1f | %.1f |\n", l, n, (b - a) / hz / n * 1e6, (rb - ra) / hz / n * 1e6 }'
}

echo "| gateway | requests | gateway CPU us/request | redis-server CPU us/request |"
echo "|---|---|---|---|"
run none
run local "${LIMITS[@]}"
REDIS=(REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" REDIS_TIMEOUT_MS=200)
run redis "${LIMITS[@]}" "${REDIS[@]}"
# What each Redis call costs: the request limit alone (one call), the token budget alone (reserve,
# settle, ledger record), the ledger alone (REDIS_URL without limits: one call).
run redis-requests-only RATE_LIMIT_ENABLED=true RATE_LIMIT_RPM=1e9 RATE_LIMIT_BURST=1e9 "${REDIS[@]}"
run redis-tokens-only TOKEN_LIMIT_TPM=1e12 "${REDIS[@]}"
run redis-ledger-only "${REDIS[@]}"
