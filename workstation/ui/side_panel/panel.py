"""The side panel for the open conversation: 订单, 优惠券, 快捷短语, 备注, 商品 tabs and,
below them, 问题已解决 / 邀请评价.

    panel = SidePanel(services.store, agent="kefu01")
    panel.set_conversation(conversation, hub.connector(conversation.account_id), hub)

All loading happens in coroutines on the qasync loop (network) and the store worker
thread (database); each tab shows a loading state meanwhile. One ConversationCommerce
per conversation is kept (up to `KEEP_CONVERSATIONS`), so switching back to a buyer
shows what was loaded a moment ago without asking the platform again.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Awaitable, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from workstation.commerce.session import ConversationCommerce, utc_now
from workstation.domain.messages import Conversation
from workstation.ui.empty_state import EmptyState
from workstation.ui.side_panel.coupons_tab import CouponsTab
from workstation.ui.side_panel.notes_tab import NotesTab
from workstation.ui.side_panel.orders_tab import OrdersTab
from workstation.ui.side_panel.products_tab import ProductsTab
from workstation.ui.side_panel.quick_replies_tab import QuickRepliesHost
from workstation.ui.side_panel.rating_bar import RatingBar
from workstation.ui.side_panel.widgets import MUTED, StatusLine, chip
from workstation.ui.tasks import TaskKeeper

log = logging.getLogger(__name__)

KEEP_CONVERSATIONS = 30
ImageFetcher = Callable[[str], Awaitable[bytes]]


class SidePanel(QWidget):
    """Signals: `message_queued(outbox_id)` after a card went to the hub; `tags_changed(key, tags)`
    when the buyer's tags changed (the inbox row shows them)."""

    message_queued = Signal(int)
    tags_changed = Signal(object, tuple)

    ORDERS, COUPONS, QUICK_REPLIES, NOTES, PRODUCTS = range(5)

    def __init__(self, worker, *, agent: str = "", clock=utc_now, image_fetcher: ImageFetcher | None = None,
                 commerce_options: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.worker = worker
        self.commerce_options = dict(commerce_options or {})  # e.g. call_timeout, reconcile_delays
        self.agent = agent
        self.clock = clock
        self.image_fetcher = image_fetcher
        self.tasks = TaskKeeper(on_error=self._task_failed)
        self._contexts: OrderedDict[tuple, ConversationCommerce] = OrderedDict()
        self._images: dict[str, bytes] = {}
        self.commerce: ConversationCommerce | None = None

        self.buyer_label = QLabel()
        self.buyer_label.setStyleSheet("font-size: 14px; font-weight: 600;")
        self.shop_label = QLabel()
        self.shop_label.setStyleSheet(MUTED)
        self.tag_row = QHBoxLayout()
        self.tag_row.addStretch(1)
        header = QVBoxLayout()
        header.addWidget(self.buyer_label)
        header.addWidget(self.shop_label)
        header.addLayout(self.tag_row)
        self.problem = StatusLine()

        spawn = self.tasks.spawn
        self.orders_tab = OrdersTab(spawn, self._load_image)
        self.coupons_tab = CouponsTab(spawn, self._load_image)
        self.quick_replies = QuickRepliesHost()
        self.notes_tab = NotesTab(spawn, self._load_image)
        self.products_tab = ProductsTab(spawn, self._load_image)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # Five short tabs must fit the panel's 300 px without scroll arrows hiding 商品.
        self.tabs.setStyleSheet("QTabBar::tab { padding: 4px 7px; min-width: 0; }")
        self.tabs.tabBar().setUsesScrollButtons(False)
        self.tabs.addTab(self.orders_tab, "订单")
        self.tabs.addTab(self.coupons_tab, "优惠券")
        self.tabs.addTab(self.quick_replies, "快捷短语")
        self.tabs.addTab(self.notes_tab, "备注")
        self.tabs.addTab(self.products_tab, "商品")
        self.rating_bar = RatingBar(spawn)

        self.content = QWidget()
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addLayout(header)
        layout.addWidget(self.problem)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.rating_bar)
        self.empty = EmptyState("没有选中会话", "打开一个会话后，这里显示买家的订单、可发的优惠券、备注和推荐商品。")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.setMinimumWidth(300)

        self.tabs.currentChanged.connect(self._tab_changed)
        for tab in (self.orders_tab, self.products_tab):
            tab.message_queued.connect(self.message_queued)
        self.notes_tab.tags_changed.connect(self._tags_changed)
        self.coupons_tab.tags_changed.connect(lambda: self.tasks.spawn(self._refresh_tags()))

    # ---- the conversation -------------------------------------------------------------------

    def set_conversation(self, conversation: Conversation | None, connector=None, hub=None) -> None:
        """Show `conversation` (None: nothing open). `connector` defaults to
        `hub.connector(conversation.account_id)`; `hub` is the SyncHub every card and coupon
        note is sent through. Returns at once; tabs load in the background."""
        if conversation is None:
            self._show(None)
            return
        if connector is None and hub is not None and conversation.account_id is not None:
            try:
                connector = hub.connector(conversation.account_id)
            except Exception as exc:  # noqa: BLE001 — the account is stopped: say so in the panel
                log.info("no connector for %s: %s", conversation.key, exc)
                connector = None
        if connector is None:
            self._show(None)
            self.stack.setCurrentWidget(self.empty)
            self.empty.set_text("店铺账号未连接", "这个会话所属的店铺账号已停用或未登录，重新登录后可查看订单和发券。")
            return
        commerce = self._contexts.get(conversation.key)
        if commerce is None or commerce.connector is not connector or commerce.hub is not hub:
            commerce = ConversationCommerce(conversation, connector, hub, self.worker, agent=self.agent,
                                            clock=self.clock, **self.commerce_options)
            self._contexts[conversation.key] = commerce
        else:
            commerce.conversation = conversation  # newer nick, tags, account
        self._contexts.move_to_end(conversation.key)
        while len(self._contexts) > KEEP_CONVERSATIONS:
            self._contexts.popitem(last=False)
        self._show(commerce)

    def _show(self, commerce: ConversationCommerce | None) -> None:
        if commerce is self.commerce and commerce is not None:
            self._current_tab_loaded()
            return
        self.commerce = commerce
        self.problem.clear_status()
        for tab in (self.orders_tab, self.coupons_tab, self.notes_tab, self.products_tab):
            tab.set_commerce(commerce)
        self.rating_bar.set_commerce(commerce)
        if commerce is None:
            self.empty.set_text("没有选中会话", "打开一个会话后，这里显示买家的订单、可发的优惠券、备注和推荐商品。")
            self.stack.setCurrentWidget(self.empty)
            return
        conversation = commerce.conversation
        self.buyer_label.setText(conversation.buyer_nick or conversation.buyer_id)
        self.shop_label.setText(f"{conversation.platform.label} · {conversation.shop_name or conversation.shop_id}")
        self._show_tags(conversation.tags)
        self.stack.setCurrentWidget(self.content)
        self._current_tab_loaded()
        self.tasks.spawn(self._refresh_tags())

    def current_conversation(self) -> Conversation | None:
        return self.commerce.conversation if self.commerce else None

    def set_quick_reply_widget(self, widget: QWidget) -> None:
        """Host the quick-reply browser (issue 7) in the 快捷短语 tab."""
        self.quick_replies.set_browser(widget)

    def _tab_changed(self, index: int) -> None:
        self._current_tab_loaded()

    def _current_tab_loaded(self) -> None:
        tab = self.tabs.currentWidget()
        if hasattr(tab, "ensure_loaded"):
            tab.ensure_loaded()

    # ---- tags in the header -------------------------------------------------------------------

    def _show_tags(self, tags) -> None:
        while self.tag_row.count() > 1:
            item = self.tag_row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for tag in tags:
            self.tag_row.insertWidget(self.tag_row.count() - 1, chip(tag, "#0f766e"))

    async def _refresh_tags(self) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        note = await commerce.buyer_note()
        if commerce is self.commerce:
            self._show_tags(note.tags)
            if note.tags != tuple(commerce.conversation.tags):
                commerce.conversation.tags = note.tags
                self.tags_changed.emit(commerce.key, note.tags)

    def _tags_changed(self, tags: tuple) -> None:
        if self.commerce is not None:
            self.commerce.conversation.tags = tuple(tags)
            self._show_tags(tags)
            self.tags_changed.emit(self.commerce.key, tuple(tags))

    # ---- pictures -------------------------------------------------------------------------------

    def _load_image(self, thumbnail) -> None:
        if self.image_fetcher is None or not thumbnail.url:
            return
        cached = self._images.get(thumbnail.url)
        if cached is not None:
            thumbnail.show_image(cached)
            return
        self.tasks.spawn(self._fetch_image(thumbnail))

    async def _fetch_image(self, thumbnail) -> None:
        url = thumbnail.url
        try:
            data = await self.image_fetcher(url)
        except Exception as exc:  # noqa: BLE001 — a missing picture keeps its placeholder
            log.debug("thumbnail %s not loaded: %r", url, exc)
            return
        if len(self._images) > 500:
            self._images.clear()
        self._images[url] = data
        try:
            thumbnail.show_image(data)
        except RuntimeError:
            pass  # the row was replaced while the picture loaded

    # ---- failures ---------------------------------------------------------------------------------

    def _task_failed(self, error: BaseException) -> None:
        """An unexpected failure in a tab's work: say so in the panel, never a traceback dialog."""
        self.problem.say("侧边栏出错了，详情已写入日志。请重试；如果反复出现，请联系技术支持。", "error")

    def shutdown(self) -> None:
        self.tasks.cancel_all()
