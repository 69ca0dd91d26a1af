"""Runs the desktop session: shows the main window, loads it, and ends it cleanly.

Also owns the last-resort error handling (a short Chinese message with the log path,
never a bare traceback) and the `--screenshot` path used for the README picture.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from workstation.ui.crash import show_crash_message
from workstation.ui.gc_guard import QtThreadGarbageCollector
from workstation.ui.main_window import MainWindow
from workstation.ui.single_instance import InstanceServer, hand_over_to_running_instance

log = logging.getLogger(__name__)

SCREENSHOT_SETTLE_MS = 400


class _FirstPaint(QObject):
    def __init__(self, started: float):
        super().__init__()
        self.started = started
        self.elapsed_ms: float | None = None

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and self.elapsed_ms is None:
            self.elapsed_ms = (time.monotonic() - self.started) * 1000
            log.info("first window painted %.0f ms after start", self.elapsed_ms)
        return False


class Shell:
    def __init__(self, app: QApplication, services, *, log_file: Path | None, screenshot: Path | None, started: float):
        self.app = app
        self.services = services
        self.log_file = log_file
        self.screenshot = screenshot
        self.first_paint = _FirstPaint(started)
        self.window: MainWindow | None = None
        self.instance_server: InstanceServer | None = None
        self.garbage_collector: QtThreadGarbageCollector | None = None
        self._quit = asyncio.Event()
        self._exit_code = 0

    def _install_error_hooks(self) -> None:
        def excepthook(kind, value, tb):
            log.critical("unexpected error", exc_info=(kind, value, tb))
            show_crash_message(self.window, value, self.log_file)

        def loop_handler(loop, context):
            error = context.get("exception") or RuntimeError(context.get("message", "asyncio error"))
            log.error("unhandled asyncio error: %s", context.get("message"), exc_info=error)
            show_crash_message(self.window, error, self.log_file)

        sys.excepthook = excepthook
        asyncio.get_running_loop().set_exception_handler(loop_handler)

    def settings(self) -> QSettings:
        return QSettings(str(self.services.paths.settings_file), QSettings.Format.IniFormat)

    async def run(self) -> int:
        self._install_error_hooks()
        if self.screenshot is None and hand_over_to_running_instance(self.services.paths.root):
            print("Workstation 已在运行，已切换到已打开的窗口。")
            return 0
        self.garbage_collector = QtThreadGarbageCollector()
        self.window = MainWindow(self.services)
        if self.screenshot is None:
            self.instance_server = InstanceServer(self.services.paths.root)
            self.instance_server.activation_requested.connect(self.bring_to_front)
        self.window.installEventFilter(self.first_paint)
        self.window.restore_state(self.settings())
        self.app.aboutToQuit.connect(self._quit.set)
        self.app.lastWindowClosed.connect(self._quit.set)
        self.window.show()
        await self.window.load()
        if self.screenshot is not None:
            await self._take_screenshot(self.screenshot)
        else:
            await self._quit.wait()
        await self._shutdown()
        return self._exit_code

    def bring_to_front(self) -> None:
        window = self.window
        if window is None:
            return
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()

    async def _take_screenshot(self, path: Path) -> None:
        # Let layouts settle and the first frames paint before grabbing; the loop keeps
        # Qt processing events while we sleep (never processEvents() inside a coroutine).
        await asyncio.sleep(SCREENSHOT_SETTLE_MS / 1000)
        pixmap = self.window.grab()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not pixmap.save(str(path), "PNG"):
            print(f"无法保存截图到 {path}", file=sys.stderr)
            self._exit_code = 1
            return
        painted = self.first_paint.elapsed_ms
        print(f"screenshot saved: {path} (first paint {painted:.0f} ms)" if painted else f"screenshot saved: {path}")

    async def _shutdown(self) -> None:
        if self.instance_server is not None:
            self.instance_server.close()
        if self.window is not None:
            self.window.save_state(self.settings())
            self.window.tasks.cancel_all()
            self.window.hide()
        for hook in self.services.extras.get("shutdown_hooks", []):
            try:
                await hook()
            except Exception:
                log.exception("shutdown hook failed")
        await self.services.aclose()
        if self.garbage_collector is not None:
            self.garbage_collector.stop()
        QTimer.singleShot(0, self.app.quit)
