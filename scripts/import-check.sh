#!/usr/bin/env bash
# galaxy-importer on a built tarball, as Galaxy and Automation Hub run it on every upload; any WARNING or ERROR
# line in its log fails (the importer itself passes a collection with warnings).
#   scripts/import-check.sh build/cecloud-ims-X.Y.Z.tar.gz      (the release-tools venv first on PATH)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
GALAXY_IMPORTER_CONFIG=$ROOT/scripts/galaxy-importer.cfg python -m galaxy_importer.main "$1" >"$log" 2>&1 \
    || { cat "$log"; echo "import-check: galaxy-importer failed on $1" >&2; exit 1; }
if grep -E '^(WARNING|ERROR)|WARNING:|ERROR:' "$log"; then
    echo "import-check: galaxy-importer warned on $1 (above)" >&2
    exit 1
fi
echo "import-check: galaxy-importer passed $1 with no warning ($(grep -c . "$log") log lines)"
