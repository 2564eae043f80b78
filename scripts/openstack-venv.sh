#!/usr/bin/env bash
# Install OpenStack Keystone (identity) and Glance (image service) from PyPI into
# their own cached virtualenvs, for the real OpenStack stack of the integration
# tests (tests/openstack/stack.py).
#
#   scripts/openstack-venv.sh                        -> .venv-openstack/{keystone,glance}
#   OPENSTACK_VENV=/some/dir scripts/openstack-venv.sh
#   IMS_OPENSTACK_PYTHON=/path/to/python3.12 scripts/openstack-venv.sh
#   scripts/openstack-venv.sh --refreeze             newest releases, pins rewritten
#
# Two virtualenvs, not one: each service pins its own library versions, and the
# two release series need not agree. The pins are the files
# tests/openstack/requirements-{keystone,glance}.txt (a `pip freeze` made by
# --refreeze), so every machine and CI install the same versions.
#
# Interpreter: CPython 3.13, else 3.12 (python3.13/python3.12 on PATH, or under
# "$(pyenv root)/versions/"; any 3.13 before any 3.12, whichever test venv is on
# PATH); these are the versions the pins were made and tested with.
#
# Idempotent: a stamp per virtualenv, keyed on its pins, this script and the
# interpreter, makes a second run a no-op. Both are installed in parallel.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OPENSTACK_VENV=${OPENSTACK_VENV:-$ROOT/.venv-openstack}
PINS_DIR=$ROOT/tests/openstack
declare -A TOP_LEVEL=(
    [keystone]='keystone gunicorn'
    [glance]='glance gunicorn keystonemiddleware'
)

log() { printf 'openstack-venv: %s\n' "$*" >&2; }

refreeze=0
case ${1:-} in
    --refreeze) refreeze=1 ;;
    '') ;;
    *) log "usage: $0 [--refreeze]"; exit 2 ;;
esac

# The first CPython 3.13 or 3.12 that can build a virtualenv; its real path.
pick_python() {
    local c root cands=()
    if [ -n "${IMS_OPENSTACK_PYTHON:-}" ]; then
        cands=("$IMS_OPENSTACK_PYTHON")
    else
        # 3.13 wherever it is before any 3.12: the test venv first on PATH (make puts it there) must not
        # decide, or the oldest core's phase (a 3.12 venv) would rebuild both services with 3.12.
        root=$(command -v pyenv >/dev/null 2>&1 && pyenv root 2>/dev/null || true)
        for v in 3.13 3.12; do
            command -v "python$v" >/dev/null 2>&1 && cands+=("$(command -v "python$v")")
            if [ -n "$root" ]; then
                for c in "$root"/versions/"$v"*/bin/python; do
                    [ -x "$c" ] && cands+=("$c")
                done
            fi
        done
    fi
    for c in "${cands[@]}"; do
        "$c" - <<'PY' 2>/dev/null && return 0
import os, platform, sys
import ensurepip, venv  # noqa: F401  (both are needed to build the venv)
if platform.python_implementation() != "CPython" or sys.version_info[:2] not in ((3, 13), (3, 12)):
    raise SystemExit(1)
print(os.path.realpath(sys.executable), "%d.%d.%d" % sys.version_info[:3])
PY
    done
    log "no CPython 3.13 or 3.12 with venv/ensurepip found (set IMS_OPENSTACK_PYTHON)"
    return 1
}

read -r PY PY_V < <(pick_python) || exit 1
[ -n "${PY:-}" ] || exit 1
export PIP_DISABLE_PIP_VERSION_CHECK=1

# What a virtualenv was built from: the interpreter, its pins and this script.
stamp_key() {
    { printf '%s %s\n' "$PY" "$PY_V"; cat "$1" "${BASH_SOURCE[0]}"; } | sha256sum | cut -d' ' -f1
}

# Build (or keep) the virtualenv of one service: $OPENSTACK_VENV/NAME.
build() {
    local name=$1 venv=$OPENSTACK_VENV/$1 pins=$PINS_DIR/requirements-$1.txt key start
    local stamp=$venv/.ims-openstack-venv-stamp
    key=$(stamp_key "$pins")
    if [ "$refreeze" = 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -x "$venv/bin/gunicorn" ]; then
        log "$name: up to date ($venv)"
        return 0
    fi
    start=$SECONDS
    rm -rf "$venv"
    "$PY" -m venv "$venv"
    if [ "$refreeze" = 1 ]; then
        # shellcheck disable=SC2086  # the top-level list is words on purpose
        "$venv/bin/python" -m pip install -qq ${TOP_LEVEL[$name]}
        {
            printf '# Pins of the %s virtualenv (scripts/openstack-venv.sh): pip freeze after\n' "$name"
            printf '# pip install %s, on Python %s.\n' "${TOP_LEVEL[$name]}" "$PY_V"
            printf '# Regenerate: scripts/openstack-venv.sh --refreeze\n'
            "$venv/bin/python" -m pip freeze --exclude pip
        } > "$pins"
        key=$(stamp_key "$pins")
    else
        "$venv/bin/python" -m pip install -qq -r "$pins"
    fi
    "$venv/bin/python" -m pip check >&2 || log "warning: $name: pip check reported conflicts (see above)"
    printf '%s\n' "$key" > "$stamp"
    log "$name: installed in $((SECONDS - start)) s with Python $PY_V ($venv)"
}

mkdir -p "$OPENSTACK_VENV"
pids=()
for name in keystone glance; do
    build "$name" & pids+=($!)
done
rc=0
for pid in "${pids[@]}"; do
    wait "$pid" || rc=1
done
[ "$rc" = 0 ] || { log "FAILED (see above)"; exit 1; }
