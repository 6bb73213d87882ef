#!/usr/bin/env bash
# Installs the npm packages the tests drive, from the npm registry, at the versions pinned by each
# folder's package-lock.json: the official SDKs (tests/sdk), the real coding agent CLIs
# (tests/agents), and the OpenAPI validator and headless-browser driver of the page checks
# (tests/web). Skips a folder whose install is already newer than its lock file.
set -euo pipefail
cd "$(dirname "$0")/../tests"

install() {  # install DIR PACKAGE... : npm ci unless every PACKAGE is there and up to date
  local dir=$1; shift
  local missing=0
  for pkg in "$@"; do [ -f "$dir/node_modules/$pkg/package.json" ] || missing=1; done
  if [ "$missing" -eq 0 ] && [ "$dir/node_modules" -nt "$dir/package-lock.json" ]; then return 0; fi
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$dir/node_modules"
}

install sdk @anthropic-ai/sdk openai @openai/agents
# The CLIs ship native binaries as per-platform optional dependencies (the lock lists them all;
# npm ci installs the one for this machine, e.g. @openai/codex-linux-x64).
install agents @anthropic-ai/claude-code @openai/codex
install web @apidevtools/swagger-parser playwright-core
