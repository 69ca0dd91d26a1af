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
_OPTIONAL_TEXT = ("shop_name", "buyer_nick", "agent_id", "text")

# No customer-service chat predates these platforms' chat tools; a time outside this
# window is a broken clock or a broken export, not history.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


class ArchiveRowError(ValueError):
    """One line cannot be imported; str(error) says why, in Chinese."""


def _choices(enum_type) -> str:
    return "|".join(member.value for member in enum_type)


def _enum(enum_type, record: dict, name: str):
    value = record.get(name)
    try:
        return enum_type(value)
    except ValueError:
        raise ArchiveRowError(f"字段 {name} 的值“{value}”无效，应为 {_choices(enum_type)}") from None


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


def parse_record(record: Any, *, now: datetime | None = None) -> Message:
    """Validate one archive object; raise ArchiveRowError naming the first problem found."""
    if not isinstance(record, dict):
        raise ArchiveRowError("这一行不是 JSON 对象（应为 {...}）")
    missing = [name for name in REQUIRED if record.get(name) in (None, "")]
    if missing:
        raise ArchiveRowError(f"缺少字段：{'、'.join(missing)}")
    for name in (*REQUIRED, *_OPTIONAL_TEXT):
        value = record.get(name, "")
        if value is None:
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool) and name.endswith("_id"):
            continue  # numeric ids are common in exports; stored as text
        if not isinstance(value, str):
            raise ArchiveRowError(f"字段 {name} 应为文本")
    platform = _enum(Platform, record, "platform")
    sender = _enum(Sender, record, "sender")
    message_type = _enum(MessageType, record, "type")
    sent_at = parse_time(record["sent_at"], now=now)
    event = rating = None
    reasons: tuple[str, ...] = ()
    if message_type is MessageType.EVENT:
        if record.get("event") in (None, ""):
            raise ArchiveRowError("type 为 event 的行缺少字段：event")
        event = _enum(EventKind, record, "event")
        if event is EventKind.RATING:
            if record.get("rating") in (None, ""):
                raise ArchiveRowError("评价事件（event = rating）缺少字段：rating")
            rating = _enum(Rating, record, "rating")
            raw_reasons = record.get("rating_reasons") or []
            if not isinstance(raw_reasons, list) or not all(isinstance(r, str) for r in raw_reasons):
                raise ArchiveRowError("字段 rating_reasons 应为文本列表，例如 [\"服务态度差\"]")
            reasons = tuple(raw_reasons)
    return Message(
        platform=platform,
        shop_id=str(record["shop_id"]),
        conversation_id=str(record["conversation_id"]),
        message_id=str(record["message_id"]),
        sender=sender,
        sent_at=sent_at,
        type=message_type,
        text=record.get("text") or "",
        buyer_id=str(record["buyer_id"]),
        buyer_nick=record.get("buyer_nick") or "",
        shop_name=record.get("shop_name") or "",
        agent_id=str(record.get("agent_id") or ""),
        event=event,
        rating=rating,
        rating_reasons=reasons,
    )


def record_from_row(row: dict) -> dict:
    """The archive object for a stored message row (never its payload: that is connector data)."""
    record = {name: row.get(name) for name in FIELDS if name not in ("event", "rating", "rating_reasons")}
    for name in ("shop_name", "buyer_nick", "agent_id", "text"):
        record[name] = record[name] or ""
    if row.get("type") == MessageType.EVENT.value:
        record["event"] = row.get("event")
        if row.get("event") == EventKind.RATING.value:
            record["rating"] = row.get("rating")
            record["rating_reasons"] = json.loads(row.get("rating_reasons") or "[]")
    return record
