"""Keeps a reference to every asyncio task a widget starts and reports its failure.

Slots connect thin wrappers that call `tasks.spawn(self.some_coroutine())`; the
coroutine itself stays a plain awaitable that tests can await directly.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable, Coroutine

log = logging.getLogger(__name__)


class TaskKeeper:
    def __init__(self, on_error: Callable[[BaseException], None] | None = None):
        self._tasks: set[asyncio.Task] = set()
        self._on_error = on_error

    def spawn(self, coro: Coroutine, *, name: str | None = None) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        if name:
            task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("task %s failed", task.get_name(), exc_info=error)
            if self._on_error is not None:
                self._on_error(error)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
