"""Where the team library is published and fetched from: a shared folder or a WebDAV URL.

The WebDAV password goes to the keyring (through `save_subscription`), never into the settings file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget,
)

from workstation.quickreply.remote import RemoteNotFound, SyncError, WebDavRemote
from workstation.quickreply.sync import Subscription, load_subscription, open_remote, save_subscription
from workstation.ui.tasks import TaskKeeper


class TeamSourceForm(QDialog):
    """Where the team library lives: a shared folder or a WebDAV URL (password to the keyring).

    Used by leads (publish) and agents (subscribe); the settings dialog can embed it too.
    """

    saved = Signal(object)  # Subscription

    def __init__(self, data_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("团队话术来源")
        self.data_dir = Path(data_dir)
        self.tasks = TaskKeeper(on_error=lambda exc: self._say(f"操作失败：{exc}", error=True))
        current = load_subscription(self.data_dir)
        self.kind_field = QComboBox(self)
        self.kind_field.addItem("WebDAV（坚果云、Nextcloud、NAS）", "webdav")
        self.kind_field.addItem("共享文件夹（网络盘、同步盘）", "folder")
        self.location_field = QLineEdit(self)
        self.location_field.setPlaceholderText("https://dav.jianguoyun.com/dav/客服/ 或 Z:\\客服\\话术")
        self.username_field = QLineEdit(self)
        self.password_field = QLineEdit(self)
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.setPlaceholderText("留空表示沿用已保存的密码")
        if current is not None:
            self.kind_field.setCurrentIndex(0 if current.kind == "webdav" else 1)
            self.location_field.setText(current.location)
            self.username_field.setText(current.username)
        self.test_button = QPushButton("测试连接", self)
        self.test_button.clicked.connect(lambda: self.tasks.spawn(self.test_connection(), name="test-source"))
        self.save_button = QPushButton("保存", self)
        self.save_button.clicked.connect(lambda: self.tasks.spawn(self.save(), name="save-source"))
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("类型", self.kind_field)
        form.addRow("地址", self.location_field)
        form.addRow("用户名", self.username_field)
        form.addRow("密码", self.password_field)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        form.addRow(self.message_label)

    def subscription(self) -> Subscription | None:
        kind = self.kind_field.currentData()
        location = self.location_field.text().strip()
        if not location:
            self._say("请填写地址。", error=True)
            return None
        if kind == "webdav":
            try:
                WebDavRemote(location)
            except ValueError as exc:
                self._say(str(exc), error=True)
                return None
        return Subscription(kind, location, self.username_field.text().strip() if kind == "webdav" else "")

    async def save(self) -> bool:
        subscription = self.subscription()
        if subscription is None:
            return False
        password = self.password_field.text() or None
        from workstation.secrets import SecretsUnavailable

        try:
            # keyring calls can block for seconds on some desktops
            await asyncio.to_thread(save_subscription, self.data_dir, subscription, password)
        except SecretsUnavailable as exc:
            self._say(str(exc), error=True)
            return False
        except OSError as exc:
            self._say(f"无法保存设置：{exc.strerror or exc}", error=True)
            return False
        self.password_field.clear()
        self._say("已保存。")
        self.saved.emit(subscription)
        return True

    async def test_connection(self) -> bool:
        subscription = self.subscription()
        if subscription is None:
            return False
        password = self.password_field.text()
        try:
            if subscription.kind == "webdav" and password:
                remote = WebDavRemote(subscription.location, subscription.username, password)
            else:
                remote = await asyncio.to_thread(open_remote, subscription)
            version = await remote.fetch(None)
        except RemoteNotFound:
            self._say("连接成功，服务器上还没有团队话术库（发布后就会出现）。")
            return True
        except SyncError as exc:
            self._say(str(exc), error=True)
            return False
        self._say(f"连接成功，找到团队话术库（{len(version.data or b'') // 1024} KB）。")
        return True

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet("color:#b91c1c" if error else "")
        self.message_label.setText(text)
