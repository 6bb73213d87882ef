#!/usr/bin/env bash
# The CPU a Redis-limited request costs the gateway, against the in-process limiter, on this
# machine (issue 16's aim: under 10 us extra). One `llmgw mock` and one redis-server on a free
# loopback port, then `llmgw serve` (1 worker) once per setup: no limit, the in-process limits
# (RATE_LIMIT_ENABLED + TOKEN_LIMIT_TPM), the request limit alone in process, the same three
# through REDIS_URL, and the ledger alone (REDIS_URL, no limits). The gateway is pinned to CPU 0;
# Redis, the mock and the `llmgw bench` client to CPU 1. Each setup serves N non-stream requests
# at concurrency C, ROUNDS times, the setups taking turns so that the machine's drift spreads
# over all of them; the table gives each setup's median.
#
# Two figures per request, both from the gateway's threads:
#   task   the scheduler's runtime (/proc/PID/task/*/schedstat): the gateway's own code and system
#          calls, without the interrupt time spent on its core;
#   total  utime + stime (/proc/PID/stat), which on this kernel also counts the softirq time of
#          the loopback packets the gateway sends (each write to Redis delivers into Redis's
#          socket from the sender's core).
# The script calls Redis ran per request (INFO commandstats: EVALSHA and EVAL).
# And the gateway's sleeps per request (voluntary context switches of its threads): waiting for
# Redis, an otherwise idle loop sleeps once more per request, and on a virtual machine each sleep
# and wake-up costs the sleeper CPU of its own. scripts/wake-cost.c, run at the end, measures
# that cost on this machine.
# KEYS=K spreads the requests over K API keys, taken in turn (each its own limits, its own Redis
# keys): each key's settles ride with that key's next reservation, so K sets how long they wait.
# CALLGRIND=1 runs each gateway under valgrind's callgrind instead and reports the instructions it
# ran per request (its user-space work, all threads; system calls and wake-ups not counted): the
# same for the same binary and load whatever else the machine does, so differences of a few
# hundred instructions between setups show, where the CPU times above move by 10 us between
# runs. One round is enough; a few thousand requests (valgrind runs the gateway ~50x slower).
# A benchmark, not a test: it asserts nothing.
#   usage: [KEYS=1] [BENCH_BIN=...] [CALLGRIND=1] scripts/bench-redis-limits.sh [path/to/llmgw] [requests] [concurrency] [rounds]
set -Eeuo pipefail
trap 'echo "bench-redis-limits: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
BIN=${1:-build/llmgw}
BENCH_BIN=${BENCH_BIN:-$BIN}  # the load generator (an older gateway's bench may lack an option)
N=${2:-20000}
C=${3:-16}
ROUNDS=${4:-3}
CALLGRIND=${CALLGRIND:-}
GW_CPU=${GW_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
command -v redis-server >/dev/null || { echo "bench-redis-limits: redis-server is not installed" >&2; exit 1; }
[ -z "$CALLGRIND" ] || command -v callgrind_control >/dev/null || { echo "bench-redis-limits: CALLGRIND=1 needs valgrind" >&2; exit 1; }
DIR=$(mktemp -d /tmp/llmgw-bench-redis-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
TICK=$(getconf CLK_TCK)

start() {  # start CPU NAME ARGS... -> prints the port; $WRAP (a command) runs the binary when set
  local cpu=$1 name=$2; shift 2
  rm -f "$DIR/$name.port"  # a setup runs once a round: never read the last round's port
  taskset -c "$cpu" ${WRAP:-} "$BIN" "$@" --port 0 --port-file "$DIR/$name.port" >"$DIR/$name.log" 2>&1 &
  PIDS+=($!)
  echo $! >"$DIR/$name.pid"
  for _ in $(seq 1 1500); do [ -s "$DIR/$name.port" ] && break; sleep 0.02; done
  cat "$DIR/$name.port"
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sleeps() { cat /proc/"$1"/task/*/status | awk '/^voluntary_ctxt_switches/ {s += $2} END {printf "%.0f\n", s}'; }
redis_calls() { redis-cli -p "$REDIS_PORT" INFO commandstats | awk -F'[=,]' '/^cmdstat_(evalsha|eval):/ {s += $2} END {printf "%.0f\n", s}'; }
runtime_ns() { cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {printf "%.0f\n", s}'; }  # %d is 32-bit in mawk

REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c "$LOAD_CPU" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$DIR/redis.log" 2>&1 &
PIDS+=($!)
REDIS_PID=$!
for _ in $(seq 1 200); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.02; done

MOCK=$(start "$LOAD_CPU" mock mock --workers 1 --tokens 16)
KEYS=${KEYS:-1}
KEY_LIST=() KEY_FLAGS=()
for i in $(seq 1 "$KEYS"); do KEY_LIST+=("sk-bench-0123456789-$i"); KEY_FLAGS+=(--key "sk-bench-0123456789-$i"); done
API_KEY_LIST=$(IFS=,; echo "${KEY_LIST[*]}")
REQUESTS=(RATE_LIMIT_ENABLED=true RATE_LIMIT_RPM=1e9 RATE_LIMIT_BURST=1e9)
LIMITS=("${REQUESTS[@]}" TOKEN_LIMIT_TPM=1e12)
REDIS=(REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" REDIS_TIMEOUT_MS=200)

measure() {  # measure LABEL ENV... -> appends "task_us total_us redis_us sleeps calls" to $DIR/LABEL.runs
  local label=$1; shift
  local port pid t0 t1 r0 r1 k0 k1 s0 s1 c0 c1
  # In the substitution's subshell: the exports reach only this gateway.
  local wrap=
  [ -n "$CALLGRIND" ] && wrap="valgrind --tool=callgrind --callgrind-out-file=$DIR/$label.cg.%p"
  port=$(export LOG_LEVEL=error WORKERS=1 API_KEYS=$API_KEY_LIST BACKEND_BASE_URL="http://127.0.0.1:$MOCK" "$@"; WRAP=$wrap start "$GW_CPU" "$label" serve)
  pid=$(cat "$DIR/$label.pid")
  PIDS+=("$pid")
  sleep 0.5  # connections to Redis up, discovery done
  [ -n "$CALLGRIND" ] && sleep 1.5  # valgrind's start
  local bench=(taskset -c "$LOAD_CPU" "$BENCH_BIN" bench --url "http://127.0.0.1:$port" "${KEY_FLAGS[@]}" --model mock-model --no-stream -c "$C" --output-tokens 16)
  "${bench[@]}" -n 2000 >"$DIR/$label.warmup" 2>&1 || { echo "bench-redis-limits: $label: the warm-up failed:" >&2; tail -n 5 "$DIR/$label.warmup" "$DIR/$label.log" >&2; exit 1; }  # warm-up
  if [ -n "$CALLGRIND" ]; then  # counts from zero after the warm-up, dumped after the run
    callgrind_control -z "$pid" >/dev/null 2>&1
    "${bench[@]}" -n "$N" >"$DIR/$label.bench" 2>&1
    callgrind_control -d "$pid" >/dev/null 2>&1
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    awk -v n="$N" '/^summary:/ {printf "%.0f\n", $2 / n}' "$DIR/$label.cg.$pid.1" >>"$DIR/$label.runs"
    return
  fi
  t0=$(ticks "$pid"); k0=$(runtime_ns "$pid"); r0=$(ticks "$REDIS_PID"); s0=$(sleeps "$pid"); c0=$(redis_calls)
  "${bench[@]}" -n "$N" >"$DIR/$label.bench" 2>&1
  t1=$(ticks "$pid"); k1=$(runtime_ns "$pid"); r1=$(ticks "$REDIS_PID"); s1=$(sleeps "$pid"); c1=$(redis_calls)
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  awk -v n="$N" -v hz="$TICK" -v t0="$t0" -v t1="$t1" -v k0="$k0" -v k1="$k1" -v r0="$r0" -v r1="$r1" -v s0="$s0" -v s1="$s1" -v c0="$c0" -v c1="$c1" \
    'BEGIN { printf "%.1f %.1f %.1f %.2f %.2f\n", (k1 - k0) / n / 1e3, (t1 - t0) / hz / n * 1e6, (r1 - r0) / hz / n * 1e6, (s1 - s0) / n, (c1 - c0) / n }' >>"$DIR/$label.runs"
}

SETUPS=(none local local-requests redis redis-requests redis-ledger)
for _ in $(seq 1 "$ROUNDS"); do
  measure none
  measure local "${LIMITS[@]}"
  measure local-requests "${REQUESTS[@]}"
  measure redis "${LIMITS[@]}" "${REDIS[@]}"
  measure redis-requests "${REQUESTS[@]}" "${REDIS[@]}"
  measure redis-ledger "${REDIS[@]}"
done

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
if [ -n "$CALLGRIND" ]; then
  echo "| setup | gateway instructions/request (callgrind) |"
  echo "|---|---|"
  for s in "${SETUPS[@]}"; do echo "| $s | $(median <"$DIR/$s.runs") |"; done
  echo
  echo "($N requests at concurrency $C per run over $KEYS key(s), $ROUNDS round(s), medians; user-space instructions of every gateway thread.)"
  exit 0
fi
echo "| setup | gateway task us/request | gateway total us/request | redis-server us/request | gateway sleeps/request | script calls/request |"
echo "|---|---|---|---|---|---|"
for s in "${SETUPS[@]}"; do
  f="$DIR/$s.runs"
  echo "| $s | $(cut -d' ' -f1 "$f" | median) | $(cut -d' ' -f2 "$f" | median) | $(cut -d' ' -f3 "$f" | median) | $(cut -d' ' -f4 "$f" | median) | $(cut -d' ' -f5 "$f" | median) |"
done
echo
echo "($N requests at concurrency $C per run over $KEYS key(s), $ROUNDS rounds, medians; redis-server's row is its own CPU.)"

# What a sleep costs here: the difference in sleeps per request times this is the part of the
# Redis path's extra CPU that is the loop waking, not work.
if cc -O2 -o "$DIR/wake-cost" "$(dirname "$0")/wake-cost.c" 2>"$DIR/wake-cost.err"; then
  echo
  "$DIR/wake-cost" 32000 3
else
  echo "(scripts/wake-cost.c did not build: $(head -n1 "$DIR/wake-cost.err"))"
fi
