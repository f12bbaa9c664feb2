#!/usr/bin/env bash
# Build a self-contained Cabinet bundle in dist/Cabinet/ with PyInstaller.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || make .venv/bin/python
.venv/bin/python -m pip install -q -e . "pyinstaller>=6"
.venv/bin/python -m PyInstaller --noconfirm --clean packaging/cabinet.spec
echo "Built dist/Cabinet/cabinet - run packaging/install-desktop.sh to add it to your applications menu."
