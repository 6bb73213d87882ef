#!/usr/bin/env bash
# A long fuzzing campaign: runs each libFuzzer target (built by scripts/run-fuzz.sh in FUZZ_BUILD)
# for RUNS executions, one after another, on a corpus kept between campaigns in
# $FUZZ_BUILD/campaign/<target> (seeded from tests/fuzz/corpus). Prints one line per target:
# executions, exec/s, coverage, features, wall seconds. Crash inputs land in
# $FUZZ_BUILD/campaign/artifacts/ (copy each into tests/fuzz/regressions/<target>/ after the fix).
#
#   scripts/fuzz-campaign.sh [RUNS] [TARGET...]      default 10000000, every target
#   FUZZ_BUILD=build-fuzz FUZZ_MAX_LEN=4096 FUZZ_TIMEOUT_S=10 (an input taking longer is a hang; a
#   campaign that may be paused, e.g. with SIGSTOP around a benchmark, needs a longer one)
#   FUZZ_JOBS=1: with N > 1, libFuzzer's -jobs runs N processes on the one corpus, RUNS/N
#   executions each (their logs: <target>.job-<i>.log); the line sums them
set -uo pipefail
RUNS=${1:-10000000}; shift || true
cd "$(dirname "$0")/.."
BUILD=$(realpath -m "${FUZZ_BUILD:-build-fuzz}")
JOBS=${FUZZ_JOBS:-1}
FUZZ_DIR=tests/fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$FUZZ_DIR"/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi
dict_for() {
  case $1 in
    fuzz_sse | fuzz_anthropic_stream | fuzz_translate_reverse | fuzz_responses_stream) echo "$FUZZ_DIR/dict/sse.dict" ;;
    fuzz_http_request) echo "$FUZZ_DIR/dict/http.dict" ;;
    *) echo "$FUZZ_DIR/dict/json.dict" ;;
  esac
}
mkdir -p "$BUILD/campaign/artifacts"
for t in "${targets[@]}"; do
  corpus="$BUILD/campaign/$t"
  if [ ! -d "$corpus" ]; then mkdir -p "$corpus"; cp "$FUZZ_DIR/corpus/$t/"* "$corpus/" 2>/dev/null; fi
  log="$BUILD/campaign/$t.log"
  flags=(-max_len="${FUZZ_MAX_LEN:-4096}" -rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT_S:-10}" -dict="$PWD/$(dict_for "$t")"
         -print_final_stats=1 -artifact_prefix="$BUILD/campaign/artifacts/$t-")
  start=$(date +%s)
  if [ "$JOBS" -gt 1 ]; then
    # -jobs writes fuzz-<i>.log into the working directory: run it in the campaign's.
    (cd "$BUILD/campaign" && rm -f fuzz-*.log &&
      "$BUILD/$FUZZ_DIR/$t" -jobs="$JOBS" -workers="$JOBS" -runs=$((RUNS / JOBS)) "${flags[@]}" "$corpus" >"$log" 2>&1)
    rc=$?
    for ((i = 0; i < JOBS; i++)); do mv -f "$BUILD/campaign/fuzz-$i.log" "$BUILD/campaign/$t.job-$i.log" 2>/dev/null; done
    logs=("$BUILD/campaign/$t".job-*.log)
  else
    "$BUILD/$FUZZ_DIR/$t" -runs="$RUNS" "${flags[@]}" "$corpus" >"$log" 2>&1
    rc=$?
    logs=("$log")
  fi
  wall=$(( $(date +%s) - start ))
  execs=$(cat "${logs[@]}" | sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' | awk '{s += $1} END {if (NR) print s}')
  rate=$(cat "${logs[@]}" | sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' | awk '{s += $1} END {if (NR) print s}')
  cov=$(cat "${logs[@]}" | grep -E '^#[0-9]+.* cov: ' | sed -nE 's/.* cov: ([0-9]+) ft: ([0-9]+).*/\1 \2/p' |
    sort -n | tail -n1 | awk '{print "cov " $1 " ft " $2}')
  echo "$t: rc=$rc execs=${execs:-?} exec/s=${rate:-?} ${cov:-cov ?} wall=${wall}s"
done
