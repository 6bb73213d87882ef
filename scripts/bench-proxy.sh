#!/usr/bin/env bash
# Measures what the gateway adds, in one run on this machine: `llmgw mock` directly, then the same
# through `llmgw serve`, with wrk at concurrency 1 and 64, non-stream and stream; then RSS idle and
# with 5,000 concurrent open streams (held by `llmgw bench`). Loopback only. Prints a Markdown
# table for docs/PERFORMANCE.md. A benchmark, not a test: it asserts nothing.
#   usage: scripts/bench-proxy.sh [path/to/llmgw] [seconds per wrk run]
set -euo pipefail
BIN=${1:-build/llmgw}
SECS=${2:-5}
command -v wrk >/dev/null || { echo "bench-proxy: wrk is not installed (scripts/install-deps.sh)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
DIR=$(mktemp -d /tmp/llmgw-bench-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT

start() {  # start NAME ARGS... -> prints the port
  local name=$1; shift
  "$BIN" "$@" --port 0 --port-file "$DIR/$name.port" >"$DIR/$name.log" 2>&1 &
  PIDS+=($!)
  echo $! >"$DIR/$name.pid"
  for _ in $(seq 1 500); do [ -s "$DIR/$name.port" ] && break; sleep 0.02; done
  cat "$DIR/$name.port"
}
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

MOCK=$(start mock mock --workers 1 --tokens 16)
GW=$(LOG_LEVEL=error API_KEYS= BACKEND_BASE_URL="http://127.0.0.1:$MOCK" start serve serve)
GW_PID=$(cat "$DIR/serve.pid")
sleep 0.3
IDLE_RSS=$(rss_mb "$GW_PID")

for stream in false true; do
  cat >"$DIR/post-$stream.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"mock-model","stream":$stream,"messages":[{"role":"user","content":"Benchmark me"}]}'
LUA
done

run_wrk() {  # run_wrk PORT CONNS STREAM -> "rps p50 p99"
  local out
  out=$(wrk -t1 -c"$2" -d"${SECS}s" --latency -s "$DIR/post-$3.lua" "http://127.0.0.1:$1/v1/chat/completions" 2>&1)
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$rps $p50 $p99"
}

echo "| mode | conns | direct req/s | via gateway req/s | ratio | direct p50 | gateway p50 | direct p99 | gateway p99 |"
echo "|---|---|---|---|---|---|---|---|---|"
for stream in false true; do
  for c in 1 64; do
    read -r d_rps d_p50 d_p99 <<<"$(run_wrk "$MOCK" "$c" "$stream")"
    read -r g_rps g_p50 g_p99 <<<"$(run_wrk "$GW" "$c" "$stream")"
    ratio=$(awk -v a="$g_rps" -v b="$d_rps" 'BEGIN { if (b > 0) printf "%.0f%%", 100*a/b; else print "n/a" }')
    mode=$([ "$stream" = true ] && echo stream || echo non-stream)
    echo "| $mode | $c | $d_rps | $g_rps | $ratio | $d_p50 | $g_p50 | $d_p99 | $g_p99 |"
  done
done

# 5,000 concurrent streams held open through the gateway: a slow backend (1 token/s).
SLOW=$(start slowmock mock --workers 1 --tokens 20 --itl-ms 1000)
GW2=$(LOG_LEVEL=error BACKEND_BASE_URL="http://127.0.0.1:$SLOW" start serve2 serve)
GW2_PID=$(cat "$DIR/serve2.pid")
sleep 0.3
IDLE2=$(rss_mb "$GW2_PID")
"$BIN" bench --url "http://127.0.0.1:$GW2" --model mock-model --stream -c 5000 -n 5000 --output-tokens 20 \
  --input-tokens 16 --timeout 120 >"$DIR/bench5k.txt" 2>&1 &
BENCH=$!
PIDS+=($BENCH)
PEAK=0; OPEN=0
for _ in $(seq 1 60); do
  sleep 0.5
  r=$(rss_mb "$GW2_PID"); n=$(ls /proc/"$GW2_PID"/fd 2>/dev/null | wc -l)
  PEAK=$(awk -v a="$PEAK" -v b="$r" 'BEGIN { print (b > a ? b : a) }'); [ "$n" -gt "$OPEN" ] && OPEN=$n
  kill -0 "$BENCH" 2>/dev/null || break
done
wait "$BENCH" || true
echo
echo "| memory | RSS |"
echo "|---|---|"
echo "| gateway idle | ${IDLE_RSS} MB |"
echo "| gateway idle (second instance) | ${IDLE2} MB |"
echo "| gateway with 5,000 open streams (peak; max fds $OPEN) | ${PEAK} MB |"
grep -E "Requests|requests|success|fail" "$DIR/bench5k.txt" | head -5 | sed 's/^/    /'
