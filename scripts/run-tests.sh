#!/usr/bin/env bash
# Runs every test of one build directory through ctest (each Catch2 case is its own ctest test,
# run in parallel with a per-test timeout), then the fuzz targets when LLMGW_FUZZ_SECONDS is set
# (scripts/run-fuzz.sh), and prints one closing line: "N passed, N failed".
set -uo pipefail
BUILD=${1:-build}
JOBS=${TEST_JOBS:-$(nproc)}
TEST_TIMEOUT_S=${TEST_TIMEOUT_S:-300}  # one test case taking longer than this is a hang
cd "$(dirname "$0")/.."
passed=0; failed=0

echo "== ctest ($BUILD, $JOBS in parallel)"
log=$(mktemp)
ctest --test-dir "$BUILD" -j "$JOBS" --timeout "$TEST_TIMEOUT_S" --output-on-failure >"$log" 2>&1
rc=$?
# The failures with their output, then ctest's summary.
grep -vE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* +Passed +' "$log" | tail -n 200
total=$(sed -nE 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\2/p' "$log" | tail -n1)
nfail=$(sed -nE 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/p' "$log" | tail -n1)
rm -f "$log"
total=${total:-0}; nfail=${nfail:-0}
if [ "$total" -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$nfail" -eq 0 ]; }; then nfail=$((nfail + 1)); fi
passed=$((passed + total - nfail)); failed=$((failed + nfail))

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
