#!/usr/bin/env bash
# The collection's HTML docsite (`make docs`): antsibull-docs writes the RST of every module, plugin and role
# (with its argument spec) and of the guides (docs/docsite/, made by scripts/docsite.py), Sphinx builds it.
# Any warning of either fails the build (--fail-on-error, sphinx-build -W). Runs offline: the Ansible docs'
# labels come from a local intersphinx inventory (scripts/docsite.py --inventory).
#
#   scripts/docs.sh DEST     DEST/html/index.html is the site; prints the page count
# Needs: the release-tools venv first on PATH (scripts/docs-venv.sh) and ANSIBLE_COLLECTIONS_PATH seeing cecloud.ims.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=$1
log() { printf 'docs: %s\n' "$*" >&2; }

python "$ROOT/scripts/docsite.py" --check
rm -rf "$DEST"
mkdir -p "$DEST" && chmod 700 "$DEST"  # antsibull-docs wants its folders writable by their owner only
antsibull-docs sphinx-init --use-current --fail-on-error --no-add-antsibull-docs-version \
    --title 'cecloud.ims' --project 'cecloud.ims' --dest-dir "$DEST" cecloud.ims >/dev/null
python "$ROOT/scripts/docsite.py" --inventory "$DEST/ansible_devel.inv"
cat >> "$DEST/conf.py" <<'CONF'

# cecloud.ims (scripts/docs.sh): the guides are Markdown, read by MyST; offline, the Ansible docs'
# labels come from a local inventory and the other inventories are not fetched.
extensions.append('myst_parser')
import os.path
intersphinx_mapping = {'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/',
                                         os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ansible_devel.inv'))}
CONF
mkdir -p "$DEST/rst" && chmod 700 "$DEST/rst"
antsibull-docs --config-file "$DEST/antsibull-docs.cfg" collection --cleanup everything --fail-on-error \
    --use-current --dest-dir "$DEST/rst" cecloud.ims >/dev/null
python "$ROOT/scripts/docsite.py" --copy "$DEST/rst"
sphinx-build -b html -q -W --keep-going -c "$DEST" "$DEST/rst" "$DEST/html"
pages=$(find "$DEST/html" -name '*.html' ! -name search.html ! -name genindex.html | wc -l)
log "$pages pages in $DEST/html (open $DEST/html/index.html)"
