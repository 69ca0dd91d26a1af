"""Qt + asyncio for tests, the way the app runs them: one qasync loop on the Qt event loop.

The loop is marked running for the whole test, so coroutines advance whenever Qt
processes events — while qtbot waits for a signal, exactly as in the app.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import qasync
from PySide6.QtWidgets import QApplication


@pytest.fixture
def qloop(qapp):
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    deadline = time.monotonic() + 5
    while any(not task.done() for task in pending) and time.monotonic() < deadline:
        QApplication.processEvents()
    # stop() would call QApplication.exit(), which ends the next test's waits at once.
    asyncio.events._set_running_loop(None)
    loop._after_run_forever()
    loop._QEventLoop__is_running = False
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def arun(qloop, qtbot):
    """`arun(coro)` awaits a coroutine while Qt keeps processing events; returns its result."""

    def run(coro, timeout: int = 10_000):
        task = qloop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=timeout)
        return task.result()

    return run
