#!/usr/bin/env bash
# Checks the deployment files without a Docker engine:
#   1. the [deploy] unit tests (tests/unit/ops/test_deploy_config.cpp): variable names against the
#      config code, .env.example complete, compose profiles present, YAML sanity;
#   2. `docker compose config -q` for every profile, with and without the overlays, when the docker
#      CLI with the compose plugin is installed (it needs no engine for this);
#   3. `docker build` of deploy/Dockerfile (tag llmgw:check-deploy) when a Docker engine answers
#      (`docker info`); CHECK_DEPLOY_BUILD=0 leaves it out (it compiles the gateway: minutes);
#   4. when the tools are installed: `kubectl kustomize deploy/k8s`, `nginx -t` on
#      deploy/nginx/llmgw.conf (with a throwaway certificate), `caddy validate` on the Caddyfile.
# Anything missing is reported as "skip ... NOT run" with the reason, never as a pass, and the last
# line counts the skipped checks. Exit status: 0 when every check that ran passed, 1 otherwise.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
fail=0
ok()   { printf '  ok    %s\n' "$*"; }
bad()  { printf '  FAIL  %s\n' "$*"; fail=1; }
skipped=0
skip() { printf '  skip  %s\n' "$*"; skipped=$((skipped + 1)); }

echo "== unit tests [deploy]"
unit=""
for d in "${BUILD_DIR:-}" build build-deploy build-debug; do
  if [ -n "$d" ] && [ -x "$d/unit_tests" ]; then unit="$d/unit_tests"; break; fi
done
if [ -n "$unit" ]; then
  if "$unit" "[deploy]" >/tmp/llmgw-check-deploy.$$ 2>&1; then ok "$unit [deploy]"; else cat /tmp/llmgw-check-deploy.$$; bad "$unit [deploy]"; fi
  rm -f /tmp/llmgw-check-deploy.$$
else
  skip "no unit_tests binary (build first: cmake --build build --target unit_tests)"
fi

echo "== docker compose config"
# profile:template (the `none` profile runs api alone against an external URL)
profiles="vllm:vllm ollama:ollama llamacpp:llamacpp tgi:tgi sglang:sglang localai:localai mock:mock none:openai none:lmstudio"
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  for pt in $profiles; do
    profile="${pt%%:*}"; tpl="deploy/env/${pt##*:}.env"
    for overlay in "" "-f deploy/compose.egress.yml" "-f deploy/compose.gpu.yml" "-f deploy/compose.pools.yml"; do
      # shellcheck disable=SC2086
      if out=$(LLMGW_ENV_FILE="$tpl" docker compose --env-file "$tpl" -f docker-compose.yml $overlay \
                 --profile "$profile" config -q 2>&1); then
        ok "profile $profile with $tpl ${overlay:+($overlay)}"
      else
        printf '%s\n' "$out"; bad "profile $profile with $tpl ${overlay:+($overlay)}"
      fi
    done
  done
else
  skip "docker compose config NOT run for any profile: the docker CLI with the compose plugin is not installed"
fi

echo "== docker build"
if [ "${CHECK_DEPLOY_BUILD:-1}" = "0" ]; then
  skip "docker build NOT run: CHECK_DEPLOY_BUILD=0"
elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  if out=$(docker build -f deploy/Dockerfile -t llmgw:check-deploy . 2>&1); then
    ok "docker build -f deploy/Dockerfile (llmgw:check-deploy)"
  else
    printf '%s\n' "$out" | tail -40; bad "docker build -f deploy/Dockerfile"
  fi
elif command -v docker >/dev/null 2>&1; then
  skip "docker build NOT run: no Docker engine answers (docker info failed)"
else
  skip "docker build NOT run: the docker CLI is not installed"
fi

echo "== kubernetes manifests"
if command -v kubectl >/dev/null 2>&1; then
  if out=$(kubectl kustomize deploy/k8s 2>&1); then ok "kubectl kustomize deploy/k8s"; else printf '%s\n' "$out"; bad "kubectl kustomize deploy/k8s"; fi
else
  skip "kubectl kustomize NOT run: kubectl is not installed"
fi

echo "== reverse proxies"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if command -v nginx >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1; then
  mkdir -p "$tmp/logs"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
    -subj /CN=llm.example.com >/dev/null 2>&1
  sed -e "s#/etc/letsencrypt/live/llm.example.com/fullchain.pem#$tmp/cert.pem#" \
      -e "s#/etc/letsencrypt/live/llm.example.com/privkey.pem#$tmp/key.pem#" \
      -e "s#/var/log/nginx/#$tmp/logs/#" deploy/nginx/llmgw.conf > "$tmp/site.conf"
  printf 'pid %s/nginx.pid;\nerror_log %s/logs/error.log;\nevents {}\nhttp { access_log off; include %s/site.conf; }\n' \
    "$tmp" "$tmp" "$tmp" > "$tmp/nginx.conf"
  if out=$(nginx -t -c "$tmp/nginx.conf" -p "$tmp/" 2>&1); then ok "nginx -t deploy/nginx/llmgw.conf"; else printf '%s\n' "$out"; bad "nginx -t deploy/nginx/llmgw.conf"; fi
else
  skip "nginx -t NOT run: nginx (or openssl) is not installed"
fi
if command -v caddy >/dev/null 2>&1; then
  if out=$(caddy validate --adapter caddyfile --config deploy/caddy/Caddyfile 2>&1); then ok "caddy validate deploy/caddy/Caddyfile"; else printf '%s\n' "$out"; bad "caddy validate deploy/caddy/Caddyfile"; fi
else
  skip "caddy validate NOT run: caddy is not installed"
fi

if [ "$fail" -ne 0 ]; then echo "check-deploy: FAILED"; exit 1; fi
if [ "$skipped" -gt 0 ]; then echo "check-deploy: ok, but $skipped check(s) skipped (see 'skip' above): not verified here"
else echo "check-deploy: ok"; fi
