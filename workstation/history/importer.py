"""Import archives (.jsonl) into the local store: streamed, merged, cancellable, honest.

The file is read line by line in binary, so a 2 GB archive never sits in memory and
a line that is not UTF-8 is reported with its number instead of stopping the import.
Rows are written in batches, each its own transaction, with INSERT OR IGNORE on the
store's UNIQUE (platform, shop_id, message_id): importing the same archive twice, or
archives from several agents that overlap, adds each message once. A stopped import
(cancelled, database locked, disk full) keeps what was committed and the summary
says exactly up to which line; importing the same file again completes it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable, Protocol

import sqlite_utils

from workstation.history.archive import ArchiveRowError, parse_row

log = logging.getLogger(__name__)

BATCH_ROWS = 5000
MAX_LINE_BYTES = 1 << 20  # one message is a few KB at most; this bounds memory whatever the file holds
MAX_REPORTED_ERRORS = 1000

_COLUMNS = (
    "platform", "shop_id", "shop_name", "conversation_id", "message_id", "buyer_id", "buyer_nick", "sender",
    "agent_id", "sent_at", "sent_at_ms", "type", "text", "event", "rating", "rating_reasons", "payload",
)
_STAGE = "history_import_batch"


def insert_rows(db: sqlite_utils.Database, rows: list[dict] | list[tuple]) -> int:
    """Insert message rows (dicts keyed like `message_row`, or tuples in _COLUMNS order), ignoring
    ones already stored; returns how many were new. The caller owns the transaction.

    Why a staging table: the search index is kept by triggers, and FTS5 flushes its
    pending terms at the end of every statement that fires them. One INSERT per row
    (executemany) would write a tiny index segment per message — about ten times slower
    than one INSERT … SELECT per batch, which is what this does.
    """
    if not rows:
        return 0
    columns = ", ".join(_COLUMNS)
    conn = db.conn
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ({columns})")
    conn.execute(f"DELETE FROM temp.{_STAGE}")
    if isinstance(rows[0], dict):
        placeholders = ", ".join(f":{c}" for c in _COLUMNS)
    else:
        placeholders = ", ".join("?" * len(_COLUMNS))
    conn.executemany(f"INSERT INTO temp.{_STAGE} VALUES ({placeholders})", rows)
    # rowcount is sqlite3_changes(): rows this INSERT added, not the rows the index triggers wrote.
    inserted = conn.execute(
        f"INSERT OR IGNORE INTO main.messages ({columns}) SELECT {columns} FROM temp.{_STAGE} ORDER BY rowid"
    ).rowcount
    conn.execute(f"DELETE FROM temp.{_STAGE}")
    return inserted


class Cancellation(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class ImportProgress:
    bytes_read: int
    total_bytes: int
    lines: int
    imported: int

    @property
    def fraction(self) -> float:
        return self.bytes_read / self.total_bytes if self.total_bytes else 1.0


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    reason: str


@dataclass(slots=True)
class ImportSummary:
    """What an import did. `describe()` is the text shown to the reviewer and printed by the CLI."""

    path: Path
    lines: int = 0             # non-empty lines read
    imported: int = 0          # new messages now in the store
    duplicates: int = 0        # already present (same platform + shop + message id)
    bad_rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)  # the first MAX_REPORTED_ERRORS
    committed_through_line: int = 0  # every line up to this one is in the store
    completed: bool = False
    cancelled: bool = False
    error: str = ""            # why the import stopped early, for the reviewer

    @property
    def ok(self) -> bool:
        return self.completed and not self.error

    def describe(self, max_problems: int = 20) -> str:
        lines = []
        if self.completed:
            lines.append(f"导入完成：{self.path.name} 共 {self.lines} 行。")
        elif self.cancelled:
            lines.append(f"导入已取消：{self.path.name} 读到第 {self.committed_through_line} 行为止。")
        else:
            lines.append(f"导入中断：{self.error}")
        lines.append(
            f"新增消息 {self.imported} 条；已存在而跳过 {self.duplicates} 条；有问题而跳过 {self.bad_rows} 行。"
        )
        if not self.completed:
            if self.committed_through_line:
                lines.append(
                    f"第 1–{self.committed_through_line} 行已写入数据库，之后的行没有导入。"
                    "再次导入同一文件即可补全，已导入的消息会自动跳过。"
                )
            else:
                lines.append("没有任何消息写入数据库。")
        for problem in self.problems[:max_problems]:
            lines.append(f"  第 {problem.line} 行：{problem.reason}")
        hidden = self.bad_rows - min(len(self.problems), max_problems)
        if hidden > 0:
            lines.append(f"  ……另有 {hidden} 行有问题未列出。")
        return "\n".join(lines)


def _decode(raw: bytes, number: int, at_end: bool) -> tuple[object | None, str]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "不是 UTF-8 编码（请用 UTF-8 保存归档文件）"
    text = text.lstrip("\ufeff") if number == 1 else text
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        if at_end:
            return None, "这一行不完整，文件可能被截断（复制或下载没有完成）"
        return None, f"不是有效的 JSON（第 {exc.colno} 个字符附近：{exc.msg}）"


def import_archive(
    db: sqlite_utils.Database,
    path: Path,
    *,
    progress: Callable[[ImportProgress], None] | None = None,
    cancel: Cancellation | None = None,
    now: datetime | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportSummary:
    """Merge the archive at `path` into the store; never raises for bad content, see the summary.

    Raises OSError only if the file cannot be opened at all.
    """
    path = Path(path)
    summary = ImportSummary(path=path)
    total = path.stat().st_size
    now = now or datetime.now(UTC)
    batch: list[dict] = []
    batch_last_line = 0
    bytes_read = 0
    conn = db.conn

    def flush() -> bool:
        nonlocal batch
        if not batch:
            summary.committed_through_line = batch_last_line
            return True
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                inserted = insert_rows(db, batch)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            log.warning("archive import stopped at line %s: %s", batch_last_line, exc)
            summary.error = _store_message(exc)
            return False
        summary.imported += inserted
        summary.duplicates += len(batch) - inserted
        summary.committed_through_line = batch_last_line
        batch = []
        if progress:
            progress(ImportProgress(bytes_read, total, summary.lines, summary.imported))
        return True

    handle = path.open("rb")  # OSError here: the file cannot be opened at all, nothing was done
    try:
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES):
            number += 1
            bytes_read += len(raw)
            if cancel is not None and cancel.is_set():
                summary.cancelled = True
                break
            if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
                # No message fills a line this long (a binary file, or no line breaks): skip to the next.
                while (rest := handle.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                    bytes_read += len(rest)
                bytes_read += len(rest)
                summary.lines += 1
                summary.bad_rows += 1
                if len(summary.problems) < MAX_REPORTED_ERRORS:
                    summary.problems.append(RowProblem(number, "这一行超过 1 MB，不是聊天记录归档的一行（文件格式不对？）"))
                batch_last_line = number
                continue
            stripped = raw.strip()
            if stripped:
                summary.lines += 1
                at_end = not raw.endswith(b"\n")
                record, problem = _decode(stripped, number, at_end)
                if not problem:
                    try:
                        batch.append(parse_row(record, now=now))
                    except ArchiveRowError as exc:
                        problem = str(exc)
                if problem:
                    summary.bad_rows += 1
                    if len(summary.problems) < MAX_REPORTED_ERRORS:
                        summary.problems.append(RowProblem(number, problem))
            batch_last_line = number
            if len(batch) >= batch_rows and not flush():
                return summary
        if not flush():
            return summary
    except OSError as exc:  # the disk or network share failed mid-file
        log.warning("archive read failed at line %s: %s", batch_last_line, exc)
        flushed = flush()
        if flushed or not summary.error:
            summary.error = f"读取文件时出错（{exc.strerror or exc}）"
        return summary
    finally:
        handle.close()
    summary.completed = not summary.cancelled
    if progress:
        progress(ImportProgress(bytes_read, total, summary.lines, summary.imported))
    log.info(
        "imported %s: %s new, %s duplicates, %s bad rows%s",
        path.name, summary.imported, summary.duplicates, summary.bad_rows,
        " (cancelled)" if summary.cancelled else "",
    )
    return summary


def _store_message(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "数据库正被另一个程序（例如正在运行的 Workstation）占用写入。请稍后重试，或先关闭它。"
    if "full" in text:
        return "磁盘空间不足，无法继续写入。请清理磁盘后重新导入同一文件。"
    if "readonly" in text:
        return "数据库不可写。请检查文件权限。"
    return f"写入数据库失败（{exc}）。"
