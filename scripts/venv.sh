#!/usr/bin/env bash
# Create (or refresh) a development virtualenv of the collection, for one end
# of the supported ansible-core range.
#
#   scripts/venv.sh                     -> IMS_CORE=newest in .venv
#   IMS_CORE=oldest scripts/venv.sh     -> ansible-core 2.17 in .venv-oldest
#   VENV=/some/dir scripts/venv.sh      (put the venv elsewhere)
#   IMS_PYTHON=/path/to/python scripts/venv.sh   (force an interpreter)
#
# IMS_CORE selects the ansible-core pin file and the interpreter range:
#   newest  requirements-dev-newest.txt; the newest CPython >= 3.11 found
#           (Python 3.11 alone gets the ansible-core 2.19 line, see that file)
#   oldest  requirements-dev-oldest.txt; the newest CPython 3.10-3.12 found,
#           the controller Pythons of ansible-core 2.17
# Both also get requirements-dev.txt (test tools) and requirements.txt (what the
# modules import). Interpreters are looked for on PATH (python3.X, python3) and
# under "$(pyenv root)/versions/".
#
# Idempotent: a stamp file keyed on IMS_CORE, the requirements files, this
# script and the interpreter makes a second run a no-op (well under a second).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMS_CORE=${IMS_CORE:-newest}

log() { printf 'venv: %s\n' "$*" >&2; }

case $IMS_CORE in
    newest) PY_MIN=11 PY_MAX=99 DEFAULT_VENV=$ROOT/.venv ;;
    oldest) PY_MIN=10 PY_MAX=12 DEFAULT_VENV=$ROOT/.venv-oldest ;;
    *) log "IMS_CORE must be 'newest' or 'oldest', not '$IMS_CORE'"; exit 2 ;;
esac
PINS=$ROOT/requirements-dev-$IMS_CORE.txt
REQUIREMENTS=("$ROOT/requirements-dev.txt" "$PINS" "$ROOT/requirements.txt")
VENV=${VENV:-$DEFAULT_VENV}
STAMP=$VENV/.ims-venv-stamp

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

# Is "3.MINOR.MICRO" within 3.PY_MIN .. 3.PY_MAX?
in_range() {
    local minor
    [[ $1 == 3.* ]] || return 1
    minor=${1#3.}; minor=${minor%%.*}
    [ "$minor" -ge "$PY_MIN" ] && [ "$minor" -le "$PY_MAX" ]
}

candidates() {
    local c root
    if [ -n "${IMS_PYTHON:-}" ]; then
        printf '%s\n' "$IMS_PYTHON"; return
    fi
    for c in python3.{20..10} python3; do
        command -v "$c" >/dev/null 2>&1 && command -v "$c"
    done
    if command -v pyenv >/dev/null 2>&1 && root=$(pyenv root 2>/dev/null); then
        for c in "$root"/versions/3.*/bin/python; do
            [ -x "$c" ] && printf '%s\n' "$c"
        done
    fi
    return 0
}

# Print "PATH VERSION" of the newest usable interpreter within the range.
pick_python() {
    local c v best="" best_v=""
    while IFS= read -r c; do
        v=$(probe "$c") || continue
        in_range "$v" || continue
        if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best_v" "$v" | sort -V | tail -n1)" != "$best_v" ]; then
            best=$c best_v=$v
        fi
    done < <(candidates)
    if [ -z "$best" ]; then
        log "IMS_CORE=$IMS_CORE needs CPython 3.$PY_MIN-3.$PY_MAX with venv/ensurepip${IMS_PYTHON:+ (IMS_PYTHON=$IMS_PYTHON is not one)}; none found"
        return 1
    fi
    # Resolve symlinks/shims to the real interpreter so the stamp is stable.
    best=$("$best" -c 'import os, sys; print(os.path.realpath(sys.executable))')
    printf '%s %s\n' "$best" "$best_v"
}

read -r PY PY_V < <(pick_python) || exit 1
[ -n "${PY:-}" ] || exit 1

key=$( { printf '%s %s %s\n' "$IMS_CORE" "$PY" "$PY_V"; cat "${REQUIREMENTS[@]}" "$ROOT/scripts/venv.sh"; } \
       | sha256sum | cut -d' ' -f1)

report() {
    local core
    core=$("$VENV/bin/python" -c 'from ansible.release import __version__; print(__version__)')
    log "IMS_CORE=$IMS_CORE: Python $PY_V ($PY), ansible-core $core, venv $VENV"
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
log "installing ${REQUIREMENTS[*]#"$ROOT"/} (pip -qq: only errors are shown)"
"$VENV/bin/python" -m pip install -qq --upgrade pip
pip_args=()
for f in "${REQUIREMENTS[@]}"; do pip_args+=(-r "$f"); done
"$VENV/bin/python" -m pip install -qq --upgrade "${pip_args[@]}"
"$VENV/bin/python" -m pip check >&2 || log "warning: pip check reported conflicts (see above)"
printf '%s\n' "$key" > "$STAMP"
report
