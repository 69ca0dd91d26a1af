"""`workstation quickreply lint|import|export`: phrase libraries from the command line.

Exit codes: 0 done; 1 lint found a blocked phrase, or an import was refused; 2 the file could not be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workstation.domain.platforms import Platform
from workstation.quickreply.model import LibraryInvalid, Scope
from workstation.quickreply.store import LibraryStore, TeamDraft
from workstation.quickreply.tabular import TableUnreadable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="quickreply_command", metavar="ACTION", required=True)

    lint = sub.add_parser("lint", help="用合规规则检查文件中的每条短语（有违规时退出码为 1）")
    lint.add_argument("file", type=Path, metavar="FILE", help="xlsx、csv 或话术库 .json 文件")
    lint.add_argument("--platform", type=_platform, metavar="P",
                      help="按某个平台的规则检查：" + "、".join(p.value for p in Platform))
    lint.add_argument("--json", action="store_true", help="每条短语输出一行 JSON")

    imp = sub.add_parser("import", help="把 xlsx、csv 或 .json 中的短语导入话术库（同编码的短语会被更新）")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--library", choices=[s.value for s in Scope], required=True,
                     help="team：导入团队话术草稿（在编辑器中检查后发布）；personal：导入个人话术")

    exp = sub.add_parser("export", help="把话术库导出为 xlsx、csv 或 .json")
    exp.add_argument("--library", choices=[s.value for s in Scope], required=True)
    exp.add_argument("--out", type=Path, required=True, metavar="FILE", help="按扩展名决定格式：.xlsx .csv .json")


def _platform(value: str) -> Platform:
    try:
        return Platform.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    command = {"lint": _lint, "import": _import, "export": _export}[args.quickreply_command]
    try:
        return command(args)
    except (TableUnreadable, OSError) as exc:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        name = getattr(exc, "filename", None) or ""
        print(f"错误：{message}{'：' + str(name) if name else ''}", file=sys.stderr)
        return 2


def _read(path: Path, scope: Scope):
    from workstation.quickreply.service import read_library_file

    if not path.exists():
        raise TableUnreadable(f"找不到文件 {path}")
    return read_library_file(path, scope)


def _lint(args: argparse.Namespace) -> int:
    from workstation.quickreply.lint import check_library

    result = _read(args.file, Scope.TEAM)
    for warning in result.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    if not result.ok:
        print(result.summary(), file=sys.stderr)
        return 2
    checks = check_library(result.library, platform=args.platform)
    for check in checks:
        if args.json:
            print(json.dumps(check.as_json(), ensure_ascii=False))
        else:
            mark = {"block": "禁止", "warn": "提醒", "pass": "通过"}.get(check.action, check.action)
            detail = f"  {check.reasons()}" if check.verdict.hits else ""
            print(f"[{mark}] {check.group} / {check.code}{detail}")
    blocked = sum(1 for c in checks if c.blocked)
    if not args.json:
        print(f"共 {len(checks)} 条短语，{blocked} 条禁止发送。", file=sys.stderr)
    return 1 if blocked else 0


def _import(args: argparse.Namespace) -> int:
    from workstation.quickreply.service import merge_import
    from workstation.quickreply.sync import TeamSync

    scope = Scope(args.library)
    result = _read(args.file, scope)
    for warning in result.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    if not result.ok:
        print(result.summary(), file=sys.stderr)
        return 1
    store = LibraryStore(args.data_dir)
    try:
        if scope is Scope.PERSONAL:
            merged, added, updated = merge_import(store.load_personal(), result.library)
            store.save_personal(merged)
            where = "个人话术"
        else:
            draft = TeamSync(store, None).draft()
            merged, added, updated = merge_import(draft.library, result.library)
            from workstation.quickreply.model import ensure_valid

            ensure_valid(merged)
            store.save_team_draft(TeamDraft(merged, draft.base_etag))
            where = "团队话术草稿（在编辑器中检查后发布）"
    except LibraryInvalid as exc:
        print(f"导入后话术库有问题，没有保存：\n{exc}", file=sys.stderr)
        return 1
    for notice in store.notices:
        print(f"提示：{notice}", file=sys.stderr)
    print(f"已导入{where}：新增 {added} 条，更新 {updated} 条。")
    return 0


def _export(args: argparse.Namespace) -> int:
    from workstation.quickreply.fileformat import dump_library, write_atomic
    from workstation.quickreply.sync import TeamSync
    from workstation.quickreply.tabular import write_table

    store = LibraryStore(args.data_dir)
    if args.library == Scope.PERSONAL.value:
        library, what = store.load_personal(), "个人话术"
    else:
        draft = store.load_team_draft()
        if draft is not None:
            library, what = draft.library, "团队话术（本地草稿，尚未发布）"
        else:
            library, what = TeamSync(store, None).library, "团队话术（最近一次同步的版本）"
    out: Path = args.out
    if out.suffix.lower() == ".json":
        write_atomic(out, dump_library(library))
        warnings: list[str] = []
    else:
        warnings = write_table(library, out)
    for warning in warnings:
        print(f"提示：{warning}", file=sys.stderr)
    print(f"已导出{what} {len(library)} 条短语到 {out}")
    return 0
