"""The composer: multiline text, Enter sends (Shift+Enter for a new line, switchable), paste or
drop an image, a draft per conversation, and the compliance verdict shown in place.

Everything goes out through one injected `send` coroutine (the hub's gate + outbox). A
blocked message keeps its text with the offending spans highlighted and the reasons
listed; a warning needs a second send (Enter again, or Ctrl+Enter) to confirm — no modal
dialog, so nothing blocks inside a coroutine.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPixmap, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workstation.domain.verdict import Action, DraftKind, OutgoingDraft, Verdict

log = logging.getLogger(__name__)

DRAFT_SAVE_MS = 600
SLASHES = ("/", "、", "／")  # what the / key types with Chinese punctuation on
MAX_IMAGE_BYTES = 10 * 1024 * 1024
SendFn = Callable[[OutgoingDraft, bool], Awaitable[object]]


def utf16_offset(text: str, index: int) -> int:
    """Qt text positions count UTF-16 units; the verdict counts Python characters."""
    index = max(0, min(index, len(text)))
    return len(text[:index].encode("utf-16-le")) // 2


def image_to_png(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


class ComposerEdit(QPlainTextEdit):
    send_requested = Signal(bool)      # True when the agent forced it (Ctrl+Enter): confirms a warning
    image_pasted = Signal(QImage)
    slash_typed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.enter_sends = True
        self.setTabChangesFocus(True)
        self.setPlaceholderText("输入消息，Enter 发送，Shift+Enter 换行，/ 快捷短语，可粘贴或拖入图片")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
            shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
            if ctrl:
                self.send_requested.emit(True)
                return
            if self.enter_sends and not shift:
                self.send_requested.emit(False)
                return
            if not self.enter_sends and not shift:
                super().keyPressEvent(event)
                return
            self.insertPlainText("\n")
            return
        if event.text() in SLASHES and not mods & ~Qt.KeyboardModifier.ShiftModifier:
            cursor = self.textCursor()
            at_line_start = cursor.positionInBlock() == 0
            if at_line_start:
                self.insertPlainText("/")
                self.slash_typed.emit()
            else:
                super().keyPressEvent(event)
            return
        super().keyPressEvent(event)

    def inputMethodEvent(self, event) -> None:
        # With Chinese punctuation on, the / key commits 、 (or a full-width ／) through the IME:
        # at the start of a line it still means "quick reply".
        commit = event.commitString()
        if commit in SLASHES and not event.preeditString() and self.textCursor().positionInBlock() == 0:
            self.insertPlainText("/")
            self.slash_typed.emit()
            return
        super().inputMethodEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasImage() or _image_file(source) is not None or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasImage():
            image = QImage(source.imageData())
            if not image.isNull():
                self.image_pasted.emit(image)
                return
        path = _image_file(source)
        if path is not None:
            image = QImage(path)
            if not image.isNull():
                self.image_pasted.emit(image)
            else:
                log.info("dropped file is not a readable image")
            return
        super().insertFromMimeData(source)


def _image_file(source: QMimeData) -> str | None:
    for url in source.urls() if source.hasUrls() else []:
        if url.isLocalFile() and url.toLocalFile().lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp")):
            return url.toLocalFile()
    return None


class Composer(QWidget):
    """`send(draft, confirmed_warning)` is the single send path; `save_draft(text)` keeps the draft."""

    sent = Signal()
    enter_mode_changed = Signal(bool)

    def __init__(self, send: SendFn, save_draft: Callable[[str], Awaitable[None]] | None = None,
                 spawn=None, parent: QWidget | None = None):
        super().__init__(parent)
        self._send = send
        self._save_draft = save_draft
        self._spawn = spawn
        self._image: QImage | None = None
        self._confirm_for: str | None = None   # the text whose warning the agent is about to confirm
        self._sending = False
        self.verdict: Verdict | None = None

        self.edit = ComposerEdit()
        self.edit.setObjectName("composerEdit")
        self.edit.send_requested.connect(self._send_requested)
        self.edit.image_pasted.connect(self.attach_image)
        self.edit.textChanged.connect(self._text_changed)
        self.edit.setMinimumHeight(self.edit.fontMetrics().lineSpacing() * 2 + 12)

        self.attachment = QLabel()
        self.attachment.setObjectName("composerAttachment")
        self.attachment.setVisible(False)
        self.remove_attachment = QToolButton()
        self.remove_attachment.setText("移除图片")
        self.remove_attachment.setVisible(False)
        self.remove_attachment.clicked.connect(self.clear_image)

        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("verdictLabel")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict_label.setVisible(False)
        self.confirm_button = QPushButton("仍然发送 (Ctrl+Enter)")
        self.confirm_button.setObjectName("confirmSend")
        self.confirm_button.setVisible(False)
        self.confirm_button.clicked.connect(lambda: self._send_requested(True))

        self.enter_mode = QCheckBox("Enter 发送")
        self.enter_mode.setObjectName("enterSends")
        self.enter_mode.setChecked(True)
        self.enter_mode.setToolTip("勾选：Enter 发送、Shift+Enter 换行；不勾选：Ctrl+Enter 发送、Enter 换行")
        self.enter_mode.toggled.connect(self.set_enter_sends)
        self.send_button = QPushButton("发送")
        self.send_button.setObjectName("sendButton")
        self.send_button.setToolTip("发送 (Enter)")
        self.send_button.clicked.connect(lambda: self._send_requested(False))
        self.send_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        attach_row = QHBoxLayout()
        attach_row.addWidget(self.attachment)
        attach_row.addWidget(self.remove_attachment)
        attach_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.verdict_label, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.enter_mode)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(attach_row)
        layout.addWidget(self.edit, 1)
        layout.addLayout(buttons)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_SAVE_MS)
        self._draft_timer.timeout.connect(self._flush_draft_soon)
        self._loading = False

    # ---- text, image, draft ----------------------------------------------------------------

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_draft(self, text: str) -> None:
        """Show a stored draft without saving it back."""
        self._loading = True
        self.edit.setPlainText(text)
        self.edit.moveCursor(QTextCursor.MoveOperation.End)
        self._loading = False

    def set_enter_sends(self, enter_sends: bool) -> None:
        self.edit.enter_sends = enter_sends
        if self.enter_mode.isChecked() != enter_sends:
            self.enter_mode.setChecked(enter_sends)
        self.send_button.setToolTip("发送 (Enter)" if enter_sends else "发送 (Ctrl+Enter)")
        self.enter_mode_changed.emit(enter_sends)

    def attach_image(self, image: QImage) -> None:
        if image.isNull():
            return
        self._image = image
        self.attachment.setPixmap(QPixmap.fromImage(image).scaled(
            96, 64, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        self.attachment.setToolTip(f"待发送图片 {image.width()}×{image.height()}")
        self.attachment.setVisible(True)
        self.remove_attachment.setVisible(True)

    def clear_image(self) -> None:
        self._image = None
        self.attachment.clear()
        self.attachment.setVisible(False)
        self.remove_attachment.setVisible(False)

    @property
    def image(self) -> QImage | None:
        return self._image

    def _text_changed(self) -> None:
        if self.verdict is not None and self._confirm_for is not None and self.text() != self._confirm_for:
            self._confirm_for = None  # an edited text is judged afresh
            self.confirm_button.setVisible(False)
        if not self._loading and self._save_draft is not None:
            self._draft_timer.start()

    def _flush_draft_soon(self) -> None:
        if self._spawn is not None and self._save_draft is not None:
            self._spawn(self._save_draft(self.text()))

    async def flush_draft(self) -> None:
        self._draft_timer.stop()
        if self._save_draft is not None:
            await self._save_draft(self.text())

    # ---- sending --------------------------------------------------------------------------------

    def _send_requested(self, forced: bool) -> None:
        if self._spawn is not None:
            self._spawn(self.send(forced=forced))

    async def send(self, forced: bool = False) -> bool:
        """Send the image (if any), then the text; True when everything was handed to the outbox."""
        from workstation.sync.errors import MessageBlocked, MessageNeedsConfirmation, SyncError

        if self._sending:
            return False
        text = self.text()
        if not text.strip() and self._image is None:
            return False
        confirmed = self._confirm_for is not None and (forced or self._confirm_for == text)
        self._sending = True
        self.send_button.setEnabled(False)
        try:
            if self._image is not None:
                png = image_to_png(self._image)
                if len(png) > MAX_IMAGE_BYTES:
                    self._show_problem("图片太大（超过 10 MB），请压缩后再发。")
                    return False
                await self._send(OutgoingDraft(DraftKind.IMAGE, "", image_bytes=png), confirmed)
                self.clear_image()
            if text.strip():
                await self._send(OutgoingDraft(DraftKind.TEXT, text), confirmed)
                self._loading = True
                self.edit.clear()
                self._loading = False
                await self.flush_draft()
        except MessageBlocked as exc:
            self.show_verdict(exc.verdict, text)
            return False
        except MessageNeedsConfirmation as exc:
            self.show_verdict(exc.verdict, text)
            return False
        except SyncError as exc:
            self._show_problem(str(exc))
            return False
        except Exception:
            # Something unforeseen (database, network stack): keep the text, say so calmly.
            log.exception("sending failed unexpectedly")
            self._show_problem("发送失败，消息仍在输入框里。请稍后重试；详情已写入日志。")
            return False
        finally:
            self._sending = False
            self.send_button.setEnabled(True)
        self.clear_verdict()
        self.sent.emit()
        return True

    # ---- the verdict, in place -------------------------------------------------------------------

    def show_verdict(self, verdict: Verdict, text: str) -> None:
        self.verdict = verdict
        selections = []
        for hit in verdict.hits:
            blocking = hit.severity is Action.BLOCK
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(QColor("#fecaca") if blocking else QColor("#fde68a"))
            fmt.setForeground(QColor("#7f1d1d") if blocking else QColor("#78350f"))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor("#dc2626") if blocking else QColor("#d97706"))
            cursor = QTextCursor(self.edit.document())
            cursor.setPosition(utf16_offset(text, hit.start))
            cursor.setPosition(utf16_offset(text, hit.end), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        self.edit.setExtraSelections(selections)
        reasons = []
        for hit in verdict.hits:
            category = getattr(hit.category, "label", str(hit.category))
            line = f"「{hit.match}」{category}：{hit.reason}"
            if line not in reasons:
                reasons.append(line)
        if verdict.blocked:
            self._confirm_for = None
            head = "未发送，消息不符合平台规则，请修改标出的内容后再发："
            self.verdict_label.setStyleSheet("color: #dc2626;")
            self.confirm_button.setVisible(False)
        else:
            self._confirm_for = text
            head = "这条消息可能让买家不满，确认仍要发送请再按 Enter 或 Ctrl+Enter："
            self.verdict_label.setStyleSheet("color: #b45309;")
            self.confirm_button.setVisible(True)
        self.verdict_label.setText(head + "\n" + "\n".join(reasons[:6]))
        self.verdict_label.setVisible(True)
        self.edit.setFocus()

    def _show_problem(self, text: str) -> None:
        self.verdict_label.setStyleSheet("color: #dc2626;")
        self.verdict_label.setText(text)
        self.verdict_label.setVisible(True)

    def clear_verdict(self) -> None:
        self.verdict = None
        self._confirm_for = None
        self.edit.setExtraSelections([])
        self.verdict_label.clear()
        self.verdict_label.setVisible(False)
        self.confirm_button.setVisible(False)

    # ---- quick replies --------------------------------------------------------------------------

    def insert_phrase(self, text: str, unfilled: list | None = None) -> None:
        """Replace the `/query` the agent typed with the chosen phrase."""
        cursor = self.edit.textCursor()
        block_text = cursor.block().text()[: cursor.positionInBlock()]
        slash = block_text.rfind("/")
        if slash >= 0:
            cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor,
                                cursor.positionInBlock() - slash)
        cursor.insertText(text)
        self.edit.setTextCursor(cursor)
        if unfilled:
            self._show_problem("短语里有未填写的变量：" + "、".join(str(getattr(v, "name", v)) for v in unfilled))
        self.edit.setFocus()
