#!/usr/bin/env bash
# Installs the official SDKs used by the end-to-end tests (tests/sdk) from the npm registry,
# at the versions pinned in tests/sdk/package-lock.json. Skips the work when already installed.
set -euo pipefail
cd "$(dirname "$0")/../tests/sdk"
if [ -d node_modules/@anthropic-ai/sdk ] && [ -d node_modules/openai ] && [ node_modules -nt package-lock.json ]; then exit 0; fi
npm ci --no-audit --no-fund --loglevel=error
