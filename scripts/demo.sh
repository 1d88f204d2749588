#!/usr/bin/env bash
# The README's demo command: install into .venv, then run the prosthesis follow-up demo.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/ruledeck demo "$@"
