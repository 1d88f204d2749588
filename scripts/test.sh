#!/usr/bin/env bash
# The README's test command: install into .venv, lint, validate the shipped projects, run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruledeck validate definitions
.venv/bin/python -m pytest "$@"
