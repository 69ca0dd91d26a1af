"""The archive format: one JSON object per line, the same fields as a stored message.

`parse_record` turns one decoded line into a Message or raises ArchiveRowError with a
Chinese reason; `record_from_row` turns a stored row back into the archive object.
The format is documented for users in docs/archive-format.md.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from workstation.domain.messages import EventKind, Message, MessageType, Rating, Sender
from workstation.domain.platforms import Platform

FIELDS = (
    "platform", "shop_id", "shop_name", "conversation_id", "buyer_id", "buyer_nick", "message_id",
    "sender", "agent_id", "sent_at", "type", "text", "event", "rating", "rating_reasons",
)
REQUIRED = ("platform", "shop_id", "conversation_id", "buyer_id", "message_id", "sender", "sent_at", "type")

# No customer-service chat predates these platforms' chat tools; a time outside this
# window is a broken clock or a broken export, not history.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


class ArchiveRowError(ValueError):
    """One line cannot be imported; str(error) says why, in Chinese."""


def _choices(enum_type) -> str:
    return "|".join(member.value for member in enum_type)


def parse_time(value: Any, *, now: datetime | None = None) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise ArchiveRowError("字段 sent_at 应为带时区的 ISO 8601 时间，例如 2026-11-25T10:00:00+08:00")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ArchiveRowError(f"时间“{value}”不是有效的 ISO 8601 时间（例如 2026-11-25T10:00:00+08:00）") from None
    if moment.tzinfo is None:
        raise ArchiveRowError(f"时间“{value}”缺少时区（UTC 偏移），例如应写成 {value}+08:00")
    now = now or datetime.now(UTC)
    if moment < EARLIEST or moment > now + FUTURE_SLACK:
        raise ArchiveRowError(f"时间“{value}”不可能（早于 2000 年或晚于当前时间），请检查导出该文件的电脑时钟")
    return moment


_PLATFORMS = {p.value: p for p in Platform}
_SENDERS = {x.value: x for x in Sender}
_TYPES = {x.value: x for x in MessageType}
_EVENTS = {x.value: x for x in EventKind}
_RATINGS = {x.value: x for x in Rating}


def _member(table: dict, enum_type, record: dict, name: str) -> str:
    value = record.get(name)
    if isinstance(value, str) and value in table:
        return value
    raise ArchiveRowError(f"字段 {name} 的值“{value}”无效，应为 {_choices(enum_type)}")


def _text(record: dict, name: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and name.endswith("_id"):
        return str(value)  # numeric ids are common in exports; stored as text
    raise ArchiveRowError(f"字段 {name} 应为文本")


def parse_row(record: Any, *, now: datetime | None = None) -> dict:
    """Validate one archive object into the row it is stored as (the shape of store.messages.message_row).

    Raises ArchiveRowError naming the first problem found.
    """
    if not isinstance(record, dict):
        raise ArchiveRowError("这一行不是 JSON 对象（应为 {...}）")
    missing = [name for name in REQUIRED if record.get(name) in (None, "")]
    if missing:
        raise ArchiveRowError(f"缺少字段：{'、'.join(missing)}")
    row = {name: _text(record, name) for name in _TEXT_COLUMNS}
    platform = _member(_PLATFORMS, Platform, record, "platform")
    sender = _member(_SENDERS, Sender, record, "sender")
    message_type = _member(_TYPES, MessageType, record, "type")
    sent_at = parse_time(record["sent_at"], now=now)
    event = rating = None
    reasons = "[]"
    if message_type == "event":
        if record.get("event") in (None, ""):
            raise ArchiveRowError("type 为 event 的行缺少字段：event")
        event = _member(_EVENTS, EventKind, record, "event")
        if event == "rating":
            if record.get("rating") in (None, ""):
                raise ArchiveRowError("评价事件（event = rating）缺少字段：rating")
            rating = _member(_RATINGS, Rating, record, "rating")
            raw_reasons = record.get("rating_reasons") or []
            if not isinstance(raw_reasons, list) or not all(isinstance(r, str) for r in raw_reasons):
                raise ArchiveRowError("字段 rating_reasons 应为文本列表，例如 [\"服务态度差\"]")
            reasons = json.dumps(raw_reasons, ensure_ascii=False)
    payload = "{}"
    if message_type in CARD_TYPES and isinstance(record.get("card"), dict):
        card = {k: v for k, v in record["card"].items() if k in CARD_KEYS and isinstance(v, (str, int))}
        if card:
            payload = json.dumps({"card": card}, ensure_ascii=False)
    row.update(
        platform=platform, sender=sender, type=message_type,
        event=event, rating=rating, rating_reasons=reasons,
        sent_at=sent_at.isoformat(timespec="milliseconds"), sent_at_ms=int(sent_at.timestamp() * 1000),
        payload=payload,
    )
    return row


_TEXT_COLUMNS = (
    "shop_id", "shop_name", "conversation_id", "message_id", "buyer_id", "buyer_nick", "agent_id", "text",
)


def parse_record(record: Any, *, now: datetime | None = None) -> Message:
    """Validate one archive object into a Message; raises ArchiveRowError."""
    row = parse_row(record, now=now)
    return Message(
        platform=_PLATFORMS[row["platform"]],
        shop_id=row["shop_id"],
        conversation_id=row["conversation_id"],
        message_id=row["message_id"],
        sender=_SENDERS[row["sender"]],
        sent_at=datetime.fromisoformat(row["sent_at"]),
        type=_TYPES[row["type"]],
        text=row["text"],
        buyer_id=row["buyer_id"],
        buyer_nick=row["buyer_nick"],
        shop_name=row["shop_name"],
        agent_id=row["agent_id"],
        event=_EVENTS[row["event"]] if row["event"] else None,
        rating=_RATINGS[row["rating"]] if row["rating"] else None,
        rating_reasons=tuple(json.loads(row["rating_reasons"])),
    )


# Card messages may carry their card's business facts, so sales figures survive an export and
# import. Only these keys travel: never connector data, tokens or buyer contact details.
CARD_TYPES = ("order_card", "product_card", "coupon")
CARD_KEYS = (
    "order_id", "status", "status_text", "amount_fen", "item_count", "title", "product_id", "price_fen", "coupon_id",
)


def archive_card(payload: str | None) -> dict | None:
    """The exportable part of a stored card payload (payload["card"] or the payload itself)."""
    try:
        data = json.loads(payload or "{}")
    except ValueError:
        return None
    card = data.get("card") if isinstance(data, dict) and isinstance(data.get("card"), dict) else data
    if not isinstance(card, dict):
        return None
    kept = {key: card[key] for key in CARD_KEYS if isinstance(card.get(key), (str, int)) and key in card}
    return kept or None


def record_from_row(row: dict) -> dict:
    """The archive object for a stored message row: the archive fields, plus `card` for card messages."""
    record = {name: row.get(name) for name in FIELDS if name not in ("event", "rating", "rating_reasons")}
    for name in ("shop_name", "buyer_nick", "agent_id", "text"):
        record[name] = record[name] or ""
    if row.get("type") == MessageType.EVENT.value:
        record["event"] = row.get("event")
        if row.get("event") == EventKind.RATING.value:
            record["rating"] = row.get("rating")
            record["rating_reasons"] = json.loads(row.get("rating_reasons") or "[]")
    if row.get("type") in CARD_TYPES and row.get("payload"):
        card = archive_card(row["payload"])
        if card:
            record["card"] = card
    return record
