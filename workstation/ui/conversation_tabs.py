"""Open conversations as tabs: each page is a header, the message view and the composer.

A page loads its newest page of messages, unsent outbox rows and the stored draft;
hears new messages and send states from the sync bridge; and marks the conversation
read while the agent is looking at it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from workstation.domain.deadlines import describe
from workstation.domain.messages import Conversation, Message, MessageType, Sender, SendState
from workstation.domain.verdict import OutgoingDraft
from workstation.store import messages as store
from workstation.ui.composer import Composer
from workstation.ui.inbox_model import InboxModel, display_nick
from workstation.ui.message_model import PAGE, MessageItem, MessageModel, decode_thumbnail, image_source, load_image_bytes
from workstation.ui.message_view import MessageView

log = logging.getLogger(__name__)

MARK_READ_DELAY_MS = 400
_UNSENT = (SendState.QUEUED, SendState.SENDING, SendState.UNCERTAIN, SendState.FAILED)


def _has_qr_code(data: bytes) -> bool:
    """Runs on a worker thread: does a buyer's picture hold a QR code (the compliance detector)?"""
    from workstation.compliance import check_image
    from workstation.domain.verdict import Category

    return any(str(hit.category) == Category.QR.value for hit in check_image(data).hits)


class ConversationPage(QWidget):
    def __init__(self, key: tuple, services, inbox: InboxModel, spawn, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = tuple(key)
        self.services = services
        self.inbox = inbox
        self._spawn_outer = spawn
        self._tasks: set = set()
        self.loaded = False
        self._loading_older = False
        self.model = MessageModel(self)
        self.header = QLabel()
        self.header.setObjectName("conversationHeader")
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setContentsMargins(10, 6, 10, 6)
        self.deadline_label = QLabel()
        self.deadline_label.setObjectName("deadlineLabel")
        self.deadline_label.setContentsMargins(10, 0, 10, 4)
        self.view = MessageView(self.model)
        self.view.older_wanted.connect(self._older_wanted)
        self.view.retry_requested.connect(lambda outbox_id: self.spawn(self.retry(outbox_id)))
        self.view.image_opened.connect(self.show_image)
        self.composer = Composer(self.send, self.save_draft, self.spawn)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.deadline_label)
        # History above, composer below; the agent can drag the line, the window remembers it.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("conversationSplitter")
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.composer)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([560, 150])
        layout.addWidget(self.splitter, 1)
        self._read_timer = QTimer(self)
        self._read_timer.setSingleShot(True)
        self._read_timer.setInterval(MARK_READ_DELAY_MS)
        self._read_timer.timeout.connect(lambda: self.spawn(self.mark_read()))
        self.refresh_header()

    def spawn(self, coro):
        """Start a task that belongs to this page: closing the tab cancels it."""
        task = self._spawn_outer(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def dispose(self) -> None:
        self._read_timer.stop()
        for task in list(self._tasks):
            task.cancel()

    @property
    def hub(self):
        return getattr(self.services, "hub", None)

    # ---- header ---------------------------------------------------------------------------

    def conversation(self) -> Conversation | None:
        return self.inbox.conversation(self.key)

    def title(self) -> str:
        conversation = self.conversation()
        nick = display_nick(conversation.buyer_nick, conversation.buyer_id) if conversation else self.key[2]
        return nick if len(nick) <= 10 else nick[:9] + "…"

    def refresh_header(self) -> None:
        conversation = self.conversation()
        if conversation is None:
            self.header.setText(f"会话 {self.key[2]}")
            self.deadline_label.setText("")
            return
        shop = self.inbox.shop_info(conversation)
        removed = "（店铺已移除，只能查看记录）" if shop.removed else ""
        nick = display_nick(conversation.buyer_nick, conversation.buyer_id)
        tags = f"  [{' '.join(conversation.tags)}]" if conversation.tags else ""
        self.header.setText(f"{nick}{tags}  ·  {conversation.platform.label} · {shop.name}{removed}")
        deadline = self.inbox.deadline(self.key)
        self.deadline_label.setText(describe(deadline, datetime.now(UTC)).replace("\n", "    ") if deadline else "买家没有在等待回复")

    # ---- loading --------------------------------------------------------------------------------

    async def load(self) -> None:
        worker = self.services.store
        rows = await worker.call(store.page_messages, self.key, None, PAGE)
        self.model.has_older = len(rows) == PAGE
        self.model.append([MessageModel.make_item(r.message, row_id=r.row_id, outbox_id=r.outbox_id,
                                                  send_state=r.send_state)
                           for r in reversed(rows) if MessageModel.visible(r.message)])
        for row in await worker.call(store.list_outbox, states=_UNSENT, key=self.key):
            self.model.upsert_outbox(row)
        self.composer.set_draft(await worker.call(store.get_draft, self.key))
        self.loaded = True
        self.view.scrollToBottom()
        self._load_images(range(self.model.rowCount()))

    def _older_wanted(self) -> None:
        if self.loaded and not self._loading_older and self.model.has_older:
            self._loading_older = True
            self.spawn(self.load_older())

    async def load_older(self) -> int:
        """Insert the page before the oldest shown message; returns how many came."""
        self._loading_older = True
        try:
            oldest = self.model.oldest_row_id()
            rows = await self.services.store.call(store.page_messages, self.key, oldest, PAGE)
            self.model.has_older = len(rows) == PAGE
            items = [MessageModel.make_item(r.message, row_id=r.row_id, outbox_id=r.outbox_id, send_state=r.send_state)
                     for r in reversed(rows) if MessageModel.visible(r.message)]
            self.model.prepend(items)
            self._load_images(range(len(items)))
            return len(items)
        finally:
            self._loading_older = False

    def _load_images(self, rows) -> None:
        for position in rows:
            item = self.model.items[position]
            if item.message_type is MessageType.IMAGE and item.image is None and not item.image_failed:
                source = image_source(item)
                if source is None:
                    self.model.set_image(position, None)
                else:
                    self.spawn(self._load_image(item, source))

    async def _load_image(self, item: MessageItem, source) -> None:
        has_qr = False
        try:
            data = await load_image_bytes(source)
            image = await asyncio.to_thread(decode_thumbnail, data)
            if image is not None and item.sender is Sender.BUYER:
                has_qr = await asyncio.to_thread(_has_qr_code, data)
        except Exception as exc:  # a broken or unreachable image is shown as such, never raised
            log.info("image for %s could not be loaded: %s", self.key[2], type(exc).__name__)
            image = None
        if image is None:
            log.info("image in %s is broken", self.key[2])
        try:
            position = self.model.items.index(item)
        except ValueError:
            return
        self.model.set_image(position, image, has_qr=has_qr)

    # ---- live updates ------------------------------------------------------------------------------

    def on_messages(self, messages: list[Message]) -> None:
        mine = [m for m in messages if (m.platform.value, m.shop_id, m.conversation_id) == self.key]
        if not mine or not self.loaded:
            return
        before = self.model.rowCount()
        self.model.append([MessageModel.make_item(m) for m in mine if MessageModel.visible(m)])
        self._load_images(range(before, self.model.rowCount()))
        if any(m.sender is Sender.BUYER for m in mine) and self.is_current():
            self._read_timer.start()

    def on_outbox(self, row: dict) -> None:
        if (row.get("platform"), row.get("shop_id"), row.get("conversation_id")) != self.key:
            return
        position = self.model.upsert_outbox(row)
        item = self.model.items[position] if 0 <= position < self.model.rowCount() else None
        if item is not None and item.message is None and item.image is None and item.extra.get("image_b64"):
            self._load_images([position])

    def is_current(self) -> bool:
        tabs = self.parent()
        while tabs is not None and not isinstance(tabs, QTabWidget):
            tabs = tabs.parent()
        return tabs is not None and tabs.currentWidget() is self and self.window().isActiveWindow()

    # ---- actions -------------------------------------------------------------------------------------

    async def send(self, draft: OutgoingDraft, confirmed: bool) -> int:
        from workstation.sync.errors import SyncError

        if self.hub is None:
            raise SyncError("同步服务未启动，消息无法发送。")
        return await self.hub.send(self.key, draft, confirmed_warning=confirmed)

    async def retry(self, outbox_id: int) -> None:
        from workstation.sync.errors import SyncError

        if self.hub is None:
            return
        try:
            await self.hub.retry(outbox_id)
        except SyncError as exc:
            self.composer._show_problem(str(exc))

    async def retry_last_failed(self) -> bool:
        item = self.model.last_failed()
        if item is None:
            return False
        await self.retry(item.outbox_id)
        return True

    async def save_draft(self, text: str) -> None:
        await self.services.store.call(store.set_draft, self.key, text)

    async def mark_read(self) -> None:
        conversation = self.conversation()
        if self.hub is None or conversation is None or conversation.unread == 0:
            return
        try:
            await self.hub.mark_read(self.key)
        except Exception as exc:
            log.info("marking %s read failed: %s", self.key[2], exc)

    def activated(self) -> None:
        self.refresh_header()
        self._read_timer.start()
        self.composer.edit.setFocus()

    def show_image(self, image: QImage) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("图片")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        label = QLabel()
        label.setPixmap(QPixmap.fromImage(image))
        area = QScrollArea()
        area.setWidget(label)
        layout = QVBoxLayout(dialog)
        layout.addWidget(area)
        dialog.resize(min(image.width() + 40, 1000), min(image.height() + 40, 800))
        dialog.open()


class ConversationTabs(QTabWidget):
    """Tabs of open conversations; `open(key)` focuses an open one instead of duplicating it."""

    count_changed = Signal(int)

    def __init__(self, services, inbox: InboxModel, spawn, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.inbox = inbox
        self.spawn = spawn
        self.setObjectName("conversationTabs")
        self.setTabsClosable(True)
        self.setMovable(True)
        self.setDocumentMode(True)
        self.setUsesScrollButtons(True)
        self.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabCloseRequested.connect(self.close_tab)
        self.currentChanged.connect(self._current_changed)
        self._pages: dict[tuple, ConversationPage] = {}

    def page(self, key) -> ConversationPage | None:
        return self._pages.get(tuple(key))

    def current_page(self) -> ConversationPage | None:
        widget = self.currentWidget()
        return widget if isinstance(widget, ConversationPage) else None

    def open(self, key) -> ConversationPage:
        key = tuple(key)
        page = self._pages.get(key)
        if page is None:
            page = ConversationPage(key, self.services, self.inbox, self.spawn)
            self._pages[key] = page
            index = self.addTab(page, page.title())
            self._style_tab(index, page)
            page.spawn(page.load())
            self.count_changed.emit(self.count())
        self.setCurrentWidget(page)
        page.activated()
        return page

    def close_tab(self, index: int) -> None:
        page = self.widget(index)
        if not isinstance(page, ConversationPage):
            return
        page.dispose()
        page.composer._draft_timer.stop()
        self.spawn(page.save_draft(page.composer.text()))  # read now: the widgets go next
        self._pages.pop(page.key, None)
        self.removeTab(index)
        page.deleteLater()
        self.count_changed.emit(self.count())

    def close_current(self) -> None:
        if self.currentIndex() >= 0:
            self.close_tab(self.currentIndex())

    def step(self, delta: int) -> None:
        if self.count() > 1:
            self.setCurrentIndex((self.currentIndex() + delta) % self.count())

    def _current_changed(self, _index: int) -> None:
        page = self.current_page()
        if page is not None:
            page.activated()

    def _style_tab(self, index: int, page: ConversationPage) -> None:
        conversation = page.conversation()
        title = page.title()
        if conversation is not None and conversation.unread:
            title = f"● {title}"
        self.setTabText(index, title)
        if conversation is not None:
            shop = self.inbox.shop_info(conversation)
            self.setTabToolTip(index, f"{conversation.platform.label} · {shop.name} · {display_nick(conversation.buyer_nick)}")

    # ---- fan-out from the bridge -------------------------------------------------------------------

    def on_messages(self, messages: list[Message]) -> None:
        for page in self._pages.values():
            page.on_messages(messages)

    def on_outbox(self, row: dict) -> None:
        for page in self._pages.values():
            page.on_outbox(row)

    def on_conversations(self, conversations: list[Conversation]) -> None:
        for conversation in conversations:
            page = self._pages.get(conversation.key)
            if page is not None:
                self._style_tab(self.indexOf(page), page)
                page.refresh_header()

    def tick(self) -> None:
        page = self.current_page()
        if page is not None:
            page.refresh_header()

    async def flush_drafts(self) -> None:
        for page in list(self._pages.values()):
            await page.composer.flush_draft()

    def open_keys(self) -> list[tuple]:
        return [self.widget(i).key for i in range(self.count()) if isinstance(self.widget(i), ConversationPage)]
