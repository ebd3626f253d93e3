#!/usr/bin/env bash
# run-dev.sh runs the daemon in the foreground on configs/dev.toml, with
# everything under the git-ignored .cache/dev. Ctrl-C stops it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p .cache/dev
echo "ventanillad: diagnostics socket .cache/dev/run/diag.sock"
echo "             try: bin/ventanillactl --config configs/dev.toml status   (in another terminal)"
exec bin/ventanillad --config configs/dev.toml
