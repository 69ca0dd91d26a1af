"""Unexpected errors become a short Chinese message with the log path, never a traceback."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from workstation.ui.crash import crash_text
from workstation.ui.main_window import MainWindow


def test_crash_text_names_the_log_and_reassures():
    text = crash_text(KeyError("x"), Path("/data/logs/workstation.log"))
    assert "/data/logs/workstation.log" in text
    assert "不会丢失" in text
    assert "Traceback" not in text


def test_a_failing_background_task_shows_the_message_without_blocking(qtbot, arun, services):
    window = MainWindow(services)
    qtbot.addWidget(window)
    arun(window.load())

    async def broken():
        raise RuntimeError("boom")

    task = window.tasks.spawn(broken())
    qtbot.waitUntil(task.done)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "crashMessage") is not None)
    box = window.findChild(QMessageBox, "crashMessage")
    assert box.isVisible()  # shown with open(): the test (and the loop) carried on
    assert str(services.paths.log_file) in box.text()
    box.close()
