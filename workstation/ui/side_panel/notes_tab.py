"""备注: buyer tags (老客户, 易退款, 已发券 …) and a free note, stored locally for whichever
agent serves the buyer next, and pushed to the platform's buyer-remark endpoint."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workstation.commerce.errors import CommerceError
from workstation.commerce.session import PRESET_TAGS, REMARK_LIMIT, remark_text
from workstation.store.messages import BuyerNote
from workstation.ui.side_panel.tab_base import PanelTab
from workstation.ui.side_panel.widgets import MUTED, LoadingStack, StatusLine

MAX_TAG_LENGTH = 12
TAG_STYLE = "QPushButton:checked { background: #0f766e; color: white; border: 1px solid #0f766e; border-radius: 4px; }"


class NotesTab(PanelTab):
    tags_changed = Signal(tuple)

    def __init__(self, spawn, load_image=None, parent: QWidget | None = None):
        super().__init__(spawn, load_image, parent)
        content = QWidget()
        self.tag_grid = QGridLayout()
        self.tag_buttons: dict[str, QPushButton] = {}
        self.new_tag_edit = QLineEdit()
        self.new_tag_edit.setPlaceholderText("自定义标签")
        self.new_tag_edit.setMaxLength(MAX_TAG_LENGTH)
        self.add_tag_button = QPushButton("添加")
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_tag_edit, 1)
        add_row.addWidget(self.add_tag_button)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText("备注保存在本地，并同步到平台的买家备注；下一位接待这位买家的客服也能看到。")
        self.counter = QLabel()
        self.counter.setStyleSheet(MUTED)
        self.save_button = QPushButton("保存")
        self.save_button.setDefault(True)
        self.status = StatusLine()
        self.updated_label = QLabel()
        self.updated_label.setStyleSheet(MUTED)
        bottom = QHBoxLayout()
        bottom.addWidget(self.counter, 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("标签")
        title.setStyleSheet("font-weight: 600;")
        layout.addWidget(title)
        layout.addLayout(self.tag_grid)
        layout.addLayout(add_row)
        title = QLabel("备注")
        title.setStyleSheet("font-weight: 600;")
        layout.addWidget(title)
        layout.addWidget(self.note_edit, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.status)
        layout.addWidget(self.updated_label)
        self.stack = LoadingStack(content, "正在读取买家备注…", "")
        outer = QVBoxLayout(self)
        outer.addWidget(self.stack)

        self.add_tag_button.clicked.connect(self.add_custom_tag)
        self.new_tag_edit.returnPressed.connect(self.add_custom_tag)
        self.note_edit.textChanged.connect(self._update_counter)
        self.save_button.clicked.connect(lambda: self.spawn(self.save()))
        self.stack.retry_clicked.connect(lambda: self.spawn(self.load()))
        self._set_tags(PRESET_TAGS, ())

    def reset(self) -> None:
        self.status.clear_status()
        self.note_edit.clear()
        self._set_tags(PRESET_TAGS, ())
        self.stack.show_loading()

    def _set_tags(self, available, checked) -> None:
        for button in self.tag_buttons.values():
            button.deleteLater()
        self.tag_buttons = {}
        for index, tag in enumerate(dict.fromkeys([*available, *checked])):
            button = QPushButton(tag)
            button.setCheckable(True)
            button.setStyleSheet(TAG_STYLE)
            button.setChecked(tag in checked)
            button.toggled.connect(self._update_counter)
            self.tag_grid.addWidget(button, index // 3, index % 3)
            self.tag_buttons[tag] = button
        self._update_counter()

    def checked_tags(self) -> list[str]:
        return [tag for tag, button in self.tag_buttons.items() if button.isChecked()]

    def add_custom_tag(self) -> None:
        tag = self.new_tag_edit.text().strip()[:MAX_TAG_LENGTH]
        if not tag:
            return
        checked = [*self.checked_tags(), tag]
        self._set_tags([*self.tag_buttons], checked)
        self.new_tag_edit.clear()

    def _update_counter(self) -> None:
        text = remark_text(BuyerNote(tuple(self.checked_tags()), self.note_edit.toPlainText()))
        full = len("".join(f"[{t}]" for t in self.checked_tags())) + len(self.note_edit.toPlainText()) + 1
        over = full > REMARK_LIMIT
        self.counter.setText(f"同步到平台 {len(text)}/{REMARK_LIMIT} 字" + ("，超出部分只保存在本地" if over else ""))

    def show_note(self, note: BuyerNote) -> None:
        self._set_tags(PRESET_TAGS, note.tags)
        self.note_edit.setPlainText(note.note)
        if note.updated_at is not None and self.commerce is not None:
            from workstation.commerce.money import china_time

            self.updated_label.setText(f"最后更新：{china_time(note.updated_at, self.commerce.clock())}")
        else:
            self.updated_label.clear()

    async def load(self, *, refresh: bool = False) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        self.stack.show_loading()
        try:
            note = await commerce.buyer_note()
        except Exception as exc:  # noqa: BLE001 — a database error: say so, keep the window alive
            if self.is_current(commerce):
                self.stack.show_error(f"读取买家备注失败：{exc}")
            return
        if self.is_current(commerce):
            self.show_note(note)
            self.stack.show_content()

    async def save(self) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        self.save_button.setEnabled(False)
        self.status.say("正在保存…")
        try:
            saved = await commerce.save_buyer_note(self.checked_tags(), self.note_edit.toPlainText())
        except CommerceError as exc:
            if self.is_current(commerce):
                self.status.say(str(exc), "error")
            return
        finally:
            self.save_button.setEnabled(True)
        if self.is_current(commerce):
            self.status.say(saved.message, "ok" if saved.pushed else "warn")
            self.show_note(saved.note)
        self.tags_changed.emit(saved.note.tags)
