#!/usr/bin/env bash
# The virtualenv of the release tools: antsibull-docs and Sphinx (`make docs`, the docs lint of `make test`) and
# galaxy-importer (its ansible-lint too), pinned in requirements-docs.txt. Kept out of the test venvs: these tools
# pin their own ansible-core, Sphinx and docutils, and run once per `make test`.
#
#   scripts/docs-venv.sh                         -> $DOCS_VENV (default .venv-docs)
#   IMS_TOOL_PYTHON=/path/to/python3.13 scripts/docs-venv.sh
# Python >= 3.12: the pinned ansible-core (2.20 and newer) needs it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exec "$ROOT/scripts/pinned-venv.sh" docs-venv "${DOCS_VENV:-$ROOT/.venv-docs}" "$ROOT/requirements-docs.txt" 12
