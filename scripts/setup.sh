#!/usr/bin/env bash
# Create .venv (once) and install ruledeck into it, editable, with its test tools and psycopg (PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.ruledeck-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip "setuptools>=68" wheel
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,postgres]"
  touch "$stamp"
fi
