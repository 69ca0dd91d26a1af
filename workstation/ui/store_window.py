"""What the tool windows over the history database (聊天记录, 服务数据) share: their own store
connection when given a path, a task keeper whose failures show in the status line, and
opening as a shown window that deletes itself on close."""

from __future__ import annotations

from collections.abc import Coroutine
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from workstation.store.worker import StoreWorker
from workstation.ui.tasks import TaskKeeper

W = TypeVar("W", bound="StoreWindow")


class StoreWindow(QMainWindow):
    status: QLabel  # the window's status line; a subclass builds it

    def __init__(self, store: StoreWorker | Path, parent: QWidget | None = None):
        super().__init__(parent)
        # Given the database path, the window opens its own connection on its own thread, so a
        # long import or report never queues the inbox's database work behind it (WAL lets both run).
        self.own_store = not isinstance(store, StoreWorker)
        self.store = StoreWorker(Path(store)) if self.own_store else store
        self.tasks = TaskKeeper(on_error=self._task_failed)

    def _task_failed(self, error: BaseException) -> None:
        self.status.setText(self.tr("操作失败：{0}（详情见日志）").format(error))

    def closeEvent(self, event) -> None:
        self.tasks.cancel_all()
        if self.own_store:
            self.store.close()
        super().closeEvent(event)


def show_store_window(window: W, first_task: Coroutine, name: str) -> W:
    """Show `window`, deleted when closed, with `first_task` (its initial load) running."""
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    window.tasks.spawn(first_task, name=name)
    return window
