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
# compute: on two cores the load stayed about 1 with two workers, and three take the main
# suite from 16.5 to about 12 minutes on an idle machine (session 47). The fault suite runs
# alone afterwards: it checks production deadlines (a cut noticed within 15 s) that a busy
# neighbour could blur.
workers=${BECKON_TEST_WORKERS:-3}
echo "==> pytest (everything but the fault suite, $workers workers)"
status=0
run_pytest -n "$workers" --dist loadfile -m "not faults" || status=$?
echo "==> pytest (fault suite, alone)"
run_pytest -m faults || status=$?
exit "$status"
