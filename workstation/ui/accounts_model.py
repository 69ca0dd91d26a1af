"""A table model of the shop accounts, for the 账号管理 dialog."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from workstation.domain.accounts import ShopAccount

_HEADERS = ("平台", "店铺名称", "店铺ID", "登录账号", "状态")


class AccountsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._accounts: list[ShopAccount] = []

    def set_accounts(self, accounts: list[ShopAccount]) -> None:
        self.beginResetModel()
        self._accounts = list(accounts)
        self.endResetModel()

    def account_at(self, row: int) -> ShopAccount | None:
        return self._accounts[row] if 0 <= row < len(self._accounts) else None

    def row_of(self, account_id: int | None) -> int:
        for row, account in enumerate(self._accounts):
            if account.id == account_id:
                return row
        return -1

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._accounts)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(_HEADERS):
            return _HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        account = self._accounts[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                account.platform.label,
                account.display_name,
                account.shop_id,
                account.login,
                "启用" if account.enabled else "已停用",
            )[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return QColor(account.colour)
        if role == Qt.ItemDataRole.ForegroundRole and not account.enabled:
            return QColor("#9ca3af")
        if role == Qt.ItemDataRole.UserRole:
            return account.id
        return None
