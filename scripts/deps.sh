#!/usr/bin/env bash
# deps.sh installs, idempotently, what a fresh Debian 12 machine lacks to build,
# run and test Ventanilla. It uses sudo only when not root, and does nothing
# (quickly) when everything is already present.
set -euo pipefail

# Debian packages. Keep this list sorted; say in docs/development.md why each is here.
apt_packages=(
  dpkg-dev        # dpkg-shlibdeps: the .deb's library dependencies (make deb)
  libopencv-dev   # gocv v0.31.0 links against OpenCV 4.6
  libsqlite3-dev  # mattn/go-sqlite3 (consent ledger)
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

install_apt
install_go_modules
echo "deps: ok"
