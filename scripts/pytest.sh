#!/usr/bin/env bash
# Run pytest on one test directory with the venv's Python.
#
#   scripts/pytest.sh DIR [pytest args...]
#
# A directory that does not exist yet, or holds no tests yet (pytest exit code
# 5, "no tests collected"), is reported and passes; every other non-zero exit
# code (failures, errors, interruptions, usage errors) fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
dir=${1:?usage: scripts/pytest.sh DIR [pytest args...]}
shift

cd "$ROOT"
if [ ! -d "$dir" ]; then
    echo "pytest: $dir does not exist yet: no tests to run"
    exit 0
fi

rc=0
"$VENV/bin/python" -m pytest "$@" "$dir" || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "pytest: no tests collected in $dir yet (exit code 5 tolerated)"
    exit 0
fi
if [ "$rc" -ne 0 ]; then
    echo "pytest: $dir FAILED (exit code $rc)" >&2
fi
exit "$rc"
