#!/usr/bin/env bash
# Tries the real coding agents against a real llama.cpp server: Claude Code (print mode, a permitted
# Bash tool) over /v1/messages and Codex CLI (exec, a Responses provider) over /v1/responses, each
# through `llmgw serve` in front of llama-server, by running the opt-in integration tests
# tagged [llamacpp] (tests/integration/test_agents_llamacpp.cpp). Prints what each agent did (its
# output and the gateway's access log) and ends with Catch2's summary.
#
#   scripts/try-agents-llamacpp.sh [BUILD]       BUILD: the build directory (default: build)
#   env: LLAMACPP_URL      the server (default http://127.0.0.1:18082)
#        LLAMACPP_SRC, LLAMACPP_WORK, LLAMACPP_RECIPE, THREADS
#                          when nothing answers at LLAMACPP_URL, a server is started on its port with
#                          the recipe's build.sh (default ../shared/runtimes/llamacpp, see its
#                          README.md) from the llama.cpp tree LLAMACPP_SRC (default ~/llama-src)
#                          and the build in LLAMACPP_WORK (default ~/llamacpp; built once by the
#                          recipe), with a 65536-token context and THREADS threads (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
URL=${LLAMACPP_URL:-http://127.0.0.1:18082}
RECIPE=${LLAMACPP_RECIPE:-$(pwd)/../shared/runtimes/llamacpp}

if [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health")" != 200 ]; then
  port=${URL##*:}; port=${port%%/*}
  echo "== starting llama-server on port $port (${LLAMACPP_WORK:-$HOME/llamacpp})"
  PORT=$port CTX=65536 SKIP_BUILD=1 THREADS=${THREADS:-2} \
    bash "$RECIPE/build.sh" "${LLAMACPP_SRC:-$HOME/llama-src}" "${LLAMACPP_WORK:-$HOME/llamacpp}"
fi

echo "== agent CLIs and the test binary"
bash scripts/setup-sdk-tests.sh
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target integration_tests -- --no-print-directory >/dev/null

echo "== agents through llmgw serve in front of $URL"
LLMGW_LLAMACPP_URL=$URL "$BUILD/integration_tests" "[llamacpp]"
