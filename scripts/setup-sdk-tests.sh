#!/usr/bin/env bash
# Installs the npm packages of the tests at the versions pinned by their package-lock.json: the
# official SDKs of the end-to-end tests (tests/sdk) and the OpenAPI validator and headless-browser
# driver of the page checks (tests/web). Skips a directory already installed.
set -euo pipefail
root="$(dirname "$0")/.."
install() {  # <dir> <package that shows it is installed>...
  local dir="$root/$1"; shift
  local p missing=0
  for p in "$@"; do [ -d "$dir/node_modules/$p" ] || missing=1; done
  if [ "$missing" = 0 ] && [ "$dir/node_modules" -nt "$dir/package-lock.json" ]; then return 0; fi
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}
install tests/sdk @anthropic-ai/sdk openai
install tests/web @apidevtools/swagger-parser playwright-core
