"""One conversation's messages as bubbles: by sender, with time and send state, images as
thumbnails loaded off the Qt thread, order/product/coupon cards, system events, and a
visible warning on links buyers send (shown as plain text, never clickable).

`MessageModel` holds the loaded messages oldest first: older pages are inserted at the
top as the agent scrolls up, new ones appended, send states changed in place.
"""

from __future__ import annotations

import base64
import enum
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QImage, QKeySequence, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyledItemDelegate, QStyleOptionViewItem

from workstation.domain.messages import EventKind, Message, MessageType, Sender, SendState

log = logging.getLogger(__name__)

MAX_SHOWN_CHARS = 3000   # a 50 000-character message is kept whole; the bubble shows the start
THUMB = 160
PAGE = 50

# Web addresses in any form buyers use, including the obfuscated 点/dot spellings (SPEC.md).
_LINK_RE = re.compile(
    r"(https?://|www[.。点]|[a-z0-9-]+(?:[.。]|点|dot)(?:com|cn|net|top|xyz|cc|vip|shop)\b)",
    re.IGNORECASE,
)


def has_link(text: str) -> bool:
    return bool(_LINK_RE.search(text or ""))


class ItemRole(enum.IntEnum):
    ITEM = Qt.ItemDataRole.UserRole + 1


@dataclass(slots=True)
class MessageItem:
    """A message as the view shows it; `outbox_id` set for the agent's messages sent from here."""

    message: Message | None
    row_id: int | None = None
    outbox_id: int | None = None
    send_state: SendState | None = None
    error: str = ""
    text: str = ""
    image: QImage | None = None
    image_failed: bool = False
    link_warning: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def sender(self) -> Sender:
        return self.message.sender if self.message else Sender.AGENT

    @property
    def is_event(self) -> bool:
        return self.message is not None and self.message.type is MessageType.EVENT

    @property
    def message_type(self) -> MessageType:
        return self.message.type if self.message else MessageType(self.extra.get("type", "text"))


def _shown_text(text: str) -> str:
    if len(text) <= MAX_SHOWN_CHARS:
        return text
    return text[:MAX_SHOWN_CHARS] + f"\n…（消息过长，共 {len(text)} 字，仅显示前 {MAX_SHOWN_CHARS} 字；Ctrl+C 复制全文）"


def event_text(message: Message) -> str:
    time = message.sent_at.astimezone().strftime("%H:%M")
    event = message.event
    payload = message.payload or {}
    if event is EventKind.ENTERED_RECEPTION:
        return f"{time} 买家进入接待"
    if event is EventKind.TRANSFER:
        target = payload.get("to_agent") or payload.get("to") or ""
        return f"{time} 会话已转接{('给 ' + str(target)) if target else ''}"
    if event is EventKind.RATING:
        labels = {"satisfied": "满意", "neutral": "一般", "disappointed": "不满意"}
        rating = labels.get(message.rating.value if message.rating else "", "已评价")
        reasons = "、".join(message.rating_reasons)
        return f"{time} 买家评价：{rating}" + (f"（{reasons}）" if reasons else "")
    if event is EventKind.CLOSED:
        return f"{time} 会话已结束"
    return f"{time} {message.text or '系统消息'}"


def card_lines(item: MessageItem) -> list[str]:
    """What an order, product or coupon card shows; unknown fields are skipped, never trusted."""
    message = item.message
    card = dict((message.payload or {}).get("card") or {}) if message else dict(item.extra.get("card") or {})
    kind = item.message_type
    lines: list[str] = []
    if kind is MessageType.ORDER_CARD:
        lines.append("订单 " + str(card.get("order_id", "")))
        for key, label in (("status_label", "状态"), ("status", "状态"), ("amount", "金额"), ("title", "商品")):
            if card.get(key) and not any(line.startswith(label) for line in lines):
                lines.append(f"{label}：{card[key]}")
        if card.get("amount_fen") is not None:
            lines.append(f"金额：¥{int(card['amount_fen']) / 100:.2f}")
    elif kind is MessageType.PRODUCT_CARD:
        lines.append("商品 " + str(card.get("title") or card.get("product_id") or ""))
        if card.get("price_fen") is not None:
            lines.append(f"价格：¥{int(card['price_fen']) / 100:.2f}")
        elif card.get("price"):
            lines.append(f"价格：{card['price']}")
    elif kind is MessageType.COUPON:
        lines.append("优惠券 " + str(card.get("title") or card.get("coupon_id") or ""))
    text = message.text if message else item.text
    if text and text not in lines:
        lines.append(text)
    return [" ".join(str(line).split())[:80] for line in lines if line]


class MessageModel(QAbstractListModel):
    """The loaded part of a conversation, oldest first."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[MessageItem] = []
        self._by_message: dict[str, int] = {}
        self.has_older = True

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.items) or index.column() != 0:
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if item.is_event:
                return event_text(item.message)
            return item.text
        if role == ItemRole.ITEM:
            return item
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.sender.value}: {item.text[:200]}"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    @staticmethod
    def make_item(message: Message, *, row_id=None, outbox_id=None, send_state=None) -> MessageItem:
        text = message.text if message.type is not MessageType.EVENT else ""
        return MessageItem(
            message=message, row_id=row_id, outbox_id=outbox_id, send_state=send_state, text=_shown_text(text),
            link_warning=message.sender is Sender.BUYER and has_link(message.text),
        )

    @staticmethod
    def visible(message: Message) -> bool:
        return not (message.type is MessageType.EVENT and message.event is EventKind.READ)

    def _reindex(self) -> None:
        self._by_message = {item.message.message_id: i for i, item in enumerate(self.items) if item.message}

    def prepend(self, items: list[MessageItem]) -> None:
        items = [i for i in items if i.message is None or i.message.message_id not in self._by_message]
        if not items:
            return
        self.beginInsertRows(QModelIndex(), 0, len(items) - 1)
        self.items[0:0] = items
        self._reindex()
        self.endInsertRows()

    def append(self, items: list[MessageItem]) -> None:
        fresh = []
        for item in items:
            if item.message is not None and item.message.message_id in self._by_message:
                continue
            if item.message is not None and item.message.sender is Sender.AGENT and self._claim_pending(item):
                continue
            fresh.append(item)
        if not fresh:
            return
        first = len(self.items)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self.items.extend(fresh)
        self._reindex()
        self.endInsertRows()

    def _claim_pending(self, item: MessageItem) -> bool:
        """An agent's message arrived for a bubble we already show as sending: fill it in place."""
        message = item.message
        key = (message.payload or {}).get("idempotency_key")
        for row, pending in enumerate(self.items):
            if pending.message is not None or pending.outbox_id is None:
                continue
            if pending.extra.get("message_id") == message.message_id or (key and pending.extra.get("idempotency_key") == key):
                self.items[row] = replace(item, outbox_id=pending.outbox_id, send_state=SendState.SENT,
                                          image=pending.image)
                self._reindex()
                index = self.index(row, 0)
                self.dataChanged.emit(index, index)
                return True
        return False

    def upsert_outbox(self, row: dict) -> int:
        """Show an outbox row's state: a pending bubble until its message arrives. Returns the model row."""
        outbox_id = row["id"]
        state = SendState(row["state"])
        for position, item in enumerate(self.items):
            if item.outbox_id == outbox_id:
                item.send_state = state
                item.error = row.get("last_error") or ""
                if row.get("message_id"):
                    item.extra["message_id"] = row["message_id"]
                index = self.index(position, 0)
                self.dataChanged.emit(index, index)
                return position
        if row.get("message_id") and row["message_id"] in self._by_message:
            position = self._by_message[row["message_id"]]
            item = self.items[position]
            item.outbox_id, item.send_state = outbox_id, state
            index = self.index(position, 0)
            self.dataChanged.emit(index, index)
            return position
        payload = row.get("payload") or {}
        item = MessageItem(
            message=None, outbox_id=outbox_id, send_state=state, error=row.get("last_error") or "",
            text=_shown_text(row.get("text") or ""),
            extra={"type": row.get("type", "text"), "idempotency_key": row.get("idempotency_key"),
                   "message_id": row.get("message_id"), "card": payload.get("card")},
        )
        if payload.get("image_b64"):
            item.extra["image_b64"] = payload["image_b64"]
        self.append([item])
        return len(self.items) - 1

    def set_image(self, position: int, image: QImage | None) -> None:
        if 0 <= position < len(self.items):
            item = self.items[position]
            item.image, item.image_failed = image, image is None
            index = self.index(position, 0)
            self.dataChanged.emit(index, index)

    def oldest_row_id(self) -> int | None:
        for item in self.items:
            if item.row_id is not None:
                return item.row_id
        return None

    def last_failed(self) -> MessageItem | None:
        for item in reversed(self.items):
            if item.send_state is SendState.FAILED and item.outbox_id is not None:
                return item
        return None


# ---- images -------------------------------------------------------------------------------------

def image_source(item: MessageItem) -> tuple[str, str] | None:
    """Where an image message's bytes come from: ("b64", data), ("url", absolute url) or ("file", path)."""
    payload = (item.message.payload if item.message else item.extra) or {}
    if payload.get("image_b64"):
        return ("b64", payload["image_b64"])
    url = str(payload.get("image_url") or payload.get("url") or "")
    if url.startswith(("http://", "https://")):
        return ("url", url)
    if payload.get("image_path"):
        return ("file", str(payload["image_path"]))
    return None


def decode_thumbnail(data: bytes) -> QImage | None:
    """Runs on a worker thread (QImage, unlike QPixmap, may be used off the Qt thread)."""
    image = QImage.fromData(data)
    if image.isNull():
        return None
    if image.width() > THUMB * 4 or image.height() > THUMB * 4:
        image = image.scaled(THUMB * 4, THUMB * 4, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


async def load_image_bytes(source: tuple[str, str]) -> bytes:
    import asyncio

    kind, value = source
    if kind == "b64":
        return await asyncio.to_thread(base64.b64decode, value)
    if kind == "file":
        from pathlib import Path

        return await asyncio.to_thread(Path(value).read_bytes)
    import httpx

    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(value)
        response.raise_for_status()
        return response.content


# ---- painting -------------------------------------------------------------------------------------

_STATE_LABELS = {
    SendState.QUEUED: "等待发送",
    SendState.SENDING: "发送中…",
    SendState.UNCERTAIN: "正在向平台核对…",
    SendState.SENT: "已发送",
    SendState.FAILED: "发送失败 · 点此重试 (Ctrl+R)",
}


class BubbleDelegate(QStyledItemDelegate):
    """Paints bubbles; sizes are cached per item and width."""

    PAD = 10
    MARGIN = 12

    def __init__(self, parent=None):
        super().__init__(parent)
        self._sizes: dict[tuple[int, int], QSize] = {}
        self.retry_rects: dict[int, QRect] = {}
        self.image_rects: dict[int, QRect] = {}

    def clear_cache(self) -> None:
        self._sizes.clear()

    def _bubble_width(self, option: QStyleOptionViewItem) -> int:
        return max(int(option.rect.width() * 0.68), 160)

    def _layout(self, item: MessageItem, option: QStyleOptionViewItem):
        metrics = QFontMetrics(option.font)
        small = QFont(option.font)
        small.setPointSizeF(max(option.font.pointSizeF() * 0.85, 7.0))
        small_metrics = QFontMetrics(small)
        max_w = self._bubble_width(option) - 2 * self.PAD
        kind = item.message_type
        if item.is_event:
            return metrics, small, small_metrics, QRect(0, 0, max_w, small_metrics.height()), []
        if kind is MessageType.IMAGE:
            if item.image is not None:
                size = item.image.size().scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio)
                body = QRect(0, 0, max(size.width(), 40), max(size.height(), 24))
            else:
                body = QRect(0, 0, 120, metrics.height() * 2)
            return metrics, small, small_metrics, body, []
        if kind in (MessageType.ORDER_CARD, MessageType.PRODUCT_CARD, MessageType.COUPON):
            lines = card_lines(item)
            width = min(max((metrics.horizontalAdvance(line) for line in lines), default=80), max_w)
            return metrics, small, small_metrics, QRect(0, 0, max(width, 160), metrics.height() * len(lines) + 4), lines
        text = item.text or " "
        body = metrics.boundingRect(QRect(0, 0, max_w, 10_000_000),
                                    int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere), text)
        return metrics, small, small_metrics, body, []

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        item: MessageItem = index.data(ItemRole.ITEM)
        if item is None:
            return QSize(0, 0)
        cache_key = (id(item), option.rect.width(), item.send_state, item.image is not None)
        cached = self._sizes.get(cache_key)
        if cached is not None:
            return cached
        metrics, small, small_metrics, body, _ = self._layout(item, option)
        if item.is_event:
            size = QSize(option.rect.width(), small_metrics.height() + 12)
        else:
            height = small_metrics.height() + 4 + body.height() + 2 * self.PAD + 8
            if item.link_warning:
                height += small_metrics.height() + 4
            if item.send_state is not None and item.sender is Sender.AGENT:
                height += small_metrics.height() + 2
            size = QSize(option.rect.width(), height)
        if len(self._sizes) > 5000:
            self._sizes.clear()
        self._sizes[cache_key] = size
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        item: MessageItem = index.data(ItemRole.ITEM)
        if item is None:
            return
        palette: QPalette = option.palette
        metrics, small, small_metrics, body, lines = self._layout(item, option)
        rect = option.rect
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        dim = QColor(palette.color(QPalette.ColorRole.Text))
        dim.setAlphaF(0.55)
        if item.is_event:
            painter.setFont(small)
            painter.setPen(dim)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, event_text(item.message))
            painter.restore()
            return
        mine = item.sender in (Sender.AGENT, Sender.BOT)
        top = rect.top() + 4
        # Header: who and when.
        when = item.message.sent_at.astimezone().strftime("%H:%M:%S") if item.message else ""
        who = {Sender.BUYER: item.message.buyer_nick if item.message else "买家", Sender.AGENT: "我",
               Sender.BOT: "机器人", Sender.SYSTEM: "系统"}.get(item.sender, "")
        header = f"{who}  {when}" if not mine else f"{when}  {who}"
        painter.setFont(small)
        painter.setPen(dim)
        header_rect = QRect(rect.left() + self.MARGIN, top, rect.width() - 2 * self.MARGIN, small_metrics.height())
        painter.drawText(header_rect, (Qt.AlignmentFlag.AlignRight if mine else Qt.AlignmentFlag.AlignLeft)
                         | Qt.AlignmentFlag.AlignVCenter, small_metrics.elidedText(header, Qt.TextElideMode.ElideMiddle, header_rect.width()))
        top += small_metrics.height() + 4
        bubble_w = body.width() + 2 * self.PAD
        bubble_h = body.height() + 2 * self.PAD
        x = rect.right() - self.MARGIN - bubble_w if mine else rect.left() + self.MARGIN
        bubble = QRect(x, top, bubble_w, bubble_h)
        dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
        if mine:
            fill = QColor("#1e3a5f") if dark else QColor("#dbeafe")
        else:
            fill = palette.color(QPalette.ColorRole.AlternateBase) if dark else QColor("#f3f4f6")
        if item.send_state is SendState.FAILED:
            fill = QColor("#4c1d1d") if dark else QColor("#fee2e2")
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(bubble, 8, 8)
        inner = bubble.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        painter.setFont(option.font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        kind = item.message_type
        if kind is MessageType.IMAGE:
            if item.image is not None:
                pixmap = QPixmap.fromImage(item.image).scaled(inner.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                              Qt.TransformationMode.SmoothTransformation)
                painter.drawPixmap(inner.topLeft(), pixmap)
                self.image_rects[index.row()] = inner
            else:
                painter.setPen(dim)
                label = "图片无法显示" if item.image_failed else "[图片] 加载中…"
                painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, label)
        elif lines:
            for n, line in enumerate(lines):
                font = QFont(option.font)
                font.setBold(n == 0)
                painter.setFont(font)
                painter.drawText(QRect(inner.left(), inner.top() + n * metrics.height(), inner.width(), metrics.height()),
                                 Qt.AlignmentFlag.AlignVCenter, metrics.elidedText(line, Qt.TextElideMode.ElideRight, inner.width()))
        else:
            painter.drawText(inner, int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere), item.text)
        top = bubble.bottom() + 3
        painter.setFont(small)
        if item.link_warning:
            painter.setPen(QColor("#d97706"))
            painter.drawText(QRect(bubble.left(), top, rect.width() - 2 * self.MARGIN, small_metrics.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             "⚠ 买家发来的链接已显示为纯文本，请勿打开或转发")
            top += small_metrics.height() + 4
        if item.send_state is not None and mine:
            label = _STATE_LABELS.get(item.send_state, "")
            if item.send_state is SendState.FAILED and item.error:
                label = f"{label}：{item.error}"
            painter.setPen(QColor("#dc2626") if item.send_state is SendState.FAILED else dim)
            room = rect.width() - 2 * self.MARGIN
            shown = small_metrics.elidedText(label, Qt.TextElideMode.ElideRight, room)
            width = min(small_metrics.horizontalAdvance(shown) + 2, room)
            state_rect = QRect(rect.right() - self.MARGIN - width, top, width, small_metrics.height())
            painter.drawText(state_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown)
            if item.send_state is SendState.FAILED and item.outbox_id is not None:
                self.retry_rects[index.row()] = state_rect.united(bubble)
            else:
                self.retry_rects.pop(index.row(), None)
        painter.restore()


class MessageView(QListView):
    """The list of bubbles; asks for older pages near the top, keeps the reading position."""

    older_wanted = Signal()
    retry_requested = Signal(int)        # outbox id
    image_opened = Signal(QImage)

    def __init__(self, model: MessageModel, parent=None):
        super().__init__(parent)
        self.setModel(model)
        self.bubbles = BubbleDelegate(self)
        self.setItemDelegate(self.bubbles)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setAccessibleName("消息记录")
        self.verticalScrollBar().setSingleStep(24)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        model.rowsAboutToBeInserted.connect(self._before_insert)
        model.rowsInserted.connect(self._after_insert)
        self._anchor: tuple[int, int] | None = None
        self._at_bottom = True

    def message_model(self) -> MessageModel:
        return self.model()  # type: ignore[return-value]

    def _scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._at_bottom = value >= bar.maximum() - 4
        if value <= bar.singleStep() * 2 and bar.maximum() > 0 and self.message_model().has_older:
            self.older_wanted.emit()

    def _before_insert(self, _parent, first: int, _last: int) -> None:
        bar = self.verticalScrollBar()
        self._at_bottom = bar.value() >= bar.maximum() - 4
        self._anchor = (bar.maximum(), bar.value()) if first == 0 and self.message_model().rowCount() > 0 else None

    def _after_insert(self, _parent, first: int, _last: int) -> None:
        self.doItemsLayout()
        bar = self.verticalScrollBar()
        if self._anchor is not None:
            old_max, old_value = self._anchor
            bar.setValue(old_value + (bar.maximum() - old_max))  # older page above: stay on the same message
            self._anchor = None
        elif self._at_bottom:
            self.scrollToBottom()

    def resizeEvent(self, event) -> None:
        self.bubbles.clear_cache()
        super().resizeEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and event.button() == Qt.MouseButton.LeftButton:
            item: MessageItem = index.data(ItemRole.ITEM)
            point: QPoint = event.position().toPoint()
            rect = self.bubbles.retry_rects.get(index.row())
            if item is not None and item.send_state is SendState.FAILED and rect is not None and rect.contains(point):
                self.retry_requested.emit(item.outbox_id)
                return
            image_rect = self.bubbles.image_rects.get(index.row())
            if item is not None and item.image is not None and image_rect is not None and image_rect.contains(point):
                self.image_opened.emit(item.image)
                return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            index = self.currentIndex()
            item: MessageItem | None = index.data(ItemRole.ITEM) if index.isValid() else None
            if item is not None:
                QGuiApplication.clipboard().setText(item.message.text if item.message else item.text)
                return
        super().keyPressEvent(event)


def short_when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%H:%M") if moment else ""
