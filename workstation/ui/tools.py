"""The 工具 menu: history, reports, the compliance word lists and the quick-reply editors.

Each tool window is created on first use, kept, and brought to the front on later use.
"""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


class ToolWindows:
    def __init__(self, window):
        self.window = window
        self.opened: dict[str, QWidget] = {}
        self.actions: dict[str, QAction] = {}

    def build_menu(self) -> None:
        menu = self.window.tools_menu
        for name, label, shortcut, opener in (
            ("history", "聊天记录…", "Ctrl+Shift+H", self._history),
            ("reports", "服务数据报表…", "Ctrl+Shift+R", self._reports),
            (None, None, None, None),
            ("personal_phrases", "我的快捷短语…", "Ctrl+Shift+P", self._personal_phrases),
            ("team_phrases", "团队话术（主管）…", "", self._team_phrases),
            ("compliance", "合规词库…", "", self._compliance),
        ):
            if name is None:
                menu.addSeparator()
                continue
            action = QAction(self.window.tr(label), self.window)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setToolTip(f"{label.rstrip('…')} ({shortcut})")
            action.triggered.connect(lambda _checked=False, n=name, o=opener: self.show(n, o))
            menu.addAction(action)
            self.actions[name] = action

    def show(self, name: str, opener: Callable[[], QWidget | None]) -> QWidget | None:
        widget = self.opened.get(name)
        if widget is None:
            widget = opener()
            if widget is None:
                return None
            self.opened[name] = widget
        widget.show()
        widget.raise_()
        widget.activateWindow()
        return widget

    # ---- openers ---------------------------------------------------------------------------------

    def _services(self):
        return self.window.services

    def _history(self):
        from workstation.ui.history_window import open_history_window

        return open_history_window(self._services().paths.database, parent=self.window)

    def _reports(self):
        from workstation.ui.reports_window import open_reports_window

        return open_reports_window(self._services().paths.database, parent=self.window)

    def _compliance(self):
        from workstation.ui.compliance_dialog import ComplianceDialog

        return ComplianceDialog(parent=self.window, store=self._services().store)

    def _quick_replies(self):
        quick_replies = self._services().extras.get("quick_replies")
        if quick_replies is None:
            self.window.status_message.setText(self.window.tr("快捷短语库还没有准备好，请稍后再试。"))
        return quick_replies

    def _personal_phrases(self):
        from workstation.ui.quickreply_editor import QuickReplyEditor

        quick_replies = self._quick_replies()
        if quick_replies is None:
            return None
        return QuickReplyEditor.for_personal(quick_replies, parent=self.window)

    def _team_phrases(self):
        from workstation.ui.quickreply_editor import QuickReplyEditor

        quick_replies = self._quick_replies()
        if quick_replies is None:
            return None
        lead = next((a.login.split(":")[-1] for a in self.window.accounts), "")
        return QuickReplyEditor(quick_replies.team_sync, lead_name=lead, parent=self.window)
