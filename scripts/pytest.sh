#!/usr/bin/env bash
# Run pytest on one test directory with the venv's Python.
#
#   scripts/pytest.sh DIR [pytest args...]
#
# Every non-zero exit code of pytest fails, exit code 5 ("no tests collected")
# included: a run that tested nothing (a missing directory, a -k or -m that
# selects nothing, a conftest that skips a whole folder) must not pass.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
dir=${1:?usage: scripts/pytest.sh DIR [pytest args...]}
shift

cd "$ROOT"
if [ ! -d "$dir" ]; then
    echo "pytest: $dir FAILED: it does not exist, so no test ran" >&2
    exit 5
fi

rc=0
"$VENV/bin/python" -m pytest "$@" "$dir" || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "pytest: $dir FAILED: pytest collected no test (exit code 5)" >&2
elif [ "$rc" -ne 0 ]; then
    echo "pytest: $dir FAILED (exit code $rc)" >&2
fi
exit "$rc"
