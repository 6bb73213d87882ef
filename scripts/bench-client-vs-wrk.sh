#!/usr/bin/env bash
# Is `llmgw bench` fast enough not to be the bottleneck? Starts `llmgw mock` (non-stream answers,
# no artificial delay) and measures, in one run on this machine, requests/s of wrk and of
# `llmgw bench --no-stream` against it at the same concurrency with a same-sized request body.
# The issue's bar: llmgw bench reaches at least 70% of wrk's requests/s. Alongside, the floor of
# any libcurl-multi client here: scripts/curl-floor.cpp (the same UpstreamClient, nothing else).
#
# Usage: scripts/bench-client-vs-wrk.sh [BUILD_DIR]   (env: CONCURRENCY=64 DURATION=5 WRK_THREADS=1,2)
set -euo pipefail

BUILD_DIR=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "no build directory ${1:-build}" >&2; exit 2; }
LLMGW=${LLMGW:-$BUILD_DIR/llmgw}
cd "$(dirname "$0")/.."
CONCURRENCY=${CONCURRENCY:-64}
DURATION=${DURATION:-5}
WRK_THREADS=${WRK_THREADS:-1,2}
MOCK_WORKERS=${MOCK_WORKERS:-1}

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$LLMGW" ] || { echo "no llmgw binary at $LLMGW (build first, or pass the build dir)" >&2; exit 2; }

work=$(mktemp -d)
mock_pid=
cleanup() {
    [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

"$LLMGW" mock --port 0 --port-file "$work/port" --workers "$MOCK_WORKERS" --tokens 16 >"$work/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 1 200); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")
url="http://127.0.0.1:$port"

# The same request shape llmgw bench sends with --input-tokens 16 --output-tokens 16 (no stream).
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"mock-model","messages":[{"role":"user","content":"7 the time people year way day man thing woman life child world school state family"}],"max_tokens":16,"stream":false}'
LUA

echo "llmgw bench vs wrk against llmgw mock at $url (non-stream, concurrency $CONCURRENCY, ${DURATION}s each, $(nproc) cores)"

best_wrk=0
IFS=, read -ra threads <<<"$WRK_THREADS"
for t in "${threads[@]}"; do
    c=$CONCURRENCY; [ "$c" -lt "$t" ] && c=$t
    out=$(wrk -t"$t" -c"$c" -d"${DURATION}s" --latency -s "$work/post.lua" "$url/v1/chat/completions")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    printf '  wrk -t%-2s          %10.0f req/s   p50 %-8s p99 %s\n' "$t" "$rps" "$p50" "$p99"
    best_wrk=$(awk -v a="$best_wrk" -v b="$rps" 'BEGIN {print (b > a) ? b : a}')
done

# The libcurl floor: built against this build's net library, run with the same body.
body=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$work/post.lua")
if g++ -O2 -std=c++20 -Isrc scripts/curl-floor.cpp "$BUILD_DIR/libllmgw_net.a" -luv -lcurl -o "$work/curl-floor" 2>"$work/floor.err"; then
    read -r floor _ < <("$work/curl-floor" "$url/v1/chat/completions" "$body" "$CONCURRENCY" "$DURATION")
    printf '  libcurl floor      %10.0f req/s   (%s%% of wrk: the gateway libcurl client, doing nothing else)\n' "$floor" \
        "$(awk -v a="$floor" -v b="$best_wrk" 'BEGIN {printf "%.0f", 100 * a / b}')"
else
    echo "  libcurl floor: could not build scripts/curl-floor.cpp ($(head -c 200 "$work/floor.err"))"
fi

"$LLMGW" bench --url "$url" --model mock-model --no-stream -c "$CONCURRENCY" --duration "${DURATION}s" \
    --warmup 200 --input-tokens 16 --output-tokens 16 --json "$work/bench.json" >/dev/null
read -r rps p50 p99 failed < <(python3 - "$work/bench.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
e2e = r["latency_ms"]["e2e"]
print("%.0f %.2fms %.2fms %d" % (r["throughput"]["requests_per_s"], e2e["p50"], e2e["p99"], r["requests"]["failed"]))
PY
)
printf '  llmgw bench        %10.0f req/s   p50 %-8s p99 %s   (failed: %s)\n' "$rps" "$p50" "$p99" "$failed"
ratio=$(awk -v a="$rps" -v b="$best_wrk" 'BEGIN {printf "%.0f", 100 * a / b}')
echo "  llmgw bench reaches ${ratio}% of the best wrk figure (bar: 70%)"
[ "$ratio" -ge 70 ]
