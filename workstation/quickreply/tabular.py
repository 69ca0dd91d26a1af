"""Import and export phrase tables (xlsx, csv) with the header 分组, 快捷编码, 短语内容.

Optional columns 适用平台 and 适用店铺 carry a phrase's scope; any other column is reported as a
warning and ignored. Every problem names its row as the spreadsheet shows it. An import with any
error imports nothing: the library in use stays as it was.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from workstation.domain.platforms import Platform
from workstation.quickreply.model import (
    DEFAULT_GROUP, MAX_PHRASES, Group, Library, Phrase, Problem, Scope, check_code, check_group_name,
    check_phrase_text, parse_platforms,
)

GROUP_COLUMN = "分组"
CODE_COLUMN = "快捷编码"
TEXT_COLUMN = "短语内容"
PLATFORMS_COLUMN = "适用平台"
SHOPS_COLUMN = "适用店铺"
REQUIRED_COLUMNS = (GROUP_COLUMN, CODE_COLUMN, TEXT_COLUMN)
OPTIONAL_COLUMNS = (PLATFORMS_COLUMN, SHOPS_COLUMN)
_LIST_SPLIT = re.compile(r"[,，、;；\s]+")
_MAX_SHOWN_ERRORS = 50
_HEADER_SEARCH_ROWS = 5


class TableUnreadable(ValueError):
    """The file cannot be read as a table at all (wrong type, broken xlsx, unknown encoding)."""


@dataclass
class ImportResult:
    library: Library
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            shown = "\n".join(str(p) for p in self.errors[:_MAX_SHOWN_ERRORS])
            more = len(self.errors) - _MAX_SHOWN_ERRORS
            tail = f"\n……另有 {more} 处错误" if more > 0 else ""
            return f"导入失败，共 {len(self.errors)} 处错误，没有导入任何短语：\n{shown}{tail}"
        return f"可以导入 {len(self.library)} 条短语（{len(self.library.groups)} 个分组）。"


@dataclass
class _Row:
    number: int  # as the spreadsheet shows it, 1-based, header included
    cells: list[object]


def read_table(path: Path, *, scope: Scope = Scope.PERSONAL) -> ImportResult:
    """Read an .xlsx or .csv phrase table into a library (check `.ok` before using it)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows, merged, notes = _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        rows, merged, notes = _csv_rows(path.read_bytes()), [], []
    else:
        raise TableUnreadable(f"不支持的文件类型“{path.suffix}”，请使用 .xlsx 或 .csv。")
    return _rows_to_library(rows, merged, notes, scope)


def _xlsx_rows(path: Path) -> tuple[list[_Row], list[tuple[int, int, int, int]], list[Problem]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableUnreadable(f"无法打开 Excel 文件：文件已损坏或不是 .xlsx 格式（{type(exc).__name__}）。") from exc
    sheet = workbook.worksheets[0]
    notes = [Problem(f"只导入了第一个工作表“{sheet.title}”，工作表“{other.title}”被忽略。")
             for other in workbook.worksheets[1:] if other.max_row > 1 or other.max_column > 1]
    merged = [(r.min_row, r.max_row, r.min_col, r.max_col) for r in sheet.merged_cells.ranges]
    rows = [_Row(number, list(values))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    workbook.close()
    return rows, merged, notes


def _csv_rows(raw: bytes) -> list[_Row]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableUnreadable("无法识别 CSV 文件的编码，请另存为 UTF-8 编码的 CSV。")
    if "\x00" in text:
        raise TableUnreadable("这不是文本格式的 CSV 文件（含有二进制内容）。")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [_Row(n, list(r)) for n, r in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise TableUnreadable(f"CSV 格式有误：{exc}") from exc


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _rows_to_library(rows: list[_Row], merged: list[tuple[int, int, int, int]], notes: list[Problem],
                     scope: Scope) -> ImportResult:
    result = ImportResult(Library(scope), warnings=list(notes))
    rows = [r for r in rows if any(_cell_text(c).strip() for c in r.cells)]
    if not rows:
        result.errors.append(Problem("文件是空的：没有表头，也没有短语。"))
        return result
    # A title row ("售后话术 2026版") above the header is common; look a few rows down for it.
    def names(row: _Row) -> list[str]:
        return [_cell_text(c).strip().lstrip("\ufeff") for c in row.cells]

    start = next((i for i, row in enumerate(rows[:_HEADER_SEARCH_ROWS])
                  if set(REQUIRED_COLUMNS) <= set(names(row))), 0)
    if start:
        result.warnings.append(Problem(f"表头在第 {rows[start].number} 行，上面的标题行已忽略。"))
    rows = rows[start:]
    header_row = rows[0]
    header = names(header_row)
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS and name not in columns:
            columns[name] = index
        elif name:
            result.warnings.append(Problem(f"未识别的列“{name}”（第 {index + 1} 列）已忽略。", row=header_row.number))
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        result.errors.append(Problem(
            f"表头缺少“{'”、“'.join(missing)}”。第一行应为：分组、快捷编码、短语内容。", row=header_row.number))
        return result
    body = rows[1:]
    if len(body) > MAX_PHRASES:
        result.errors.append(Problem(f"文件有 {len(body)} 行短语，超过上限 {MAX_PHRASES}，请拆分成几个文件。"))
        return result

    fill_down: dict[int, str] = {}  # row number -> group name from a merged group cell
    group_col = columns[GROUP_COLUMN] + 1
    for min_row, max_row, min_col, max_col in merged:
        if max_row < header_row.number:
            continue  # a merged title above the header
        if min_row <= header_row.number <= max_row:
            result.errors.append(Problem("表头单元格被合并，请取消合并。", row=header_row.number))
        elif min_col == max_col == group_col:
            # A group cell merged down its phrases is the natural way to lay out a table: honour it.
            first = next((r for r in body if r.number == min_row), None)
            has_cell = first is not None and len(first.cells) >= group_col
            value = _cell_text(first.cells[group_col - 1]).strip() if has_cell else ""
            for number in range(min_row, max_row + 1):
                fill_down[number] = value
            result.warnings.append(Problem(f"第 {min_row}–{max_row} 行的分组单元格是合并的，已按“{value}”填入每一行。"))
        else:
            where = f"第 {min_row}–{max_row} 行" if max_row > min_row else f"第 {min_row} 行"
            result.errors.append(Problem(f"{where}有合并的单元格，请取消合并，每行一条短语。"))
    if result.errors:
        return result

    groups: dict[str, list[Phrase]] = {}
    seen: dict[str, int] = {}

    def cell(row: _Row, name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(row.cells):
            return ""
        return _cell_text(row.cells[index])

    for row in body:
        group = fill_down.get(row.number, cell(row, GROUP_COLUMN)).strip() or DEFAULT_GROUP
        code = cell(row, CODE_COLUMN).strip()
        text = cell(row, TEXT_COLUMN)
        problems = [why for why in (check_group_name(group), check_code(code), check_phrase_text(text))
                    if why]
        platforms: tuple[Platform, ...] = ()
        try:
            platforms = parse_platforms(_LIST_SPLIT.split(cell(row, PLATFORMS_COLUMN)))
        except ValueError as exc:
            problems.append(f"适用平台：{exc}")
        shops = tuple(s for s in _LIST_SPLIT.split(cell(row, SHOPS_COLUMN)) if s)
        folded = code.casefold()
        if code and folded in seen:
            problems.append(f"快捷编码“{code}”与第 {seen[folded]} 行重复。")
        if problems:
            result.errors.extend(Problem(p, row=row.number, code=code) for p in problems)
            continue
        seen[folded] = row.number
        groups.setdefault(group, []).append(Phrase(code=code, text=text, platforms=platforms, shops=shops))
    result.library = Library(scope, tuple(Group(name, tuple(ps)) for name, ps in groups.items()))
    return result


# --- export -----------------------------------------------------------------------------------


def table_rows(library: Library) -> tuple[list[str], list[list[str]], list[str]]:
    """(header, rows, warnings) for writing a library as a table."""
    with_scope = any(p.platforms or p.shops for _, p in library.entries())
    header = list(REQUIRED_COLUMNS) + (list(OPTIONAL_COLUMNS) if with_scope else [])
    rows = []
    for group_name, phrase in library.entries():
        row = [group_name, phrase.code, phrase.text]
        if with_scope:
            row += ["、".join(p.label for p in phrase.platforms), "、".join(phrase.shops)]
        rows.append(row)
    warnings = []
    with_images = sum(1 for _, p in library.entries() if p.images)
    if with_images:
        warnings.append(f"{with_images} 条短语带图片，表格里不含图片；需要图片请导出为话术库文件（.json）。")
    empty = [g.name for g in library.groups if not g.phrases]
    if empty:
        warnings.append(f"空分组 {'、'.join(empty)} 没有短语，表格里不会出现。")
    return header, rows, warnings


def write_table(library: Library, path: Path) -> list[str]:
    """Write .xlsx or .csv (UTF-8 with BOM so Excel opens it); returns warnings to show."""
    from workstation.quickreply.fileformat import write_atomic

    header, rows, warnings = table_rows(library)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        write_atomic(path, buffer.getvalue().encode("utf-8-sig"))
    elif suffix == ".xlsx":
        write_atomic(path, _xlsx_bytes(header, rows))
    else:
        raise TableUnreadable(f"不支持的文件类型“{path.suffix}”，请使用 .xlsx 或 .csv。")
    return warnings


def _xlsx_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)  # streams rows: 10 000 phrases in well under a second
    sheet = workbook.create_sheet("快捷短语")
    for column, width in zip("ABCDE", (14, 12, 80, 16, 16)):
        sheet.column_dimensions[column].width = width
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def text_cell(value: str, **style) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # a phrase such as "=亲…" must stay text, never become a formula
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    sheet.append([text_cell(name, font=bold) for name in header])
    for row in rows:
        sheet.append([text_cell(value, alignment=wrap) if index == 2 else text_cell(value)
                      for index, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
