"""What Qt asks of ICU, answered as JSON on stdout: run with LD_LIBRARY_PATH at the bundle's Qt
libraries, it answers from the bundle's trimmed ICU data (packaging/icu.py); without, from the
whole data PySide6 ships. tests/packaging/test_bundle.py compares the two.

Collation (QCollator: Qt's file dialog sorts with it), locale case mapping, time-zone display
names and the legacy codecs are every ICU service QtCore calls.
"""

from __future__ import annotations

import functools
import json

from PySide6.QtCore import QCollator, QDateTime, QLocale, QStringDecoder, Qt, QTimeZone

WORDS = ["Zebra", "Äpfel", "apfel", "Ofen", "Özil", "öl", "Ångström", "zz", "Éclair", "eclair", "ß", "ss",
         "file10", "file9", "Łódź", "Lodz"]
CODECS = ["Shift_JIS", "EUC-KR", "GB18030", "Big5", "windows-1252", "ISO-8859-2", "KOI8-R", "IBM037"]


def answers() -> dict[str, object]:
    out: dict[str, object] = {}
    for name in ("de_DE", "sv_SE", "pl_PL", "en_US", "tr_TR"):
        collator = QCollator(QLocale(name))
        out[f"sorted {name}"] = sorted(WORDS, key=functools.cmp_to_key(collator.compare))
        collator.setNumericMode(True)
        collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        out[f"numeric, any case {name}"] = sorted(WORDS, key=functools.cmp_to_key(collator.compare))
    out["upper tr"] = QLocale("tr_TR").toUpper("istanbul ıi")
    out["lower tr"] = QLocale("tr_TR").toLower("İSTANBUL I")
    out["upper de"] = QLocale("de_DE").toUpper("straße")
    out["lower el"] = QLocale("el_GR").toLower("ΟΔΟΣ")
    zone = QTimeZone(b"Europe/Berlin")
    when = QDateTime.fromString("2026-01-15T12:00:00Z", Qt.DateFormat.ISODate)
    for name in ("en_US", "de_DE", "ja_JP"):
        out[f"zone {name}"] = [zone.displayName(when, kind, QLocale(name)) for kind in
                               (QTimeZone.NameType.LongName, QTimeZone.NameType.ShortName)]
    out["codecs"] = {name: QStringDecoder(name).isValid() for name in CODECS}
    out["codec count"] = len(QStringDecoder.availableCodecs())
    with open("/proc/self/maps", encoding="utf-8") as maps:
        out["icu data from"] = sorted({line.split()[-1] for line in maps if "libicudata" in line})
    return out


if __name__ == "__main__":
    print(json.dumps(answers(), ensure_ascii=False))
