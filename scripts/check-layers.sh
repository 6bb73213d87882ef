#!/usr/bin/env bash
# Fails when an #include points up or sideways across the layers of docs/ARCHITECTURE.md: core's
# concerns may include only themselves and the concerns below them; core includes nothing of
# net, gateway or cmd; net includes only core/base of core, and nothing of gateway or cmd;
# gateway nothing of cmd.
# Static libraries link whatever they find, so this check is what keeps the layering honest.
set -uo pipefail
cd "$(dirname "$0")/.."

# concern: the concerns it may include (itself always allowed).
declare -A ALLOWED=(
  [base]=""
  [json]="base"
  [api]="json base"
  [backend]="api json base"
  [anthropic]="backend api json base"
  [responses]="backend api json base"
  [ops]="backend api json base"
  [limits]="ops backend api json base"
  [mock]="backend api json base"
  [bench]="json base"
  [docs]="json base"
  [routing]="ops backend api json base"
)

violations=0
report() { echo "layering: $1 includes $2"; violations=$((violations + 1)); }

for dir in src/core/*/; do
  concern=$(basename "$dir")
  [ -n "${ALLOWED[$concern]+set}" ] || { echo "layering: src/core/$concern is not in the table"; violations=$((violations + 1)); continue; }
  for f in "$dir"*.h "$dir"*.cpp; do
    [ -e "$f" ] || continue
    while IFS= read -r inc; do
      case $inc in
        core/*/*)
          dep=${inc#core/}; dep=${dep%%/*}
          [ "$dep" = "$concern" ] && continue
          [[ " ${ALLOWED[$concern]} " == *" $dep "* ]] || report "$f" "$inc" ;;
        net/* | gateway/* | cmd/*) report "$f" "$inc" ;;
      esac
    done < <(sed -nE 's/^#include "([^"]+)".*/\1/p' "$f")
  done
done
for f in src/net/*; do
  while IFS= read -r inc; do
    case $inc in core/base/*) ;; core/* | gateway/* | cmd/*) report "$f" "$inc" ;; esac
  done < <(sed -nE 's/^#include "([^"]+)".*/\1/p' "$f")
done
for f in src/gateway/*; do
  while IFS= read -r inc; do
    case $inc in cmd/*) report "$f" "$inc" ;; esac
  done < <(sed -nE 's/^#include "([^"]+)".*/\1/p' "$f")
done
if [ "$violations" -eq 0 ]; then echo "layering: every include points down"; fi
[ "$violations" -eq 0 ]
