"""Exports (masked unless opted in, never a secret) and the `history` / `report` commands."""

from __future__ import annotations

import argparse
import csv
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.helpers.history_chat import Chat
from workstation.domain.platforms import Platform
from workstation.history import cli
from workstation.history.exporter import export_messages, rows_by_id, rows_in_range
from workstation.history.masking import mask_personal_data
from workstation.history.search import HistoryQuery
from workstation.store.db import DATABASE_NAME, open_store

PHONE_TEXT = "电话13812348000，寄到浙江省杭州市西湖区文三路90号3栋201室"


def parser():
    root = argparse.ArgumentParser()
    sub = root.add_subparsers(dest="command")
    history = sub.add_parser("history")
    cli.add_history_arguments(history)
    history.set_defaults(_run=cli.run_history)
    report = sub.add_parser("report")
    cli.add_report_arguments(report)
    report.set_defaults(_run=cli.run_report)
    return root


def run(data_dir, *argv):
    args = parser().parse_args(list(argv))
    args.data_dir = data_dir
    return args._run(args)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812348000", "电话138****8000"),
        ("+86 138 1234 8000", "138****8000"),
        ("订单号 2311251381234800012", "订单号 2311251381234800012"),
        ("座机 0571-87654321", "座机 0571-****4321"),
        ("浙江省杭州市西湖区文三路90号3栋201室", "浙江省杭州市****"),
        ("收货地址：北京市朝阳区建国路88号", "收货地址：北京市****"),
        ("仿佛在哪见过这款", "仿佛在哪见过这款"),
    ],
)
def test_masking(text, masked):
    assert mask_personal_data(text) == masked


def test_exports_mask_personal_data_unless_opted_in(db, tmp_path):
    chat = Chat(db)
    chat.buyer("b1", "2026-11-03 10:00", PHONE_TEXT)
    chat._add("b1", "2026-11-03 10:01", chat.agent("b1", "2026-11-03 10:00:30").sender,
              payload={"access_token": "SECRET-TOKEN"}, text="好的")
    for fmt in ("jsonl", "csv", "xlsx"):
        out = tmp_path / f"out.{fmt}"
        result = export_messages(rows_in_range(db, HistoryQuery()), out, fmt)
        assert result.rows == 3 and result.masked
        content = out.read_bytes() if fmt != "xlsx" else repr(
            [[c.value for c in row] for row in load_workbook(out).active.iter_rows()]).encode()
        assert b"13812348000" not in content and "文三路".encode() not in content
        assert b"SECRET-TOKEN" not in content and b"access_token" not in content
        assert "138****8000".encode() in content
    revealed = tmp_path / "revealed.jsonl"
    export_messages(rows_in_range(db, HistoryQuery()), revealed, "jsonl", reveal_personal_data=True)
    assert "13812348000" in revealed.read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*partial"))


def test_jsonl_export_is_an_importable_archive(db, data_dir, tmp_path):
    chat = Chat(db, Platform.KUAISHOU)
    chat.buyer("b1", "2026-11-03 10:00", "在吗")
    chat.rating("b1", "2026-11-03 10:05", __import__("workstation.domain.messages", fromlist=["Rating"]).Rating.NEUTRAL,
                ["服务态度差"])
    out = tmp_path / "a.jsonl"
    export_messages(rows_in_range(db, HistoryQuery()), out, "jsonl")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[1]["event"] == "rating" and lines[1]["rating_reasons"] == ["服务态度差"]
    assert "event" not in lines[0] and lines[0]["sent_at"] == "2026-11-03T10:00:00.000+08:00"
    other = tmp_path / "other"
    other.mkdir()
    assert run(other, "history", "import", str(out)) == 0
    copy = open_store(other / DATABASE_NAME)
    assert copy.execute("SELECT count(*) FROM messages").fetchone()[0] == 2
    copy.conn.close()


def test_csv_cells_cannot_become_formulas(db, tmp_path):
    Chat(db).buyer("b1", "2026-11-03 10:00", "=HYPERLINK(\"http://x\")")
    out = tmp_path / "a.csv"
    export_messages(rows_in_range(db, HistoryQuery()), out, "csv")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][0] == "平台" and rows[1][11].startswith("'=")


def test_export_the_selection(db, tmp_path):
    chat = Chat(db)
    first = chat.buyer("b1", "2026-11-03 10:00", "一")
    chat.buyer("b1", "2026-11-03 10:01", "二")
    chat.buyer("b1", "2026-11-03 10:02", "三")
    ids = [r[0] for r in db.execute("SELECT id FROM messages WHERE text IN ('三', '一')").fetchall()]
    out = tmp_path / "sel.jsonl"
    assert export_messages(rows_by_id(db, ids), out, "jsonl").rows == 2
    assert [json.loads(x)["text"] for x in out.read_text(encoding="utf-8").splitlines()] == ["一", "三"]
    assert first.text == "一"


def test_cli_export_by_date_and_shop(db, data_dir, tmp_path, capsys):
    Chat(db, Platform.PDD, "p1").buyer("b1", "2026-11-03 10:00", "十一月")
    Chat(db, Platform.PDD, "p1").buyer("b2", "2026-10-31 23:59:59", "十月")
    Chat(db, Platform.JD, "j1").buyer("b1", "2026-11-03 10:00", "京东")
    out = tmp_path / "x.jsonl"
    code = run(data_dir, "history", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--shop", "p1",
               "--format", "jsonl", "--out", str(out))
    assert code == 0 and "已导出 1 条" in capsys.readouterr().out
    assert [json.loads(x)["text"] for x in out.read_text(encoding="utf-8").splitlines()] == ["十一月"]


def test_cli_import_reports_bad_rows_and_exit_codes(data_dir, tmp_path, capsys):
    path = tmp_path / "a.jsonl"
    path.write_text('{"platform": "pdd"}\n', encoding="utf-8")
    assert run(data_dir, "history", "import", str(path)) == 1
    assert "第 1 行：缺少字段" in capsys.readouterr().out
    assert run(data_dir, "history", "import", str(tmp_path / "missing.jsonl")) == 2
    assert "找不到归档文件" in capsys.readouterr().err


def test_cli_report_json(db, data_dir, capsys):
    chat = Chat(db, Platform.PDD, "p1")
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.agent("b1", "2026-11-03 10:00:30")
    assert run(data_dir, "report", "--from", "2026-11-01", "--to", "2026-11-30", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    shop = result["shops"][0]
    assert (shop["shop_id"], shop["platform"]) == ("p1", "pdd")
    assert shop["kpis"]["reply_rate_3min"] is None and shop["kpis"]["avg_response_s"] == 30.0
    assert shop["kpis"]["effective_reply_daily"][2] == {
        "date": "2026-11-03", "consulting_buyers": 1, "effective_buyers": 1, "rate": 1.0, "penalty": False}
    assert result["agents"][0]["agent_id"] == "a1"
    assert run(data_dir, "report", "--from", "2026-11-01", "--to", "2026-11-30") == 0
    assert "平均响应 30 秒" in capsys.readouterr().out
    assert run(data_dir, "report", "--from", "2026-11-02", "--to", "2026-11-01") == 2


def test_cli_refuses_a_damaged_database(tmp_path, capsys):
    (tmp_path / DATABASE_NAME).write_bytes(b"not a database at all")
    assert run(tmp_path, "report", "--from", "2026-11-01", "--to", "2026-11-30", "--json") == 2
    assert "损坏" in capsys.readouterr().err


def test_bad_dates_are_argument_errors(data_dir, capsys):
    with pytest.raises(SystemExit):
        run(data_dir, "report", "--from", "2026-13-01", "--to", "2026-11-30")
    assert "日期" in capsys.readouterr().err
    assert date(2026, 11, 1)


def test_the_commands_work_wired_like_the_top_level_parser(data_dir, tmp_path, capsys):
    """The lead's parser: `workstation [--data-dir D] history|report …`, data dir defaulting at the top."""
    root = argparse.ArgumentParser()
    root.add_argument("--data-dir", type=__import__("pathlib").Path, default=None)
    sub = root.add_subparsers(dest="command")
    for name, add, run_fn in (("history", cli.add_history_arguments, cli.run_history),
                              ("report", cli.add_report_arguments, cli.run_report)):
        child = sub.add_parser(name)
        child.add_argument("--data-dir", type=__import__("pathlib").Path, default=argparse.SUPPRESS)
        add(child)
        child.set_defaults(_run=run_fn)
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({
        "platform": "pdd", "shop_id": "p1", "conversation_id": "c", "buyer_id": "b", "message_id": "m",
        "sender": "buyer", "sent_at": "2026-11-03T10:00:00+08:00", "type": "text", "text": "在吗"}) + "\n",
        encoding="utf-8")
    for argv in (["--data-dir", str(data_dir), "history", "import", str(path)],
                 ["history", "import", "--data-dir", str(data_dir), str(path)]):
        args = root.parse_args(argv)
        assert args._run(args) == 0
    args = root.parse_args(["report", "--data-dir", str(data_dir), "--from", "2026-11-01", "--to", "2026-11-30",
                            "--json"])
    capsys.readouterr()
    assert args._run(args) == 0
    assert json.loads(capsys.readouterr().out)["shops"][0]["shop_id"] == "p1"


def test_order_cards_keep_their_sales_facts_through_export_and_import(db, data_dir, tmp_path):
    from workstation.domain.messages import MessageType
    from workstation.history.figures import compute_report

    chat = Chat(db, Platform.PDD, "p1")
    chat.buyer("b1", "2026-11-03 10:00:00", "拍好了")
    chat.agent("b1", "2026-11-03 10:00:10", "订单号 o1", agent="a1", type=MessageType.ORDER_CARD,
               payload={"card": {"type": "order_card", "order_id": "o1", "amount_fen": 12_800,
                                 "status_text": "待发货", "receiver_phone": "13812348000"},
                        "idempotency_key": "secret-ish"})
    for query in (HistoryQuery(text="订单"), HistoryQuery()):  # the last, complete one is imported
        out = tmp_path / "a.jsonl"
        export_messages(rows_in_range(db, query), out, "jsonl")
        text = out.read_text(encoding="utf-8")
        card = next(json.loads(x) for x in text.splitlines() if "card" in json.loads(x))["card"]
        assert card == {"order_id": "o1", "status_text": "待发货", "amount_fen": 12_800}
        assert "13812348000" not in text and "idempotency_key" not in text
    other = tmp_path / "other"
    other.mkdir()
    assert run(other, "history", "import", str(out)) == 0
    copy = open_store(other / DATABASE_NAME)
    agent = {a.agent_id: a for a in compute_report(copy, date(2026, 11, 1), date(2026, 11, 30)).agents}["a1"]
    assert (agent.sales_fen, agent.conversion) == (12_800, 1.0)
    copy.conn.close()
