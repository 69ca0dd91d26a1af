"""Guards against Qt binding releases that would crash a long-running app.

PySide6 6.12.0 under Python 3.11 drops one reference to None every time Qt calls a
Python override of a void virtual (timerEvent, paintEvent, …); the asyncio loop alone
does that thousands of times a minute, and the app aborts with "deallocating None".
"""

from __future__ import annotations

import asyncio
import sys

from PySide6.QtCore import QCoreApplication, QObject


class _Ticker(QObject):
    def __init__(self):
        super().__init__()
        self.fired = 0

    def timerEvent(self, event):
        self.fired += 1
        self.killTimer(event.timerId())


def test_overriding_a_qt_virtual_does_not_leak_references_to_none(qapp):
    ticker = _Ticker()
    before = sys.getrefcount(None)
    for _ in range(2000):
        ticker.startTimer(0)
        QCoreApplication.processEvents()
    assert ticker.fired == 2000
    assert sys.getrefcount(None) - before > -100


def test_the_asyncio_loop_on_qt_does_not_drain_none(qtbot, qloop):
    async def spin():
        for _ in range(2000):
            await asyncio.sleep(0)
        return True

    before = sys.getrefcount(None)
    task = qloop.create_task(spin())
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result()
    assert sys.getrefcount(None) - before > -100
