"""Typing as an agent does: ASCII through key clicks, Chinese through the input method.

qtbot.keyClicks cannot send non-ASCII characters (Qt's test key table asserts), and
agents do not type 汉字 key by key anyway: their IME commits whole strings.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QInputMethodEvent


def type_text(qtbot, widget, text: str) -> None:
    widget.setFocus()
    run: list[str] = []

    def flush_ime():
        if run:
            event = QInputMethodEvent()
            event.setCommitString("".join(run))
            QCoreApplication.sendEvent(widget, event)
            run.clear()

    for char in text:
        if char.isascii() and char.isprintable():
            flush_ime()
            qtbot.keyClicks(widget, char)
        else:
            run.append(char)
    flush_ime()
