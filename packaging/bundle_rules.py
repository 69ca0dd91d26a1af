"""What the PyInstaller spec leaves out of the bundle, and why. Plain Python, so it can be tested.

The app uses QtCore, QtGui, QtWidgets, QtNetwork, QtSvg, QtMultimedia (QSoundEffect) and maybe
QtCharts. PyInstaller already collects only the Qt modules that are imported, but their plugins
drag in more (the FFmpeg media backend links QtQuick, the PDF image plugin QtPdf, the GTK theme the
build machine's GTK); these rules take that back out. To use a left-out module, delete it here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

UNUSED_QT_MODULES = (
    "WebEngine", "WebEngineCore", "WebEngineWidgets", "WebEngineQuick", "WebChannel", "WebView",
    "Qml", "Quick", "QuickWidgets", "QuickControls2", "Quick3D",
    "3DCore", "3DRender", "3DInput", "3DLogic", "3DExtras", "3DAnimation",
    "Pdf", "PdfWidgets", "Designer", "UiTools", "Help", "DataVisualization", "Graphs", "GraphsWidgets",
    "Location", "Positioning", "Sensors", "Bluetooth", "Nfc", "SerialPort", "SerialBus",
    "RemoteObjects", "Scxml", "StateMachine", "TextToSpeech", "SpatialAudio", "HttpServer",
    "Sql", "Test", "AxContainer", "MultimediaWidgets",
)

# Python bindings PyInstaller's Qt hooks add for every Qt library a used one links to (QtCharts links
# QtOpenGL and QtOpenGLWidgets). The C++ libraries stay; only these unused bindings (~9 MB) go.
UNUSED_QT_BINDINGS = ("OpenGL", "OpenGLWidgets", "Concurrent", "DBus")

EXCLUDED_MODULES = [f"PySide6.Qt{name}" for name in UNUSED_QT_MODULES + UNUSED_QT_BINDINGS] + [
    # Test-only and tooling packages that live in the same virtualenv.
    "tkinter", "_tkinter", "pytest", "_pytest", "pytestqt", "pytest_asyncio", "pytest_timeout",
    "hypothesis", "wsgidav", "cheroot", "PyInstaller", "pip", "setuptools", "pkg_resources",
    "IPython", "matplotlib",
]

# A path component naming an unused Qt module, in every platform's spelling: libQt6Qml.so.6,
# Qt6Qml.dll, QtQml.framework/…, QtQml.abi3.so, qtwebengine_zh_CN.qm. A prefix match on purpose:
# "Quick" also catches QuickControls2Basic and the rest of that family.
_UNUSED_QT_COMPONENT = re.compile(
    r"^(?:lib)?Qt6?(?:" + "|".join(UNUSED_QT_MODULES) + r"|ShaderTools|VirtualKeyboard|Labs|FFmpegStub"
    r"|EglFs|WaylandCompositor|WaylandEglCompositor)",
    re.IGNORECASE,
)
_UNUSED_PLUGIN_DIRS = {
    "assetimporters", "canbus", "designer", "geometryloaders", "geoservices", "position", "qmltooling",
    "qmllint", "qmlls", "renderers", "renderplugins", "sceneparsers", "scxmldatamodel", "sensors",
    "sqldrivers", "texttospeech", "webview", "virtualkeyboard", "egldeviceintegrations",
    "wayland-graphics-integration-server",
    "generic",  # evdev/tuio input for kiosk devices
    # Media backends (FFmpeg, ~30 MB, and it links QtQuick) serve QMediaPlayer and cameras. The app's
    # alerts use QSoundEffect, whose audio output lives in QtMultimedia itself (PulseAudio, WASAPI,
    # CoreAudio), so it keeps working without them. Put this back if the app starts playing media.
    "multimedia",
}
# Embedded-device platforms; desktop windows need xcb/wayland, windows or cocoa (+ offscreen for tests).
_UNUSED_PLATFORMS = re.compile(r"q(?:eglfs|linuxfb|minimalegl|vkkhrdisplay|vnc)\.", re.IGNORECASE)
_UNUSED_IMAGEFORMATS = re.compile(r"qpdf\.", re.IGNORECASE)
# The GTK theme plugin would drag the build machine's GTK, cairo and pango into the bundle; the app
# draws with Fusion and its own palette anyway.
_UNUSED_THEMES = re.compile(r"qgtk3\.", re.IGNORECASE)
# Qt's own strings (buttons, file dialogs) in the languages agents use.
_KEPT_TRANSLATION = re.compile(r"^qt(?:base|multimedia)?_(?:zh_CN|zh_TW|zh_HK|en)\.qm$")
# Qt's own FFmpeg, for the media backend above. OpenCV links its own copy, elsewhere, and keeps it.
_QT_FFMPEG = re.compile(r"^(?:lib)?(?:avcodec|avformat|avutil|avfilter|avdevice|swresample|swscale)\b",
                        re.IGNORECASE)


def wanted(dest: str) -> bool:
    """Whether a file PyInstaller collected (by its place in the bundle) should ship."""
    parts = re.split(r"[/\\]", dest)
    name = parts[-1]
    if any(_UNUSED_QT_COMPONENT.match(part) for part in parts):
        return False
    if parts[0] == "PySide6" and _QT_FFMPEG.match(name):
        return False
    # Windows/macOS OpenCV wheels load this FFmpeg build only to open video files; the QR check
    # decodes still images (cv2.imdecode), which never touches it.
    if name.lower().startswith("opencv_videoio_ffmpeg"):
        return False
    if "plugins" in parts[:-1]:
        plugin_dir = parts[parts.index("plugins") + 1]
        if plugin_dir in _UNUSED_PLUGIN_DIRS:
            return False
        if plugin_dir == "platforms" and _UNUSED_PLATFORMS.search(name):
            return False
        if plugin_dir == "imageformats" and _UNUSED_IMAGEFORMATS.search(name):
            return False
        if plugin_dir == "platformthemes" and _UNUSED_THEMES.search(name):
            return False
    if "PySide6" in parts and "translations" in parts and name.endswith(".qm"):
        return bool(_KEPT_TRANSLATION.match(name))
    return True


def without_orphans(binaries, imports_of=None):
    """Drop top-level shared libraries that no kept binary links to any more (Linux).

    PyInstaller resolved the removed plugins' dependencies before `wanted` ran; on Linux those come
    from the build host (GTK, cairo, …). Keeps every binary inside a package folder, libpython, and
    everything they link to, transitively. `imports_of(path)` gives a binary's linked library names.
    """
    if imports_of is None:
        from PyInstaller.depend import bindepend

        def imports_of(path):
            return [name for name, _resolved in bindepend.get_imports(path)]

    top_level = {dest: src for dest, src, _kind in binaries if "/" not in dest}
    needed = {dest for dest in top_level if dest.startswith("libpython")}
    queue = [src for dest, src, _kind in binaries if "/" in dest] + [top_level[d] for d in needed]
    seen: set[str] = set()
    while queue:
        src = queue.pop()
        if src in seen:
            continue
        seen.add(src)
        for name in imports_of(src):
            base = Path(name).name
            if base in top_level and base not in needed:
                needed.add(base)
                queue.append(top_level[base])
    return [entry for entry in binaries if "/" in entry[0] or entry[0] in needed]


def debug_info_stripped(binaries, workdir: Path, interpreter_prefix: str = sys.base_prefix):
    """The interpreter's own binaries (libpython, lib-dynload) without debug info.

    pyenv and self-built Pythons keep it: ~17 MB in libpython, ~9 MB in lib-dynload. Nothing from
    site-packages is touched: wheels are stripped already, and `strip` can corrupt the
    patchelf-edited libraries of manylinux wheels.
    """
    strip = shutil.which("strip")
    prefix = Path(interpreter_prefix).resolve()
    result = []
    for dest, src, kind in binaries:
        path = Path(src).resolve()
        ours = prefix in path.parents and not {"site-packages", "dist-packages"} & set(path.parts)
        if strip and ours:
            target = workdir / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
            if subprocess.run([strip, "--strip-debug", str(target)], check=False).returncode == 0:
                src = str(target)
        result.append((dest, src, kind))
    return result
