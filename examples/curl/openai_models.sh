#!/usr/bin/env bash
# GET /v1/models: the models the runtime behind the gateway serves (passed through unchanged).
set -euo pipefail
. "$(dirname "$0")/common.sh"

openai_curl "$LLMGW_URL/v1/models" | pretty
