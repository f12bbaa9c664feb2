#!/usr/bin/env bash
# packaging/makerun.sh FOLDER OUT.run: the one-folder bundle as one self-extracting file.
#
# AppImage needs appimagetool and its runtime, which no registry here carries; this is the plain
# alternative: a POSIX sh header and a gzip'd tar of the folder. The first start unpacks it once
# into ${XDG_CACHE_HOME:-~/.cache}/cabinet/<content id>/ (about a second) and every start runs the
# unpacked copy, so it starts as fast as the folder. `OUT.run --extract DIR` just unpacks.
set -euo pipefail
folder=$1 out=$2
name=$(basename "$folder")
payload=$(mktemp)
trap 'rm -f "$payload"' EXIT
tar -C "$(dirname "$folder")" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - "$name" \
  | gzip -n -6 > "$payload"
id=$(sha256sum "$payload" | cut -c1-16)
cat > "$out" <<HEADER
#!/bin/sh
# Cabinet, self-extracting: unpacks itself once into the user's cache, then runs from there.
set -e
id=$id
cache="\${XDG_CACHE_HOME:-\$HOME/.cache}/cabinet"
skip=\$(awk '/^__PAYLOAD__\$/ { print NR + 1; exit }' "\$0")
if [ "\${1:-}" = "--extract" ]; then
  mkdir -p "\$2" && tail -n +"\$skip" "\$0" | tar -xzf - -C "\$2"
  exit 0
fi
dir="\$cache/\$id"
if [ ! -x "\$dir/$name/cabinet" ]; then
  mkdir -p "\$cache"
  tmp=\$(mktemp -d "\$cache/.unpack-XXXXXX")
  tail -n +"\$skip" "\$0" | tar -xzf - -C "\$tmp"
  # Another start may have unpacked it meanwhile: keep the first, drop ours.
  mv -T "\$tmp" "\$dir" 2>/dev/null || rm -rf "\$tmp"
  [ -x "\$dir/$name/cabinet" ] || { echo "Cabinet: cannot unpack into \$dir" >&2; exit 1; }
  # Older versions unpacked before are no longer needed.
  for old in "\$cache"/*; do
    [ "\$old" = "\$dir" ] || [ ! -x "\$old/$name/cabinet" ] || rm -rf "\$old"
  done
fi
exec "\$dir/$name/cabinet" "\$@"
__PAYLOAD__
HEADER
cat "$payload" >> "$out"
chmod +x "$out"
