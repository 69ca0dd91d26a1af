"""The quick parts of packaging: icons rendered from the one SVG, and which resources ship."""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import make_icons  # noqa: E402
from resource_manifest import resource_files  # noqa: E402


def test_icons_are_rendered_in_every_size_from_the_svg(tmp_path, qapp):
    made = make_icons.make_icons(tmp_path)

    with Image.open(made["ico"]) as ico:
        assert {(s, s) for s in make_icons.ICO_SIZES} <= set(ico.info["sizes"])
    with Image.open(made["icns"]) as icns:
        assert icns.size == (1024, 1024)
    for size in make_icons.PNG_SIZES:
        with Image.open(tmp_path / f"workstation-{size}.png") as png:
            assert png.size == (size, size)
            assert png.mode == "RGBA"
    # Not blank: the corners are transparent, the middle is the tile.
    with Image.open(made["png"]) as big:
        assert big.getpixel((0, 0))[3] == 0
        assert big.getpixel((512, 150))[3] == 255


def test_every_resource_ships_except_leftovers(tmp_path):
    (tmp_path / "sounds").mkdir()
    (tmp_path / "sounds" / "new_message.wav").write_bytes(b"RIFF")
    (tmp_path / "sounds" / "generate.py").write_text("# makes the wav files\n")
    (tmp_path / "compliance" / "__pycache__").mkdir(parents=True)
    (tmp_path / "compliance" / "insult.txt").write_text("词\n", encoding="utf-8")
    (tmp_path / "compliance" / "insult.txt~").write_text("old\n", encoding="utf-8")
    (tmp_path / "compliance" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"")
    (tmp_path / ".DS_Store").write_bytes(b"")

    assert resource_files(tmp_path) == [Path("compliance/insult.txt"), Path("sounds/new_message.wav")]


def test_the_real_resources_folder_is_shipped_whole():
    shipped = resource_files(ROOT / "resources")
    assert Path("icons/workstation.svg") in shipped
