#!/usr/bin/env bash
# Release VERSION: galaxy.yml's version, then antsibull-changelog release (CHANGELOG.rst and
# changelogs/changelog.yaml, the fragments consumed). Commit and tag are left to the caller.
#   scripts/release.sh 1.0.0          (the test venv's antsibull-changelog on PATH)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=${1:?usage: scripts/release.sh X.Y.Z}
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "release: '$VERSION' is not X.Y.Z" >&2; exit 2; }
cd "$ROOT"
antsibull-changelog lint
sed -i -E "s/^version: .*/version: $VERSION/" galaxy.yml
grep -qx "version: $VERSION" galaxy.yml || { echo "release: galaxy.yml has no version line" >&2; exit 1; }
antsibull-changelog release --version "$VERSION"
echo "release: $VERSION in galaxy.yml and CHANGELOG.rst; review, commit and tag $VERSION"
