"""One conversation's loaded messages: oldest first, older pages inserted at the top as the agent
scrolls up, new ones appended, an agent's pending bubble filled in place when its message lands.

Also what a bubble shows for each kind (text capped for display, events, cards), where an
image comes from and how it is decoded off the Qt thread, and which buyer texts carry links.
"""

from __future__ import annotations

import base64
import enum
import logging
import re
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QImage

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
    qr_warning: bool = False      # a buyer's image holds a QR code: an off-platform link in disguise
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

    def set_image(self, position: int, image: QImage | None, *, has_qr: bool = False) -> None:
        if 0 <= position < len(self.items):
            item = self.items[position]
            item.image, item.image_failed = image, image is None
            item.qr_warning = has_qr
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
