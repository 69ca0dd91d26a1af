"""订单: the buyer's recent orders in this shop, search by number, masked contact with an
audited reveal, logistics timeline, send an order card, copy the number."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workstation.commerce.errors import CommerceError, explain
from workstation.commerce.money import china_time, price
from workstation.domain.commerce import Order
from workstation.ui.side_panel.tab_base import PanelTab
from workstation.ui.side_panel.widgets import (
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

_STATUS_COLOURS = {"待付款": "#64748b", "待发货": "#d97706", "已发货": "#2563eb", "已签收": "#0f766e",
                   "退款中": "#dc2626", "已关闭": "#64748b"}
LOGISTICS_SHOWN = 3
MAX_ORDERS = 20  # the buyer's most recent; older ones are found by number


class OrderCard(QWidget):
    """One order. Signals carry the order; the tab does the work."""

    reveal_requested = Signal(object)
    send_requested = Signal(object)

    def __init__(self, order: Order, now, image_loader=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.order = order
        frame = card_frame(self)
        layout = QVBoxLayout(frame)
        layout.setSpacing(4)

        top = QHBoxLayout()
        status = order.status_text or order.status
        self.status_chip = chip(status, _STATUS_COLOURS.get(status, "#64748b"))
        top.addWidget(self.status_chip)
        top.addStretch(1)
        when = QLabel(china_time(order.created_at, now))
        when.setStyleSheet(MUTED)
        top.addWidget(when)
        layout.addLayout(top)

        number = QHBoxLayout()
        self.number_label = QLabel(f"订单号 {order.order_id}")
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton("复制")
        self.copy_button.setFlat(True)
        self.copy_button.setToolTip("复制订单号")
        self.copy_button.clicked.connect(self.copy_number)
        number.addWidget(self.number_label, 1)
        number.addWidget(self.copy_button)
        layout.addLayout(number)

        for item in order.items:
            row = QHBoxLayout()
            thumb = Thumbnail(item.title, item.image_url, 40)
            if image_loader is not None:
                image_loader(thumb)
            row.addWidget(thumb)
            text = QLabel(f"{item.title}\n{item.sku}  ×{item.quantity}  {price(item.price_fen)}".replace("\n  ", "\n"))
            text.setWordWrap(True)
            row.addWidget(text, 1)
            layout.addLayout(row)

        self.amount_label = QLabel(f"实付 <b>{price(order.amount_fen)}</b>")
        layout.addWidget(self.amount_label)

        contact = QHBoxLayout()
        self.contact_label = QLabel(self._masked_contact())
        self.contact_label.setWordWrap(True)
        self.contact_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reveal_button = QPushButton("查看")
        self.reveal_button.setFlat(True)
        self.reveal_button.setToolTip("显示完整的收件人、电话和地址。每次查看都会写入审计日志。")
        self.reveal_button.clicked.connect(lambda: self.reveal_requested.emit(self.order))
        contact.addWidget(self.contact_label, 1)
        contact.addWidget(self.reveal_button)
        layout.addLayout(contact)

        self.logistics_label = QLabel(self._logistics_text(now, LOGISTICS_SHOWN))
        self.logistics_label.setWordWrap(True)
        self.logistics_label.setStyleSheet(MUTED)
        self.logistics_label.setVisible(bool(order.carrier or order.logistics))
        layout.addWidget(self.logistics_label)
        self.more_logistics = QPushButton(f"全部物流（{len(order.logistics)}）")
        self.more_logistics.setFlat(True)
        self.more_logistics.setVisible(len(order.logistics) > LOGISTICS_SHOWN)
        self.more_logistics.clicked.connect(lambda: self._expand_logistics(now))
        layout.addWidget(self.more_logistics, 0, Qt.AlignmentFlag.AlignLeft)

        actions = QHBoxLayout()
        actions.addStretch(1)
        self.send_button = QPushButton("发送订单卡片")
        self.send_button.clicked.connect(lambda: self.send_requested.emit(self.order))
        actions.addWidget(self.send_button)
        layout.addLayout(actions)

    def _masked_contact(self) -> str:
        order = self.order
        parts = [p for p in (order.receiver_masked, order.phone_masked) if p]
        line = " ".join(parts)
        return f"{line}\n{order.address_masked}" if order.address_masked else line or "（无收货信息）"

    def _logistics_text(self, now, limit: int | None) -> str:
        order = self.order
        head = " ".join(p for p in (order.carrier, order.tracking_no) if p)
        events = sorted(order.logistics, key=lambda e: e.at, reverse=True)
        shown = events if limit is None else events[:limit]
        lines = [f"{china_time(e.at, now)}  {e.text}" for e in shown]
        return "\n".join(([f"物流：{head}"] if head else []) + lines)

    def _expand_logistics(self, now) -> None:
        self.logistics_label.setText(self._logistics_text(now, None))
        self.more_logistics.hide()

    def show_contact(self, contact: dict) -> None:
        line = " ".join(p for p in (contact.get("receiver"), contact.get("phone")) if p)
        self.contact_label.setText(f"{line}\n{contact.get('address', '')}（已记录查看）")
        self.reveal_button.hide()

    def copy_number(self) -> None:
        QGuiApplication.clipboard().setText(self.order.order_id)
        self.copy_button.setText("已复制")


class OrdersTab(PanelTab):
    message_queued = Signal(int)

    def __init__(self, spawn, load_image=None, parent: QWidget | None = None):
        super().__init__(spawn, load_image, parent)
        self.search_edit, self.search_button, search = search_row("输入订单号，查询本店任意订单", "查询")
        self.back_button = QPushButton("返回买家订单")
        self.back_button.setFlat(True)
        self.back_button.hide()
        self.status = StatusLine()
        area, self.rows = scroll_list()
        self.stack = LoadingStack(area, "正在加载买家的订单…", "这位买家在本店还没有订单。")
        layout = QVBoxLayout(self)
        layout.addLayout(search)
        layout.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.status)
        layout.addWidget(self.stack, 1)
        self.cards: list[OrderCard] = []

        self.search_button.clicked.connect(self._search_clicked)
        self.search_edit.returnPressed.connect(self._search_clicked)
        self.back_button.clicked.connect(lambda: self.spawn(self.load()))
        self.stack.retry_clicked.connect(lambda: self.spawn(self.load(refresh=True)))

    def reset(self) -> None:
        self.search_edit.clear()
        self.status.clear_status()
        self.back_button.hide()
        self._show_orders([])
        self.stack.show_loading()

    def _search_clicked(self) -> None:
        self.spawn(self.search(self.search_edit.text()))

    def _show_orders(self, orders: list[Order]) -> None:
        clear_rows(self.rows)
        self.cards = []
        now = self.commerce.clock() if self.commerce else None
        for order in orders[:MAX_ORDERS]:
            card = OrderCard(order, now, self._load_image)
            card.reveal_requested.connect(lambda o, c=card: self.spawn(self.reveal(c)))
            card.send_requested.connect(lambda o: self.spawn(self.send_card(o)))
            self.rows.insertWidget(self.rows.count() - 1, card)
            self.cards.append(card)

    async def load(self, *, refresh: bool = False) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        self.back_button.hide()
        self.stack.show_loading("正在加载买家的订单…")
        try:
            orders = await commerce.orders(refresh=refresh)
        except CommerceError as exc:
            if self.is_current(commerce):
                self.stack.show_error(str(exc))
            return
        if not self.is_current(commerce):
            return
        self._show_orders(orders)
        self.stack.show_content() if orders else self.stack.show_empty()

    async def search(self, text: str) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        self.status.clear_status()
        self.search_button.setEnabled(False)
        try:
            order = await commerce.find_order(text)
        except CommerceError as exc:
            if self.is_current(commerce):
                self.status.say(str(exc), "error")  # the buyer's orders stay on screen
            return
        finally:
            self.search_button.setEnabled(True)
        if not self.is_current(commerce):
            return
        self._show_orders([order])
        self.stack.show_content()
        self.back_button.show()
        self.status.say(f"找到订单 {order.order_id}", "ok")

    async def reveal(self, card: OrderCard) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        card.reveal_button.setEnabled(False)
        try:
            contact = await commerce.reveal_contact(card.order)
        except CommerceError as exc:
            if self.is_current(commerce):
                self.status.say(str(exc), "error")
                card.reveal_button.setEnabled(True)
            return
        if self.is_current(commerce) and card in self.cards:
            card.show_contact(contact)

    async def send_card(self, order: Order) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        from workstation.sync.errors import SyncError

        try:
            outbox_id = await commerce.send_order_card(order)
        except (CommerceError, SyncError) as exc:
            self.status.say(f"订单卡片没有发送：{exc}", "error")
            return
        except Exception as exc:  # noqa: BLE001 — anything else is shown, and logged by explain's caller
            log.exception("sending order card failed")
            self.status.say(explain(exc, "发送订单卡片"), "error")
            return
        self.message_queued.emit(outbox_id)
        if self.is_current(commerce):
            self.status.say(f"订单卡片已发送：{order.order_id}", "ok")
