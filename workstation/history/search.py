"""Search all shops' stored messages: Chinese substrings of any length, plus filters, in pages.

Text goes to the FTS5 index (schema.py): 3+ characters to the trigram index, 1–2 to
the bigram index. Pages are keyset-paged on the message row id, newest stored first,
so the UI can stream page after page without OFFSET scans: pass `page.next_before`
back as `before`. `iter_search` yields the pages as a generator.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator, NamedTuple

import sqlite_utils

from workstation.domain.messages import Rating
from workstation.domain.platforms import Platform
from workstation.history.schema import BIGRAM_TABLE, TRIGRAM_TABLE, audit_join

CHINA = timezone(timedelta(hours=8), "UTC+08:00")
PAGE_SIZE = 200

_COLUMNS = (
    "id, platform, shop_id, shop_name, conversation_id, message_id, buyer_id, buyer_nick, sender, agent_id,"
    " sent_at, sent_at_ms, type, text, event, rating, rating_reasons"
)


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """What the reviewer asked for. Empty fields do not filter.

    `since`/`until` are dates (whole days in China time, both inclusive) or aware datetimes.
    `buyer` matches a buyer id exactly or a nickname by substring.
    """

    text: str = ""
    buyer: str = ""
    shop_id: str = ""
    platform: Platform | None = None
    agent_id: str = ""
    since: date | datetime | None = None
    until: date | datetime | None = None
    blocked_only: bool = False
    rating: Rating | None = None


class HistoryHit(NamedTuple):
    """One stored message as the search returns it: the row as stored, converted only on demand.

    Kept as the raw row (a tuple) so a page of 200 hits costs no more than the query
    that found them; `when`, `reasons` and `platform_enum` convert when a view needs them.
    """

    row_id: int
    platform: str
    shop_id: str
    shop_name: str
    conversation_id: str
    message_id: str
    buyer_id: str
    buyer_nick: str
    sender: str
    agent_id: str
    sent_at: str     # ISO 8601 with the platform's offset, as archived
    sent_at_ms: int
    type: str
    text: str
    event: str | None
    rating: str | None
    rating_reasons: str  # JSON list

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.sent_at)

    @property
    def platform_enum(self) -> Platform:
        return Platform(self.platform)

    @property
    def reasons(self) -> tuple[str, ...]:
        if not self.rating_reasons or self.rating_reasons == "[]":
            return ()
        return tuple(json.loads(self.rating_reasons))

    @property
    def conversation_key(self) -> tuple[str, str, str]:
        return (self.platform, self.shop_id, self.conversation_id)


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: list[HistoryHit]
    next_before: int | None  # pass as `before` for the next page; None when this was the last


def day_start_ms(day: date) -> int:
    return int(datetime.combine(day, time(), CHINA).timestamp() * 1000)


def bound_ms(value: date | datetime | None, *, end: bool) -> int | None:
    """A date means the whole day in China time (both ends inclusive); a datetime is exact."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetime bounds must carry a UTC offset")
        return int(value.timestamp() * 1000)
    return day_start_ms(value + timedelta(days=1)) - 1 if end else day_start_ms(value)


def _is_token_char(char: str) -> bool:
    # unicode61's token characters: letters, numbers and private-use characters.
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def text_match(text: str) -> tuple[str, str] | None:
    """(FTS table, MATCH expression) for `text`, or None when only a scan can answer it."""
    if len(text) >= 3:
        return TRIGRAM_TABLE, _quote(text)
    if text and all(_is_token_char(c) for c in text):
        return BIGRAM_TABLE, _quote(text) + ("*" if len(text) == 1 else "")
    return None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def build_sql(
    db: sqlite_utils.Database, query: HistoryQuery, *, before: int | None, limit: int
) -> tuple[str, list]:
    """The SQL for one page; public so the benchmark can time exactly this query raw."""
    where: list[str] = []
    params: list = []
    text = query.text.strip()
    match = text_match(text) if text else None
    if match:
        table, expression = match
        source = f"{table} AS f CROSS JOIN messages AS m ON m.id = f.rowid"
        where.append(f"{table} MATCH ?")
        params.append(expression)
        id_column = "f.rowid"
    else:
        source = "messages AS m"
        id_column = "m.id"
        if text:
            where.append("m.text LIKE ? ESCAPE '\\'")
            params.append(f"%{_escape_like(text)}%")
    if before is not None:
        where.append(f"{id_column} < ?")
        params.append(before)
    if query.platform is not None:
        where.append("m.platform = ?")
        params.append(Platform(query.platform).value)
    if query.shop_id:
        where.append("m.shop_id = ?")
        params.append(query.shop_id)
    if query.agent_id:
        where.append("m.agent_id = ?")
        params.append(query.agent_id)
    if query.buyer.strip():
        buyer = query.buyer.strip()
        where.append("(m.buyer_id = ? OR m.buyer_nick LIKE ? ESCAPE '\\')")
        params += [buyer, f"%{_escape_like(buyer)}%"]
    since = bound_ms(query.since, end=False)
    until = bound_ms(query.until, end=True)
    if since is not None:
        where.append("m.sent_at_ms >= ?")
        params.append(since)
    if until is not None:
        where.append("m.sent_at_ms <= ?")
        params.append(until)
    if match and (since is not None or until is not None):
        bounds = _rowid_bounds(db, since, until)
        if bounds is not None:
            # Lets FTS5 seek straight to the rows of the date range instead of walking every
            # newer match; exact (min/max over the range), so no hit is lost.
            where.append("f.rowid BETWEEN ? AND ?")
            params += list(bounds)
    if query.rating is not None:
        where.append(
            "EXISTS (SELECT 1 FROM messages AS r WHERE r.platform = m.platform AND r.shop_id = m.shop_id"
            " AND r.conversation_id = m.conversation_id AND r.event = 'rating' AND r.rating = ?)"
        )
        params.append(Rating(query.rating).value)
    if query.blocked_only:
        condition = audit_join(db, "m")
        # No audit table yet (the compliance filter's migration has not run): nothing was blocked.
        where.append(condition or "0")
    columns = ", ".join(f"m.{c.strip()}" for c in _COLUMNS.split(","))
    sql = f"SELECT {columns} FROM {source}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {id_column} DESC LIMIT {int(limit)}"
    return sql, params


_hit = HistoryHit._make

# A date range holding more messages than this is not worth bounding first.
ROWID_BOUND_SCAN_LIMIT = 50_000  # a few ms of index-only scanning at most


def _rowid_bounds(db: sqlite_utils.Database, since: int | None, until: int | None) -> tuple[int, int] | None:
    """(min id, max id) of the messages in a date range, when the range is small enough to scan.

    Cheap (an index-only scan of at most ROWID_BOUND_SCAN_LIMIT entries) and exact however
    the rows were inserted; an empty range gives (1, 0), which matches nothing.
    """
    row = db.conn.execute(
        "SELECT count(*), min(id), max(id) FROM (SELECT id FROM messages INDEXED BY messages_time"
        " WHERE sent_at_ms BETWEEN ? AND ? LIMIT ?)",
        [since if since is not None else -(2**62), until if until is not None else 2**62,
         ROWID_BOUND_SCAN_LIMIT + 1],
    ).fetchone()
    if row[0] > ROWID_BOUND_SCAN_LIMIT:
        return None
    return (row[1], row[2]) if row[0] else (1, 0)


def search(
    db: sqlite_utils.Database, query: HistoryQuery, *, before: int | None = None, limit: int = PAGE_SIZE
) -> SearchPage:
    """One page of hits, newest stored first."""
    sql, params = build_sql(db, query, before=before, limit=limit)
    hits = list(map(_hit, db.conn.execute(sql, params).fetchall()))
    return SearchPage(hits, hits[-1].row_id if len(hits) == limit else None)


def iter_search(
    db: sqlite_utils.Database, query: HistoryQuery, *, page_size: int = PAGE_SIZE
) -> Iterator[list[HistoryHit]]:
    """Every hit, a page at a time; stop iterating to stop the search."""
    before = None
    while True:
        page = search(db, query, before=before, limit=page_size)
        if page.hits:
            yield page.hits
        if page.next_before is None:
            return
        before = page.next_before


@dataclass(frozen=True, slots=True)
class ConversationContext:
    messages: list[HistoryHit]
    hit_index: int          # position of the hit in `messages`, -1 if it was deleted meanwhile
    more_before: bool
    more_after: bool


def conversation_context(
    db: sqlite_utils.Database, hit_row_id: int, *, before: int = 30, after: int = 30
) -> ConversationContext:
    """The hit's conversation around it, in time order, for replaying it."""
    row = db.execute(
        "SELECT platform, shop_id, conversation_id, sent_at_ms FROM messages WHERE id = ?", [hit_row_id]
    ).fetchone()
    if row is None:
        return ConversationContext([], -1, False, False)
    platform, shop_id, conversation_id, at = row
    scope = "platform = ? AND shop_id = ? AND conversation_id = ?"
    key = [platform, shop_id, conversation_id]
    earlier = db.execute(
        f"SELECT {_COLUMNS} FROM messages WHERE {scope} AND (sent_at_ms < ? OR (sent_at_ms = ? AND id < ?))"
        " ORDER BY sent_at_ms DESC, id DESC LIMIT ?",
        [*key, at, at, hit_row_id, before + 1],
    ).fetchall()
    later = db.execute(
        f"SELECT {_COLUMNS} FROM messages WHERE {scope} AND (sent_at_ms > ? OR (sent_at_ms = ? AND id >= ?))"
        " ORDER BY sent_at_ms, id LIMIT ?",
        [*key, at, at, hit_row_id, after + 2],
    ).fetchall()
    more_before = len(earlier) > before
    more_after = len(later) > after + 1
    rows = list(reversed(earlier[:before])) + later[: after + 1]
    messages = [_hit(r) for r in rows]
    index = next((i for i, m in enumerate(messages) if m.row_id == hit_row_id), -1)
    return ConversationContext(messages, index, more_before, more_after)


def shops(db: sqlite_utils.Database) -> list[tuple[str, str, str]]:
    """(platform, shop_id, shop_name) of every shop with stored messages, for the filter lists."""
    keys = db.execute("SELECT DISTINCT platform, shop_id FROM messages ORDER BY platform, shop_id").fetchall()
    found = []
    for platform, shop_id in keys:
        name = db.execute(
            "SELECT shop_name FROM messages WHERE platform = ? AND shop_id = ? AND shop_name != '' LIMIT 1",
            [platform, shop_id],
        ).fetchone()
        found.append((platform, shop_id, name[0] if name else ""))
    return found
