#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection.
#
#   scripts/sanity.sh [extra ansible-test args, e.g. --test pep8 -v]
#
# - copies every file git knows or would add (tracked + untracked-not-ignored,
#   i.e. `git ls-files -co --exclude-standard`) to
#   build/sanity/ansible_collections/cecloud/ims, so the copy matches what would
#   be committed and nothing from .venv/, build/, tests/output/ leaks in;
# - makes that copy its own (throwaway, commit-less) git repository: otherwise
#   ansible-test would find the enclosing repo, where build/ is ignored, and see
#   no files at all;
# - puts a stand-in for ansible-test's pip bootstrap script in
#   ~/.ansible/test/cache/ when it is missing (the real one is downloaded from a
#   host this network cannot reach; a machine that has the real one keeps it);
# - runs ansible-test sanity --local with the venv's Python and fails loudly.
#
# There are NO ignore files (tests/sanity/ignore-*.txt): this script refuses to
# run when one exists.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
COPY_ROOT=$ROOT/build/sanity
DEST=$COPY_ROOT/ansible_collections/cecloud/ims

die() { printf '\nsanity: ERROR: %s\n' "$*" >&2; exit 1; }

[ -x "$PY" ] || die "no virtualenv at $VENV (run: make venv)"
[ -x "$VENV/bin/ansible-test" ] || die "ansible-test is not installed in $VENV (run: make venv)"

shopt -s nullglob
ignores=("$ROOT"/tests/sanity/ignore-*.txt)
shopt -u nullglob
if [ ${#ignores[@]} -gt 0 ]; then
    die "sanity ignore files are not allowed in this collection: ${ignores[*]#"$ROOT"/} (fix the code instead)"
fi

PYV=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
CORE=$("$PY" -c 'from ansible.release import __version__; print(__version__)')

# 1. Copy the collection.
rm -rf "$COPY_ROOT"
mkdir -p "$DEST"
(
    cd "$ROOT"
    git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
        # tracked-but-deleted files are listed by -c; skip them
        if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
    done | tar --null -T - -cf -
) | tar -xf - -C "$DEST"

# 2. Throwaway git repo (no commit needed: ansible-test lists cached + untracked files).
git -C "$DEST" init -q
git -C "$DEST" add -A

# 3. pip bootstrap stand-in, only where the real script is missing.
"$PY" - <<'PY'
import os, re, types

try:
    from ansible_test._internal.python_requirements import get_venv_packages
    import sys
    versions = {get_venv_packages(types.SimpleNamespace(version="%d.%d" % sys.version_info[:2]))["pip"]}
except Exception:  # fall back to reading the pin out of the source
    import ansible_test
    src = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(src, encoding="utf-8") as f:
        versions = set(re.findall(r"""\bpip=['"]([0-9.]+)['"]""", f.read()))

MARKER = "# cecloud.ims stand-in for ansible-test's pip bootstrap script"
STANDIN = MARKER + ''' (get-pip.py),
# written by scripts/sanity.sh because the real script's host is unreachable
# here. Delete this file to let ansible-test download the real one.
import ensurepip
import os
import subprocess
import sys

# ensurepip clears PIP_* variables and points PIP_CONFIG_FILE at /dev/null in
# os.environ; keep the caller's environment (pip.conf: certificates, indexes).
env = dict(os.environ)
ensurepip.bootstrap(upgrade=True)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args, env=env))
'''

cache = os.path.expanduser("~/.ansible/test/cache")
for v in sorted(versions):
    path = os.path.join(cache, "get_pip_%s.py" % v.replace(".", "_"))
    current = None
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            current = f.read()
    # Write it when missing and refresh an outdated stand-in of ours; never
    # touch anything else (e.g. the real script on a machine with internet).
    if current is None or (current.startswith(MARKER) and current != STANDIN):
        os.makedirs(cache, exist_ok=True)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(STANDIN)
        os.replace(path + ".tmp", path)
        print("sanity: wrote pip bootstrap stand-in %s" % path)
PY

# 4. Run.
echo "sanity: ansible-core $CORE, Python $PYV, collection copy $DEST"
start=$(date +%s)
rc=0
(
    cd "$DEST"
    export PATH="$VENV/bin:$PATH"
    exec ansible-test sanity --local --python "$PYV" --requirements --color "${ANSIBLE_TEST_COLOR:-auto}" "$@"
) || rc=$?
secs=$(( $(date +%s) - start ))

if [ "$rc" -ne 0 ]; then
    {
        printf '\n'
        printf '%s\n' '#####################################################################'
        printf '%s\n' "# SANITY FAILED (ansible-test exit $rc, ${secs}s)"
        printf '%s\n' "# Paths above are relative to the collection root. Details:"
        printf '%s\n' "#   $DEST/tests/output/"
        printf '%s\n' "# Ignore files are not an option here: fix the reported code."
        printf '%s\n' '#####################################################################'
    } >&2
    exit "$rc"
fi
echo "sanity: all tests passed in ${secs}s"
