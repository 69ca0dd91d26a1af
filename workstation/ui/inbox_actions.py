"""What the inbox's keys do, and the menus that list them: jump to the next waiting buyer,
move between tabs, focus the list, search, filters or composer, retry, switch the send key,
mute a shop, do-not-disturb, the F1 sheet. Every action is built from `shortcuts.SHORTCUTS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

from workstation.ui.inbox_model import Role
from workstation.ui.shortcuts import ShortcutSheet, build_actions

if TYPE_CHECKING:
    from workstation.ui.main_window import MainWindow

CONVERSATION_MENU = ("next_waiting", "previous_waiting", "close_tab", "next_tab", "previous_tab", None,
                     "focus_list", "focus_search", "show_waiting", "show_all", "filter_platform", "filter_shop", None,
                     "focus_composer", "retry_failed", "toggle_enter")


class InboxActions:
    def __init__(self, window: "MainWindow"):
        self.window = window
        self.shortcut_sheet: ShortcutSheet | None = None
        panel, tabs = window.inbox_panel, window.tabs
        self.by_name: dict[str, QAction] = build_actions(window, {
            "next_waiting": lambda: self.jump_waiting(+1),
            "previous_waiting": lambda: self.jump_waiting(-1),
            "close_tab": tabs.close_current,
            "next_tab": lambda: tabs.step(+1),
            "previous_tab": lambda: tabs.step(-1),
            "focus_list": self.focus_list,
            "focus_search": panel.focus_search,
            "show_waiting": panel.show_waiting,
            "show_all": panel.show_all,
            "filter_platform": lambda: self._open_filter(panel.platform_filter),
            "filter_shop": lambda: self._open_filter(panel.shop_filter),
            "focus_composer": self.focus_composer,
            "retry_failed": self.retry_failed,
            "toggle_enter": self.toggle_enter_mode,
            "mute_shop": self.toggle_mute_current_shop,
            "toggle_dnd": window.alerts.toggle_dnd,
            "shortcut_sheet": self.show_shortcuts,
        })
        self.by_name["toggle_dnd"].setCheckable(True)
        self.by_name["toggle_dnd"].setChecked(window.alerts.dnd)
        self.by_name["toggle_enter"].setCheckable(True)
        self.by_name["toggle_enter"].setChecked(self.enter_sends())
        self.by_name["toggle_enter"].setText("Enter 发送")
        # The widgets name their keys too.
        panel.tabs.setTabToolTip(0, "只看等待回复的买家 (Ctrl+1)")
        panel.tabs.setTabToolTip(1, "全部会话 (Ctrl+2)")
        panel.platform_filter.setToolTip("按平台筛选 (Alt+P)")
        panel.shop_filter.setToolTip("按店铺筛选 (Alt+S)")
        panel.view.setToolTip("Enter 或双击打开会话；Alt+J 跳到最紧急的买家")

    def build_menus(self) -> None:
        window = self.window
        bar = window.menuBar()
        accounts_menu = bar.addMenu(window.tr("账号(&A)"))
        window.manage_accounts_action = QAction(window.tr("管理账号…"), window)
        window.manage_accounts_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        window.manage_accounts_action.setToolTip("管理账号 (Ctrl+Shift+A)")
        window.manage_accounts_action.triggered.connect(window.open_accounts)
        accounts_menu.addAction(window.manage_accounts_action)
        accounts_menu.addSeparator()
        quit_action = QAction(window.tr("退出"), window)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(window.close)
        accounts_menu.addAction(quit_action)
        conversation_menu = bar.addMenu(window.tr("会话(&C)"))
        for name in CONVERSATION_MENU:
            if name is None:
                conversation_menu.addSeparator()
            else:
                conversation_menu.addAction(self.by_name[name])
        alerts_menu = bar.addMenu(window.tr("提醒(&N)"))
        alerts_menu.addAction(self.by_name["toggle_dnd"])
        alerts_menu.addAction(self.by_name["mute_shop"])
        window.tools_menu = bar.addMenu(window.tr("工具(&T)"))
        window.help_menu = bar.addMenu(window.tr("帮助(&H)"))
        window.help_menu.addAction(self.by_name["shortcut_sheet"])
        about_action = QAction(window.tr("关于 Workstation"), window)
        about_action.triggered.connect(window.show_about)
        window.help_menu.addAction(about_action)

    # ---- the actions ---------------------------------------------------------------------------

    def jump_waiting(self, step: int) -> None:
        """Alt+J: the next waiting buyer in urgency order (the most urgent first); Alt+K: back."""
        window = self.window
        order = window.inbox_panel.waiting_keys_in_order()
        if not order:
            window.status_message.setText("没有买家在等待回复")
            return
        page = window.tabs.current_page()
        current = page.key if page is not None else None
        if current in order:
            target = order[(order.index(current) + step) % len(order)]
        else:
            target = order[0] if step > 0 else order[-1]
        window.open_conversation(target)

    @staticmethod
    def _open_filter(combo) -> None:
        combo.setFocus()
        combo.showPopup()

    def focus_list(self) -> None:
        panel = self.window.inbox_panel
        panel.view.setFocus()
        panel._keep_a_current_row()

    def focus_composer(self) -> None:
        page = self.window.tabs.current_page()
        if page is not None:
            page.composer.edit.setFocus()

    def retry_failed(self) -> None:
        page = self.window.tabs.current_page()
        if page is not None:
            self.window.tasks.spawn(page.retry_last_failed())

    def enter_sends(self) -> bool:
        return bool(self.window.prefs.value("composer/enter_sends", True, type=bool))

    def toggle_enter_mode(self) -> None:
        window = self.window
        enter_sends = not self.enter_sends()
        window.prefs.setValue("composer/enter_sends", enter_sends)
        self.by_name["toggle_enter"].setChecked(enter_sends)
        for key in window.tabs.open_keys():
            window.tabs.page(key).composer.set_enter_sends(enter_sends)
        window.status_message.setText("Enter 发送，Shift+Enter 换行" if enter_sends else "Ctrl+Enter 发送，Enter 换行")

    def toggle_mute_current_shop(self) -> None:
        window = self.window
        page = window.tabs.current_page()
        if page is None:
            index = window.inbox_panel.view.currentIndex()
            key = index.data(Role.KEY) if index.isValid() else None
        else:
            key = page.key
        if key is None:
            return
        muted = window.alerts.toggle_mute((key[0], key[1]))
        conversation = window.inbox.conversation(key)
        name = window.inbox.shop_info(conversation).name if conversation else key[1]
        window.status_message.setText(f"{name}：已静音" if muted else f"{name}：已取消静音")

    def show_shortcuts(self) -> None:
        if self.shortcut_sheet is None:
            self.shortcut_sheet = ShortcutSheet(self.window)
        self.shortcut_sheet.open()
