#!/usr/bin/env bash
# Add Cabinet to the desktop's application menu (freedesktop: GNOME, KDE, Xfce...), so it
# starts with a double-click and CSV files can be opened with it from the file manager.
# Uses the PyInstaller bundle when it has been built, else the checkout's virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
if [ -x "$root/dist/Cabinet/cabinet" ]; then
  exe="$root/dist/Cabinet/cabinet"
else
  [ -x "$root/.venv/bin/cabinet" ] || make .venv/.run-installed
  exe="$root/.venv/bin/cabinet"
fi
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/scalable/apps"
mkdir -p "$apps" "$icons"
cp app/resources/icons/cabinet.svg "$icons/cabinet.svg"
sed "s|^Exec=cabinet|Exec=\"$exe\"|" packaging/cabinet.desktop > "$apps/cabinet.desktop"
chmod +x "$apps/cabinet.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" || true
echo "Installed $apps/cabinet.desktop (runs $exe)."
