#!/usr/bin/env bash
# Runs the unit and integration suites of one build directory (and the fuzz targets when
# LLMGW_FUZZ_SECONDS is set, see scripts/run-fuzz.sh) and prints one closing line:
# "N passed, N failed".
set -uo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
passed=0; failed=0
run() {
  local name=$1; shift
  echo "== $name"
  local out rc
  out=$("$@" 2>&1); rc=$?
  echo "$out" | tail -n 25
  # Catch2's summary: "test cases: 12 | 11 passed | 1 failed" or "All tests passed (N assertions in M test cases)"
  local line p f
  line=$(echo "$out" | grep -E '^(test cases:|All tests passed)' | tail -n1)
  if [[ $line =~ All\ tests\ passed.*in\ ([0-9]+)\ test\ case ]]; then p=${BASH_REMATCH[1]}; f=0
  else
    p=$(echo "$line" | sed -nE 's/.*\| *([0-9]+) passed.*/\1/p'); f=$(echo "$line" | sed -nE 's/.*\| *([0-9]+) failed.*/\1/p')
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  fi
  passed=$((passed + p)); failed=$((failed + f))
}
run unit "$BUILD/unit_tests"
run net "$BUILD/net_tests"
run integration "$BUILD/integration_tests"
# The fuzz targets when asked (make test sets LLMGW_FUZZ_SECONDS): each target counts as one test.
if [ -n "${LLMGW_FUZZ_SECONDS:-}" ]; then
  echo "== fuzz"
  out=$(bash scripts/run-fuzz.sh "$LLMGW_FUZZ_SECONDS" 2>&1); rc=$?
  total_re='^[0-9]+ passed, [0-9]+ failed$'
  echo "$out" | grep -vE "$total_re"
  line=$(echo "$out" | grep -E "$total_re" | tail -n1)
  p=$(echo "$line" | sed -nE 's/^([0-9]+) passed.*/\1/p'); f=$(echo "$line" | sed -nE 's/.* ([0-9]+) failed$/\1/p')
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
