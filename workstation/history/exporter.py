"""Export stored messages as an archive (.jsonl), a spreadsheet (.xlsx) or .csv.

What is exported: the archive fields of the chosen messages, nothing else — never the
connector payload, never an account, token or password (those live in the keyring).
Buyer phone numbers and addresses in message text are masked unless the reviewer opts
in with `reveal_personal_data=True`. Exports are written to a temporary file beside the
target and renamed at the end, so a cancelled or failed export leaves no half file.
"""

from __future__ import annotations

import csv
import enum
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlite_utils

from workstation.history.archive import CARD_TYPES, FIELDS, record_from_row
from workstation.history.importer import Cancellation
from workstation.history.masking import mask_personal_data
from workstation.history.search import HistoryQuery, bound_ms, iter_search

log = logging.getLogger(__name__)

CHUNK_ROWS = 2000

# Column headers for csv/xlsx (the archive field names stay the machine-readable keys in jsonl).
HEADERS = {
    "platform": "平台", "shop_id": "店铺ID", "shop_name": "店铺", "conversation_id": "会话ID",
    "buyer_id": "买家ID", "buyer_nick": "买家昵称", "message_id": "消息ID", "sender": "发送方",
    "agent_id": "客服", "sent_at": "时间", "type": "类型", "text": "内容", "event": "事件",
    "rating": "评价", "rating_reasons": "评价原因",
}


class ExportFormat(enum.StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    XLSX = "xlsx"


class ExportCancelled(Exception):
    pass


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    rows: int
    masked: bool


_COLUMNS = (
    "id, platform, shop_id, shop_name, conversation_id, message_id, buyer_id, buyer_nick, sender, agent_id,"
    " sent_at, type, text, event, rating, rating_reasons,"
    " CASE WHEN type IN ('order_card', 'product_card', 'coupon') THEN payload END AS payload"
)


def rows_in_range(db: sqlite_utils.Database, query: HistoryQuery) -> Iterator[dict]:
    """Messages matching a date-range/shop query, in time order (what `history export` writes)."""
    if query.text or query.buyer or query.agent_id or query.blocked_only or query.rating:
        for page in iter_search(db, query, page_size=CHUNK_ROWS):
            cards = _card_payloads(db, [hit.row_id for hit in page if hit.type in CARD_TYPES])
            for hit in page:  # newest first, as the search lists them
                yield {**hit._asdict(), "payload": cards.get(hit.row_id)}
        return
    where, params = [], []
    since, until = bound_ms(query.since, end=False), bound_ms(query.until, end=True)
    if since is not None:
        where.append("sent_at_ms >= ?")
        params.append(since)
    if until is not None:
        where.append("sent_at_ms <= ?")
        params.append(until)
    if query.shop_id:
        where.append("shop_id = ?")
        params.append(query.shop_id)
    if query.platform is not None:
        where.append("platform = ?")
        params.append(Platform(query.platform).value)
    sql = f"SELECT {_COLUMNS} FROM messages"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY sent_at_ms, id"
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    while chunk := cursor.fetchmany(CHUNK_ROWS):
        for row in chunk:
            yield dict(zip(names, row))


def rows_by_id(db: sqlite_utils.Database, row_ids: Iterable[int]) -> Iterator[dict]:
    """The reviewer's selection, in time order."""
    ids = sorted(set(row_ids))
    found = []
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        marks = ",".join("?" * len(part))
        cursor = db.execute(f"SELECT {_COLUMNS}, sent_at_ms FROM messages WHERE id IN ({marks})", part)
        names = [d[0] for d in cursor.description]
        found += [dict(zip(names, row)) for row in cursor.fetchall()]
    found.sort(key=lambda r: (r["sent_at_ms"], r["id"]))
    yield from found


def _card_payloads(db: sqlite_utils.Database, row_ids: list[int]) -> dict[int, str]:
    if not row_ids:
        return {}
    marks = ",".join("?" * len(row_ids))
    return dict(db.execute(f"SELECT id, payload FROM messages WHERE id IN ({marks})", row_ids).fetchall())


def _records(rows: Iterable[dict], reveal: bool) -> Iterator[dict]:
    for row in rows:
        record = record_from_row(row)
        if not reveal:
            record["text"] = mask_personal_data(record["text"])
        yield record


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "、".join(value)
    text = str(value)
    # A cell starting with = + - @ would run as a formula in Excel (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_messages(
    rows: Iterable[dict],
    out: Path,
    fmt: ExportFormat | str,
    *,
    reveal_personal_data: bool = False,
    progress: Callable[[int], None] | None = None,
    cancel: Cancellation | None = None,
) -> ExportResult:
    """Write `rows` (from rows_in_range / rows_by_id) to `out`; raises ExportCancelled or OSError."""
    fmt = ExportFormat(fmt)
    out = Path(out)
    temporary = out.with_name(f".{out.name}.partial")
    count = 0

    def records() -> Iterator[dict]:
        nonlocal count
        for record in _records(rows, reveal_personal_data):
            count += 1
            if count % CHUNK_ROWS == 0:
                if cancel is not None and cancel.is_set():
                    raise ExportCancelled()
                if progress:
                    progress(count)
            yield record

    try:
        if fmt is ExportFormat.JSONL:
            with temporary.open("w", encoding="utf-8", newline="\n") as handle:
                for record in records():
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif fmt is ExportFormat.CSV:
            with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow([HEADERS[f] for f in FIELDS])
                for record in records():
                    writer.writerow([_cell(record.get(f)) for f in FIELDS])
        else:
            _write_xlsx(temporary, records())
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if progress:
        progress(count)
    log.info("exported %s messages as %s (masked=%s)", count, fmt.value, not reveal_personal_data)
    return ExportResult(out, count, not reveal_personal_data)


def _write_xlsx(path: Path, records: Iterable[dict]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("聊天记录")
    sheet.append([HEADERS[f] for f in FIELDS])
    for record in records:
        # Control characters cannot be stored in xlsx at all.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", _cell(record.get(f))) for f in FIELDS])
    workbook.save(path)
