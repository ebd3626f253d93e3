#!/usr/bin/env bash
# fuzz-all.sh runs every Go fuzz target in the module for a short time each.
# Usage: scripts/fuzz-all.sh [FUZZTIME]   (default 10s)
set -euo pipefail
fuzztime=${1:-10s}
cd "$(dirname "$0")/.."
status=0
while IFS=: read -r file name; do
  pkg=$(dirname "$file")
  echo "fuzz: $pkg $name ($fuzztime)"
  if ! go test -tags matprofile -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"; then
    status=1
  fi
done < <(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's/func //' | sort)
exit $status
