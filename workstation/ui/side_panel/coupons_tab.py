"""优惠券: the shop's customer-service coupons, greyed out with the reason when they cannot go
to this buyer; sending asks inline, grants once (reconciling after a dropped connection)
and tells the buyer what the coupon is and when it expires."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workstation.commerce.coupons import CouponOffer, coupon_summary
from workstation.commerce.errors import CommerceError, CouponOutcomeUnknown
from workstation.commerce.money import china_time
from workstation.commerce.records import CouponSend, CouponSendState
from workstation.ui.side_panel.tab_base import PanelTab
from workstation.ui.side_panel.widgets import (
    ERROR_COLOUR,
    MUTED,
    WARN_COLOUR,
    ConfirmBar,
    LoadingStack,
    StatusLine,
    card_frame,
    chip,
    clear_rows,
    scroll_list,
)

log = logging.getLogger(__name__)

_SEND_STATE_TEXT = {
    CouponSendState.GRANTED: "已发放",
    CouponSendState.FAILED: "未发出",
    CouponSendState.UNCERTAIN: "待核对",
    CouponSendState.PENDING: "发送中",
}


class CouponRow(QWidget):
    send_requested = Signal(object)

    def __init__(self, offer: CouponOffer, now, parent: QWidget | None = None):
        super().__init__(parent)
        self.offer = offer
        coupon = offer.coupon
        frame = card_frame(self)
        layout = QVBoxLayout(frame)
        layout.setSpacing(2)
        top = QHBoxLayout()
        self.title_label = QLabel(f"<b>{coupon.title}</b>")
        top.addWidget(self.title_label, 1)
        top.addWidget(chip(coupon.kind.label, "#7c3aed" if coupon.kind.value == "product" else "#2563eb"))
        layout.addLayout(top)
        self.summary_label = QLabel(coupon_summary(coupon))
        layout.addWidget(self.summary_label)
        limit = f"每人限领 {coupon.per_buyer_limit} 张（已领 {coupon.buyer_received}）" if coupon.per_buyer_limit else "不限领"
        self.detail_label = QLabel(f"有效期至 {china_time(coupon.valid_to, now)} · 剩余 {coupon.stock_left} 张 · {limit}")
        self.detail_label.setStyleSheet(MUTED)
        self.detail_label.setWordWrap(True)
        layout.addWidget(self.detail_label)
        bottom = QHBoxLayout()
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        bottom.addWidget(self.reason_label, 1)
        self.send_button = QPushButton("发券")
        self.send_button.clicked.connect(lambda: self.send_requested.emit(self.offer))
        bottom.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(bottom)
        self._apply(offer)

    def _apply(self, offer: CouponOffer) -> None:
        if offer.unresolved is not None:
            self.send_button.setText("核对")
            self.send_button.setEnabled(True)
            self.reason_label.setText("上次发送时网络中断，结果未知。先核对，核对前不会重复发券。")
            self.reason_label.setStyleSheet(f"color: {WARN_COLOUR};")
        elif offer.sendable:
            self.send_button.setText("发券")
            self.send_button.setEnabled(True)
            self.reason_label.clear()
        else:
            self.send_button.setText("发券")
            self.send_button.setEnabled(False)
            self.send_button.setToolTip(offer.reason)
            self.reason_label.setText(offer.reason)
            self.reason_label.setStyleSheet(f"color: {ERROR_COLOUR};")
            for label in (self.title_label, self.summary_label, self.detail_label):
                label.setEnabled(False)

    def set_busy(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy and (self.offer.sendable or self.offer.unresolved is not None))
        if busy:
            self.send_button.setText("发送中…")


class CouponsTab(PanelTab):
    tags_changed = Signal()

    def __init__(self, spawn, load_image=None, parent: QWidget | None = None):
        super().__init__(spawn, load_image, parent)
        self.status = StatusLine()
        self.confirm = ConfirmBar()
        area, self.rows = scroll_list()
        self.stack = LoadingStack(area, "正在加载可发的优惠券…", "店铺还没有创建客服渠道的优惠券（客服发券）。")
        self.sent_title = QLabel("本会话已发的券")
        self.sent_title.setStyleSheet("font-weight: 600;")
        self.sent_list = QLabel()
        self.sent_list.setWordWrap(True)
        self.sent_list.setStyleSheet(MUTED)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.setFlat(True)
        head = QHBoxLayout()
        hint = QLabel("只列出客服渠道的店铺满减券和商品满减券")
        hint.setStyleSheet(MUTED)
        head.addWidget(hint, 1)
        head.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.status)
        layout.addWidget(self.confirm)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.sent_title)
        layout.addWidget(self.sent_list)
        self.coupon_rows: list[CouponRow] = []
        self.refresh_button.clicked.connect(lambda: self.spawn(self.load(refresh=True)))
        self.stack.retry_clicked.connect(lambda: self.spawn(self.load(refresh=True)))
        self._sending: set = set()  # conversations with a coupon send in flight

    def reset(self) -> None:
        self.confirm._answer(False)
        self.status.clear_status()
        clear_rows(self.rows)
        self.coupon_rows = []
        self.sent_list.clear()
        self.sent_title.hide()
        self.stack.show_loading()

    def row_for(self, coupon_id: str) -> CouponRow | None:
        return next((r for r in self.coupon_rows if r.offer.coupon.coupon_id == coupon_id), None)

    async def load(self, *, refresh: bool = False) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        if not self.coupon_rows:
            self.stack.show_loading("正在加载可发的优惠券…")
        try:
            offers = await commerce.coupon_offers(refresh=refresh)
            sent = await commerce.sent_coupons()
        except CommerceError as exc:
            if self.is_current(commerce):
                self.stack.show_error(str(exc))
            return
        if not self.is_current(commerce):
            return
        clear_rows(self.rows)
        self.coupon_rows = []
        now = commerce.clock()
        for offer in offers:
            row = CouponRow(offer, now)
            row.send_requested.connect(lambda o: self.spawn(self.send(o)))
            self.rows.insertWidget(self.rows.count() - 1, row)
            self.coupon_rows.append(row)
        self.stack.show_content() if offers else self.stack.show_empty()
        self._show_sent(sent, now)

    def _show_sent(self, sent: list[CouponSend], now) -> None:
        self.sent_title.setVisible(bool(sent))
        lines = []
        for record in sent[:10]:
            state = _SEND_STATE_TEXT.get(record.state, record.state)
            line = f"{china_time(record.created_at, now)} {record.coupon_title} · {state}"
            if record.state == CouponSendState.GRANTED and record.note_state and record.note_state != "sent":
                line += "（说明消息未发送）"
            lines.append(line)
        self.sent_list.setText("\n".join(lines))

    async def send(self, offer: CouponOffer) -> None:
        """Confirm inline, then send (or, for an unknown earlier outcome, reconcile first)."""
        commerce = self.commerce
        if commerce is None or commerce in self._sending:
            return  # this buyer's coupon is already on its way; another buyer's may go meanwhile
        coupon = offer.coupon
        if offer.unresolved is None:
            note = commerce.coupon_note(coupon)
            question = (f"确认向买家“{commerce.conversation.buyer_nick}”发送“{coupon.title}”"
                        f"（{coupon_summary(coupon)}）？\n发券后买家会收到：{note}")
            if not await self.confirm.ask(question, "确认发券"):
                return
        if not self.is_current(commerce):
            return
        self._sending.add(commerce)
        row = self.row_for(coupon.coupon_id)
        if row is not None:
            row.set_busy(True)
        self.status.say("正在发券…" if offer.unresolved is None else "正在向平台核对上次发券的结果…")
        try:
            if offer.unresolved is not None:
                result = await commerce.reconcile_coupon(offer.unresolved, coupon)
            else:
                result = await commerce.send_coupon(coupon)
        except CouponOutcomeUnknown as exc:
            self._say(commerce, str(exc), "warn")
        except CommerceError as exc:
            self._say(commerce, str(exc), "error")
        else:
            tone = "ok" if result.note_state in ("sent", "") and result.send.state == CouponSendState.GRANTED else "warn"
            self._say(commerce, result.message, tone)
            if result.send.state == CouponSendState.GRANTED:
                self.tags_changed.emit()
            if result.note_state == "needs_confirmation" and self.is_current(commerce):
                await self._confirm_note(commerce, result, coupon)
        finally:
            self._sending.discard(commerce)
        if self.is_current(commerce):
            await self.load()

    def _say(self, commerce, text: str, tone: str) -> None:
        if self.is_current(commerce):
            self.status.say(text, tone)

    async def _confirm_note(self, commerce, result, coupon) -> None:
        question = f"券已发出。说明消息触发了提醒：{result.note_problem}\n仍要发送这条说明吗？"
        if not await self.confirm.ask(question, "仍然发送"):
            return
        result = await commerce.send_coupon_note(result.send, coupon, confirmed_warning=True)
        self._say(commerce, result.message, "ok" if result.note_state == "sent" else "warn")
