"""Queries for conversations, messages, the outbox, sync cursors, drafts and buyer notes.

Plain functions over a sqlite_utils Database, meant to run on the StoreWorker thread
(`await worker.call(insert_events, account_id, messages, cursor)`). Times go in as
timezone-aware datetimes and are stored as UTC epoch milliseconds (`*_ms`) plus,
for messages, the ISO 8601 text with the platform's own offset.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Iterable

import sqlite_utils

from workstation.domain.messages import (
    Conversation,
    EventKind,
    Message,
    MessageType,
    Rating,
    Sender,
    SendState,
)
from workstation.domain.platforms import Platform
from workstation.store.db import transaction

ConversationKey = tuple[str, str, str]  # (platform code, shop_id, conversation_id) == Conversation.key

# What the inbox preview shows for a message that is not plain text.
_PREVIEW = {
    MessageType.IMAGE: "[图片]",
    MessageType.COUPON: "[优惠券]",
    MessageType.ORDER_CARD: "[订单]",
    MessageType.PRODUCT_CARD: "[商品]",
}
PREVIEW_LENGTH = 200


def now_ms() -> int:
    return int(time.time() * 1000)


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, tz=UTC)


def _key(key: Iterable[str]) -> ConversationKey:
    platform, shop_id, conversation_id = key
    return (str(Platform(platform).value), str(shop_id), str(conversation_id))


# ---- messages -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message as the conversation view pages it: the row id orders paging.

    For an agent's message sent from this workstation, `outbox_id` and `send_state`
    say where it stands (sent, or the outbox row it came from).
    """

    row_id: int
    message: Message
    outbox_id: int | None = None
    send_state: SendState | None = None


def preview_text(message: Message) -> str:
    if message.type is MessageType.TEXT:
        return message.text[:PREVIEW_LENGTH]
    label = _PREVIEW.get(message.type, "")
    return f"{label}{message.text[:PREVIEW_LENGTH]}" if message.text else label


def message_row(message: Message) -> dict:
    """The row a message is stored as; raises (TypeError, AttributeError, ValueError) for a malformed one."""
    return {
        "platform": message.platform.value,
        "shop_id": message.shop_id,
        "shop_name": message.shop_name,
        "conversation_id": message.conversation_id,
        "message_id": message.message_id,
        "buyer_id": message.buyer_id,
        "buyer_nick": message.buyer_nick,
        "sender": message.sender.value,
        "agent_id": message.agent_id,
        "sent_at": message.sent_at.isoformat(timespec="milliseconds"),
        "sent_at_ms": to_ms(message.sent_at),
        "type": message.type.value,
        "text": message.text,
        "event": message.event.value if message.event else None,
        "rating": message.rating.value if message.rating else None,
        "rating_reasons": json.dumps(list(message.rating_reasons), ensure_ascii=False),
        "payload": json.dumps(message.payload, ensure_ascii=False, default=str),
    }


def _to_message(row: dict) -> Message:
    return Message(
        platform=Platform(row["platform"]),
        shop_id=row["shop_id"],
        conversation_id=row["conversation_id"],
        message_id=row["message_id"],
        sender=Sender(row["sender"]),
        sent_at=datetime.fromisoformat(row["sent_at"]),
        type=MessageType(row["type"]),
        text=row["text"],
        buyer_id=row["buyer_id"],
        buyer_nick=row["buyer_nick"],
        shop_name=row["shop_name"],
        agent_id=row["agent_id"],
        event=EventKind(row["event"]) if row["event"] else None,
        rating=Rating(row["rating"]) if row["rating"] else None,
        rating_reasons=tuple(json.loads(row["rating_reasons"] or "[]")),
        payload=json.loads(row["payload"] or "{}"),
    )


_INSERT_MESSAGE = (
    "INSERT OR IGNORE INTO messages (platform, shop_id, shop_name, conversation_id, message_id, buyer_id,"
    " buyer_nick, sender, agent_id, sent_at, sent_at_ms, type, text, event, rating, rating_reasons, payload)"
    " VALUES (:platform, :shop_id, :shop_name, :conversation_id, :message_id, :buyer_id, :buyer_nick, :sender,"
    " :agent_id, :sent_at, :sent_at_ms, :type, :text, :event, :rating, :rating_reasons, :payload)"
)


@dataclass(frozen=True, slots=True)
class Ingested:
    """What one committed batch changed: only these are news for the UI."""

    new_messages: list[Message]
    conversations: list[Conversation]


def insert_events(
    db: sqlite_utils.Database,
    account_id: int | None,
    messages: list[Message],
    cursor: str | None = None,
) -> Ingested:
    """Store a batch idempotently and, in the same transaction, the catch-up cursor.

    A message already stored (same platform + shop + message id) is ignored. Only
    conversations that received a new message are updated and returned.
    """
    new: list[Message] = []
    touched: dict[ConversationKey, Message] = {}
    with transaction(db):
        for message in messages:
            if db.execute(_INSERT_MESSAGE, message_row(message)).rowcount == 1:
                new.append(message)
                touched.setdefault((message.platform.value, message.shop_id, message.conversation_id), message)
        unread_added: dict[ConversationKey, int] = {}
        for message in new:
            if message.sender is Sender.BUYER and message.type is not MessageType.EVENT:
                key = (message.platform.value, message.shop_id, message.conversation_id)
                unread_added[key] = unread_added.get(key, 0) + 1
        for key, sample in touched.items():
            _upsert_conversation(db, key, sample, account_id, unread_added.get(key, 0), new)
        if cursor is not None and account_id is not None:
            _set_cursor(db, account_id, cursor)
        conversations = [_get_conversation(db, key) for key in touched]
    return Ingested(new, [c for c in conversations if c is not None])


def _upsert_conversation(
    db: sqlite_utils.Database,
    key: ConversationKey,
    sample: Message,
    account_id: int | None,
    unread_added: int,
    new: list[Message],
) -> None:
    platform, shop_id, conversation_id = key
    db.execute(
        "INSERT INTO conversations (platform, shop_id, shop_name, conversation_id, buyer_id, buyer_nick, account_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, shop_id, conversation_id) DO UPDATE SET"
        " shop_name = CASE WHEN excluded.shop_name != '' THEN excluded.shop_name ELSE shop_name END,"
        " buyer_id = CASE WHEN buyer_id = '' THEN excluded.buyer_id ELSE buyer_id END,"
        " buyer_nick = CASE WHEN excluded.buyer_nick != '' THEN excluded.buyer_nick ELSE buyer_nick END,"
        " account_id = coalesce(excluded.account_id, account_id)",
        [platform, shop_id, sample.shop_name, conversation_id, sample.buyer_id, sample.buyer_nick, account_id],
    )
    _refresh_conversation(db, key)
    mine = [m for m in new if (m.platform.value, m.shop_id, m.conversation_id) == key]
    reception = [to_ms(m.sent_at) for m in mine if m.event is EventKind.ENTERED_RECEPTION]
    reads = [to_ms(m.sent_at) for m in mine if m.event is EventKind.READ and m.sender is not Sender.BUYER]
    where = "platform = ? AND shop_id = ? AND conversation_id = ?"
    if reads:
        # Read on the platform (here or in another tool): unread is what the buyer wrote after
        # that moment, so a read event that arrives late does not hide newer messages.
        db.execute(
            f"UPDATE conversations SET unread = (SELECT count(*) FROM messages WHERE {where} AND sender = 'buyer'"
            f" AND type != 'event' AND sent_at_ms > ?) WHERE {where}",
            [*key, max(reads), *key],
        )
    elif unread_added:
        db.execute(f"UPDATE conversations SET unread = unread + ? WHERE {where}", [unread_added, *key])
    if reception:
        # The reply clock of Kuaishou's 3-minute rule starts when the buyer reaches the reception list.
        db.execute(
            f"UPDATE conversations SET entered_reception_at_ms = max(coalesce(entered_reception_at_ms, 0), ?)"
            f" WHERE {where}",
            [max(reception), *key],
        )


def _refresh_conversation(db: sqlite_utils.Database, key: ConversationKey) -> None:
    """Recompute the preview, the closed flag and the wait from the stored messages.

    Computing from what is stored (rather than from the batch) keeps the row right
    when events arrive late or out of order: the buyer waits from their first message
    after the agent's last reply (or after the conversation was closed).
    """
    where = "platform = ? AND shop_id = ? AND conversation_id = ?"
    last = db.execute(
        f"SELECT type, text, sent_at_ms FROM messages WHERE {where} AND type != 'event'"
        " ORDER BY sent_at_ms DESC, id DESC LIMIT 1",
        key,
    ).fetchone()
    answered_ms = db.execute(
        f"SELECT max(sent_at_ms) FROM messages WHERE {where} AND ((sender = 'agent' AND type != 'event')"
        " OR event = 'closed')",
        key,
    ).fetchone()[0]
    waiting_ms = db.execute(
        f"SELECT min(sent_at_ms) FROM messages WHERE {where} AND sender = 'buyer' AND type != 'event'"
        " AND sent_at_ms > ?",
        [*key, answered_ms if answered_ms is not None else -1],
    ).fetchone()[0]
    last_closed = db.execute(
        f"SELECT max(sent_at_ms) FROM messages WHERE {where} AND event = 'closed'", key
    ).fetchone()[0]
    last_buyer = db.execute(
        f"SELECT max(sent_at_ms) FROM messages WHERE {where} AND sender = 'buyer' AND type != 'event'", key
    ).fetchone()[0]
    closed = last_closed is not None and (last_buyer is None or last_closed >= last_buyer)
    if last is not None:
        preview = preview_text(Message(
            platform=Platform(key[0]), shop_id=key[1], conversation_id=key[2], message_id="",
            sender=Sender.SYSTEM, sent_at=from_ms(last[2]), type=MessageType(last[0]), text=last[1],
        ))
        db.execute(
            f"UPDATE conversations SET last_text = ?, last_at_ms = ? WHERE {where}", [preview, last[2], *key]
        )
    db.execute(
        f"UPDATE conversations SET waiting_since_ms = ?, closed = ? WHERE {where}",
        [waiting_ms, int(closed), *key],
    )


def page_messages(
    db: sqlite_utils.Database, key: ConversationKey, before_row_id: int | None = None, limit: int = 50
) -> list[StoredMessage]:
    """A conversation's messages, newest first; pass the oldest shown row id to page further back."""
    key = _key(key)
    params: list = list(key)
    older = ""
    if before_row_id is not None:
        older = (
            " AND (m.sent_at_ms < (SELECT sent_at_ms FROM messages WHERE id = ?)"
            " OR (m.sent_at_ms = (SELECT sent_at_ms FROM messages WHERE id = ?) AND m.id < ?))"
        )
        params += [before_row_id, before_row_id, before_row_id]
    rows = db.execute(
        "SELECT m.*, o.id AS outbox_id, o.state AS outbox_state FROM messages m"
        # by the unique idempotency key the agent's message carries (indexed, unlike outbox.message_id)
        " LEFT JOIN outbox o ON m.sender = 'agent'"
        " AND o.idempotency_key = json_extract(m.payload, '$.idempotency_key')"
        f" WHERE m.platform = ? AND m.shop_id = ? AND m.conversation_id = ?{older}"
        " ORDER BY m.sent_at_ms DESC, m.id DESC LIMIT ?",
        [*params, limit],
    )
    names = [d[0] for d in rows.description]
    result = []
    for values in rows.fetchall():
        row = dict(zip(names, values))
        result.append(StoredMessage(
            row_id=row["id"],
            message=_to_message(row),
            outbox_id=row["outbox_id"],
            send_state=SendState(row["outbox_state"]) if row["outbox_state"] else None,
        ))
    return result


def count_messages(db: sqlite_utils.Database, platform: str | None = None, shop_id: str | None = None) -> int:
    clauses, params = [], []
    if platform is not None:
        clauses.append("platform = ?")
        params.append(platform)
    if shop_id is not None:
        clauses.append("shop_id = ?")
        params.append(shop_id)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return db.execute(f"SELECT count(*) FROM messages{where}", params).fetchone()[0]


def recent_agent_texts(db: sqlite_utils.Database, key: ConversationKey, limit: int = 10) -> list[str]:
    """The agent's latest texts in a conversation, newest first (the compliance repeat check reads them)."""
    rows = db.execute(
        "SELECT text FROM messages WHERE platform = ? AND shop_id = ? AND conversation_id = ?"
        " AND sender = 'agent' AND type = 'text' ORDER BY sent_at_ms DESC, id DESC LIMIT ?",
        [*_key(key), limit],
    ).fetchall()
    return [row[0] for row in rows]


# ---- conversations ----------------------------------------------------------------------

def _to_conversation(row: dict) -> Conversation:
    tags = tuple(json.loads(row.get("tags") or "[]"))
    return Conversation(
        id=row["id"],
        platform=Platform(row["platform"]),
        shop_id=row["shop_id"],
        conversation_id=row["conversation_id"],
        buyer_id=row["buyer_id"],
        buyer_nick=row["buyer_nick"],
        account_id=row["account_id"],
        shop_name=row["shop_name"],
        last_text=row["last_text"],
        last_at=from_ms(row["last_at_ms"]),
        unread=row["unread"],
        waiting_since=from_ms(row["waiting_since_ms"]),
        entered_reception_at=from_ms(row["entered_reception_at_ms"]),
        tags=tags,
    )


_CONVERSATION_SELECT = (
    "SELECT c.*, n.tags AS tags FROM conversations c LEFT JOIN buyer_notes n"
    " ON n.platform = c.platform AND n.shop_id = c.shop_id AND n.buyer_id = c.buyer_id"
)


def _get_conversation(db: sqlite_utils.Database, key: ConversationKey) -> Conversation | None:
    rows = list(db.query(
        f"{_CONVERSATION_SELECT} WHERE c.platform = ? AND c.shop_id = ? AND c.conversation_id = ?", list(key)
    ))
    return _to_conversation(rows[0]) if rows else None


def get_conversation(db: sqlite_utils.Database, key: ConversationKey) -> Conversation | None:
    return _get_conversation(db, _key(key))


def list_conversations(
    db: sqlite_utils.Database,
    *,
    waiting_only: bool = False,
    platform: str | None = None,
    shop_id: str | None = None,
    account_ids: Iterable[int] | None = None,
    search: str = "",
    limit: int = 5000,
) -> list[Conversation]:
    """Conversations for the inbox: waiting buyers first (longest wait first), then the most recent."""
    clauses, params = [], []
    if waiting_only:
        clauses.append("c.waiting_since_ms IS NOT NULL")
    if platform is not None:
        clauses.append("c.platform = ?")
        params.append(Platform(platform).value)
    if shop_id is not None:
        clauses.append("c.shop_id = ?")
        params.append(shop_id)
    if account_ids is not None:
        ids = list(account_ids)
        clauses.append(f"c.account_id IN ({','.join('?' * len(ids))})" if ids else "0")
        params.extend(ids)
    if search:
        clauses.append(
            "(c.buyer_nick LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m WHERE m.platform = c.platform"
            " AND m.shop_id = c.shop_id AND m.conversation_id = c.conversation_id AND m.text LIKE ? ESCAPE '\\'))"
        )
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [pattern, pattern]
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = db.query(
        f"{_CONVERSATION_SELECT}{where} ORDER BY c.waiting_since_ms IS NULL, c.waiting_since_ms,"
        " c.last_at_ms DESC, c.id DESC LIMIT ?",
        [*params, limit],
    )
    return [_to_conversation(row) for row in rows]


def mark_conversation_read(db: sqlite_utils.Database, key: ConversationKey) -> Conversation | None:
    key = _key(key)
    with transaction(db):
        db.execute(
            "UPDATE conversations SET unread = 0 WHERE platform = ? AND shop_id = ? AND conversation_id = ?", key
        )
    return _get_conversation(db, key)


# ---- outbox -----------------------------------------------------------------------------

def _outbox_row(row: dict) -> dict:
    row = dict(row)
    row["payload"] = json.loads(row["payload"] or "{}")
    return row


def create_outbox(
    db: sqlite_utils.Database,
    *,
    account_id: int,
    key: ConversationKey,
    idempotency_key: str,
    type: MessageType = MessageType.TEXT,
    text: str = "",
    payload: dict | None = None,
) -> dict:
    """Write an outgoing message before it goes anywhere; state `queued`."""
    platform, shop_id, conversation_id = _key(key)
    stamp = now_ms()
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO outbox (idempotency_key, account_id, platform, shop_id, conversation_id, type, text,"
            " payload, state, attempts, last_error, created_at_ms, updated_at_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?)",
            [idempotency_key, account_id, platform, shop_id, conversation_id, MessageType(type).value, text,
             json.dumps(payload or {}, ensure_ascii=False), SendState.QUEUED.value, stamp, stamp],
        )
    return get_outbox(db, cursor.lastrowid)


def get_outbox(db: sqlite_utils.Database, outbox_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM outbox WHERE id = ?", [outbox_id]))
    return _outbox_row(rows[0]) if rows else None


def update_outbox(
    db: sqlite_utils.Database,
    outbox_id: int,
    state: SendState,
    *,
    last_error: str | None = None,
    message_id: str | None = None,
    count_attempt: bool = False,
) -> dict:
    """Move an outbox row to `state`; `count_attempt` when a request is about to go on the wire."""
    with transaction(db):
        db.execute(
            "UPDATE outbox SET state = ?, last_error = coalesce(?, last_error), message_id = coalesce(?, message_id),"
            " attempts = attempts + ?, updated_at_ms = ? WHERE id = ?",
            [SendState(state).value, last_error, message_id, int(count_attempt), now_ms(), outbox_id],
        )
    return get_outbox(db, outbox_id)


def list_outbox(
    db: sqlite_utils.Database,
    *,
    states: Iterable[SendState] | None = None,
    account_id: int | None = None,
    key: ConversationKey | None = None,
) -> list[dict]:
    """Outbox rows, oldest first (the order they must go out in)."""
    clauses, params = [], []
    if states is not None:
        values = [SendState(s).value for s in states]
        clauses.append(f"state IN ({','.join('?' * len(values))})" if values else "0")
        params += values
    if account_id is not None:
        clauses.append("account_id = ?")
        params.append(account_id)
    if key is not None:
        clauses.append("platform = ? AND shop_id = ? AND conversation_id = ?")
        params += list(_key(key))
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return [_outbox_row(row) for row in db.query(f"SELECT * FROM outbox{where} ORDER BY id", params)]


def record_sent(db: sqlite_utils.Database, outbox_id: int, message: Message) -> tuple[dict, Ingested]:
    """Mark an outbox row sent and store the agent's message, in one transaction."""
    with transaction(db):
        row = get_outbox(db, outbox_id)
        if row is not None and message.payload.get("idempotency_key") != row["idempotency_key"]:
            # the key in the payload is what ties the stored message to its outbox row
            message = dataclasses.replace(message, payload={**message.payload, "idempotency_key": row["idempotency_key"]})
        db.execute(
            "UPDATE outbox SET state = ?, message_id = ?, last_error = '', updated_at_ms = ? WHERE id = ?",
            [SendState.SENT.value, message.message_id, now_ms(), outbox_id],
        )
        inserted = db.execute(_INSERT_MESSAGE, message_row(message)).rowcount == 1
        key = (message.platform.value, message.shop_id, message.conversation_id)
        if inserted:
            _upsert_conversation(db, key, message, row["account_id"] if row else None, 0, [message])
        conversation = _get_conversation(db, key)
    ingested = Ingested([message] if inserted else [], [conversation] if conversation else [])
    return get_outbox(db, outbox_id), ingested


# ---- sync cursors -------------------------------------------------------------------------

def get_cursor(db: sqlite_utils.Database, account_id: int) -> str | None:
    row = db.execute("SELECT cursor FROM sync_cursors WHERE account_id = ?", [account_id]).fetchone()
    return row[0] if row else None


def _set_cursor(db: sqlite_utils.Database, account_id: int, cursor: str) -> None:
    db.execute(
        "INSERT INTO sync_cursors (account_id, cursor, updated_at_ms) VALUES (?, ?, ?)"
        " ON CONFLICT (account_id) DO UPDATE SET cursor = excluded.cursor, updated_at_ms = excluded.updated_at_ms",
        [account_id, cursor, now_ms()],
    )


def set_cursor(db: sqlite_utils.Database, account_id: int, cursor: str) -> None:
    with transaction(db):
        _set_cursor(db, account_id, cursor)


# ---- drafts ---------------------------------------------------------------------------------

def get_draft(db: sqlite_utils.Database, key: ConversationKey) -> str:
    row = db.execute(
        "SELECT text FROM drafts WHERE platform = ? AND shop_id = ? AND conversation_id = ?", _key(key)
    ).fetchone()
    return row[0] if row else ""


def set_draft(db: sqlite_utils.Database, key: ConversationKey, text: str) -> None:
    """Keep the composer's text for a conversation; an empty text forgets the draft."""
    key = _key(key)
    with transaction(db):
        if not text:
            db.execute("DELETE FROM drafts WHERE platform = ? AND shop_id = ? AND conversation_id = ?", key)
            return
        db.execute(
            "INSERT INTO drafts (platform, shop_id, conversation_id, text, updated_at_ms) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, shop_id, conversation_id) DO UPDATE SET text = excluded.text,"
            " updated_at_ms = excluded.updated_at_ms",
            [*key, text, now_ms()],
        )


# ---- buyer notes and tags ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BuyerNote:
    tags: tuple[str, ...] = ()
    note: str = ""
    updated_at: datetime | None = None


def get_buyer_note(db: sqlite_utils.Database, platform: str, shop_id: str, buyer_id: str) -> BuyerNote:
    row = db.execute(
        "SELECT tags, note, updated_at_ms FROM buyer_notes WHERE platform = ? AND shop_id = ? AND buyer_id = ?",
        [Platform(platform).value, shop_id, buyer_id],
    ).fetchone()
    if row is None:
        return BuyerNote()
    return BuyerNote(tuple(json.loads(row[0] or "[]")), row[1], from_ms(row[2]))


def set_buyer_note(
    db: sqlite_utils.Database,
    platform: str,
    shop_id: str,
    buyer_id: str,
    *,
    tags: Iterable[str] | None = None,
    note: str | None = None,
) -> BuyerNote:
    """Change a buyer's tags and/or note (None leaves that part as it is); seen by every agent next time."""
    platform = Platform(platform).value
    with transaction(db):
        current = get_buyer_note(db, platform, shop_id, buyer_id)
        new_tags = list(dict.fromkeys(t.strip() for t in tags if t.strip())) if tags is not None else list(current.tags)
        new_note = note if note is not None else current.note
        db.execute(
            "INSERT INTO buyer_notes (platform, shop_id, buyer_id, tags, note, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, shop_id, buyer_id) DO UPDATE SET tags = excluded.tags, note = excluded.note,"
            " updated_at_ms = excluded.updated_at_ms",
            [platform, shop_id, buyer_id, json.dumps(new_tags, ensure_ascii=False), new_note, now_ms()],
        )
    return get_buyer_note(db, platform, shop_id, buyer_id)
