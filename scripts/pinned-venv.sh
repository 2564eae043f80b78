#!/usr/bin/env bash
# A virtualenv of pinned tools kept out of the stamped test venvs (they pin their own libraries and run once):
#   scripts/pinned-venv.sh NAME VENV PINS [MIN_PYTHON_MINOR]
# scripts/bench-venv.sh (openstacksdk) and scripts/docs-venv.sh (antsibull-docs, galaxy-importer) call it.
# Interpreter: $IMS_TOOL_PYTHON, else the test venv's ($VENV/bin/python), else python3.13 / python3.12 / python3
# on PATH: the first that runs (a pyenv shim may exist and refuse to) and is 3.MIN_PYTHON_MINOR or newer; its
# real path, so the stamp names the interpreter.
# Idempotent: a stamp keyed on the pins, this script and the interpreter makes a second run a no-op.
set -euo pipefail

NAME=$1 TOOL_VENV=$2 PINS=$3 MIN_MINOR=${4:-0}
log() { printf '%s: %s\n' "$NAME" "$*" >&2; }

PY=
for candidate in ${IMS_TOOL_PYTHON:-} ${VENV:+$VENV/bin/python} python3.13 python3.12 python3; do
    if PY=$(cd / && "$candidate" -c "import os, sys, venv
assert sys.version_info >= (3, $MIN_MINOR)
print(os.path.realpath(getattr(sys, '_base_executable', sys.executable)))" 2>/dev/null); then
        break
    fi
    PY=
done
[ -n "$PY" ] || { log "no Python >= 3.$MIN_MINOR with venv found (set IMS_TOOL_PYTHON)"; exit 1; }

key=$({ "$PY" --version; cat "$PINS" "${BASH_SOURCE[0]}"; } | sha256sum | cut -d' ' -f1)
stamp=$TOOL_VENV/.ims-tool-venv-stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -x "$TOOL_VENV/bin/python" ]; then
    log "up to date ($TOOL_VENV)"
    exit 0
fi
start=$SECONDS
rm -rf "$TOOL_VENV"
"$PY" -m venv "$TOOL_VENV"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$TOOL_VENV/bin/python" -m pip install -qq -r "$PINS"
printf '%s\n' "$key" > "$stamp"
log "installed in $((SECONDS - start)) s ($TOOL_VENV)"
