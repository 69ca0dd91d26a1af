"""Alerts: a tray notification and a sound for new buyer messages, a repeating reminder while
any buyer waits past the amber threshold, per-shop mute, do-not-disturb, and the unread
total in the window title and the tray icon.

Sounds are bundled WAVs (resources/sounds, made by its generate.py) played with
QtMultimedia; where that backend is missing the alert falls back to the system beep.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QWidget

from workstation.domain.deadlines import Urgency, format_wait, urgency
from workstation.domain.messages import Message, MessageType, Sender
from workstation.ui.inbox_model import InboxModel, display_nick

log = logging.getLogger(__name__)

REPEAT_S = 30
SOUND_GAP_S = 1.5
BASE_TITLE = "Workstation 客服工作台"


def sounds_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources" / "sounds"
    return Path(__file__).resolve().parents[2] / "resources" / "sounds"


def badge_icon(unread: int, size: int = 64) -> QIcon:
    """The tray icon: a calm blue 客 with a red unread count."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#2563eb"))
    painter.drawRoundedRect(QRectF(2, 2, size - 4, size - 4), size * 0.2, size * 0.2)
    font = QFont()
    font.setPixelSize(int(size * 0.55))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "客")
    if unread > 0:
        text = "99+" if unread > 99 else str(unread)
        badge = QRectF(size * 0.42, 0, size * 0.58, size * 0.42)
        painter.setBrush(QColor("#ef4444"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        font.setPixelSize(int(size * 0.28))
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pixmap)


class _Sounds:
    """The loaded effects, one set per process: an effect must outlive any window that plays it,
    as the audio backend keeps playing on its own threads after `play()` returns."""

    _shared: "_Sounds | None" = None

    @classmethod
    def shared(cls) -> "_Sounds":
        if cls._shared is None:
            cls._shared = cls(QApplication.instance())
        return cls._shared

    def __init__(self, parent: QObject):
        self.effects: dict[str, object] = {}
        if os.environ.get("WORKSTATION_SILENT"):
            return  # CI and benchmarks: record alerts, play nothing
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError as exc:  # e.g. no audio library on this machine
            log.warning("QtMultimedia unavailable, alerts use the system beep: %s", exc)
            return
        for name in ("new_message", "overdue"):
            path = sounds_dir() / f"{name}.wav"
            if not path.exists():
                log.warning("alert sound missing: %s", path)
                continue
            effect = QSoundEffect(parent)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(0.6)
            self.effects[name] = effect

    def play(self, name: str) -> None:
        effect = self.effects.get(name)
        if effect is not None:
            effect.play()
        elif not os.environ.get("WORKSTATION_SILENT"):
            QApplication.beep()


class AlertCenter(QObject):
    """Decides when to ring; `played` and `notified` record what it did (the tests read them)."""

    dnd_changed = Signal(bool)
    mutes_changed = Signal()

    def __init__(self, window: QWidget, inbox: InboxModel, settings: QSettings | None = None,
                 *, is_viewing=None, repeat_s: int = REPEAT_S, with_tray: bool = True):
        super().__init__(window)
        self.window = window
        self.inbox = inbox
        self.settings = settings
        self.is_viewing = is_viewing or (lambda key: False)
        self.played: list[str] = []
        self.notified: list[tuple[str, str]] = []
        self._last_sound = 0.0
        self.dnd = bool(settings.value("alerts/dnd", False, type=bool)) if settings else False
        muted = settings.value("alerts/muted", [], type=list) if settings else []
        self.muted: set[tuple[str, str]] = {tuple(item.split(":", 1)) for item in muted or [] if ":" in item}
        inbox.set_muted(self.muted)
        self.sounds = _Sounds.shared()
        self.tray: QSystemTrayIcon | None = None
        if with_tray and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(badge_icon(0), self)
            menu = QMenu(window)
            menu.addAction("显示工作台", self._raise_window)
            self.dnd_action = menu.addAction("免打扰")
            self.dnd_action.setCheckable(True)
            self.dnd_action.setChecked(self.dnd)
            self.dnd_action.toggled.connect(self.set_dnd)
            self.tray.setContextMenu(menu)
            self.tray.activated.connect(lambda _reason: self._raise_window())
            self.tray.show()
        self.repeat = QTimer(self)
        self.repeat.setInterval(max(repeat_s, 5) * 1000)
        self.repeat.timeout.connect(self.remind_overdue)
        self.repeat.start()
        inbox.totals_changed.connect(self.update_unread)
        self.update_unread()

    # ---- settings -------------------------------------------------------------------------------

    def set_dnd(self, on: bool) -> None:
        if on == self.dnd:
            return
        self.dnd = on
        if self.settings is not None:
            self.settings.setValue("alerts/dnd", on)
        if self.tray is not None and self.dnd_action.isChecked() != on:
            self.dnd_action.setChecked(on)
        self.dnd_changed.emit(on)

    def toggle_dnd(self) -> None:
        self.set_dnd(not self.dnd)

    def is_muted(self, shop: tuple[str, str]) -> bool:
        return tuple(shop) in self.muted

    def set_muted(self, shop: tuple[str, str], muted: bool) -> None:
        shop = tuple(shop)
        if muted:
            self.muted.add(shop)
        else:
            self.muted.discard(shop)
        if self.settings is not None:
            self.settings.setValue("alerts/muted", sorted(f"{p}:{s}" for p, s in self.muted))
        self.inbox.set_muted(self.muted)
        self.mutes_changed.emit()

    def toggle_mute(self, shop: tuple[str, str]) -> bool:
        self.set_muted(shop, not self.is_muted(shop))
        return self.is_muted(shop)

    # ---- ringing ---------------------------------------------------------------------------------

    def _quiet_for(self, message: Message) -> bool:
        return self.dnd or (message.platform.value, message.shop_id) in self.muted

    def on_messages(self, messages: list[Message]) -> None:
        fresh = [m for m in messages if m.sender is Sender.BUYER and m.type is not MessageType.EVENT
                 and not self._quiet_for(m)
                 and not self.is_viewing((m.platform.value, m.shop_id, m.conversation_id))]
        if not fresh:
            return
        last = fresh[-1]
        conversation = self.inbox.conversation((last.platform.value, last.shop_id, last.conversation_id))
        shop = self.inbox.shop_info(conversation).name if conversation else (last.shop_name or last.shop_id)
        nick = display_nick(last.buyer_nick, last.buyer_id)
        preview = "[图片]" if last.type is MessageType.IMAGE else " ".join(last.text.split())[:60]
        buyers = {(m.platform.value, m.shop_id, m.conversation_id) for m in fresh}
        title = f"{shop} · {nick}" if len(buyers) == 1 else f"{len(buyers)} 位买家发来新消息"
        self._notify(title, preview)
        self._play("new_message")

    def remind_overdue(self) -> int:
        """Ring again while any unmuted buyer waits past the amber threshold; returns how many."""
        if self.dnd:
            return 0
        now = datetime.now(UTC)
        overdue = []
        for conversation, deadline in self.inbox.waiting():
            if self.inbox.muted(conversation):
                continue
            if urgency(deadline, now, self.inbox.settings) >= Urgency.AMBER:
                overdue.append((deadline.waited(now), conversation))
        if not overdue:
            return 0
        longest, conversation = max(overdue, key=lambda item: item[0])
        self._notify(f"{len(overdue)} 位买家等待较久",
                     f"最久：{display_nick(conversation.buyer_nick)} 已等 {format_wait(longest)}")
        self._play("overdue", force=True)
        return len(overdue)

    def _play(self, name: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_sound < SOUND_GAP_S:
            return
        self._last_sound = now
        self.played.append(name)
        self.sounds.play(name)

    def _notify(self, title: str, text: str) -> None:
        self.notified.append((title, text))
        if self.tray is not None:
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 5000)

    # ---- unread total ------------------------------------------------------------------------------

    def update_unread(self) -> None:
        total = self.inbox.unread_total
        if total == getattr(self, "_shown_total", None):
            return
        self._shown_total = total
        self.window.setWindowTitle(f"({total}) {BASE_TITLE}" if total else BASE_TITLE)
        if self.tray is not None:
            self.tray.setIcon(badge_icon(total))
            self.tray.setToolTip(f"{BASE_TITLE}：{total} 条未读" if total else BASE_TITLE)

    def _raise_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
