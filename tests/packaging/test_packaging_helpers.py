"""The quick parts of packaging: icons rendered from the one SVG, which resources ship, and which
Qt parts the bundle leaves out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import make_icons
from bundle_rules import EXCLUDED_MODULES, wanted, without_orphans
from resource_manifest import resource_files


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


@pytest.mark.parametrize(("dest", "ships"), [
    # Unused Qt modules, in each platform's spelling, with their frameworks' data files.
    ("PySide6/Qt/lib/libQt6Qml.so.6", False),
    ("PySide6/Qt/lib/libQt6QuickControls2Basic.so.6", False),
    ("PySide6/Qt/lib/QtQml.framework/Resources/Info.plist", False),
    ("PySide6/Qt6WebEngineCore.dll", False),
    ("PySide6/Qt/libexec/QtWebEngineProcess", False),
    ("PySide6/QtPdf.abi3.so", False),
    # What the app uses stays.
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ("PySide6/Qt/lib/libQt6Multimedia.so.6", True),
    ("PySide6/Qt6Charts.dll", True),
    ("PySide6/QtSvgWidgets.pyd", True),
    ("PySide6/Qt/lib/libQt6WaylandClient.so.6", True),
    ("PySide6/Qt/lib/libQt6WaylandCompositor.so.6", False),
    # Plugins: desktop platforms and offscreen stay, kiosk ones and the media backend go.
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/plugins/platforms/qwindows.dll", True),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
    ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
    # Qt's FFmpeg goes; OpenCV's own copy, which cv2 links to, stays.
    ("PySide6/Qt/lib/libavcodec.so.63", False),
    ("PySide6/Qt/lib/libQt6FFmpegStub-va.so.2", False),
    ("opencv_python_headless.libs/libavcodec-c4204469.so.62", True),
    ("cv2/opencv_videoio_ffmpeg4120_64.dll", False),
    # Translations: Chinese and English only.
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
    ("PySide6/translations/qt_zh_TW.qm", True),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/translations/qtwebengine_zh_CN.qm", False),
    # Everything else ships.
    ("resources/compliance/insult.txt", True),
    ("publicsuffixlist/public_suffix_list.dat", True),
])
def test_bundle_keeps_what_the_app_uses_and_drops_unused_qt(dest, ships):
    assert wanted(dest) is ships


def test_libraries_only_removed_plugins_needed_are_dropped():
    links = {
        "/site/PySide6/Qt/lib/libQt6Gui.so.6": ["libfontconfig.so.1"],
        "/usr/lib/libfontconfig.so.1": ["libexpat.so.1"],
    }
    binaries = [
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/site/PySide6/Qt/lib/libQt6Gui.so.6", "BINARY"),
        ("libfontconfig.so.1", "/usr/lib/libfontconfig.so.1", "BINARY"),
        ("libexpat.so.1", "/usr/lib/libexpat.so.1", "BINARY"),
        ("libpython3.11.so.1.0", "/py/libpython3.11.so.1.0", "BINARY"),
        ("libcairo.so.2", "/usr/lib/libcairo.so.2", "BINARY"),  # was needed by the GTK theme plugin only
    ]

    kept = without_orphans(binaries, imports_of=lambda path: links.get(path, []))

    assert [dest for dest, _src, _kind in kept] == [
        "PySide6/Qt/lib/libQt6Gui.so.6", "libfontconfig.so.1", "libexpat.so.1", "libpython3.11.so.1.0"]


def test_unused_bindings_are_excluded_but_their_qt_libraries_ship():
    assert "PySide6.QtOpenGL" in EXCLUDED_MODULES
    assert "PySide6.QtWebEngineCore" in EXCLUDED_MODULES
    assert "PySide6.QtMultimedia" not in EXCLUDED_MODULES
    # QtCharts links the OpenGL library, so that stays even though its Python binding does not.
    assert wanted("PySide6/Qt/lib/libQt6OpenGL.so.6")
