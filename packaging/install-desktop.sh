#!/usr/bin/env bash
# packaging/install-desktop.sh install|uninstall (`make install-desktop` / `make uninstall-desktop`):
# Cabinet in the current user's application menu (freedesktop: GNOME, KDE, Xfce...), so it starts
# with a double-click and CSV/TSV files open with it from the file manager; no root needed.
#
# install writes, under ${XDG_DATA_HOME:-~/.local/share}: applications/<app id>.desktop (Exec: the
# bundle in dist/Cabinet/ when it has been built, else the checkout's .venv), the icon as PNG at
# 16-512 px and SVG in icons/hicolor/, metainfo/<app id>.metainfo.xml; and the list of those files
# in cabinet/desktop-files.txt, which uninstall removes again.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data="${XDG_DATA_HOME:-$HOME/.local/share}"
manifest="$data/cabinet/desktop-files.txt"
app_id=$(sed -n 's/^APP_ID = "\(.*\)"$/\1/p' app/__init__.py)
[ -n "$app_id" ] || { echo "no APP_ID in app/__init__.py" >&2; exit 1; }

refresh() {
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" 2>/dev/null || true
}

uninstall() {
  if [ ! -f "$manifest" ]; then
    echo "Cabinet is not in the applications menu (no $manifest)."
    return 0
  fi
  while IFS= read -r file; do rm -f "$file"; done < "$manifest"
  rm -f "$manifest"
  rmdir "$data/cabinet" 2>/dev/null || true
  refresh
  echo "Removed Cabinet from the applications menu."
}

install() {
  if [ -x "$root/dist/Cabinet/cabinet" ]; then
    exe="$root/dist/Cabinet/cabinet" py="$root/.venv/bin/python"
  else
    [ -x "$root/.venv/bin/cabinet" ] || make .venv/.run-installed
    exe="$root/.venv/bin/cabinet" py="$root/.venv/bin/python"
  fi
  [ -x "$py" ] || make .venv/.run-installed
  [ ! -f "$manifest" ] || uninstall >/dev/null
  icons=$(mktemp -d)
  trap 'rm -rf "$icons"' EXIT
  "$py" packaging/icons.py "$icons"
  mkdir -p "$data/applications" "$data/metainfo" "$data/cabinet"
  : > "$manifest"
  (cd "$icons" && find hicolor -type f) | while IFS= read -r icon; do
    mkdir -p "$(dirname "$data/icons/$icon")"
    cp "$icons/$icon" "$data/icons/$icon"
    echo "$data/icons/$icon" >> "$manifest"
  done
  desktop="$data/applications/$app_id.desktop"
  sed "s|^Exec=cabinet |Exec=\"$exe\" |" "packaging/linux/$app_id.desktop" > "$desktop"
  echo "$desktop" >> "$manifest"
  cp "packaging/linux/$app_id.metainfo.xml" "$data/metainfo/$app_id.metainfo.xml"
  echo "$data/metainfo/$app_id.metainfo.xml" >> "$manifest"
  refresh
  echo "Installed $desktop (runs $exe); \`make uninstall-desktop\` removes it."
}

case "${1:-install}" in
  install) install ;;
  uninstall) uninstall ;;
  *) echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac
