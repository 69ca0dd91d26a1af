"""`workstation quickreply lint|import|export` through the module's own add_arguments/run."""

import argparse
import json

import pytest

from workstation.quickreply import cli, lint
from workstation.quickreply.store import LibraryStore
from tests.quickreply.fakes import fake_check_text


@pytest.fixture
def fake_filter(monkeypatch):
    monkeypatch.setattr(lint, "_default_check_text", lambda: fake_check_text)


def run_cli(data_dir, *argv) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(list(argv))
    args.data_dir = data_dir
    return cli.run(args)


def csv_file(path, body):
    path.write_text("分组,快捷编码,短语内容\n" + body, encoding="utf-8-sig")
    return path


def test_lint_json_one_line_per_phrase_and_exit_1_when_blocked(tmp_path, data_dir, capsys, fake_filter):
    path = csv_file(tmp_path / "p.csv", "售前,hi,亲您好\n售前,gf,高仿的一样\n售后,bz,这个我不知道\n")
    assert run_cli(data_dir, "lint", str(path), "--json", "--platform", "kuaishou") == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(x["group"], x["code"], x["verdict"]) for x in lines] == [
        ("售前", "hi", "pass"), ("售前", "gf", "block"), ("售后", "bz", "warn")]
    assert lines[1]["hits"] == [{"category": "counterfeit", "rule": "kuaishou-2.8", "start": 0, "end": 2,
                                 "match": "高仿", "reason": "假货用语"}]
    assert set(lines[0]) == {"group", "code", "verdict", "hits"}


def test_lint_passes_clean_file_and_reports_bad_file(tmp_path, data_dir, capsys, fake_filter):
    clean = csv_file(tmp_path / "c.csv", "售前,hi,亲您好\n")
    assert run_cli(data_dir, "lint", str(clean)) == 0
    assert "[通过] 售前 / hi" in capsys.readouterr().out
    broken = csv_file(tmp_path / "b.csv", "售前,,没有编码\n")
    assert run_cli(data_dir, "lint", str(broken)) == 2
    assert "第 2 行：快捷编码为空" in capsys.readouterr().err
    assert run_cli(data_dir, "lint", str(tmp_path / "missing.xlsx")) == 2


def test_import_export_round_trip_through_the_data_dir(tmp_path, data_dir, capsys):
    source = csv_file(tmp_path / "in.csv", "售前,hi,亲您好\n发货,fh,48小时内发货\n")
    assert run_cli(data_dir, "import", str(source), "--library", "personal") == 0
    assert "新增 2 条" in capsys.readouterr().out
    update = csv_file(tmp_path / "up.csv", "售前,hi,亲，您好呀\n售后,tk,退款原路返回\n")
    assert run_cli(data_dir, "import", str(update), "--library", "personal") == 0
    assert "新增 1 条，更新 1 条" in capsys.readouterr().out
    personal = LibraryStore(data_dir).load_personal()
    assert personal.find("hi")[1].text == "亲，您好呀" and personal.find("fh")
    for suffix in (".xlsx", ".csv", ".json"):
        out = tmp_path / f"out{suffix}"
        assert run_cli(data_dir, "export", "--library", "personal", "--out", str(out)) == 0
        other = tmp_path / f"other{suffix}"
        assert run_cli(other, "import", str(out), "--library", "personal") == 0
        assert LibraryStore(other).load_personal().content_equals(personal)


def test_team_import_goes_to_the_draft_and_bad_import_changes_nothing(tmp_path, data_dir, capsys):
    good = csv_file(tmp_path / "g.csv", "售前,hi,亲您好\n")
    assert run_cli(data_dir, "import", str(good), "--library", "team") == 0
    assert LibraryStore(data_dir).load_team_draft().library.find("hi")
    bad = csv_file(tmp_path / "b.csv", "售前,hi,一\n售前,hi,二\n")
    assert run_cli(data_dir, "import", str(bad), "--library", "team") == 1
    assert "第 3 行：快捷编码“hi”与第 2 行重复" in capsys.readouterr().err
    assert LibraryStore(data_dir).load_team_draft().library.find("hi")[1].text == "亲您好"
    out = tmp_path / "team.csv"
    assert run_cli(data_dir, "export", "--library", "team", "--out", str(out)) == 0
    assert "草稿" in capsys.readouterr().out


def test_lint_with_the_real_compliance_filter(tmp_path, data_dir, capsys):
    from workstation.compliance import check_text  # noqa: F401  (the real filter, not the fake)

    path = csv_file(tmp_path / "p.csv", "售前,hi,\"{买家昵称|亲}，您好，48小时内发货\"\n售前,gf,这款是高仿的\n售前,vx,有事打电话 13812345678\n")
    assert run_cli(data_dir, "lint", str(path), "--json", "--platform", "快手") == 1
    verdicts = {x["code"]: x for x in map(json.loads, capsys.readouterr().out.splitlines())}
    assert verdicts["hi"]["verdict"] == "pass"
    assert verdicts["gf"]["verdict"] == "block" and verdicts["gf"]["hits"][0]["category"] == "counterfeit"
    assert verdicts["vx"]["verdict"] == "block" and verdicts["vx"]["hits"][0]["category"] == "contact"
