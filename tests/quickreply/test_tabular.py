import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import Workbook

from workstation.domain.platforms import Platform
from workstation.quickreply.model import Group, Library, Phrase, Scope
from workstation.quickreply.tabular import TableUnreadable, read_table, write_table
from tests.quickreply.samples import team_library


def write_csv(path, text, encoding="utf-8-sig"):
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path, rows, merges=()):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    workbook.save(path)
    return path


def messages(problems):
    return [str(p) for p in problems]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_is_lossless(tmp_path, suffix):
    library = team_library().upsert("特殊", Phrase("eq", "=1+1 不是公式\n第二行, \"引号\"  ")).upsert(
        "特殊", Phrase("sp", "  前后空格  ", platforms=(Platform.PDD, Platform.TAOBAO), shops=("1001", "2002")))
    path = tmp_path / f"phrases{suffix}"
    assert write_table(library, path) == []
    result = read_table(path, scope=Scope.TEAM)
    assert result.ok, result.summary()
    assert result.warnings == []
    assert result.library.content_equals(library)


phrase_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t\"',"),
                      min_size=1, max_size=60).filter(lambda t: t.strip())
codes = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["售前", "售后", "发货 物流"]), codes, phrase_text), max_size=12,
                unique_by=lambda row: row[1]))
def test_csv_round_trip_property(tmp_path, rows):
    groups: dict[str, list[Phrase]] = {}
    for group, code, text in rows:
        groups.setdefault(group, []).append(Phrase(code, text))
    library = Library(Scope.PERSONAL, tuple(Group(g, tuple(ps)) for g, ps in groups.items()))
    path = tmp_path / "p.csv"
    write_table(library, path)
    result = read_table(path)
    assert result.ok, result.summary()
    assert result.library.content_equals(library)


def test_missing_header_is_an_error_naming_the_row(tmp_path):
    path = write_csv(tmp_path / "a.csv", "分组,短语内容\n售前,您好\n")
    result = read_table(path)
    assert not result.ok
    assert messages(result.errors) == ["第 1 行：表头缺少“快捷编码”。第一行应为：分组、快捷编码、短语内容。"]
    assert len(result.library) == 0


def test_extra_columns_are_warnings(tmp_path):
    path = write_csv(tmp_path / "a.csv", "分组,快捷编码,短语内容,备注\n售前,hi,您好,内部用\n")
    result = read_table(path)
    assert result.ok
    assert messages(result.warnings) == ["第 1 行：未识别的列“备注”（第 4 列）已忽略。"]
    assert [p.code for _, p in result.library.entries()] == ["hi"]


def test_empty_code_duplicate_code_and_long_text_name_their_rows(tmp_path):
    long_text = "长" * 20_000
    path = write_csv(tmp_path / "a.csv",
                     f"分组,快捷编码,短语内容\n售前,hi,您好\n售前,,没有编码\n售后,HI,重复\n售后,long,{long_text}\n")
    result = read_table(path)
    found = messages(result.errors)
    assert "第 3 行：快捷编码为空，请填写一个简短的编码（如 fh）。" in found
    assert "第 4 行：快捷编码“HI”与第 2 行重复。" in found
    assert any(m.startswith("第 5 行：短语内容有 20000 个字符") for m in found)
    assert "没有导入任何短语" in result.summary()


def test_gbk_csv_from_excel_and_tab_separated(tmp_path):
    gbk = read_table(write_csv(tmp_path / "g.csv", "分组,快捷编码,短语内容\r\n售前,hi,亲您好\r\n", "gb18030"))
    assert gbk.ok and gbk.library.find("hi")[1].text == "亲您好"
    tabbed = read_table(write_csv(tmp_path / "t.csv", "分组\t快捷编码\t短语内容\n售前\thi\t亲\n"))
    assert tabbed.ok and len(tabbed.library) == 1


def test_merged_group_cells_fill_down_with_a_warning(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", [
        ["分组", "快捷编码", "短语内容"], ["发货", "fh", "48小时发货"], [None, "dh", "当天发货"], ["售后", "tk", "退款"],
    ], merges=["A2:A3"])
    result = read_table(path)
    assert result.ok, result.summary()
    assert [(g.name, [p.code for p in g.phrases]) for g in result.library.groups] == [
        ("发货", ["fh", "dh"]), ("售后", ["tk"])]
    assert any("第 2–3 行的分组单元格是合并的" in m for m in messages(result.warnings))


def test_merged_phrase_cells_are_an_error(tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", [
        ["分组", "快捷编码", "短语内容"], ["发货", "fh", "48小时发货"], ["发货", "dh", None],
    ], merges=["C2:C3"])
    result = read_table(path)
    assert messages(result.errors) == ["第 2–3 行有合并的单元格，请取消合并，每行一条短语。"]


def test_numbers_in_xlsx_become_codes(tmp_path):
    path = write_xlsx(tmp_path / "n.xlsx", [["分组", "快捷编码", "短语内容"], ["售前", 1, "您好"], ["售前", 2.0, 3]])
    result = read_table(path)
    assert result.ok
    assert [(p.code, p.text) for _, p in result.library.entries()] == [("1", "您好"), ("2", "3")]


def test_ten_thousand_rows_import_quickly(tmp_path):
    lines = ["分组,快捷编码,短语内容"] + [f"分组{i % 40},c{i},亲，这是第 {i} 条短语，48小时内发货" for i in range(10_000)]
    path = write_csv(tmp_path / "big.csv", "\n".join(lines))
    start = time.perf_counter()
    result = read_table(path)
    assert result.ok
    assert len(result.library) == 10_000 and len(result.library.groups) == 40
    assert time.perf_counter() - start < 5


def test_unreadable_files(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    with pytest.raises(TableUnreadable, match="无法打开 Excel 文件"):
        read_table(tmp_path / "x.xlsx")
    with pytest.raises(TableUnreadable, match="不支持的文件类型"):
        read_table(tmp_path / "x.doc")
    (tmp_path / "b.csv").write_bytes(b"\x00\x01\x02")
    with pytest.raises(TableUnreadable):
        read_table(tmp_path / "b.csv")
    empty = read_table(write_csv(tmp_path / "e.csv", ""))
    assert messages(empty.errors) == ["文件是空的：没有表头，也没有短语。"]


def test_export_warns_about_images_and_empty_groups(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 10
    library = Library(Scope.TEAM, (Group("图", (Phrase("img", "看图", images=("a.png",)),)), Group("空")),
                      images={"a.png": png})
    warnings = write_table(library, tmp_path / "o.xlsx")
    assert any("带图片" in w for w in warnings) and any("空分组 空" in w for w in warnings)


def test_ten_thousand_row_xlsx_round_trip(tmp_path):
    groups = tuple(Group(f"分组{g}", tuple(Phrase(f"c{g}x{i}", f"亲，第 {g}-{i} 条\n第二行") for i in range(250)))
                   for g in range(40))
    library = Library(Scope.TEAM, groups)
    path = tmp_path / "big.xlsx"
    start = time.perf_counter()
    write_table(library, path)
    result = read_table(path, scope=Scope.TEAM)
    assert result.ok and result.library.content_equals(library)
    assert time.perf_counter() - start < 15


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_any_csv_bytes_give_a_result_or_a_clear_refusal(tmp_path, raw):
    path = tmp_path / "x.csv"
    path.write_bytes(raw)
    try:
        result = read_table(path)
    except TableUnreadable as exc:
        assert str(exc)
        return
    assert result.ok or all(str(p) for p in result.errors)


def test_title_rows_above_the_header_are_skipped_with_a_warning(tmp_path):
    rows = [["售后话术 2026版"], [], ["分组", "快捷编码", "短语内容"], ["售后", "tk", "退款"]]
    path = write_xlsx(tmp_path / "t.xlsx", rows, merges=["A1:C1"])
    result = read_table(path)
    assert result.ok, result.summary()
    assert "表头在第 3 行，上面的标题行已忽略。" in messages(result.warnings)
    assert [p.code for _, p in result.library.entries()] == ["tk"]
