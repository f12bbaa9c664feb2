#!/usr/bin/env bash
# `make bundle`: the self-contained Linux bundle in dist/Cabinet/ (PyInstaller, packaging/cabinet.spec)
# and the same as one self-extracting file, dist/Cabinet-<version>-x86_64.run (packaging/makerun.sh).
# Everything comes from the pinned versions in constraints.txt. docs/packaging.md explains the parts.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || make .venv/bin/python
PY=.venv/bin/python
$PY -m pip install -q -c constraints.txt -e ".[bundle]"
rm -rf build/icons
$PY packaging/icons.py build/icons --all
# From build/: the checkout's cabinet.egg-info (left by `pip install -e`) must not stand in for
# the installed metadata.
(cd build && ../$PY -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath ../dist --workpath pyinstaller ../packaging/cabinet.spec)
# Qt's ICU data without the parts QtCore never reads (packaging/icu.py: needs icupkg and cc).
$PY packaging/icu.py trim dist/Cabinet
# The one symbol that would lift the glibc floor above 2.34 (see packaging/glibc.py), then the check.
$PY packaging/glibc.py fix dist/Cabinet
$PY packaging/glibc.py check dist/Cabinet
packaging/makerun.sh dist/Cabinet "dist/Cabinet-$($PY -c 'import app; print(app.version())')-x86_64.run"
du -sh dist/Cabinet dist/Cabinet-*.run
echo "Built dist/Cabinet/cabinet - \`make install-desktop\` adds it to your applications menu."
