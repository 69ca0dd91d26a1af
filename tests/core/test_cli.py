"""The command line, including the `--demo --screenshot` path end to end in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from workstation import __version__
from workstation.cli import build_parser, main
from workstation.logsetup import RedactingFormatter


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_help_is_in_chinese_with_english_option_names():
    text = build_parser().format_help()
    assert "--data-dir" in text and "--demo" in text and "--screenshot" in text
    assert "数据目录" in text and "演示模式" in text


def test_screenshot_needs_a_png_name(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--screenshot", "x.jpg"])
    assert caught.value.code == 2
    assert ".png" in capsys.readouterr().err


def test_logs_never_carry_tokens_or_full_phone_numbers():
    import logging

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "access_token=abc123 password: hunter2 buyer 13812345678", None, None)
    text = RedactingFormatter("%(message)s").format(record)
    assert "abc123" not in text and "hunter2" not in text and "13812345678" not in text
    assert "138****5678" in text


@pytest.mark.e2e
def test_demo_screenshot_end_to_end(tmp_path):
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "workstation", "--demo", "--data-dir", str(tmp_path / "data"), "--screenshot", str(shot)],
        capture_output=True, text=True, timeout=90, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() >= 800 and image.height() >= 500
    log_text = (tmp_path / "data" / "logs" / "workstation.log").read_text(encoding="utf-8")
    assert "first window painted" in log_text
    assert "demo-pdd-1" not in log_text  # demo secrets never reach the log


@pytest.mark.parametrize("name", [entry[0] for entry in __import__("workstation.cli", fromlist=["SUBCOMMANDS"]).SUBCOMMANDS])
def test_every_subcommand_has_help_and_takes_the_global_data_dir_in_either_place(name, tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main([name, "--help"])
    assert caught.value.code == 0
    assert "--data-dir" in capsys.readouterr().out
    parser = build_parser()
    subparser_actions = [a for a in parser._actions if a.dest == "command"]
    assert subparser_actions and name in subparser_actions[0].choices
    child = subparser_actions[0].choices[name]
    child_option = next(a for a in child._actions if a.dest == "data_dir")
    assert child_option.default is __import__("argparse").SUPPRESS  # never hides a --data-dir given before the command


def test_version_and_help_do_not_import_the_subcommands():
    code = (
        "import sys\n"
        "from workstation.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('workstation.compliance', 'workstation.history', 'workstation.shops.emulator', 'PySide6.QtWidgets') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().endswith("[]"), result.stdout + result.stderr
