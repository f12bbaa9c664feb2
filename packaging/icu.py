"""Qt's ICU data, trimmed to what QtCore reads: `python packaging/icu.py trim dist/Cabinet`.

PySide6's QtCore links ICU (libicuuc, libicui18n and libicudata, whose 31 MB are one data
package, `icudt<N>l.dat`, behind the symbol `icudt<N>_dat`). QtCore calls ICU for converters
(`ucnv_*`), collation (`ucol_*`), case mapping (`u_strToUpper/Lower`) and calendars/time zones
(`ucal_*`, including time-zone display names) and for nothing else (its undefined `*_<N>`
symbols say so); no other Qt library in the bundle calls ICU. So the data trees of the services
it never opens go: unit, currency, language and region display names, break iterators,
transliterators and number spell-out rules (``DROPPED``). The locale data itself, collation,
time zones, converters and the Unicode properties stay.

The trimmed package (ICU's own `icupkg -r`, from Debian's icu-devtools) is linked back into a
data-only shared library of the same soname exporting the same symbol (an `.incbin` assembled
and linked by the system C compiler with no C library: it needs no glibc version at all).
tests/packaging/test_bundle.py checks that Qt's collation, case mapping, time zones and codecs
answer the same with it as with the whole data.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

# Trees of the data package that QtCore's ICU calls never open (see above).
DROPPED = ("brkitr", "curr", "lang", "rbnf", "region", "translit", "unit")
_LIBRARY = re.compile(r"^libicudata\.so\.(\d+)$")

ASSEMBLY = """\
    .section .rodata
    .globl {symbol}
    .type {symbol}, @object
    .balign 16
{symbol}:
    .incbin "{data}"
    .size {symbol}, . - {symbol}
    .section .note.GNU-stack, "", @progbits
"""


def find_library(bundle: Path) -> Path:
    """The bundle's one libicudata.so.<N>."""
    found = [p for p in bundle.rglob("libicudata.so.*") if _LIBRARY.match(p.name) and not p.is_symlink()]
    if len(found) != 1:
        raise SystemExit(f"expected one libicudata.so.<N> in {bundle}, found {[str(p) for p in found]}")
    return found[0]


def _data(library: Path, symbol: str) -> bytes:
    """The bytes behind ``symbol`` in ``library``: the ICU data package."""
    with library.open("rb") as f:
        elf = ELFFile(f)
        for table in elf.iter_sections():
            if not isinstance(table, SymbolTableSection):
                continue
            for sym in table.iter_symbols():
                if sym.name == symbol and sym["st_size"]:
                    section = elf.get_section(sym["st_shndx"])
                    start = sym["st_value"] - section["sh_addr"] + section["sh_offset"]
                    f.seek(start)
                    return f.read(sym["st_size"])
    raise SystemExit(f"{library} has no {symbol}")


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"`{name}` is needed to trim Qt's ICU data: install {package} (apt-get install {package})")
    return found


def trim(bundle: Path) -> tuple[int, int]:
    """Replace the bundle's libicudata with one holding only what QtCore reads; the sizes before
    and after, in bytes."""
    library = find_library(bundle)
    match = _LIBRARY.match(library.name)
    assert match is not None
    major = match.group(1)
    symbol = f"icudt{major}_dat"
    icupkg, cc = _tool("icupkg", "icu-devtools"), _tool("cc", "gcc")
    before = library.stat().st_size
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # icupkg names the package's items after the output file: both keep ICU's name
        (work / "trimmed").mkdir()
        whole, trimmed = work / f"icudt{major}l.dat", work / "trimmed" / f"icudt{major}l.dat"
        whole.write_bytes(_data(library, symbol))
        listed = subprocess.run([icupkg, "-l", str(whole)], capture_output=True, text=True, check=True).stdout
        dropped = [item for item in listed.split() if item.split("/", 1)[0] in DROPPED and "/" in item]
        if not dropped:
            raise SystemExit(f"{library} holds none of the trees {DROPPED}: already trimmed?")
        (work / "dropped.lst").write_text("\n".join(dropped) + "\n", encoding="ascii")
        subprocess.run([icupkg, "-r", str(work / "dropped.lst"), str(whole), str(trimmed)], check=True,
                       capture_output=True)
        (work / "data.S").write_text(ASSEMBLY.format(symbol=symbol, data=trimmed), encoding="ascii")
        out = work / library.name
        subprocess.run([cc, "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-Wl,-z,noexecstack",
                        "-s", "-o", str(out), str(work / "data.S")], check=True, capture_output=True)
        if _data(out, symbol) != trimmed.read_bytes():
            raise SystemExit(f"the rebuilt {library.name} does not hold the trimmed data")
        shutil.copyfile(out, library)
    return before, library.stat().st_size


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "trim":
        print("usage: icu.py trim BUNDLE_DIR", file=sys.stderr)
        return 2
    before, after = trim(Path(argv[1]))
    print(f"ICU data: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
