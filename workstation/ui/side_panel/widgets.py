"""Small widgets every side-panel tab uses: a loading/error/empty/content stack, an inline
confirmation bar (awaitable, never a modal exec()), status lines, chips and thumbnails."""

from __future__ import annotations

import asyncio
import zlib

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

MUTED = "color: palette(mid);"
ERROR_COLOUR = "#dc2626"
OK_COLOUR = "#0f766e"
WARN_COLOUR = "#b45309"


class LoadingStack(QStackedWidget):
    """Shows one of: loading (with a busy bar), an error with 重试, an empty note, or the content."""

    retry_clicked = Signal()

    def __init__(self, content: QWidget, loading_text: str, empty_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.loading_page = QWidget()
        layout = QVBoxLayout(self.loading_page)
        layout.addStretch(1)
        self.loading_label = QLabel(loading_text)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setStyleSheet(MUTED)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        layout.addWidget(self.loading_label)
        layout.addWidget(self.busy)
        layout.addStretch(2)

        self.error_page = QWidget()
        layout = QVBoxLayout(self.error_page)
        layout.addStretch(1)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.retry_button = QPushButton("重试")
        self.retry_button.clicked.connect(self.retry_clicked)
        layout.addWidget(self.error_label)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

        self.empty_label = QLabel(empty_text)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet(MUTED)

        self.content = content
        for page in (self.loading_page, self.error_page, self.empty_label, content):
            self.addWidget(page)

    @property
    def state(self) -> str:
        return {self.loading_page: "loading", self.error_page: "error", self.empty_label: "empty",
                self.content: "content"}.get(self.currentWidget(), "")

    def show_loading(self, text: str | None = None) -> None:
        if text:
            self.loading_label.setText(text)
        self.setCurrentWidget(self.loading_page)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.setCurrentWidget(self.error_page)

    def show_empty(self, text: str | None = None) -> None:
        if text:
            self.empty_label.setText(text)
        self.setCurrentWidget(self.empty_label)

    def show_content(self) -> None:
        self.setCurrentWidget(self.content)


class ConfirmBar(QFrame):
    """An inline question with 确认/取消 that a coroutine can await: `ok = await bar.ask(...)`.

    Asking again while a question is open answers the open one with False.
    """

    answered = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("confirmBar")
        self.setStyleSheet("#confirmBar { border: 1px solid #f59e0b; border-radius: 6px; background: rgba(245,158,11,0.08); }")
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confirm_button = QPushButton("确认")
        self.confirm_button.setDefault(True)
        self.cancel_button = QPushButton("取消")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text_label)
        layout.addLayout(buttons)
        self.confirm_button.clicked.connect(lambda: self._answer(True))
        self.cancel_button.clicked.connect(lambda: self._answer(False))
        self._pending: asyncio.Future | None = None
        self.hide()

    @property
    def is_open(self) -> bool:
        return self._pending is not None and not self._pending.done()

    def ask(self, text: str, confirm_label: str = "确认") -> asyncio.Future:
        self._answer(False)
        self.text_label.setText(text)
        self.confirm_button.setText(confirm_label)
        self._pending = asyncio.get_event_loop().create_future()
        self.show()
        self.confirm_button.setFocus()
        return self._pending

    def _answer(self, value: bool) -> None:
        pending, self._pending = self._pending, None
        self.hide()
        if pending is not None and not pending.done():
            pending.set_result(value)
            self.answered.emit(value)

    def keyPressEvent(self, event):  # noqa: N802 (Qt name)
        if event.key() == Qt.Key.Key_Escape:
            self._answer(False)
            return
        super().keyPressEvent(event)


class StatusLine(QLabel):
    """One line under a tab's controls: what just happened, coloured by how it went."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def say(self, text: str, tone: str = "info") -> None:
        colour = {"error": ERROR_COLOUR, "ok": OK_COLOUR, "warn": WARN_COLOUR}.get(tone, "palette(text)")
        self.setStyleSheet(f"color: {colour};")
        self.setProperty("tone", tone)
        self.setText(text)
        self.setVisible(bool(text))

    def clear_status(self) -> None:
        self.say("")

    @property
    def tone(self) -> str:
        return self.property("tone") or ""


def chip(text: str, colour: str = "#64748b") -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"color: {colour}; border: 1px solid {colour}; border-radius: 8px; padding: 0 6px;"
                        " font-size: 11px;")
    return label


def scroll_list() -> tuple[QScrollArea, QVBoxLayout]:
    """A vertical scroll area whose layout takes rows from the top."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    inner = QWidget()
    layout = QVBoxLayout(inner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(8)
    layout.addStretch(1)
    area.setWidget(inner)
    return area, layout


def clear_rows(layout: QVBoxLayout) -> None:
    """Remove every row but the trailing stretch."""
    while layout.count() > 1:
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.deleteLater()


def card_frame(row: QWidget) -> QFrame:
    """The bordered card that fills `row` edge to edge; lay the row's content out in it."""
    frame = QFrame()
    frame.setObjectName("card")
    frame.setStyleSheet("#card { border: 1px solid palette(midlight); border-radius: 6px; }")
    outer = QVBoxLayout(row)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(frame)
    return frame


def search_row(placeholder: str, button_text: str) -> tuple[QLineEdit, QPushButton, QHBoxLayout]:
    """A tab's search box (with a clear button) and the button that runs the search, side by side."""
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    button = QPushButton(button_text)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return edit, button, row


def placeholder_thumbnail(title: str, size: int = 44) -> QPixmap:
    """A stand-in picture until (or unless) the real one loads: the title's first character on a colour."""
    digest = zlib.crc32(title.encode("utf-8"))
    colour = QColor.fromHsv(digest % 360, 90, 210)
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(colour)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(0, 0, size, size), 6, 6)
    painter.setPen(QColor("white"))
    font = QFont()
    font.setPixelSize(int(size * 0.45))
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, (title or "?")[:1])
    painter.end()
    return pixmap


class Thumbnail(QLabel):
    """A picture: the placeholder at once, the real image when `fetch(url)` brings it."""

    def __init__(self, title: str, url: str = "", size: int = 44, parent: QWidget | None = None):
        super().__init__(parent)
        self.url = url
        self.setFixedSize(size, size)
        self.setPixmap(placeholder_thumbnail(title, size))
        self.setToolTip(title)

    def show_image(self, data: bytes) -> None:
        pixmap = QPixmap()
        if pixmap.loadFromData(data):
            self.setPixmap(pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.SmoothTransformation))
