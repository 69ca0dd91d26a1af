"""快捷短语: a place for the quick-reply browser (issue 7) to live in the side panel.

The panel does not build the browser; whoever owns it hands a widget to
`SidePanel.set_quick_reply_widget(widget)`, which replaces this placeholder.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from workstation.ui.empty_state import EmptyState


class QuickRepliesHost(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.placeholder = EmptyState("快捷短语", "团队和个人的快捷短语面板接入后显示在这里。")
        self.browser: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.placeholder)

    def set_browser(self, widget: QWidget) -> None:
        if self.browser is not None:
            self._layout.removeWidget(self.browser)
            self.browser.setParent(None)
        self.placeholder.hide()
        self.browser = widget
        self._layout.addWidget(widget)
