"""`workstation history import|export` and `workstation report`, for reviewers and scripts.

Exit codes: 0 done; 1 done but some archive rows were skipped (import) ; 2 nothing or
not everything done (bad arguments, unreadable file, database locked, interrupted) —
the message on stderr says what was and was not written.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import date
from pathlib import Path

from workstation.domain.platforms import Platform
from workstation.history.exporter import ExportCancelled, ExportFormat, export_messages, rows_in_range
from workstation.history.figures import compute_report
from workstation.history.importer import ImportProgress, import_archive
from workstation.history.search import HistoryQuery
from workstation.store.db import DATABASE_NAME, StoreError, open_store


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”无效，请写成 2026-11-01 这样的格式") from None


def add_history_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="history_command", metavar="ACTION", required=True)
    importing = sub.add_parser(
        "import", help="导入聊天记录归档（.jsonl），已有的消息自动跳过",
        description="把聊天记录归档（每行一个 JSON 对象，格式见 docs/archive-format.md）合并进本地数据库。"
        "已存在的消息（同一平台、店铺、消息 ID）自动跳过；有问题的行列出行号后跳过，其余照常导入。",
    )
    importing.add_argument("file", type=Path, metavar="FILE", help="归档文件 .jsonl")
    _accept_data_dir(importing)
    exporting = sub.add_parser(
        "export", help="导出聊天记录为 jsonl、csv 或 xlsx",
        description="导出聊天记录。买家手机号和地址默认打码；账号密码和令牌从不导出。",
    )
    exporting.add_argument("--from", dest="since", type=_date, metavar="DATE", help="开始日期（含），北京时间")
    exporting.add_argument("--to", dest="until", type=_date, metavar="DATE", help="结束日期（含），北京时间")
    exporting.add_argument("--shop", metavar="ID", default="", help="只导出这个店铺 ID")
    exporting.add_argument("--format", required=True, choices=[f.value for f in ExportFormat], help="文件格式")
    exporting.add_argument("--out", required=True, type=Path, metavar="FILE", help="输出文件")
    exporting.add_argument(
        "--reveal-personal-data", action="store_true",
        help="不对买家手机号和地址打码（仅在确有需要时使用，导出文件请妥善保管）",
    )
    _accept_data_dir(exporting)


def _accept_data_dir(parser: argparse.ArgumentParser) -> None:
    """Let the global --data-dir also follow the action (`history import --data-dir D FILE`)."""
    parser.add_argument("--data-dir", type=Path, metavar="DIR", default=argparse.SUPPRESS, help="数据目录")


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="since", required=True, type=_date, metavar="DATE", help="开始日期（含），北京时间"
    )
    parser.add_argument("--to", dest="until", required=True, type=_date, metavar="DATE", help="结束日期（含），北京时间")
    parser.add_argument("--shop", metavar="ID", default="", help="只统计这个店铺 ID")
    parser.add_argument("--json", action="store_true", help="输出 JSON（比率为 0–1 的小数，不适用的指标为 null）")


def _error(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _open(args):
    return open_store(Path(args.data_dir) / DATABASE_NAME)


class _Interrupt:
    """Ctrl+C asks the import/export to stop between batches instead of killing it mid-write."""

    def __init__(self):
        self.event = threading.Event()
        self.previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, lambda *_: self.event.set())
        return self.event

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False


def run_history(args) -> int:
    try:
        db = _open(args)
    except StoreError as exc:
        return _error(str(exc))
    try:
        if args.history_command == "import":
            return _import(db, args)
        return _export(db, args)
    finally:
        db.conn.close()


def _import(db, args) -> int:
    path: Path = args.file
    if not path.is_file():
        return _error(f"找不到归档文件 {path}。")
    show_progress = sys.stderr.isatty()

    def progress(p: ImportProgress) -> None:
        if show_progress:
            print(f"\r已读 {p.fraction:6.1%}，新增 {p.imported} 条", end="", file=sys.stderr, flush=True)

    with _Interrupt() as cancel:
        try:
            summary = import_archive(db, path, progress=progress, cancel=cancel)
        except OSError as exc:
            return _error(f"无法读取归档文件 {path}（{exc.strerror or exc}）。")
    if show_progress:
        print(file=sys.stderr)
    print(summary.describe(), file=sys.stdout if summary.ok else sys.stderr)
    if not summary.ok:
        return 2
    return 1 if summary.bad_rows else 0


def _export(db, args) -> int:
    if args.since and args.until and args.until < args.since:
        return _error("结束日期早于开始日期。")
    query = HistoryQuery(shop_id=args.shop, since=args.since, until=args.until)
    with _Interrupt() as cancel:
        try:
            result = export_messages(
                rows_in_range(db, query), args.out, args.format,
                reveal_personal_data=args.reveal_personal_data, cancel=cancel,
            )
        except ExportCancelled:
            return _error("导出已取消，没有生成文件。")
        except OSError as exc:
            return _error(f"无法写入 {args.out}（{exc.strerror or exc}），没有生成文件。")
    masked = "买家手机号和地址已打码" if result.masked else "未打码（--reveal-personal-data）"
    print(f"已导出 {result.rows} 条消息到 {result.path}（{masked}）。")
    return 0


def run_report(args) -> int:
    if args.until < args.since:
        return _error("结束日期早于开始日期。")
    try:
        db = _open(args)
    except StoreError as exc:
        return _error(str(exc))
    try:
        report = compute_report(db, args.since, args.until, shop_id=args.shop)
    finally:
        db.conn.close()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
        return 0
    print(format_report(report))
    return 0


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _short(value: float | None, missed: bool) -> str:
    return "，未达标" if value is not None and missed else ""


def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} 秒"


def format_report(report) -> str:
    lines = [f"服务数据 {report.since} 至 {report.until}（北京时间）"]
    if not report.shops:
        lines.append("这段时间没有聊天记录。")
    for shop in report.shops:
        lines.append("")
        lines.append(f"{Platform(shop.platform).label} · {shop.shop_name or shop.shop_id}（{shop.shop_id}）")
        if shop.platform is Platform.KUAISHOU:
            rate, good, bad = shop.reply_rate_3min, shop.good_rating_rate, shop.bad_attitude_rate
            lines.append(f"  3 分钟回复率 {_pct(rate)}（考核线 70%{_short(rate, rate is not None and rate < 0.70)}）")
            lines.append(
                f"  好评率 {_pct(good)}（考核线 80%{_short(good, good is not None and good < 0.80)}）"
                f"  服务态度差比例 {_pct(bad)}（≤ 6%{_short(bad, bad is not None and bad > 0.06)}）"
            )
        if shop.effective_reply_daily is not None:
            counted = [d for d in shop.effective_reply_daily if d.consulting_buyers]
            penalties = [d for d in counted if d.penalty]
            lowest = min(counted, key=lambda d: d.rate) if counted else None
            lines.append(
                f"  有效回复率：{len(counted)} 天有咨询，最低 {_pct(lowest.rate if lowest else None)}"
                f"{f'（{lowest.date}）' if lowest else ''}；可能被扣 1000 元的日子：{len(penalties)} 天"
                + (f"（{'、'.join(str(d.date) for d in penalties)}）" if penalties else "")
            )
        lines.append(f"  平均响应 {_secs(shop.avg_response_s)}  平均首次响应 {_secs(shop.avg_first_response_s)}")
    if report.agents:
        lines.append("")
        lines.append("客服：咨询人数 / 回复率 / 平均响应 / 销售额 / 转化率")
        for agent in report.agents:
            sales = "—" if not agent.has_order_data else f"{agent.sales_fen / 100:.2f} 元"
            lines.append(
                f"  {agent.agent_id or '（未接待）'}：{agent.consulting_buyers} / {_pct(agent.reply_rate)} / "
                f"{_secs(agent.avg_response_s)} / {sales} / {_pct(agent.conversion)}"
            )
    return "\n".join(lines)
