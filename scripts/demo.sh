#!/usr/bin/env bash
# One command for a fresh machine: set up, then run `beckon demo` (extra arguments pass on,
# for example --headless).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/beckon demo "$@"
