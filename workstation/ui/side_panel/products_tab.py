"""商品推荐: search the shop's products and send a product card; what the buyer asked about
comes first. A product removed meanwhile is caught before its card goes out."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workstation.commerce.errors import CommerceError, ProductUnavailable
from workstation.commerce.money import price
from workstation.commerce.products import ProductOffer
from workstation.ui.side_panel.tab_base import PanelTab
from workstation.ui.side_panel.widgets import (
    ERROR_COLOUR,
    MUTED,
    LoadingStack,
    StatusLine,
    Thumbnail,
    card_frame,
    chip,
    clear_rows,
    scroll_list,
    search_row,
)

log = logging.getLogger(__name__)

# A few dozen rows of widgets stay quick; a big catalogue is narrowed by searching, not scrolling.
MAX_ROWS = 50


class ProductRow(QWidget):
    send_requested = Signal(object)

    def __init__(self, offer: ProductOffer, image_loader=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.offer = offer
        product = offer.product
        frame = card_frame(self)
        layout = QHBoxLayout(frame)
        self.thumbnail = Thumbnail(product.title, product.image_url, 48)
        if image_loader is not None:
            image_loader(self.thumbnail)
        layout.addWidget(self.thumbnail)
        text = QVBoxLayout()
        title = QHBoxLayout()
        self.title_label = QLabel(product.title)
        self.title_label.setWordWrap(True)
        title.addWidget(self.title_label, 1)
        if offer.asked_about:
            title.addWidget(chip("买家问过", "#d97706"))
        text.addLayout(title)
        stock = offer.unavailable_reason or f"库存 {product.stock}"
        self.detail_label = QLabel(f"<b>{price(product.price_fen)}</b>  ·  {stock}")
        text.addWidget(self.detail_label)
        layout.addLayout(text, 1)
        self.send_button = QPushButton("发送")
        self.send_button.setToolTip("把商品卡片发给买家")
        self.send_button.clicked.connect(lambda: self.send_requested.emit(self.offer))
        layout.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignVCenter)
        if not offer.sendable:
            self.send_button.setEnabled(False)
            self.send_button.setToolTip(f"{offer.unavailable_reason}，不能推荐")
            self.detail_label.setStyleSheet(f"color: {ERROR_COLOUR};")


class ProductsTab(PanelTab):
    message_queued = Signal(int)

    def __init__(self, spawn, load_image=None, parent: QWidget | None = None):
        super().__init__(spawn, load_image, parent)
        self.search_edit, self.search_button, search = search_row("搜索本店商品", "搜索")
        hint = QLabel("买家问过的商品排在最前")
        hint.setStyleSheet(MUTED)
        self.status = StatusLine()
        area, self.rows = scroll_list()
        self.stack = LoadingStack(area, "正在加载商品…", "没有找到商品。")
        layout = QVBoxLayout(self)
        layout.addLayout(search)
        layout.addWidget(hint)
        layout.addWidget(self.status)
        layout.addWidget(self.stack, 1)
        self.product_rows: list[ProductRow] = []
        self.search_button.clicked.connect(lambda: self.spawn(self.load()))
        self.search_edit.returnPressed.connect(lambda: self.spawn(self.load()))
        self.stack.retry_clicked.connect(lambda: self.spawn(self.load(refresh=True)))

    def reset(self) -> None:
        self.search_edit.clear()
        self.status.clear_status()
        clear_rows(self.rows)
        self.product_rows = []
        self.stack.show_loading()

    async def load(self, *, refresh: bool = False) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        query = self.search_edit.text()
        self.stack.show_loading("正在搜索商品…" if query.strip() else "正在加载商品…")
        try:
            offers = await commerce.products(query, refresh=refresh)
        except CommerceError as exc:
            if self.is_current(commerce):
                self.stack.show_error(str(exc))
            return
        if not self.is_current(commerce) or query != self.search_edit.text():
            return  # another conversation, or the agent typed a newer query meanwhile
        clear_rows(self.rows)
        self.product_rows = []
        shown = offers[:MAX_ROWS]
        if len(offers) > MAX_ROWS:
            self.status.say(f"共 {len(offers)} 个商品，显示前 {MAX_ROWS} 个（买家问过的在最前）；请搜索缩小范围。")
        for offer in shown:
            row = ProductRow(offer, self._load_image)
            row.send_requested.connect(lambda o: self.spawn(self.send(o)))
            self.rows.insertWidget(self.rows.count() - 1, row)
            self.product_rows.append(row)
        self.stack.show_content() if offers else self.stack.show_empty()

    async def send(self, offer: ProductOffer) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        from workstation.sync.errors import SyncError

        self.status.say("正在发送商品卡片…")
        try:
            outbox_id = await commerce.send_product_card(offer.product)
        except ProductUnavailable as exc:
            if self.is_current(commerce):
                self.status.say(str(exc), "error")
                await self.load(refresh=True)
            return
        except (CommerceError, SyncError) as exc:
            if self.is_current(commerce):
                self.status.say(f"商品卡片没有发送：{exc}", "error")
            return
        self.message_queued.emit(outbox_id)
        if self.is_current(commerce):
            self.status.say(f"已发送商品卡片：{offer.product.title}", "ok")
