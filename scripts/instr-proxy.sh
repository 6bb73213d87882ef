#!/usr/bin/env bash
# Instructions per request of the gateway and of nginx in front of the same `llmgw mock` (issue
# 14), counted by valgrind's callgrind: user-space work of every thread, the same for the same
# binary and load whatever else the machine is doing, so it compares what the CPU times of
# bench-proxy.sh (which include the kernel's share and move between runs) cannot split. Each proxy
# runs under callgrind (nginx as one process: no daemon, no master), takes a warm-up, then N
# non-stream chat requests and N streams of EVENTS content events from `llmgw bench` at
# concurrency C; the counters are zeroed before and dumped after each measured run. The table
# gives instructions per request, then the gateway's split by the object that ran them (its own
# code, libcurl, libc, the rest): libcurl's share is the part no change of the gateway's own
# code can remove.
# Loopback only. A benchmark, not a test: it asserts nothing.
#   usage: scripts/instr-proxy.sh [path/to/llmgw] [requests] [concurrency]
set -euo pipefail
BIN=$(readlink -f "${1:-build/llmgw}")
N=${2:-2000}
C=${3:-16}
EVENTS=64
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/nginx-proxy.sh"
command -v callgrind_control >/dev/null || { echo "instr-proxy: valgrind is not installed" >&2; exit 1; }
NGINX=${NGINX-$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)}
[ -n "$NGINX" ] || echo "instr-proxy: nginx is not installed (apt-get install -y nginx): its column is skipped" >&2
DIR=$(mktemp -d /tmp/llmgw-instr-XXXXXX)
chmod 755 "$DIR"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 1500); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.02; done; }

"$BIN" mock --workers 1 --tokens "$EVENTS" --port 0 --port-file "$DIR/mock.port" >"$DIR/mock.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 500); do [ -s "$DIR/mock.port" ] && break; sleep 0.02; done
MOCK=$(cat "$DIR/mock.port")

# measure NAME PORT PID MODE -> instructions per request; the dump stays in $DIR/NAME.MODE.cg
measure() {
  local name=$1 port=$2 pid=$3 mode=$4 f
  local bench=("$BIN" bench --url "http://127.0.0.1:$port" --model mock-model "--$mode" -c "$C" --output-tokens "$EVENTS")
  "${bench[@]}" -n 200 >"$DIR/$name.$mode.warm" 2>&1
  callgrind_control -z "$pid" >/dev/null 2>&1
  "${bench[@]}" -n "$N" >"$DIR/$name.$mode.bench" 2>&1
  callgrind_control -d "$pid" >/dev/null 2>&1
  f=$(ls -t "$DIR/$name".cg.*.[0-9]* | head -n1)  # the newest dump
  mv "$f" "$DIR/$name.$mode.cg"
  awk -v n="$N" '/^summary:/ {printf "%.0f\n", $2 / n}' "$DIR/$name.$mode.cg"
}

# The gateway's instructions of one run split by object: "own libcurl libc other" per request.
split_by_object() {
  callgrind_annotate --inclusive=no --threshold=100 "$1" 2>/dev/null | awk -v n="$N" '
    /PROGRAM TOTALS/ { next }
    /^ *[0-9,]+ \(/ {
      c = $1; gsub(",", "", c)
      obj = $0; sub(/.*\[/, "", obj); sub(/\].*/, "", obj)
      # Thread entry frames carry their callees in this listing: not counted as work of their own.
      if ($0 ~ /_State_impl|clone|pthread_create|start_thread|0x00000000000d4490/) next
      if (obj ~ /\/llmgw$/) own += c
      else if (obj ~ /libcurl/) curl += c
      else if (obj ~ /libc\.so/) libc += c
      else other += c
    }
    END { printf "%.0f %.0f %.0f %.0f\n", own / n, curl / n, libc / n, other / n }'
}

GW=$(free_port)
env LOG_LEVEL=error API_KEYS= WORKERS=1 BACKEND_BASE_URL="http://127.0.0.1:$MOCK" \
  valgrind --tool=callgrind --callgrind-out-file="$DIR/gateway.cg.%p" "$BIN" serve --port "$GW" >"$DIR/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
wait_port "$GW"
sleep 1  # discovery done
declare -A GATEWAY NGINX_I SPLIT
for mode in no-stream stream; do
  GATEWAY[$mode]=$(measure gateway "$GW" "$GW_PID" "$mode")
  SPLIT[$mode]=$(split_by_object "$DIR/gateway.$mode.cg")
done
kill "$GW_PID"

NGINX_I[no-stream]="–"; NGINX_I[stream]="–"
if [ -n "$NGINX" ]; then
  NGX=$(free_port)
  mkdir -p "$DIR/nginx"
  nginx_proxy_conf "$DIR/nginx" "$DIR/nginx/nginx.pid" "$NGX" "$MOCK" 1 >"$DIR/nginx/nginx.conf"
  valgrind --tool=callgrind --callgrind-out-file="$DIR/nginx.cg.%p" \
    "$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log" >"$DIR/nginx.log" 2>&1 &
  NGX_PID=$!
  PIDS+=("$NGX_PID")
  wait_port "$NGX"
  for mode in no-stream stream; do NGINX_I[$mode]=$(measure nginx "$NGX" "$NGX_PID" "$mode"); done
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { a += 0; b += 0; if (b > 0) printf "%.2fx", a/b; else print "n/a" }'; }
echo "| request | gateway instructions | nginx instructions | ratio | gateway: own code | libcurl | libc | other libraries |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for mode in no-stream stream; do
  read -r own curl libc other <<<"${SPLIT[$mode]}"
  label=$([ "$mode" = stream ] && echo "stream of $EVENTS events" || echo "non-stream")
  echo "| $label | ${GATEWAY[$mode]} | ${NGINX_I[$mode]} | $(ratio "${GATEWAY[$mode]}" "${NGINX_I[$mode]}") | $own | $curl | $libc | $other |"
done
echo
echo "($N requests per row at concurrency $C, after a warm-up of 200; instructions per request, every thread of the process, user space only.)"
