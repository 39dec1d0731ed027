#!/usr/bin/env bash
# Refresh the Qt translation sources from the UI code and compile them (developers only).
#
#   scripts/translations.sh
#
# pylupdate6 (ships with PyQt6) collects every translate("Beckon", ...) text of src/beckon/ui
# into ui/translations/beckon_LANG.ts, keeping what translators wrote; a translator fills in the
# new entries (Qt Linguist, or any editor); lrelease compiles the .ts into the .qm that Beckon
# loads. PyQt6 has no lrelease, so it comes from a separate dev-only virtualenv with
# PySide6-Essentials (never a runtime dependency). Commit the .ts and the .qm together.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PYLUPDATE="$(dirname "$PY")/pylupdate6"
TOOLS=${BECKON_QT_TOOLS:-$HOME/.cache/beckon-qt-tools}
if [ ! -x "$TOOLS/bin/pyside6-lrelease" ]; then
  echo "==> Installing lrelease (PySide6-Essentials) into $TOOLS, for development only"
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q pyside6-essentials
fi
for ts in ui/translations/beckon_*.ts; do
  "$PYLUPDATE" --no-obsolete --ts "$ts" src/beckon/ui
  "$TOOLS/bin/pyside6-lrelease" "$ts" -qm "${ts%.ts}.qm"
done
