#!/usr/bin/env bash
# Create (or refresh) the development virtualenv of the collection.
#
#   scripts/venv.sh            -> .venv in the repository
#   VENV=/some/dir scripts/venv.sh
#   IMS_PYTHON=/path/to/python scripts/venv.sh   (force an interpreter)
#
# Interpreter choice: the newest CPython >= 3.12 found on PATH (python3.14,
# python3.13, python3.12) or under "$(pyenv root)/versions/3.1[2-9]*"; with none,
# Python 3.11 (python3.11 / python3), which gets the ansible-core 2.19 line
# (requirements-dev.txt pins ansible-core by python_version).
#
# Idempotent: a stamp file keyed on requirements*.txt, this script and the
# interpreter makes a second run a no-op (well under a second).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
STAMP=$VENV/.ims-venv-stamp

log() { printf 'venv: %s\n' "$*" >&2; }

# Print "MAJOR.MINOR.MICRO" for a working, GIL-enabled CPython with venv and
# ensurepip; print nothing (and fail) otherwise. pyenv shims of versions that
# are not selected exit non-zero here, so they drop out.
probe() {
    "$1" - <<'PY' 2>/dev/null
import platform, sys, sysconfig
import ensurepip, venv  # noqa: F401  (both are needed to build the venv)
if platform.python_implementation() != "CPython" or sysconfig.get_config_var("Py_GIL_DISABLED"):
    raise SystemExit(1)
print("%d.%d.%d" % sys.version_info[:3])
PY
}

pick_python() {
    local cands=() c v best="" best_v="" root
    if [ -n "${IMS_PYTHON:-}" ]; then
        cands=("$IMS_PYTHON")
    else
        for c in python3.14 python3.13 python3.12; do
            command -v "$c" >/dev/null 2>&1 && cands+=("$(command -v "$c")")
        done
        if command -v pyenv >/dev/null 2>&1 && root=$(pyenv root 2>/dev/null); then
            for c in "$root"/versions/3.1[2-9]*/bin/python; do
                [ -x "$c" ] && cands+=("$c")
            done
        fi
        for c in python3.11 python3; do
            command -v "$c" >/dev/null 2>&1 && cands+=("$(command -v "$c")")
        done
    fi
    for c in "${cands[@]}"; do
        v=$(probe "$c") || continue
        [ -n "$v" ] || continue
        if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best_v" "$v" | sort -V | tail -n1)" != "$best_v" ]; then
            best=$c best_v=$v
        fi
    done
    if [ -z "$best" ]; then
        log "no usable CPython (>= 3.11 with venv/ensurepip) found"; return 1
    fi
    case $best_v in
        3.1[1-9].*|3.[2-9][0-9].*) ;;
        *) log "newest usable Python is $best_v at $best; need >= 3.11"; return 1 ;;
    esac
    # Resolve symlinks/shims to the real interpreter so the stamp is stable.
    best=$("$best" -c 'import os, sys; print(os.path.realpath(sys.executable))')
    printf '%s %s\n' "$best" "$best_v"
}

read -r PY PY_V < <(pick_python) || exit 1
[ -n "${PY:-}" ] || exit 1

key=$( { printf '%s %s\n' "$PY" "$PY_V"; cat "$ROOT/requirements-dev.txt" "$ROOT/requirements.txt" "$ROOT/scripts/venv.sh"; } \
       | sha256sum | cut -d' ' -f1)

report() {
    local core
    core=$("$VENV/bin/python" -c 'from ansible.release import __version__; print(__version__)')
    log "Python $PY_V ($PY), ansible-core $core, venv $VENV"
}

if [ -f "$STAMP" ] && [ "$(head -n1 "$STAMP")" = "$key" ] && [ -x "$VENV/bin/python" ]; then
    report
    exit 0
fi

# A venv built from another interpreter is rebuilt from scratch.
if [ -x "$VENV/bin/python" ]; then
    cur_v=$("$VENV/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || true)
    if [ "$cur_v" != "$PY_V" ]; then
        log "existing venv uses Python ${cur_v:-?}, want $PY_V: recreating"
        rm -rf "$VENV"
    fi
fi

if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV with Python $PY_V ($PY)"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi

rm -f "$STAMP"
export PIP_DISABLE_PIP_VERSION_CHECK=1
log "installing requirements-dev.txt (pip -qq: only errors are shown)"
"$VENV/bin/python" -m pip install -qq --upgrade pip
"$VENV/bin/python" -m pip install -qq --upgrade -r "$ROOT/requirements-dev.txt" -r "$ROOT/requirements.txt"
"$VENV/bin/python" -m pip check >&2 || log "warning: pip check reported conflicts (see above)"
printf '%s\n' "$key" > "$STAMP"
report
