#!/usr/bin/env bash
# One command for a fresh machine: set up with the test tools, then lint, type-check and run
# the whole test suite. Extra arguments go to pytest. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

export QT_QPA_PLATFORM=offscreen
echo "==> ruff"
.venv/bin/ruff check src tests
.venv/bin/ruff format --check src tests
echo "==> mypy"
.venv/bin/mypy src tests
# pytest exits 5 when it collected nothing: with no arguments that means the setup is broken.
run_pytest() {
  set +e
  .venv/bin/python -m pytest "$@"
  local status=$?
  set -e
  if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: the setup is broken" >&2
    return 1
  fi
  return "$status"
}

if [ "$#" -gt 0 ]; then
  echo "==> pytest $*"
  run_pytest "$@"
  exit $?
fi
# Most tests wait on real processes (brokers, stations, windows, replays) more than they
# compute: on two cores the load stayed about 1 with two workers, three took the main suite
# from 16.5 to about 12 minutes on an idle machine (session 47), and with three the load
# still stayed about 1.0 to 1.2 (session 50, 13 min 17 s), so a fourth worker fills the
# waits. The fault suite runs
# apart afterwards, from tests/faults alone (collecting the whole tree for it imported
# everything). Its tests wait on their processes too, so two run side by side; those marked
# `window` assert a short production time window (a cut noticed within 15 s) that a busy
# neighbour could blur, and run last, one at a time, with nothing beside them.
workers=${BECKON_TEST_WORKERS:-4}
echo "==> pytest (everything but the fault suite, $workers workers)"
status=0
run_pytest -n "$workers" --dist loadfile -m "not faults" || status=$?
echo "==> pytest (fault suite, two at a time)"
run_pytest tests/faults -n 2 --dist load -m "faults and not window" || status=$?
echo "==> pytest (fault suite's time windows, alone)"
run_pytest tests/faults -m "faults and window" || status=$?
exit "$status"
