"""Render every app icon from the one source image, resources/icons/workstation.svg.

Writes PNGs at the usual sizes, a Windows .ico and a macOS .icns into an output folder
(default build/icons/). Generated files are build outputs and are never committed.

    python packaging/make_icons.py [--out DIR]

Qt renders the SVG (each size separately, so small icons stay crisp); Pillow writes .ico
and .icns, which it can do on every OS, so a Linux machine can produce the macOS icon too.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "workstation.svg"
DEFAULT_OUT = ROOT / "build" / "icons"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
# Windows picks from these for the taskbar, Explorer views and the installer (256 is stored as PNG).
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
# The sizes Pillow's ICNS writer stores (16 is left to macOS to derive).
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)


def _render_png(renderer, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not encode the {size}px icon")
    return bytes(data.data())


def make_icons(out_dir: Path = DEFAULT_OUT, source: Path = SOURCE) -> dict[str, Path]:
    """Render all sizes of `source` into `out_dir`; returns {"ico": …, "icns": …, "png": <largest>}."""
    # A build machine (CI runner, ssh session) may have no display; rendering needs none.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise RuntimeError(f"{source} is not a valid SVG")

    out_dir.mkdir(parents=True, exist_ok=True)
    images: dict[int, Image.Image] = {}
    for size in sorted(set(PNG_SIZES) | set(ICO_SIZES) | set(ICNS_SIZES)):
        png = _render_png(renderer, size)
        images[size] = Image.open(io.BytesIO(png)).convert("RGBA")
        if size in PNG_SIZES:
            (out_dir / f"workstation-{size}.png").write_bytes(png)

    ico = out_dir / "workstation.ico"
    largest_ico = images[max(ICO_SIZES)]
    largest_ico.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                     append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    icns = out_dir / "workstation.icns"
    images[max(ICNS_SIZES)].save(icns, format="ICNS",
                                 append_images=[images[s] for s in ICNS_SIZES if s != max(ICNS_SIZES)])
    del app  # keep the application alive until every image is rendered
    return {"ico": ico, "icns": icns, "png": out_dir / f"workstation-{max(PNG_SIZES)}.png"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    for kind, path in make_icons(args.out).items():
        print(f"{kind}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
