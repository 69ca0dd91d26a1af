"""`workstation compliance check|check-image`: the filter for scripts and team leads (stable interface).

    workstation compliance check [--platform pdd|taobao|douyin|kuaishou|jd] [--json] [FILE]
    workstation compliance check-image [--json] FILE...

`check` reads one message per line (with --json one {"text": ...} object per line) and prints
one result per line, in order. Exit status: 0 nothing blocked, 1 something blocked, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workstation.compliance.filter import PLATFORMS

EXIT_OK, EXIT_BLOCKED, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="compliance_command", metavar="COMMAND", title="子命令")
    sub.required = True
    check = sub.add_parser("check", help="检查文字消息（每行一条）", description="逐行检查文字消息是否违反平台规则。")
    check.add_argument("--platform", choices=PLATFORMS, help="按哪个平台的规则检查（决定允许的本平台链接）")
    check.add_argument("--json", action="store_true", help='输入每行一个 {"text": ...}，输出每行一个 JSON 结果')
    check.add_argument("file", nargs="?", type=Path, metavar="FILE", help="消息文件（UTF-8）；省略时读标准输入")
    check.set_defaults(compliance_run=_run_check)
    image = sub.add_parser("check-image", help="检查图片里是否有二维码", description="检查图片里是否有二维码（可识别或不可识别的都算）。")
    image.add_argument("--json", action="store_true", help="每个文件输出一行 JSON")
    image.add_argument("files", nargs="+", type=Path, metavar="FILE")
    image.set_defaults(compliance_run=_run_check_image)


def run(args: argparse.Namespace) -> int:
    try:
        return args.compliance_run(args)
    except BadInput as exc:
        print(f"输入有误：{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _read_lines(path: Path | None) -> list[str]:
    try:
        if path is None:
            data = sys.stdin.buffer.read()
        else:
            data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"无法读取 {path}：{exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise BadInput(f"不是 UTF-8 文本（第 {line} 行）") from exc
    return text.splitlines()


def _parse_json_lines(lines: list[str]) -> list[dict]:
    items = []
    for number, line in enumerate(lines, 1):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"第 {number} 行不是 JSON：{exc.msg}") from exc
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise BadInput(f'第 {number} 行应为 {{"text": "..."}} 对象')
        platform = item.get("platform")
        if platform is not None and platform not in PLATFORMS:
            raise BadInput(f"第 {number} 行的 platform “{platform}” 未知，可选：{'、'.join(PLATFORMS)}")
        recent = item.get("recent_sent", [])
        if not isinstance(recent, list) or not all(isinstance(r, str) for r in recent):
            raise BadInput(f"第 {number} 行的 recent_sent 应为字符串列表")
        items.append(item)
    return items


def _plain(verdict, prefix: tuple[str, ...] = ()) -> str:
    parts = [*prefix, str(verdict.action)]
    for hit in verdict.hits:
        parts.append(f"{hit.rule}@{hit.start}-{hit.end}:{hit.reason}")
    return "\t".join(parts)


def _run_check(args: argparse.Namespace) -> int:
    from workstation.compliance import check_text

    lines = _read_lines(args.file)
    if args.json:
        items = _parse_json_lines(lines)
    else:
        items = [{"text": line} for line in lines]
    blocked = False
    out = sys.stdout
    for item in items:
        verdict = check_text(item["text"], platform=item.get("platform") or args.platform,
                             recent_sent=tuple(item.get("recent_sent", ())))
        blocked |= verdict.blocked
        if args.json:
            out.write(json.dumps(verdict.as_dict(), ensure_ascii=False) + "\n")
        else:
            out.write(_plain(verdict) + "\n")
    out.flush()
    return EXIT_BLOCKED if blocked else EXIT_OK


def _run_check_image(args: argparse.Namespace) -> int:
    from workstation.compliance import check_image

    payloads = []
    for path in args.files:
        try:
            payloads.append((path, path.read_bytes()))
        except OSError as exc:
            raise BadInput(f"无法读取 {path}：{exc.strerror or exc}") from exc
    blocked = False
    for path, data in payloads:
        verdict = check_image(data)
        blocked |= verdict.blocked
        if args.json:
            print(json.dumps({"file": str(path), **verdict.as_dict()}, ensure_ascii=False))
        else:
            print(_plain(verdict, (str(path),)))
    sys.stdout.flush()
    return EXIT_BLOCKED if blocked else EXIT_OK
