#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, ASan + UBSan) in their own build directory and
# runs each for SECONDS on a temporary copy of its corpus (the repository's corpus is never
# written), then runs every input kept in tests/fuzz/regressions/<target>/. Prints one summary
# line per target (execs, exec/s, cov, ft) and a closing "N passed, N failed" (one per target).
#
#   scripts/run-fuzz.sh [SECONDS]        default 20
#   FUZZ_BUILD=build-fuzz FUZZ_JOBS=2 FUZZ_RSS_LIMIT_MB=2048 FUZZ_KEEP=dir (crash inputs go there)
set -uo pipefail
SECONDS_PER_TARGET=${1:-20}
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD:-build-fuzz}
JOBS=${FUZZ_JOBS:-$(nproc)}
RSS_LIMIT_MB=${FUZZ_RSS_LIMIT_MB:-2048}
TIMEOUT_S=${FUZZ_TIMEOUT_S:-10}   # one input taking longer than this is a hang
KEEP=${FUZZ_KEEP:-$BUILD/fuzz-artifacts}
FUZZ_DIR=tests/fuzz

targets=()
for f in "$FUZZ_DIR"/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done

dict_for() {
  case $1 in
    fuzz_sse | fuzz_anthropic_stream | fuzz_responses_stream | fuzz_translate_reverse) echo "$FUZZ_DIR/dict/sse.dict" ;;
    fuzz_http_request) echo "$FUZZ_DIR/dict/http.dict" ;;
    *) echo "$FUZZ_DIR/dict/json.dict" ;;
  esac
}

echo "== fuzz: building ${#targets[@]} targets in $BUILD (clang, ASan + UBSan)"
if ! { CC=${FUZZ_CC:-clang} CXX=${FUZZ_CXX:-clang++} cmake -S . -B "$BUILD" -DLLMGW_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
       cmake --build "$BUILD" -j"$JOBS" --target fuzz_all -- --no-print-directory >"$BUILD/fuzz-build.log" 2>&1; }; then
  tail -n 30 "$BUILD/fuzz-build.log" 2>/dev/null
  for t in "${targets[@]}"; do echo "$t: FAILED (build)"; done
  echo "0 passed, ${#targets[@]} failed"
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$KEEP"

# One target: a timed run on a corpus copy, then the regression inputs. Writes $work/$t.result.
run_target() {
  local t=$1 bin="$BUILD/$FUZZ_DIR/$1" dir="$work/$1"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$FUZZ_DIR/corpus/$t/"* "$dir/corpus/" 2>/dev/null
  local rc=0 rrc=0 nreg=0
  "$bin" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb="$RSS_LIMIT_MB" -timeout="$TIMEOUT_S" \
    -dict="$(dict_for "$t")" -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus" \
    >"$dir/fuzz.log" 2>&1 || rc=$?
  local regs=("$FUZZ_DIR/regressions/$t"/*)
  if [ -e "${regs[0]}" ]; then
    nreg=${#regs[@]}
    "$bin" -rss_limit_mb="$RSS_LIMIT_MB" -timeout="$TIMEOUT_S" "${regs[@]}" >"$dir/regressions.log" 2>&1 || rrc=$?
  fi
  local execs rate covline cov ft
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$dir/fuzz.log" | tail -n1)
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$dir/fuzz.log" | tail -n1)
  covline=$(grep -E '^#[0-9]+.* cov: ' "$dir/fuzz.log" | tail -n1)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$covline")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$covline")
  local figures="execs=${execs:-?} exec/s=${rate:-?} cov=${cov:-?} ft=${ft:-?} regressions=$nreg"
  if [ "$rc" -eq 0 ] && [ "$rrc" -eq 0 ]; then
    echo "$t: ok  $figures" >"$work/$t.result"
  else
    {
      echo "$t: FAILED  $figures (fuzz rc=$rc, regressions rc=$rrc)"
      grep -hE 'fuzz property violated|ERROR: |runtime error|SUMMARY' "$dir/fuzz.log" "$dir/regressions.log" 2>/dev/null | head -n 8 | sed 's/^/    /'
      for a in "$dir/artifacts/"*; do
        [ -e "$a" ] || continue
        cp "$a" "$KEEP/$t-$(basename "$a")"
        echo "    input kept: $KEEP/$t-$(basename "$a")"
      done
    } >"$work/$t.result"
  fi
}

echo "== fuzz: ${SECONDS_PER_TARGET}s per target, $JOBS at a time"
running=0
for t in "${targets[@]}"; do
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

passed=0; failed=0
for t in "${targets[@]}"; do
  if [ -f "$work/$t.result" ]; then cat "$work/$t.result"; else echo "$t: FAILED (no result)"; fi
  if grep -q "^$t: ok" "$work/$t.result" 2>/dev/null; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
