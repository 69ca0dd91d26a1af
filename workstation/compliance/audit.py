"""The audit trail of blocked send attempts: record, list, export (table from migration 3).

Plain functions over a `sqlite_utils.Database`; callers run them on the database worker.
Exports mask the contact and payment numbers inside the blocked text (SPEC.md: buyer personal
data is masked in exports) unless the team lead asks for the text as typed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlite_utils

from workstation.domain.verdict import Category, Verdict

TABLE = "compliance_audit"
_MASKED = {str(Category.CONTACT), str(Category.PAYMENT)}
EXPORT_COLUMNS = ("时间", "账号ID", "平台", "店铺ID", "会话ID", "客服", "类型", "规则", "类别", "内容")


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: datetime
    account_id: int | None
    platform: str
    shop_id: str
    conversation_id: str
    agent_id: str
    kind: str
    rules: tuple[str, ...]
    categories: tuple[str, ...]
    hits: tuple[dict, ...]
    text: str

    def masked_text(self) -> str:
        return mask_text(self.text, self.hits)


def mask_text(text: str, hits: Iterable[dict]) -> str:
    """Replace the digits and letters of contact/payment hits, keeping the first 3 and last 2."""
    chars = list(text)
    for hit in hits:
        if hit.get("category") not in _MASKED:
            continue
        start, end = int(hit.get("start", 0)), int(hit.get("end", 0))
        positions = [i for i in range(max(0, start), min(end, len(chars))) if chars[i].isalnum()]
        for i in positions[3:-2] if len(positions) > 5 else positions:
            chars[i] = "*"
    return "".join(chars)


def record_blocked(
    db: sqlite_utils.Database,
    *,
    verdict: Verdict,
    text: str,
    account_id: int | None = None,
    platform: str = "",
    shop_id: str = "",
    conversation_id: str = "",
    agent_id: str = "",
    kind: str = "text",
    at: datetime | None = None,
) -> int:
    """Write one blocked attempt and return its row id. The caller owns the transaction."""
    at = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    hits = [h.as_dict() for h in verdict.hits]
    cursor = db.execute(
        f"INSERT INTO {TABLE} (at_ms, at, account_id, platform, shop_id, conversation_id, agent_id, kind,"
        " verdict, rules, categories, hits, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            int(at.timestamp() * 1000), at.isoformat(timespec="seconds"), account_id,
            str(getattr(platform, "value", platform) or ""), shop_id, conversation_id, agent_id,
            str(getattr(kind, "value", kind)), str(verdict.action),
            ",".join(verdict.rules), ",".join(dict.fromkeys(str(h.category) for h in verdict.hits)),
            json.dumps(hits, ensure_ascii=False), text,
        ),
    )
    return int(cursor.lastrowid)


def list_blocked(
    db: sqlite_utils.Database,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    account_id: int | None = None,
    platform: str | None = None,
    conversation_id: str | None = None,
    limit: int = 1000,
) -> list[AuditRecord]:
    """Newest first."""
    where, params = [], []
    if since is not None:
        where.append("at_ms >= ?")
        params.append(int(since.timestamp() * 1000))
    if until is not None:
        where.append("at_ms <= ?")
        params.append(int(until.timestamp() * 1000))
    if account_id is not None:
        where.append("account_id = ?")
        params.append(account_id)
    if platform:
        where.append("platform = ?")
        params.append(str(getattr(platform, "value", platform)))
    if conversation_id is not None:
        where.append("conversation_id = ?")
        params.append(conversation_id)
    sql = (f"SELECT id, at_ms, account_id, platform, shop_id, conversation_id, agent_id, kind, rules,"
           f" categories, hits, text FROM {TABLE}")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY at_ms DESC, id DESC LIMIT {int(limit)}"
    return [
        AuditRecord(
            id=row[0], at=datetime.fromtimestamp(row[1] / 1000, timezone.utc), account_id=row[2],
            platform=row[3], shop_id=row[4], conversation_id=row[5], agent_id=row[6], kind=row[7],
            rules=tuple(r for r in row[8].split(",") if r), categories=tuple(c for c in row[9].split(",") if c),
            hits=tuple(json.loads(row[10] or "[]")), text=row[11],
        )
        for row in db.execute(sql, params).fetchall()
    ]


def export_csv(records: Iterable[AuditRecord], out: io.TextIOBase | None = None, *, unmasked: bool = False) -> str:
    """CSV (UTF-8 with BOM so Excel opens it) of the given records; returns the text if `out` is None."""
    buffer = out if out is not None else io.StringIO()
    if out is None:
        buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for r in records:
        writer.writerow([
            r.at.astimezone().isoformat(timespec="seconds"), "" if r.account_id is None else r.account_id,
            r.platform, r.shop_id, r.conversation_id, r.agent_id, r.kind, " ".join(r.rules),
            " ".join(r.categories), r.text if unmasked else r.masked_text(),
        ])
    return buffer.getvalue() if out is None else ""
