#!/usr/bin/env bash
# run-dev.sh runs the daemon in the foreground on configs/dev.toml with the
# emulated devices, everything under the git-ignored .cache/dev. Ctrl-C
# stops all of it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dev=.cache/dev
mkdir -p "$dev"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# The R30x emulator on a pseudo-terminal (as gpsfake does for gpsd). Its
# commands (FINGER, LIFT, UNPLUG, ... see `ventanillactl sim scanner -h`) are
# read from a FIFO: echo FINGER > .cache/dev/scanner.cmd
rm -f "$dev/scanner.cmd"; mkfifo "$dev/scanner.cmd"
exec 3<>"$dev/scanner.cmd"
bin/ventanillactl sim scanner --link "$dev/scanner" <&3 >"$dev/scanner.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -e "$dev/scanner" ] && break; sleep 0.1; done

echo "ventanillad: diagnostics socket $dev/run/diag.sock"
echo "  status:          bin/ventanillactl --config configs/dev.toml status"
echo "  scanner control: echo FINGER > $dev/scanner.cmd   (LIFT, UNPLUG, REPLUG, HELP...)"
bin/ventanillad --config configs/dev.toml &
pids+=($!)
wait -n "${pids[@]}"
