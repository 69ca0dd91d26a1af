"""Archive import: merging, duplicates, and every kind of bad input reported by line."""

from __future__ import annotations

import json
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workstation.history.archive import ArchiveRowError, parse_record
from workstation.history.importer import import_archive


def record(n: int, **overrides) -> dict:
    row = {
        "platform": "pdd", "shop_id": "s1", "shop_name": "山野茶铺", "conversation_id": "c1",
        "buyer_id": "b1", "buyer_nick": "小米粥", "message_id": f"m{n}", "sender": "buyer",
        "agent_id": "", "sent_at": f"2026-11-03T10:{n % 60:02d}:00+08:00", "type": "text", "text": f"第{n}条 退款",
    }
    row.update(overrides)
    return row


def write(path, rows, *, raw_tail: bytes = b"") -> None:
    with path.open("wb") as handle:
        for row in rows:
            handle.write((row if isinstance(row, bytes) else json.dumps(row, ensure_ascii=False).encode()) + b"\n")
        handle.write(raw_tail)


def count(db) -> int:
    return db.execute("SELECT count(*) FROM messages").fetchone()[0]


def test_import_then_import_again_adds_nothing(db, tmp_path):
    path = tmp_path / "a.jsonl"
    write(path, [record(n) for n in range(10)])
    first = import_archive(db, path, batch_rows=3)
    assert (first.imported, first.duplicates, first.bad_rows, first.ok) == (10, 0, 0, True)
    again = import_archive(db, path)
    assert (again.imported, again.duplicates) == (0, 10)
    assert count(db) == 10
    assert "新增消息 0 条；已存在而跳过 10 条" in again.describe()


def test_archives_from_several_agents_merge(db, tmp_path):
    write(tmp_path / "a.jsonl", [record(n) for n in range(0, 6)])
    write(tmp_path / "b.jsonl", [record(n) for n in range(4, 10)])
    import_archive(db, tmp_path / "a.jsonl")
    second = import_archive(db, tmp_path / "b.jsonl")
    assert (second.imported, second.duplicates) == (4, 2)
    assert count(db) == 10


def test_same_message_id_in_another_shop_is_a_different_message(db, tmp_path):
    write(tmp_path / "a.jsonl", [record(1), record(1, shop_id="s2")])
    assert import_archive(db, tmp_path / "a.jsonl").imported == 2


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (b"{not json}", "不是有效的 JSON"),
        (b"[1, 2]", "不是 JSON 对象"),
        ("\u9000\u6b3e".encode("gbk") + b'"', "不是 UTF-8"),
        (json.dumps({k: v for k, v in record(99).items() if k not in ("sent_at", "buyer_id")}).encode(),
         "缺少字段：buyer_id、sent_at"),
        (json.dumps(record(99, sent_at="2026-02-30T10:00:00+08:00")).encode(), "不是有效的 ISO 8601"),
        (json.dumps(record(99, sent_at="2026-11-03T10:00:00")).encode(), "缺少时区"),
        (json.dumps(record(99, sent_at="1970-01-01T00:00:00+00:00")).encode(), "不可能"),
        (json.dumps(record(99, sent_at="2099-01-01T00:00:00+08:00")).encode(), "不可能"),
        (json.dumps(record(99, platform="amazon")).encode(), "platform 的值“amazon”无效"),
        (json.dumps(record(99, sender="robot")).encode(), "sender"),
        (json.dumps(record(99, type="event")).encode(), "缺少字段：event"),
        (json.dumps(record(99, type="event", event="rating")).encode(), "缺少字段：rating"),
        (json.dumps(record(99, type="event", event="rating", rating="good")).encode(), "rating"),
        (json.dumps(record(99, type="event", event="rating", rating="neutral", rating_reasons="慢")).encode(),
         "rating_reasons"),
        (json.dumps(record(99, text=["a"])).encode(), "字段 text 应为文本"),
    ],
)
def test_a_bad_row_is_reported_by_line_and_the_rest_imported(db, tmp_path, bad, reason):
    path = tmp_path / "a.jsonl"
    write(path, [record(1), bad, record(2)])
    summary = import_archive(db, path)
    assert (summary.imported, summary.bad_rows, summary.ok) == (2, 1, True)
    assert summary.problems[0].line == 2
    assert reason in summary.problems[0].reason, summary.problems[0].reason
    assert "第 2 行" in summary.describe()


def test_a_truncated_file_says_so_and_keeps_the_complete_rows(db, tmp_path):
    path = tmp_path / "a.jsonl"
    full = json.dumps(record(3), ensure_ascii=False).encode()
    write(path, [record(1), record(2)], raw_tail=full[: len(full) // 2])
    summary = import_archive(db, path)
    assert summary.imported == 2
    assert summary.problems[0].line == 3
    assert "被截断" in summary.problems[0].reason


def test_blank_lines_and_a_byte_order_mark_are_fine(db, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(
        "\ufeff".encode() + json.dumps(record(1)).encode() + b"\n\n   \n" + json.dumps(record(2)).encode() + b"\r\n"
    )
    summary = import_archive(db, path)
    assert (summary.imported, summary.bad_rows, summary.lines) == (2, 0, 2)


def test_numeric_ids_are_stored_as_text(db, tmp_path):
    write(tmp_path / "a.jsonl", [record(1, shop_id=123, message_id=456, buyer_id=789)])
    import_archive(db, tmp_path / "a.jsonl")
    assert db.execute("SELECT shop_id, message_id, buyer_id FROM messages").fetchone() == ("123", "456", "789")


def test_progress_is_reported_and_cancel_stops_between_batches(db, tmp_path):
    path = tmp_path / "a.jsonl"
    write(path, [record(n) for n in range(50)])
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if p.imported >= 20:
            cancel.set()

    summary = import_archive(db, path, progress=progress, cancel=cancel, batch_rows=10)
    assert summary.cancelled and not summary.completed
    assert summary.imported == 20 and count(db) == 20
    assert summary.committed_through_line == 20
    assert 0 < seen[0].fraction < 1
    text = summary.describe()
    assert "导入已取消" in text and "第 1–20 行已写入数据库" in text and "再次导入同一文件即可补全" in text
    rest = import_archive(db, path)
    assert (rest.imported, rest.duplicates) == (30, 20)


def test_a_locked_database_stops_the_import_and_says_what_was_written(db, data_dir, tmp_path):
    import sqlite3

    path = tmp_path / "a.jsonl"
    write(path, [record(n) for n in range(30)])
    db.conn.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(data_dir / "workstation.sqlite3", isolation_level=None)
    seen = []

    def progress(p):
        seen.append(p)
        if len(seen) == 1:
            other.execute("BEGIN IMMEDIATE")  # the running app holds the write lock

    try:
        summary = import_archive(db, path, progress=progress, batch_rows=10)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not summary.ok and summary.imported == 10
    text = summary.describe()
    assert "占用" in text and "第 1–10 行已写入数据库" in text


def test_events_and_ratings_round_trip_through_parse(db):
    message = parse_record(record(1, type="event", event="rating", rating="disappointed",
                                  rating_reasons=["服务态度差"], sender="buyer", text=""))
    assert message.rating.value == "disappointed" and message.rating_reasons == ("服务态度差",)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(list(record(0)) + ["event", "rating", "rating_reasons", "x"]),
                       st.one_of(st.none(), st.text(max_size=8), st.integers(), st.lists(st.text(max_size=3)))))
def test_parse_never_fails_with_anything_but_a_row_error(data):
    try:
        parse_record({**record(0), **data})
    except ArchiveRowError as exc:
        assert str(exc)


def test_an_overlong_line_is_skipped_without_reading_it_into_memory(db, tmp_path, monkeypatch):
    from workstation.history import importer

    monkeypatch.setattr(importer, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "a.jsonl"
    write(path, [record(1), b"x" * 5000, record(2)])
    summary = import_archive(db, path)
    assert (summary.imported, summary.bad_rows, summary.problems[0].line) == (2, 1, 2)
    assert "超过 1 MB" in summary.problems[0].reason


def test_a_binary_file_is_refused_line_by_line_not_crashed(db, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(bytes(range(256)) * 64)
    summary = import_archive(db, path)
    assert summary.imported == 0 and summary.bad_rows >= 1 and summary.completed


def test_the_documented_example_archive_imports(db, tmp_path):
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "archive-format.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", doc, re.S).group(1)
    path = tmp_path / "example.jsonl"
    path.write_text(example, encoding="utf-8")
    summary = import_archive(db, path)
    assert (summary.imported, summary.bad_rows) == (4, 0), summary.describe()


def test_a_read_error_mid_file_keeps_what_was_read_and_says_so(db, tmp_path, monkeypatch):
    from workstation.history import importer

    path = tmp_path / "a.jsonl"
    write(path, [record(n) for n in range(30)])

    class FailingFile:
        def __init__(self, real):
            self.real, self.lines = real, 0

        def readline(self, limit):
            self.lines += 1
            if self.lines > 25:
                raise OSError(5, "Input/output error")
            return self.real.readline(limit)

        def close(self):
            self.real.close()

    class FlakyPath(type(path)):
        def open(self, *args, **kwargs):
            return FailingFile(super().open(*args, **kwargs))

    monkeypatch.setattr(importer, "Path", FlakyPath)
    summary = import_archive(db, path, batch_rows=10)
    assert not summary.ok and summary.imported == 25 and count(db) == 25
    text = summary.describe()
    assert "读取文件时出错" in text and "第 1–25 行已写入数据库" in text
