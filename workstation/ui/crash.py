"""The short Chinese message shown for an unexpected error, pointing at the log instead of a traceback."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget


def crash_text(error: BaseException, log_file: Path | None) -> str:
    where = f"详细信息已写入日志：{log_file}" if log_file else "日志无法写入，详细信息已输出到终端。"
    return f"出现了意外错误（{type(error).__name__}）。已保存的数据不会丢失。\n{where}\n如果问题反复出现，请把日志文件发给技术支持。"


def show_crash_message(parent: QWidget | None, error: BaseException, log_file: Path | None) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, "Workstation", crash_text(error, log_file), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("crashMessage")
    box.setTextInteractionFlags(box.textInteractionFlags())
    box.open()  # never exec(): this may be called from inside a coroutine
    return box
