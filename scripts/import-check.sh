#!/usr/bin/env bash
# galaxy-importer on a built tarball, as Galaxy and Automation Hub run it on every upload; any WARNING or ERROR
# line in its log fails (the importer itself passes a collection with warnings).
#   scripts/import-check.sh build/cecloud-ims-X.Y.Z.tar.gz      (the release-tools venv first on PATH)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tarball=$(realpath "$1")
# The importer writes importer_result.json into its working folder: a scratch one.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/importer.log
(cd "$work" && GALAXY_IMPORTER_CONFIG=$ROOT/scripts/galaxy-importer.cfg python -m galaxy_importer.main "$tarball") >"$log" 2>&1 \
    || { cat "$log"; echo "import-check: galaxy-importer failed on $1" >&2; exit 1; }
if grep -E '^(WARNING|ERROR)|WARNING:|ERROR:' "$log"; then
    echo "import-check: galaxy-importer warned on $1 (above)" >&2
    exit 1
fi
# A run whose lint step was skipped (no ansible-lint on PATH) has not checked what Galaxy checks.
grep -q 'ansible-lint run complete' "$log" || { cat "$log"; echo "import-check: ansible-lint did not run" >&2; exit 1; }
echo "import-check: galaxy-importer passed $1 with no warning ($(grep -c . "$log") log lines)"
