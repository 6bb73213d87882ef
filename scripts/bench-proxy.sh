#!/usr/bin/env bash
# What the gateway costs next to nginx, in one run on this machine (issue 14). The gateway
# (`llmgw serve`, one worker) and Debian's nginx (`proxy_pass` with upstream keep-alive,
# `proxy_buffering off`, one worker) stand in turn in front of the same `llmgw mock`; each proxy is
# pinned to CPU 0, the mock and wrk to CPU 1. It prints Markdown tables for docs/PERFORMANCE.md:
#   - requests/s, p50/p99 and the proxy's CPU per request (utime+stime from /proc/PID/stat over
#     the wrk run, divided by the requests wrk completed), with the ratios gateway/nginx;
#   - the CPU of a translated /v1/messages stream against the plain chat relay of the same stream;
#   - allocations per relayed and per translated event (scripts/malloc-count.c, LD_PRELOAD, in a
#     separate gateway instance so the counter does not weigh on the timings);
#   - idle RSS, and peak RSS with 5,000 slow streams held open (by `llmgw bench`).
# nginx is optional: without it (`apt-get install -y nginx`) its rows say "–" and the ratios "n/a".
# Loopback only. A benchmark, not a test: it asserts nothing. Compare ratios within one run only.
#   usage: scripts/bench-proxy.sh [path/to/llmgw] [seconds per wrk run]
set -euo pipefail
BIN=${1:-build/llmgw}
SECS=${2:-5}
EVENTS=64           # content events per stream (plus role, finish, usage and [DONE])
EXTRA_EVENTS=1000   # the allocation count compares streams of EVENTS and EVENTS+EXTRA_EVENTS
ALLOC_STREAMS=20    # streams of each length for the allocation count
SLOW_STREAMS=${SLOW_STREAMS:-5000}  # env: fewer for a quick check of the script
PROXY_CPU=0
LOAD_CPU=1
command -v wrk >/dev/null || { echo "bench-proxy: wrk is not installed (scripts/install-deps.sh)" >&2; exit 1; }
NGINX=${NGINX-$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)}  # NGINX= runs without it
[ -n "$NGINX" ] || echo "bench-proxy: nginx is not installed (apt-get install -y nginx): its rows are skipped" >&2
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
BIN=$(readlink -f "$BIN")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/nginx-proxy.sh"
DIR=$(mktemp -d /tmp/llmgw-bench-XXXXXX)
chmod 755 "$DIR"
cleanup() {  # every process started writes its pid file in $DIR
  for f in "$DIR"/*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

cc -shared -fPIC -O2 -o "$DIR/malloc-count.so" "$HERE/malloc-count.c"

start() {  # start NAME CPU ARGS... -> prints the port (environment passes through)
  local name=$1 cpu=$2; shift 2
  taskset -c "$cpu" "$BIN" "$@" --port 0 --port-file "$DIR/$name.port" >"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
  for _ in $(seq 1 500); do [ -s "$DIR/$name.port" ] && break; sleep 0.02; done
  cat "$DIR/$name.port"
}
free_port() { for p in $(seq 18080 18180); do ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return; }; done; }
pids_of() {  # the process and its children (nginx's master and worker)
  echo "$1"; pgrep -P "$1" 2>/dev/null || true
}
cpu_ticks() { local t=0 p; for p in $(pids_of "$1"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
rss_kb() { local t=0 p; for p in $(pids_of "$1"); do t=$((t + $(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0))); done; echo "$t"; }
mb() { awk -v k="$1" 'BEGIN { if (k > 0) printf "%.1f MB", k/1024; else print "–" }'; }  # 0: not measured
TICK_US=$((1000000 / $(getconf CLK_TCK)))

MOCK=$(start mock "$LOAD_CPU" mock --workers 1 --tokens $((EVENTS + EXTRA_EVENTS)))
gateway_env() { export LOG_LEVEL=error API_KEYS= WORKERS=1 BACKEND_BASE_URL="http://127.0.0.1:$1"; }
GW=$(gateway_env "$MOCK"; start serve "$PROXY_CPU" serve)
GW_PID=$(cat "$DIR/serve.pid")

NGX=""; NGX_PID=""
start_nginx() {  # start_nginx NAME UPSTREAM_PORT -> sets NGX, NGX_PID
  NGX=$(free_port)
  mkdir -p "$DIR/$1"
  nginx_proxy_conf "$DIR/$1" "$DIR/nginx.pid" "$NGX" "$2" >"$DIR/$1/nginx.conf"
  taskset -c "$PROXY_CPU" "$NGINX" -p "$DIR/$1" -c "$DIR/$1/nginx.conf" -e "$DIR/$1/error.log" 2>"$DIR/$1/start.log"
  for _ in $(seq 1 250); do [ -s "$DIR/nginx.pid" ] && break; sleep 0.02; done
  NGX_PID=$(cat "$DIR/nginx.pid")
  sleep 0.2
}
stop_nginx() {
  [ -n "$NGX_PID" ] || return 0
  kill "$NGX_PID" 2>/dev/null || true
  for _ in $(seq 1 250); do kill -0 "$NGX_PID" 2>/dev/null || break; sleep 0.02; done
  rm -f "$DIR/nginx.pid"; NGX_PID=""
}
[ -n "$NGINX" ] && start_nginx nginx "$MOCK"
sleep 0.3
IDLE_GW=$(rss_kb "$GW_PID")
IDLE_NGX=$([ -n "$NGX_PID" ] && rss_kb "$NGX_PID" || echo 0)

body() {  # body STREAM MAX_TOKENS [extra members]: a chat request, and an Anthropic one too
  echo "{\"model\":\"mock-model\",\"max_tokens\":$2,\"stream\":$1,\"messages\":[{\"role\":\"user\",\"content\":\"Benchmark me\"}]${3:-}}"
}
for stream in false true; do
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' \
    "'$(body $stream $EVENTS)'" >"$DIR/chat-$stream.lua"
done
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["anthropic-version"] = "2023-06-01"\nwrk.body = %s\n' \
  "'$(body true $EVENTS)'" >"$DIR/messages-true.lua"

run_wrk() {  # run_wrk PORT PID CONNS SCRIPT PATH -> "rps p50 p99 cpu_us_per_request"
  local t0 t1 out n
  t0=$(cpu_ticks "$2")
  out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$3" -d"${SECS}s" --latency -s "$DIR/$4.lua" "http://127.0.0.1:$1$5" 2>&1)
  t1=$(cpu_ticks "$2")
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$out" | awk -v n="$n" -v ticks=$((t1 - t0)) -v us="$TICK_US" -v errs="$(echo "$out" | grep -c 'Non-2xx\|Socket errors' || true)" '
    /Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2}
    END { printf "%s %s %s %.1f%s\n", rps, p50, p99, (n > 0 ? ticks*us/n : 0), (errs > 0 ? "!" : "") }'
}
us() { [ "$1" = "–" ] && echo "–" || echo "$1 µs"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { a += 0; b += 0; if (b > 0) printf "%.2fx", a/b; else print "n/a" }'; }

echo "| mode | conns | gateway req/s | nginx req/s | req/s ratio | gateway CPU/req | nginx CPU/req | CPU ratio | gateway p50 / p99 | nginx p50 / p99 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
declare -A GW_CPU
for stream in false true; do
  for c in 1 64; do
    read -r g_rps g_p50 g_p99 g_cpu <<<"$(run_wrk "$GW" "$GW_PID" "$c" "chat-$stream" /v1/chat/completions)"
    n_rps="–"; n_p50="–"; n_p99="–"; n_cpu="–"
    [ -n "$NGX_PID" ] && read -r n_rps n_p50 n_p99 n_cpu <<<"$(run_wrk "$NGX" "$NGX_PID" "$c" "chat-$stream" /v1/chat/completions)"
    GW_CPU[$stream$c]=$g_cpu
    mode=$([ "$stream" = true ] && echo "stream ($EVENTS events)" || echo non-stream)
    echo "| $mode | $c | $g_rps | $n_rps | $(ratio "$g_rps" "$n_rps") | $(us "$g_cpu") | $(us "$n_cpu") | $(ratio "$g_cpu" "$n_cpu") | $g_p50 / $g_p99 | $n_p50 / $n_p99 |"
  done
done
read -r m_rps m_p50 m_p99 m_cpu <<<"$(run_wrk "$GW" "$GW_PID" 64 messages-true /v1/messages)"
echo
echo "| gateway stream, 64 conns | streams/s | CPU/stream | p50 / p99 |"
echo "|---|---:|---:|---|"
echo "| /v1/chat/completions relay | – | ${GW_CPU[true64]} µs | – |"
echo "| /v1/messages translated | $m_rps | $m_cpu µs ($(ratio "$m_cpu" "${GW_CPU[true64]}") the relay) | $m_p50 / $m_p99 |"
echo "(\"!\" after a figure: wrk saw non-2xx answers or socket errors)"

# Allocations per event: a second gateway under the malloc counter, streams of two lengths.
COUNT_FILE="$DIR/malloc.count"
GWC=$(gateway_env "$MOCK"; export LD_PRELOAD="$DIR/malloc-count.so" MALLOC_COUNT_FILE="$COUNT_FILE"
  start serve-count "$PROXY_CPU" serve)
allocs() { od -An -t u8 -N 8 "$COUNT_FILE" | tr -d ' '; }
streams() {  # streams PATH MAX_TOKENS COUNT [extra members]
  local b; b=$(body true "$2" "${4:-}")
  for _ in $(seq 1 "$3"); do
    taskset -c "$LOAD_CPU" curl -sN -o /dev/null -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' \
      --data "$b" "http://127.0.0.1:$GWC$1"
  done
}
per_event() {  # per_event PATH [extra members] -> allocations per extra event
  streams "$1" $((EVENTS + EXTRA_EVENTS)) 5 "${2:-}"  # warm: buffers at their working size
  local a0 a1 a2
  a0=$(allocs); streams "$1" "$EVENTS" "$ALLOC_STREAMS" "${2:-}"
  a1=$(allocs); streams "$1" $((EVENTS + EXTRA_EVENTS)) "$ALLOC_STREAMS" "${2:-}"
  a2=$(allocs)
  awk -v short=$((a1 - a0)) -v long=$((a2 - a1)) -v n="$ALLOC_STREAMS" -v e="$EXTRA_EVENTS" \
    'BEGIN { printf "%.2f | %.0f", (long - short) / (n * e), short / n }'
}
echo
echo "| gateway path (stream) | allocations per event | allocations per stream of $EVENTS events |"
echo "|---|---:|---:|"
echo "| /v1/chat/completions, client without include_usage (re-rendered, usage chunk dropped) | $(per_event /v1/chat/completions) |"
echo "| /v1/chat/completions, client with include_usage (relayed byte for byte) | $(per_event /v1/chat/completions ',"stream_options":{"include_usage":true}') |"
echo "| /v1/messages (translated) | $(per_event /v1/messages) |"

# 5,000 slow streams held open (1 token/s backend): peak RSS of each proxy.
SLOW=$(start slowmock "$LOAD_CPU" mock --workers 1 --tokens 20 --itl-ms 1000)
hold_streams() {  # hold_streams PORT PID NAME -> "peak_kb ok_line"
  local peak=0 r
  taskset -c "$LOAD_CPU" "$BIN" bench --url "http://127.0.0.1:$1" --model mock-model --stream -c "$SLOW_STREAMS" \
    -n "$SLOW_STREAMS" --output-tokens 20 --input-tokens 16 --timeout 120 >"$DIR/$3.txt" 2>&1 &
  local bench=$!
  echo "$bench" >"$DIR/$3.pid"
  while kill -0 "$bench" 2>/dev/null; do
    r=$(rss_kb "$2"); [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.5
  done
  wait "$bench" || true
  echo "$peak $(grep -m1 -iE 'succe|ok' "$DIR/$3.txt" | tr -s ' ' | tr '|' ' ' | head -c 80)"
}
GW2=$(gateway_env "$SLOW"; start serve-slow "$PROXY_CPU" serve)
GW2_PID=$(cat "$DIR/serve-slow.pid")
sleep 0.3
read -r g_peak g_ok <<<"$(hold_streams "$GW2" "$GW2_PID" bench-gw)"
kill "$GW2_PID" 2>/dev/null || true
n_peak=0; n_ok="–"
if [ -n "$NGINX" ]; then
  stop_nginx
  start_nginx nginx-slow "$SLOW"
  read -r n_peak n_ok <<<"$(hold_streams "$NGX" "$NGX_PID" bench-nginx)"
  stop_nginx
fi
echo
echo "| memory | gateway | nginx (master + worker) | ratio |"
echo "|---|---:|---:|---:|"
echo "| idle RSS | $(mb "$IDLE_GW") | $(mb "$IDLE_NGX") | $(ratio "$IDLE_GW" "$IDLE_NGX") |"
echo "| peak RSS, $SLOW_STREAMS open slow streams | $(mb "$g_peak") | $(mb "$n_peak") | $(ratio "$g_peak" "$n_peak") |"
echo
echo "$SLOW_STREAMS streams through the gateway: $g_ok"
echo "$SLOW_STREAMS streams through nginx: $n_ok"
