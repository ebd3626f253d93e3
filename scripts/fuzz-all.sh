#!/usr/bin/env bash
# fuzz-all.sh runs every Go fuzz target in the module for FUZZTIME each and
# prints, per target, the executions, executions per second and new
# interesting inputs (the coverage-guided progress) from go test's own
# progress lines.
# Usage: scripts/fuzz-all.sh [FUZZTIME]   (default 60s; `make fuzz FUZZTIME=…`)
#        FUZZ_MATCH=regexp limits the run to targets whose name matches.
# Minimizing a new input is capped at 10 s so it cannot eat the budget.
set -euo pipefail
fuzztime=${1:-60s}
cd "$(dirname "$0")/.."
status=0
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
while IFS=: read -r file name; do
  pkg=$(dirname "$file")
  echo "fuzz: $pkg $name ($fuzztime)"
  log=$(mktemp)
  if ! go test -tags matprofile -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 10s "$pkg" 2>&1 | tee "$log"; then
    status=1
  fi
  # Last progress line: "fuzz: elapsed: 61s, execs: 123456 (2024/sec), new interesting: 7 (total: 12)"
  awk -v name="$pkg $name" '
    /^fuzz: elapsed: .* execs: / {
      for (i = 1; i <= NF; i++) {
        if ($i == "elapsed:") { el = $(i+1); sub(/s,$/, "", el) }
        if ($i == "execs:") { ex = $(i+1) }
        if ($i == "interesting:") { ni = $(i+1) }
      }
    }
    END {
      if (el > 0) printf "%-60s %12d execs %8.0f execs/s %6d new\n", name, ex, ex / el, ni
      else printf "%-60s no progress line (failed or did not start)\n", name
    }' "$log" >> "$summary"
  rm -f "$log"
done < <(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's/func //' | sort | grep -E ":.*${FUZZ_MATCH:-}")
echo
echo "fuzz summary ($fuzztime per target):"
cat "$summary"
exit $status
