"""Cyclic garbage is collected on the Qt thread, never by chance on a worker thread."""

from __future__ import annotations

import gc
import threading

from workstation.ui.gc_guard import QtThreadGarbageCollector


class _Cycle:
    collected_on: list[str] = []

    def __init__(self):
        self.me = self

    def __del__(self):
        _Cycle.collected_on.append(threading.current_thread().name)


def test_automatic_collection_is_off_and_the_timer_collects_on_the_qt_thread(qtbot):
    guard = QtThreadGarbageCollector()
    try:
        assert not gc.isenabled()
        _Cycle.collected_on.clear()
        for _ in range(guard.threshold[0] + 50):
            _Cycle()
        worker = threading.Thread(target=lambda: [object() for _ in range(10_000)], name="worker")
        worker.start()
        worker.join()
        assert _Cycle.collected_on == []  # nothing collected by chance on the worker
        qtbot.waitUntil(lambda: bool(_Cycle.collected_on), timeout=5000)
        assert set(_Cycle.collected_on) == {threading.main_thread().name}
    finally:
        guard.timer.stop()
        gc.collect()
