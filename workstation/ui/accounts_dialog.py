"""账号管理: add, edit, disable and remove the shop accounts an agent signs into."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.accounts import AccountService
from workstation.domain.accounts import SHOP_COLOURS, AccountInvalid, ShopAccount
from workstation.domain.platforms import Platform
from workstation.secrets import SecretsUnavailable
from workstation.store import StoreError
from workstation.ui.accounts_model import AccountsModel
from workstation.ui.tasks import TaskKeeper

log = logging.getLogger(__name__)


def colour_icon(colour: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class AccountsDialog(QDialog):
    """Non-modal; emits `accounts_changed` after every successful change."""

    accounts_changed = Signal()

    def __init__(self, service: AccountService, parent: QWidget | None = None):
        super().__init__(parent)
        self.service = service
        self.tasks = TaskKeeper(on_error=self._unexpected)
        self.setWindowTitle(self.tr("账号管理"))
        self.resize(860, 460)
        self._editing: ShopAccount | None = None
        self._pending_removal: ShopAccount | None = None

        self.model = AccountsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _: self._load_row(current.row()))
        self.empty_hint = QLabel(self.tr("还没有店铺账号。填写右侧表单，按“保存”添加第一个账号。"))
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setObjectName("emptyHint")

        self.new_button = QPushButton(self.tr("新建(&N)"))
        self.new_button.setToolTip(self.tr("新建账号 (Ctrl+N)"))
        self.toggle_button = QPushButton(self.tr("停用(&D)"))
        self.remove_button = QPushButton(self.tr("删除(&R)…"))
        self.remove_button.setToolTip(self.tr("删除账号及其在钥匙串中的密码和令牌 (Delete)"))
        for button in (self.toggle_button, self.remove_button):
            button.setEnabled(False)

        self.platform_combo = QComboBox()
        for platform in Platform:
            self.platform_combo.addItem(platform.label, platform.value)
        self.shop_id_edit = QLineEdit()
        self.shop_id_edit.setPlaceholderText(self.tr("平台上的店铺编号"))
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("列表里显示的店铺名称"))
        self.login_edit = QLineEdit()
        self.login_edit.setPlaceholderText(self.tr("子账号，例如 店铺名:小王"))
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.gateway_edit = QLineEdit()
        self.gateway_edit.setPlaceholderText(self.tr("开放平台网关地址（可留空使用平台默认）"))
        self.app_key_edit = QLineEdit()
        self.app_secret_edit = QLineEdit()
        self.app_secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.colour_combo = QComboBox()
        for colour in SHOP_COLOURS:
            self.colour_combo.addItem(colour_icon(colour), colour, colour)

        form = QFormLayout()
        form.addRow(self.tr("平台(&P)"), self.platform_combo)
        form.addRow(self.tr("店铺ID(&I)"), self.shop_id_edit)
        form.addRow(self.tr("店铺名称(&M)"), self.name_edit)
        form.addRow(self.tr("登录账号(&L)"), self.login_edit)
        form.addRow(self.tr("密码(&W)"), self.password_edit)
        form.addRow(self.tr("颜色(&C)"), self.colour_combo)
        form.addRow(self.tr("网关"), self.gateway_edit)
        form.addRow(self.tr("AppKey"), self.app_key_edit)
        form.addRow(self.tr("AppSecret"), self.app_secret_edit)
        self.password_note = QLabel()
        self.password_note.setObjectName("hint")
        self.password_note.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.status_label = QLabel()
        self.status_label.setObjectName("hint")
        self.save_button = QPushButton(self.tr("保存(&S)"))
        self.save_button.setDefault(True)
        self.save_button.setToolTip(self.tr("保存账号 (Ctrl+S 或 Enter)"))

        self.confirm_bar = QFrame()
        self.confirm_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.confirm_label = QLabel()
        self.confirm_label.setWordWrap(True)
        self.confirm_yes = QPushButton(self.tr("确认删除"))
        self.confirm_no = QPushButton(self.tr("取消"))
        confirm_layout = QHBoxLayout(self.confirm_bar)
        confirm_layout.addWidget(self.confirm_label, 1)
        confirm_layout.addWidget(self.confirm_yes)
        confirm_layout.addWidget(self.confirm_no)
        self.confirm_bar.hide()

        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addWidget(self.empty_hint)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.toggle_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        left.addLayout(buttons)
        left.addWidget(self.confirm_bar)
        right = QVBoxLayout()
        self.form_title = QLabel()
        self.form_title.setStyleSheet("font-weight: 600;")
        right.addWidget(self.form_title)
        right.addLayout(form)
        right.addWidget(self.password_note)
        right.addWidget(self.error_label)
        right.addStretch(1)
        save_row = QHBoxLayout()
        save_row.addWidget(self.status_label, 1)
        save_row.addWidget(self.save_button)
        right.addLayout(save_row)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

        self.new_button.clicked.connect(self.start_new)
        self.save_button.clicked.connect(lambda: self.tasks.spawn(self.save()))
        self.toggle_button.clicked.connect(lambda: self.tasks.spawn(self.toggle_enabled()))
        self.remove_button.clicked.connect(self.ask_remove)
        self.confirm_yes.clicked.connect(lambda: self.tasks.spawn(self.remove_confirmed()))
        self.confirm_no.clicked.connect(self._hide_confirm)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.start_new)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=lambda: self.tasks.spawn(self.save()))
        QShortcut(QKeySequence.StandardKey.Delete, self.table, activated=self.ask_remove)
        self.start_new()

    # ---- loading -----------------------------------------------------------

    async def reload(self, select_id: int | None = None) -> None:
        try:
            accounts = await self.service.list()
        except StoreError as exc:
            self.error_label.setText(str(exc))
            return
        self.model.set_accounts(accounts)
        self.empty_hint.setVisible(not accounts)
        row = self.model.row_of(select_id) if select_id is not None else -1
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.start_new()

    def _load_row(self, row: int) -> None:
        account = self.model.account_at(row)
        if account is None:
            return
        self._editing = account
        self.form_title.setText(self.tr("编辑账号"))
        self.platform_combo.setCurrentIndex(self.platform_combo.findData(account.platform.value))
        self.shop_id_edit.setText(account.shop_id)
        self.name_edit.setText(account.display_name)
        self.login_edit.setText(account.login)
        self.password_edit.clear()
        self.app_secret_edit.clear()
        self.gateway_edit.setText(account.extra.get("gateway", ""))
        self.app_key_edit.setText(account.extra.get("app_key", ""))
        index = self.colour_combo.findData(account.colour)
        if index < 0:
            self.colour_combo.addItem(colour_icon(account.colour), account.colour, account.colour)
            index = self.colour_combo.count() - 1
        self.colour_combo.setCurrentIndex(index)
        self.password_note.setText(self.tr("密码已保存在系统钥匙串中；留空表示不修改。"))
        self.toggle_button.setEnabled(True)
        self.remove_button.setEnabled(True)
        self.toggle_button.setText(self.tr("停用(&D)") if account.enabled else self.tr("启用(&E)"))
        self.error_label.clear()

    def start_new(self) -> None:
        self._editing = None
        self.table.clearSelection()
        self.form_title.setText(self.tr("添加账号"))
        for edit in (self.shop_id_edit, self.name_edit, self.login_edit, self.password_edit,
                     self.gateway_edit, self.app_key_edit, self.app_secret_edit):
            edit.clear()
        self.colour_combo.setCurrentIndex(self.model.rowCount() % len(SHOP_COLOURS))
        self.password_note.setText(self.tr("密码只保存在系统钥匙串中，不会写入数据库或日志。"))
        self.toggle_button.setEnabled(False)
        self.remove_button.setEnabled(False)
        self.error_label.clear()
        self.platform_combo.setFocus()

    # ---- actions -----------------------------------------------------------

    def _candidate(self) -> ShopAccount:
        extra = dict(self._editing.extra) if self._editing else {}
        for key, edit in (("gateway", self.gateway_edit), ("app_key", self.app_key_edit)):
            value = edit.text().strip()
            if value:
                extra[key] = value
            else:
                extra.pop(key, None)
        return ShopAccount(
            id=self._editing.id if self._editing else None,
            platform=Platform(self.platform_combo.currentData()),
            shop_id=self.shop_id_edit.text(),
            display_name=self.name_edit.text(),
            login=self.login_edit.text(),
            colour=self.colour_combo.currentData(),
            enabled=self._editing.enabled if self._editing else True,
            extra=extra,
        )

    async def save(self) -> ShopAccount | None:
        self.error_label.clear()
        candidate = self._candidate()
        secrets = {"password": self.password_edit.text(), "app_secret": self.app_secret_edit.text()}
        self.save_button.setEnabled(False)
        try:
            saved = await self.service.save(candidate, secrets)
        except AccountInvalid as exc:
            self.error_label.setText("\n".join(exc.problems.values()))
            self._focus_problem(exc.problems)
            return None
        except (SecretsUnavailable, StoreError) as exc:
            self.error_label.setText(str(exc))
            return None
        finally:
            self.save_button.setEnabled(True)
        self.status_label.setText(self.tr("已保存 %s") % saved.display_name)
        await self.reload(select_id=saved.id)
        self.accounts_changed.emit()
        return saved

    def _focus_problem(self, problems: dict[str, str]) -> None:
        for name, widget in (("platform", self.platform_combo), ("shop_id", self.shop_id_edit),
                             ("display_name", self.name_edit), ("login", self.login_edit),
                             ("password", self.password_edit)):
            if name in problems:
                widget.setFocus()
                return

    async def toggle_enabled(self) -> None:
        if self._editing is None:
            return
        try:
            saved = await self.service.set_enabled(self._editing, not self._editing.enabled)
        except StoreError as exc:
            self.error_label.setText(str(exc))
            return
        self.status_label.setText(self.tr("已启用 %s") % saved.display_name if saved.enabled
                                  else self.tr("已停用 %s") % saved.display_name)
        await self.reload(select_id=saved.id)
        self.accounts_changed.emit()

    def ask_remove(self) -> None:
        if self._editing is None:
            return
        self._pending_removal = self._editing
        self.confirm_label.setText(
            self.tr("确定删除“%s”吗？其密码和令牌也会从系统钥匙串删除；聊天记录保留。") % self._editing.display_name
        )
        self.confirm_bar.show()
        self.confirm_no.setFocus()

    def _hide_confirm(self) -> None:
        self._pending_removal = None
        self.confirm_bar.hide()

    async def remove_confirmed(self) -> None:
        account = self._pending_removal
        self._hide_confirm()
        if account is None:
            return
        try:
            await self.service.remove(account)
        except (SecretsUnavailable, StoreError) as exc:
            self.error_label.setText(str(exc))
            return
        self.status_label.setText(self.tr("已删除 %s") % account.display_name)
        await self.reload()
        self.accounts_changed.emit()

    def _unexpected(self, error: BaseException) -> None:
        self.error_label.setText(self.tr("操作失败：%s（详情见日志）") % error)

    def keyPressEvent(self, event):
        # Enter in a form field saves instead of closing the dialog.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.table.hasFocus():
            self.tasks.spawn(self.save())
            return
        super().keyPressEvent(event)
