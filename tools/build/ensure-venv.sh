#!/usr/bin/env bash
# Creates the project-local Python environment (.venv) with the local AWS emulator (moto) and
# cfn-lint, pinned in requirements-dev.txt. Re-installs only when that file changes.
set -euo pipefail
cd "$(dirname "$0")/../.."
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "Setting up .venv (moto, cfn-lint) from requirements-dev.txt ..." >&2
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt >&2
echo "$want" > "$stamp"
