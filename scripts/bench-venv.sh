#!/usr/bin/env bash
# The virtualenv of the Glance benchmark's anchor, openstacksdk (tests/bench/bench_glance.py runs its
# contenders there): a benchmark-only dependency, kept out of the stamped test venv.
#
#   scripts/bench-venv.sh                       -> $BENCH_VENV (default ~/.cache/cecloud-ims/venv-bench-glance)
#   IMS_TOOL_PYTHON=/path/to/python3.13 scripts/bench-venv.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exec "$ROOT/scripts/pinned-venv.sh" bench-venv \
    "${BENCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/cecloud-ims/venv-bench-glance}" \
    "$ROOT/tests/bench/requirements-glance-bench.txt"
