#!/usr/bin/env bash
# The virtualenv of the Glance benchmark's anchor, openstacksdk (tests/bench/bench_glance.py runs its
# contenders there): a benchmark-only dependency, kept out of the stamped test venv.
#
#   scripts/bench-venv.sh                       -> $BENCH_VENV (default ~/.cache/cecloud-ims/venv-bench-glance)
#   IMS_BENCH_PYTHON=/path/to/python3.13 scripts/bench-venv.sh
#
# Idempotent: a stamp keyed on the pins, this script and the interpreter makes a second run a no-op.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_VENV=${BENCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/cecloud-ims/venv-bench-glance}
PINS=$ROOT/tests/bench/requirements-glance-bench.txt
log() { printf 'bench-venv: %s\n' "$*" >&2; }

# The first interpreter that runs (a pyenv shim may exist and refuse to): IMS_BENCH_PYTHON, else the test
# venv's, else python3.13 / python3.12 / python3 on PATH; its real path, so the stamp names the interpreter.
PY=
for candidate in ${IMS_BENCH_PYTHON:-} ${VENV:+$VENV/bin/python} python3.13 python3.12 python3; do
    if PY=$(cd / && "$candidate" -c 'import os, sys, venv; print(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))' 2>/dev/null); then
        break
    fi
    PY=
done
[ -n "$PY" ] || { log "no Python with venv found (set IMS_BENCH_PYTHON)"; exit 1; }

key=$({ "$PY" --version; cat "$PINS" "${BASH_SOURCE[0]}"; } | sha256sum | cut -d' ' -f1)
stamp=$BENCH_VENV/.ims-bench-venv-stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -x "$BENCH_VENV/bin/python" ]; then
    log "up to date ($BENCH_VENV)"
    exit 0
fi
start=$SECONDS
rm -rf "$BENCH_VENV"
"$PY" -m venv "$BENCH_VENV"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$BENCH_VENV/bin/python" -m pip install -qq -r "$PINS"
printf '%s\n' "$key" > "$stamp"
log "installed in $((SECONDS - start)) s ($BENCH_VENV)"
