#!/usr/bin/env bash
# Installs every build and test dependency of llmgw from Debian's packages. Idempotent: does
# nothing when all are present. Needs root (or sudo) when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libuv1-dev node-llhttp libcurl4-openssl-dev libssl-dev rapidjson-dev libcli11-dev libspdlog-dev catch2
  zlib1g-dev libzstd-dev  # gzip and zstd request bodies (core/base/content_encoding)
  libhiredis-dev redis-server  # REDIS_URL's shared rate limit; the tests start their own redis-server
  libyaml-cpp-dev  # BACKENDS_FILE (core/routing/backends_file)
  curl wrk jq ca-certificates
  clang libclang-rt-dev  # the libFuzzer targets (tests/fuzz): clang's fuzzer, ASan and UBSan runtimes
)
# The official SDK end-to-end tests need Node.js and npm (the SDK itself comes from the npm registry).
# Chromium runs the page checks of /docs and /reference headless (tests/web, driven by playwright-core).
if [ "${LLMGW_SKIP_NODE:-0}" != 1 ]; then PACKAGES+=(nodejs chromium); command -v npm >/dev/null 2>&1 || PACKAGES+=(npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs from another source may provide npm itself.
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
