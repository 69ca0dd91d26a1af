"""Light or dark palette following the OS colour scheme, and the few semantic colours the inbox uses.

Fusion's own palette is always light; on an OS in dark mode we give it a dark one and
switch again when the OS does. Urgency colours stay readable on both.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from workstation.domain.deadlines import Urgency

log = logging.getLogger(__name__)

_CALM = {"light": "#0f766e", "dark": "#5eead4"}
_AMBER = {"light": "#d97706", "dark": "#d97706"}
_RED = {"light": "#dc2626", "dark": "#ef4444"}
_installed = False


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def urgency_colour(level: Urgency, palette: QPalette | None = None) -> QColor:
    mode = "dark" if is_dark(palette) else "light"
    if level is Urgency.RED:
        return QColor(_RED[mode])
    if level is Urgency.AMBER:
        return QColor(_AMBER[mode])
    return QColor(_CALM[mode])


def dark_palette() -> QPalette:
    palette = QPalette()
    window, base, text = QColor("#1f2125"), QColor("#17191c"), QColor("#e6e6e6")
    palette.setColor(QPalette.ColorRole.Window, window)
    palette.setColor(QPalette.ColorRole.WindowText, text)
    palette.setColor(QPalette.ColorRole.Base, base)
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#25282d"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor("#2b2e33"))
    palette.setColor(QPalette.ColorRole.ToolTipText, text)
    palette.setColor(QPalette.ColorRole.Text, text)
    palette.setColor(QPalette.ColorRole.Button, QColor("#2a2d32"))
    palette.setColor(QPalette.ColorRole.ButtonText, text)
    palette.setColor(QPalette.ColorRole.BrightText, QColor("#ff6b6b"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2f5d9a"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Link, QColor("#7ab7ff"))
    palette.setColor(QPalette.ColorRole.Mid, QColor("#5a5e66"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8a8f98"))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#777b82"))
    return palette


def apply_os_palette() -> None:
    """Follow the OS: dark palette when it is dark, the style's light one otherwise; once per app."""
    global _installed
    app = QGuiApplication.instance()
    if app is None or _installed:
        return
    _installed = True
    hints = QGuiApplication.styleHints()

    def follow(scheme=None) -> None:
        scheme = hints.colorScheme() if scheme is None else scheme
        if scheme == Qt.ColorScheme.Dark:
            QGuiApplication.setPalette(dark_palette())
        else:
            style = getattr(app, "style", lambda: None)()
            QGuiApplication.setPalette(style.standardPalette() if style is not None else QPalette())
        log.info("colour scheme: %s", "dark" if scheme == Qt.ColorScheme.Dark else "light")

    follow()
    hints.colorSchemeChanged.connect(follow)
