"""The left pane: 待回复/全部 tabs, platform and shop filters, quick search, and the merged list.

Enter or a double-click opens the selected buyer; a one-second tick repaints only the
visible rows so wait timers run without touching the model.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from workstation.domain.accounts import ShopAccount
from workstation.domain.platforms import Platform
from workstation.ui.inbox_delegate import InboxDelegate
from workstation.ui.inbox_model import InboxFilter, InboxModel, Role

log = logging.getLogger(__name__)

TICK_MS = 1000
SEARCH_DELAY_MS = 250
WAITING_TAB, ALL_TAB = 0, 1


class InboxList(QListView):
    """The list itself; Enter opens, like a double-click."""

    open_requested = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            index = self.currentIndex()
            if index.isValid():
                self.open_requested.emit(index)
                return
        super().keyPressEvent(event)


class InboxPanel(QWidget):
    open_conversation = Signal(tuple)  # conversation key

    def __init__(self, model: InboxModel, parent: QWidget | None = None,
                 search_messages: Callable[[str], Awaitable[set]] | None = None, spawn=None):
        super().__init__(parent)
        self.model = model
        self.proxy = InboxFilter(model, self)
        self._search_messages = search_messages
        self._spawn = spawn

        self.tabs = QTabBar()
        self.tabs.setObjectName("inboxTabs")
        self.tabs.addTab("待回复")
        self.tabs.addTab("全部")
        self.tabs.setExpanding(False)
        self.tabs.setDrawBase(False)
        self.tabs.currentChanged.connect(self._tab_changed)

        self.platform_filter = QComboBox()
        self.platform_filter.setObjectName("platformFilter")
        self.platform_filter.addItem("全部平台", None)
        for platform in Platform:
            self.platform_filter.addItem(f"{platform.short_mark} {platform.label}", platform)
        self.platform_filter.currentIndexChanged.connect(self._platform_changed)
        self.shop_filter = QComboBox()
        self.shop_filter.setObjectName("shopFilter")
        self.shop_filter.addItem("全部店铺", None)
        self.shop_filter.currentIndexChanged.connect(self._shop_changed)
        self.search = QLineEdit()
        self.search.setObjectName("inboxSearch")
        self.search.setPlaceholderText("搜索买家昵称或消息 (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_typed)
        self.search.installEventFilter(self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search_messages_now)

        self.view = InboxList()
        self.view.setObjectName("inboxList")
        self.view.setModel(self.proxy)
        self.delegate = InboxDelegate(self.view, settings=lambda: self.model.settings)
        self.view.setItemDelegate(self.delegate)
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setMouseTracking(True)
        self.view.setAccessibleName("会话列表")
        self.view.doubleClicked.connect(self._open_index)
        self.view.open_requested.connect(self._open_index)

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.platform_filter, 1)
        filters.addWidget(self.shop_filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.tabs)
        layout.addLayout(filters)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)

        self.tick = QTimer(self)
        self.tick.setInterval(TICK_MS)
        self.tick.timeout.connect(self._tick)
        self.tick.start()
        model.totals_changed.connect(self._update_tab_counts)
        self._update_tab_counts()

    # ---- filters ----------------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        self.proxy.set_waiting_only(index == WAITING_TAB)
        self._keep_a_current_row()

    def show_waiting(self) -> None:
        self.tabs.setCurrentIndex(WAITING_TAB)

    def show_all(self) -> None:
        self.tabs.setCurrentIndex(ALL_TAB)

    def _platform_changed(self, _index: int) -> None:
        self.proxy.set_platform(self.platform_filter.currentData())
        self._keep_a_current_row()

    def _shop_changed(self, _index: int) -> None:
        self.proxy.set_shop(self.shop_filter.currentData())
        self._keep_a_current_row()

    def set_accounts(self, accounts: list[ShopAccount]) -> None:
        current = self.shop_filter.currentData()
        self.shop_filter.blockSignals(True)
        self.shop_filter.clear()
        self.shop_filter.addItem("全部店铺", None)
        for account in accounts:
            self.shop_filter.addItem(f"{account.platform.short_mark} {account.display_name}",
                                     (account.platform.value, account.shop_id))
        position = self.shop_filter.findData(current) if current is not None else 0
        self.shop_filter.setCurrentIndex(max(position, 0))
        self.shop_filter.blockSignals(False)
        if position < 0:
            self._shop_changed(0)

    def _search_typed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._keep_a_current_row()
        if text.strip() and self._search_messages is not None:
            self._search_timer.start()
        else:
            self._search_timer.stop()

    def _search_messages_now(self) -> None:
        text = self.search.text().strip()
        if text and self._search_messages is not None and self._spawn is not None:
            self._spawn(self.search_message_text(text))

    async def search_message_text(self, text: str) -> None:
        """Add conversations whose older messages match (the in-memory filter sees only previews)."""
        hits = await self._search_messages(text)
        if self.search.text().strip() == text:
            self.proxy.set_search(text, hits)
            self._keep_a_current_row()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down from the search field moves into the list; Esc clears the search.
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.view.setFocus()
                self._keep_a_current_row()
                if key != Qt.Key.Key_Down and self.view.currentIndex().isValid():
                    self._open_index(self.view.currentIndex())
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    # ---- selection and opening ------------------------------------------------------------------

    def _keep_a_current_row(self) -> None:
        if not self.view.currentIndex().isValid() and self.proxy.rowCount() > 0:
            self.view.setCurrentIndex(self.proxy.index(0, 0))

    def _open_index(self, index: QModelIndex) -> None:
        key = index.data(Role.KEY)
        if key is not None:
            self.open_conversation.emit(tuple(key))

    def select_key(self, key) -> bool:
        source_row = self.model.row_of(key)
        if source_row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def waiting_keys_in_order(self) -> list[tuple]:
        """Waiting buyers as the list orders them (most urgent first), whatever the filters show."""
        waiting = self.model.waiting()
        waiting.sort(key=lambda item: item[1].due_at)
        return [conversation.key for conversation, _ in waiting]

    # ---- ticking ----------------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.view.isVisible():
            self.view.viewport().update()  # repaints the visible rows only

    def _update_tab_counts(self) -> None:
        waiting = self.model.waiting_count
        self.tabs.setTabText(WAITING_TAB, f"待回复 {waiting}" if waiting else "待回复")
        self.tabs.setTabText(ALL_TAB, f"全部 {self.model.rowCount()}")
