"""The main window: conversation list left, conversation tabs centre, side panel right, shop states below."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QStackedWidget, QWidget

from workstation.domain.accounts import ShopAccount
from workstation.store import StoreError
from workstation.ui.account_status import AccountStatusRow
from workstation.ui.accounts_dialog import AccountsDialog
from workstation.ui.empty_state import EmptyState
from workstation.ui.tasks import TaskKeeper

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """`loaded` fires once the accounts are read and the panes show real content."""

    loaded = Signal()

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.tasks = TaskKeeper(on_error=self.show_unexpected_error)
        self.accounts: list[ShopAccount] = []
        self.accounts_dialog: AccountsDialog | None = None
        self.setWindowTitle(self.tr("Workstation 客服工作台"))
        self.resize(1280, 800)

        self.no_accounts = EmptyState(
            self.tr("还没有店铺账号"),
            self.tr("添加你负责的店铺子账号后，所有店铺的买家消息会合并到这里。"),
            self.tr("添加账号"),
        )
        self.no_accounts.action_clicked.connect(self.open_accounts)
        self.loading = EmptyState(self.tr("正在打开数据…"))
        self.store_error = EmptyState(self.tr("无法打开数据库"))

        self.list_stack = QStackedWidget()
        self.list_placeholder = EmptyState(self.tr("会话列表"), self.tr("买家发来消息后会出现在这里。"))
        self.list_stack.addWidget(self.list_placeholder)
        self.centre_stack = QStackedWidget()
        for page in (self.loading, self.no_accounts, self.store_error):
            self.centre_stack.addWidget(page)
        self.conversation_placeholder = EmptyState(
            self.tr("没有打开的会话"), self.tr("在左侧列表选中买家，按 Enter 打开会话。")
        )
        self.centre_stack.addWidget(self.conversation_placeholder)
        self.side_stack = QStackedWidget()
        self.side_placeholder = EmptyState(
            self.tr("订单 · 优惠券 · 快捷短语"), self.tr("打开一个会话后，这里显示买家的订单、可发的优惠券和快捷短语。")
        )
        self.side_stack.addWidget(self.side_placeholder)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.list_stack)
        self.splitter.addWidget(self.centre_stack)
        self.splitter.addWidget(self.side_stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([340, 620, 320])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.account_states = AccountStatusRow()
        self.status_message = QLabel()
        self.statusBar().addWidget(self.status_message, 1)
        self.statusBar().addPermanentWidget(self.account_states)
        self._build_menus()

    def _build_menus(self) -> None:
        accounts_menu = self.menuBar().addMenu(self.tr("账号(&A)"))
        self.manage_accounts_action = QAction(self.tr("管理账号…"), self)
        self.manage_accounts_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.manage_accounts_action.triggered.connect(self.open_accounts)
        accounts_menu.addAction(self.manage_accounts_action)
        accounts_menu.addSeparator()
        quit_action = QAction(self.tr("退出"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        accounts_menu.addAction(quit_action)
        self.tools_menu = self.menuBar().addMenu(self.tr("工具(&T)"))
        self.help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        about_action = QAction(self.tr("关于 Workstation"), self)
        about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(about_action)

    # ---- start-up ------------------------------------------------------------

    async def load(self) -> None:
        """Open the database, read the accounts and show the right panes."""
        self.centre_stack.setCurrentWidget(self.loading)
        try:
            await self.services.start()
            await self.reload_accounts()
        except StoreError as exc:
            log.error("cannot open the store: %s", exc)
            self.store_error.set_text(self.tr("无法打开数据库"), str(exc))
            self.centre_stack.setCurrentWidget(self.store_error)
            self.status_message.setText(str(exc))
        self.loaded.emit()

    async def reload_accounts(self) -> None:
        self.accounts = await self.services.accounts.list()
        self.account_states.set_accounts(self.accounts)
        if self.accounts:
            self.centre_stack.setCurrentWidget(self.conversation_placeholder)
            enabled = sum(1 for a in self.accounts if a.enabled)
            self.status_message.setText(self.tr("%d 个店铺账号，%d 个启用") % (len(self.accounts), enabled))
        else:
            self.centre_stack.setCurrentWidget(self.no_accounts)
            self.status_message.setText(self.tr("还没有店铺账号 — 添加账号"))

    # ---- dialogs ---------------------------------------------------------------

    def open_accounts(self) -> None:
        if self.accounts_dialog is None:
            self.accounts_dialog = AccountsDialog(self.services.accounts, self)
            self.accounts_dialog.accounts_changed.connect(lambda: self.tasks.spawn(self.reload_accounts()))
        self.accounts_dialog.show()
        self.accounts_dialog.raise_()
        self.accounts_dialog.activateWindow()
        self.tasks.spawn(self.accounts_dialog.reload())

    def show_about(self) -> None:
        from workstation.ui.about_dialog import AboutDialog

        AboutDialog(self.services.paths, self).open()

    def show_unexpected_error(self, error: BaseException) -> None:
        from workstation.ui.crash import show_crash_message

        show_crash_message(self, error, self.services.paths.log_file)

    # ---- window state ------------------------------------------------------------

    def restore_state(self, settings: QSettings) -> None:
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.value("main/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/splitter", self.splitter.saveState())
