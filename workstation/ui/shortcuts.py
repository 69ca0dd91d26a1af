"""Every inbox action with its key: one table builds the QActions, their tooltips and the F1 sheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget


@dataclass(frozen=True, slots=True)
class Shortcut:
    name: str            # object name of the action, stable for tests and settings
    label: str           # what the agent reads
    keys: tuple[str, ...]
    group: str


# The sheet lists them in this order.
SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("next_waiting", "跳到下一位等待的买家（最紧急优先）", ("Alt+J",), "会话"),
    Shortcut("previous_waiting", "跳到上一位等待的买家", ("Alt+K",), "会话"),
    Shortcut("close_tab", "关闭当前会话标签", ("Ctrl+W",), "会话"),
    Shortcut("next_tab", "下一个标签", ("Ctrl+Tab", "Ctrl+PgDown"), "会话"),
    Shortcut("previous_tab", "上一个标签", ("Ctrl+Shift+Tab", "Ctrl+PgUp"), "会话"),
    Shortcut("focus_list", "回到会话列表（Enter 打开选中的买家）", ("Ctrl+L",), "列表"),
    Shortcut("focus_search", "搜索买家昵称或消息", ("Ctrl+F",), "列表"),
    Shortcut("show_waiting", "只看待回复", ("Ctrl+1",), "列表"),
    Shortcut("show_all", "查看全部会话", ("Ctrl+2",), "列表"),
    Shortcut("filter_platform", "按平台筛选", ("Alt+P",), "列表"),
    Shortcut("filter_shop", "按店铺筛选", ("Alt+S",), "列表"),
    Shortcut("focus_composer", "回到输入框", ("Ctrl+E",), "输入"),
    Shortcut("retry_failed", "重试本会话最后一条发送失败的消息", ("Ctrl+R",), "输入"),
    Shortcut("toggle_enter", "切换 Enter 发送 / Ctrl+Enter 发送", ("Ctrl+Shift+E",), "输入"),
    Shortcut("mute_shop", "当前会话的店铺：静音 / 取消静音", ("Ctrl+Shift+M",), "提醒"),
    Shortcut("toggle_dnd", "免打扰 开 / 关", ("Ctrl+Shift+D",), "提醒"),
    Shortcut("shortcut_sheet", "快捷键一览", ("F1",), "帮助"),
)
# Keys that work inside the composer and need no action of their own.
FIXED_KEYS = (
    ("Enter", "发送（或换行，见 Ctrl+Shift+E）", "输入"),
    ("Shift+Enter", "换行", "输入"),
    ("Ctrl+Enter", "发送；确认发送有提醒的消息", "输入"),
    ("/", "在行首输入：快捷短语", "输入"),
    ("Ctrl+V", "粘贴图片", "输入"),
    ("Enter / 双击", "在列表中：打开会话", "列表"),
)


def native(keys: tuple[str, ...]) -> str:
    return " / ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) or k for k in keys)


def build_actions(parent: QWidget, handlers: dict[str, Callable[[], None]]) -> dict[str, QAction]:
    """One QAction per shortcut, on the window (so keys work wherever focus is), tooltip with its key."""
    actions: dict[str, QAction] = {}
    for shortcut in SHORTCUTS:
        handler = handlers.get(shortcut.name)
        if handler is None:
            continue
        action = QAction(shortcut.label, parent)
        action.setObjectName(shortcut.name)
        action.setShortcuts([QKeySequence(k) for k in shortcut.keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{shortcut.label} ({native(shortcut.keys)})")
        action.triggered.connect(handler)
        parent.addAction(action)
        actions[shortcut.name] = action
    return actions


class ShortcutSheet(QDialog):
    """The F1 sheet; non-modal, opened with open(), closed with Esc."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("快捷键")
        rows = [(native(s.keys), s.label, s.group) for s in SHORTCUTS] + list(FIXED_KEYS)
        rows.sort(key=lambda r: ["会话", "列表", "输入", "提醒", "帮助"].index(r[2]))
        table = QTableWidget(len(rows), 3)
        table.setObjectName("shortcutTable")
        table.setHorizontalHeaderLabels(["按键", "作用", "分组"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, label, group) in enumerate(rows):
            for column, text in enumerate((keys, label, group)):
                table.setItem(row, column, QTableWidgetItem(text))
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.resizeColumnToContents(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.table = table
        self.resize(560, 520)
