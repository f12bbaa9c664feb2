"""Build-time icons from the one source, app/resources/icons/cabinet.svg.

    python packaging/icons.py OUT           # OUT/hicolor/<n>x<n>/apps/<APP_ID>.png and scalable SVG
    python packaging/icons.py OUT --all     # also OUT/cabinet.ico (16-256 px) and OUT/cabinet.icns

Qt's own SVG renderer (QtSvg, part of PySide6-Essentials) draws every size; Pillow (a build-time
dependency only, the `bundle` extra) packs the Windows .ico and the macOS .icns.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import APP_ID  # noqa: E402 - after the checkout is on the path
from app.resources import resource_path  # noqa: E402

SVG = resource_path("icons", "cabinet.svg")
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SOURCE = 1024  # Pillow's ICNS writer makes every smaller size from this one


def render(size: int, out: Path) -> Path:
    """The SVG drawn at ``size`` x ``size`` pixels into a PNG file."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SVG}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"cannot write {out}")
    return out


def hicolor(out: Path) -> list[Path]:
    """The freedesktop icon theme tree: one PNG per size plus the scalable SVG, named APP_ID."""
    written = [render(n, out / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png") for n in HICOLOR_SIZES]
    scalable = out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable)
    return [*written, scalable]


def windows_macos(out: Path) -> tuple[Path, Path]:
    from PIL import Image

    big = render(ICNS_SOURCE, out / "work" / f"{ICNS_SOURCE}.png")
    ico, icns = out / "cabinet.ico", out / "cabinet.icns"
    with Image.open(big) as image:
        # Each .ico size drawn by Qt from the SVG (sharper than scaling the large one down).
        frames = [Image.open(render(n, out / "work" / f"{n}.png")) for n in ICO_SIZES]
        frames[-1].save(ico, format="ICO", sizes=[(n, n) for n in ICO_SIZES], append_images=frames[:-1])
        image.save(icns, format="ICNS")
    return ico, icns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--all", action="store_true", help="also the .ico and .icns (needs Pillow)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter on QImage wants one
    hicolor(args.out)
    if args.all:
        windows_macos(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
