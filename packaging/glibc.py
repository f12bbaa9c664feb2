"""The bundle's glibc floor: what every ELF file in it requires, and the one rebinding that keeps
it at 2.34 (docs/packaging.md tells the whole story).

    python packaging/glibc.py check DIR   # list what needs more than the floor; exit 1 if anything
    python packaging/glibc.py fix DIR     # rebind libpython's hypot to its pre-2.35 version

The floor is set by PySide6 6.11's wheels (manylinux_2_34: RHEL 9, Ubuntu 22.04, Debian 12 and
later) and GLIBCXX by RHEL 9's libstdc++ (GCC 11). The interpreter here was built on Debian 12
(glibc 2.36), and one symbol made it need more: glibc 2.35 gave hypot() a new symbol version
(the same function without the old SVID error-handling wrapper). `fix` points libpython's
reference back at hypot@GLIBC_2.2.5, which every glibc still exports, by editing its version
needs in place; it refuses any other symbol, so a new one shows up as a failed check instead.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection
from elftools.elf.sections import SymbolTableSection

FLOOR = {"GLIBC": (2, 34), "GLIBCXX": (3, 4, 29)}
# (library, version above the floor) -> (the older version of the same symbols, the symbols allowed)
REBIND = {("libm.so.6", "GLIBC_2.35"): ("GLIBC_2.2.5", frozenset({"hypot"}))}


@dataclass(frozen=True)
class Need:
    file: Path
    library: str
    version: str
    symbols: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.file}: {self.version} from {self.library} ({', '.join(self.symbols) or '-'})"


def _parse(version: str) -> tuple[str, tuple[int, ...]] | None:
    prefix, _, number = version.partition("_")
    if prefix not in FLOOR or not number.replace(".", "").isdigit():
        return None
    return prefix, tuple(int(part) for part in number.split("."))


def above_floor(version: str) -> bool:
    parsed = _parse(version)
    return parsed is not None and parsed[1] > FLOOR[parsed[0]]


def elf_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    yield path


def _symbols_by_version_index(elf: ELFFile) -> dict[int, list[str]]:
    versym = next((s for s in elf.iter_sections() if isinstance(s, GNUVerSymSection)), None)
    dynsym = elf.get_section_by_name(".dynsym")
    out: dict[int, list[str]] = {}
    if versym is None or not isinstance(dynsym, SymbolTableSection):
        return out
    for i, symbol in enumerate(dynsym.iter_symbols()):
        if symbol["st_shndx"] == "SHN_UNDEF" and symbol.name:
            out.setdefault(versym.get_symbol(i)["ndx"], []).append(symbol.name)
    return out


def needs(path: Path) -> list[Need]:
    """Every symbol version ``path`` requires from another library, with the symbols that use it."""
    with path.open("rb") as f:
        elf = ELFFile(f)
        verneed = next((s for s in elf.iter_sections() if isinstance(s, GNUVerNeedSection)), None)
        if verneed is None:
            return []
        symbols = _symbols_by_version_index(elf)
        return [
            Need(path, entry.name, aux.name, tuple(sorted(symbols.get(aux["vna_other"], []))))
            for entry, auxes in verneed.iter_versions()
            for aux in auxes
        ]


def check(folder: Path) -> list[Need]:
    """What any ELF file under ``folder`` needs above the floor."""
    return [need for path in elf_files(folder) for need in needs(path) if above_floor(need.version)]


def _elf_hash(name: bytes) -> int:
    h = 0
    for byte in name:
        h = ((h << 4) + byte) & 0xFFFFFFFF
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h


def _dynstr_offset(elf: ELFFile, text: str) -> int | None:
    dynamic = next((s for s in elf.iter_sections() if isinstance(s, DynamicSection)), None)
    if dynamic is None:
        return None
    data = elf.get_section(dynamic["sh_link"]).data()
    # A whole string: preceded by the NUL that ends the one before it.
    offset = data.find(b"\0" + text.encode() + b"\0")
    return None if offset < 0 else offset + 1


def rebind(path: Path) -> list[str]:
    """Rewrite ``path``'s version needs listed in REBIND to their older version; what it changed."""
    changes: list[tuple[int, int, int, str]] = []
    with path.open("rb") as f:
        elf = ELFFile(f)
        if elf.little_endian is not True or elf.elfclass != 64:
            return []
        verneed = next((s for s in elf.iter_sections() if isinstance(s, GNUVerNeedSection)), None)
        if verneed is None:
            return []
        symbols = _symbols_by_version_index(elf)
        base = verneed["sh_offset"]
        entry_offset = 0
        for entry, auxes in verneed.iter_versions():
            aux_offset = entry_offset + entry["vn_aux"]
            for aux in auxes:
                target = REBIND.get((entry.name, aux.name))
                if target is not None:
                    older, allowed = target
                    used = set(symbols.get(aux["vna_other"], []))
                    if not used <= allowed:
                        raise SystemExit(f"{path}: {aux.name} from {entry.name} is used by {sorted(used - allowed)}, "
                                         f"not only by {sorted(allowed)}: cannot lower it")
                    name_offset = _dynstr_offset(elf, older)
                    if name_offset is None:
                        raise SystemExit(f"{path}: no string {older} to point {aux.name} at")
                    changes.append((base + aux_offset, _elf_hash(older.encode()), name_offset,
                                    f"{entry.name} {aux.name} -> {older} ({', '.join(sorted(used))})"))
                aux_offset += aux["vna_next"]
            entry_offset += entry["vn_next"]
    with path.open("r+b") as f:
        for offset, hash_, name_offset, _ in changes:
            # Elf64_Vernaux: vna_hash (u32), vna_flags (u16), vna_other (u16), vna_name (u32), vna_next (u32)
            f.seek(offset)
            f.write(struct.pack("<I", hash_))
            f.seek(offset + 8)
            f.write(struct.pack("<I", name_offset))
    return [text for *_, text in changes]


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("check", "fix"):
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[1])
    if argv[0] == "fix":
        for path in elf_files(folder):
            for change in rebind(path):
                print(f"rebound {path.relative_to(folder)}: {change}")
        return 0
    problems = check(folder)
    for need in problems:
        print(need)
    floor = ", ".join(f"{k}_{'.'.join(map(str, v))}" for k, v in FLOOR.items())
    print(f"{len(problems)} requirement(s) above {floor}" if problems else f"nothing needs more than {floor}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
