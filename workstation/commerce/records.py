"""The side panel's rows in the local database (schema: store migration 5).

Plain functions over a sqlite_utils Database, run on the StoreWorker thread:
`await worker.call(records.start_coupon_send, ...)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from workstation.store.db import transaction
from workstation.store.messages import from_ms, now_ms, to_ms

ConversationKey = tuple[str, str, str]


class CouponSendState:
    PENDING = "pending"      # written; the request is about to leave or has left
    UNCERTAIN = "uncertain"  # it left and the answer was lost: ask the platform before anything else
    GRANTED = "granted"
    FAILED = "failed"        # the platform refused, or it certainly never left

    UNRESOLVED = (PENDING, UNCERTAIN)


@dataclass(frozen=True, slots=True)
class CouponSend:
    id: int
    conversation_key: ConversationKey
    buyer_id: str
    coupon_id: str
    coupon_title: str
    idempotency_key: str
    state: str
    grant_id: str
    valid_to: datetime | None
    note_text: str
    note_state: str
    error: str
    created_at: datetime

    @property
    def unresolved(self) -> bool:
        return self.state in CouponSendState.UNRESOLVED


def _coupon_send(row: dict) -> CouponSend:
    return CouponSend(
        id=row["id"], conversation_key=(row["platform"], row["shop_id"], row["conversation_id"]),
        buyer_id=row["buyer_id"], coupon_id=row["coupon_id"], coupon_title=row["coupon_title"],
        idempotency_key=row["idempotency_key"], state=row["state"], grant_id=row["grant_id"],
        valid_to=from_ms(row["valid_to_ms"]), note_text=row["note_text"], note_state=row["note_state"],
        error=row["error"], created_at=from_ms(row["created_at_ms"]),
    )


def start_coupon_send(db: sqlite_utils.Database, key: ConversationKey, *, buyer_id: str, coupon_id: str,
                      coupon_title: str, idempotency_key: str, valid_to: datetime | None) -> CouponSend:
    """Committed before the request leaves: after a crash the key is there to reconcile with."""
    stamp = now_ms()
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO coupon_sends (platform, shop_id, conversation_id, buyer_id, coupon_id, coupon_title,"
            " idempotency_key, state, valid_to_ms, created_at_ms, updated_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [*key, buyer_id, coupon_id, coupon_title, idempotency_key, CouponSendState.PENDING,
             to_ms(valid_to) if valid_to else None, stamp, stamp],
        )
    return get_coupon_send(db, cursor.lastrowid)


def get_coupon_send(db: sqlite_utils.Database, send_id: int) -> CouponSend | None:
    rows = list(db.query("SELECT * FROM coupon_sends WHERE id = ?", [send_id]))
    return _coupon_send(rows[0]) if rows else None


def update_coupon_send(db: sqlite_utils.Database, send_id: int, *, state: str | None = None,
                       grant_id: str | None = None, valid_to: datetime | None = None, error: str | None = None,
                       note_text: str | None = None, note_state: str | None = None) -> CouponSend:
    with transaction(db):
        db.execute(
            "UPDATE coupon_sends SET state = coalesce(?, state), grant_id = coalesce(?, grant_id),"
            " valid_to_ms = coalesce(?, valid_to_ms), error = coalesce(?, error), note_text = coalesce(?, note_text),"
            " note_state = coalesce(?, note_state), updated_at_ms = ? WHERE id = ?",
            [state, grant_id, to_ms(valid_to) if valid_to else None, error, note_text, note_state, now_ms(), send_id],
        )
    return get_coupon_send(db, send_id)


def coupon_sends(db: sqlite_utils.Database, key: ConversationKey) -> list[CouponSend]:
    """The conversation's coupon sends, newest first."""
    rows = db.query(
        "SELECT * FROM coupon_sends WHERE platform = ? AND shop_id = ? AND conversation_id = ?"
        " ORDER BY created_at_ms DESC, id DESC", list(key))
    return [_coupon_send(row) for row in rows]


def unresolved_coupon_sends(db: sqlite_utils.Database, platform: str, shop_id: str, buyer_id: str) -> list[CouponSend]:
    rows = db.query(
        "SELECT * FROM coupon_sends WHERE platform = ? AND shop_id = ? AND buyer_id = ? AND state IN (?, ?)"
        " ORDER BY id", [platform, shop_id, buyer_id, *CouponSendState.UNRESOLVED])
    return [_coupon_send(row) for row in rows]


# ---- contact reveal audit ----------------------------------------------------------------

def log_contact_reveal(db: sqlite_utils.Database, key: ConversationKey, *, order_id: str, buyer_id: str,
                       account_id: int | None, agent: str) -> int:
    """Write the audit row before the contact is fetched; the contact itself is never stored."""
    platform, shop_id, conversation_id = key
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO contact_reveals (platform, shop_id, order_id, conversation_id, buyer_id, account_id, agent,"
            " outcome, revealed_at_ms) VALUES (?,?,?,?,?,?,?,?,?)",
            [platform, shop_id, order_id, conversation_id, buyer_id, account_id, agent, "requested", now_ms()],
        )
    return cursor.lastrowid


def finish_contact_reveal(db: sqlite_utils.Database, reveal_id: int, outcome: str) -> None:
    with transaction(db):
        db.execute("UPDATE contact_reveals SET outcome = ? WHERE id = ?", [outcome, reveal_id])


def contact_reveals(db: sqlite_utils.Database, platform: str | None = None, shop_id: str | None = None) -> list[dict]:
    clauses, params = [], []
    if platform:
        clauses.append("platform = ?")
        params.append(platform)
    if shop_id:
        clauses.append("shop_id = ?")
        params.append(shop_id)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return list(db.query(f"SELECT * FROM contact_reveals{where} ORDER BY revealed_at_ms DESC, id DESC", params))


# ---- solved and rating invitations ----------------------------------------------------------

def set_solved(db: sqlite_utils.Database, key: ConversationKey, solved: bool) -> datetime | None:
    """Mark the buyer's problem solved (or not); the inbox's `conversations.solved` follows."""
    stamp = now_ms() if solved else None
    with transaction(db):
        db.execute(
            "INSERT INTO conversation_solved (platform, shop_id, conversation_id, solved_at_ms) VALUES (?,?,?,?)"
            " ON CONFLICT (platform, shop_id, conversation_id) DO UPDATE SET solved_at_ms = excluded.solved_at_ms",
            [*key, stamp],
        )
        db.execute("UPDATE conversations SET solved = ? WHERE platform = ? AND shop_id = ? AND conversation_id = ?",
                   [int(solved), *key])
    return from_ms(stamp)


def solved_at(db: sqlite_utils.Database, key: ConversationKey) -> datetime | None:
    row = db.execute(
        "SELECT solved_at_ms FROM conversation_solved WHERE platform = ? AND shop_id = ? AND conversation_id = ?",
        list(key)).fetchone()
    return from_ms(row[0]) if row else None


def record_rating_invitation(db: sqlite_utils.Database, key: ConversationKey, buyer_id: str,
                             at: datetime | None = None) -> None:
    with transaction(db):
        db.execute(
            "INSERT INTO rating_invitations (platform, shop_id, conversation_id, buyer_id, invited_at_ms)"
            " VALUES (?,?,?,?,?)", [*key, buyer_id, to_ms(at) if at else now_ms()])


def rating_invitations(db: sqlite_utils.Database, platform: str, shop_id: str, buyer_id: str,
                       since: datetime | None = None) -> list[dict]:
    """This buyer's invitations in the shop (any conversation), newest first."""
    rows = db.query(
        "SELECT conversation_id, invited_at_ms FROM rating_invitations WHERE platform = ? AND shop_id = ?"
        " AND buyer_id = ? AND invited_at_ms >= ? ORDER BY invited_at_ms DESC",
        [platform, shop_id, buyer_id, to_ms(since) if since else 0])
    return [{"conversation_id": r["conversation_id"], "invited_at": from_ms(r["invited_at_ms"])} for r in rows]
