"""Command line: `workstation` starts the app; subcommands serve scripts, team leads and reviewers.

Subcommand modules register themselves through `add_arguments(parser)` / `run(args)`
and are imported only when the parser is built, so `workstation --version` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from workstation import __version__

# name, module, add-arguments function, run function, help text
SUBCOMMANDS: list[tuple[str, str, str, str, str]] = [
    ("emulator", "workstation.shops.emulator_cli", "add_arguments", "run", "平台模拟器：本地模拟五个平台的开放接口、店铺和买家"),
    ("compliance", "workstation.compliance.cli", "add_arguments", "run", "合规检查：检查要发送的文字或图片是否违反平台规则"),
    ("quickreply", "workstation.quickreply.cli", "add_arguments", "run", "快捷短语库：检查、导入、导出"),
    ("history", "workstation.history.cli", "add_history_arguments", "run_history", "聊天记录：导入、导出归档"),
    ("report", "workstation.history.cli", "add_report_arguments", "run_report", "服务指标报表：按平台规则计算回复率、满意度等"),
]


def _add_data_dir(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS if suppress else None,
        help="数据目录：数据库、日志、设置和缓存都放在这里（默认：系统的用户数据目录）",
    )


_OPTIONS_WITH_VALUES = {"--data-dir", "--screenshot"}


def _chosen_subcommand(argv: list[str]) -> str | None:
    names = {entry[0] for entry in SUBCOMMANDS}
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in _OPTIONS_WITH_VALUES:
            skip = True
        elif not token.startswith("-"):
            return token if token in names else None
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the subcommand named in `argv` (all when None) imports its module."""
    parser = argparse.ArgumentParser(
        prog="workstation",
        description="Workstation 多店铺客服工作台：一个收件箱处理拼多多、淘宝/天猫、抖店、快手、京东多个店铺的买家消息。",
        epilog="不带子命令时启动桌面程序。示例：workstation --demo",
    )
    parser.add_argument("--version", action="version", version=f"workstation {__version__}", help="显示版本号后退出")
    _add_data_dir(parser, suppress=False)
    parser.add_argument("--demo", action="store_true", help="演示模式：启动本地平台模拟器并登录一组演示店铺")
    parser.add_argument(
        "--screenshot", type=Path, metavar="FILE.png",
        help="窗口加载完成后把主窗口保存为 PNG 并退出（可在无界面环境下运行）",
    )
    parser.add_argument("--verbose", action="store_true", help="日志中记录调试信息")
    if SUBCOMMANDS:
        sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="子命令")
        chosen = _chosen_subcommand(argv) if argv is not None else None
        for name, module_name, add_name, run_name, help_text in SUBCOMMANDS:
            child = sub.add_parser(name, help=help_text, description=help_text)
            _add_data_dir(child, suppress=True)
            if argv is None or name == chosen:
                module = importlib.import_module(module_name)
                getattr(module, add_name)(child)
                child.set_defaults(_run=getattr(module, run_name))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    run = getattr(args, "_run", None)
    if run is not None:
        if args.data_dir is None:
            from workstation.paths import default_data_dir

            args.data_dir = default_data_dir()
        return int(run(args) or 0)
    if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
        parser.error("--screenshot 需要一个 .png 文件名")
    from workstation.app import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
