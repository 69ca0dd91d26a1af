"""The main window: merged conversation list left, conversation tabs centre, side panel right,
waiting counter and shop states below. It starts the sync hub after the store opens and
stops it on shutdown; the parts it holds together live in their own modules.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QStackedWidget, QWidget

from workstation.domain.accounts import ShopAccount
from workstation.domain.deadlines import DeadlineSettings, Urgency, format_wait, urgency
from workstation.store import StoreError
from workstation.store import messages as store
from workstation.ui.account_status import AccountStatusRow
from workstation.ui.accounts_dialog import AccountsDialog
from workstation.ui.alerts import AlertCenter
from workstation.ui.conversation_tabs import ConversationTabs
from workstation.ui.empty_state import EmptyState
from workstation.ui.inbox_actions import InboxActions
from workstation.ui.inbox_model import InboxModel, display_nick
from workstation.ui.inbox_panel import InboxPanel
from workstation.ui.sync_bridge import SyncBridge
from workstation.ui.tasks import TaskKeeper
from workstation.ui.tools import ToolWindows
from workstation.ui.theme import apply_os_palette, urgency_colour

log = logging.getLogger(__name__)

INITIAL_CONVERSATIONS = 5000
HUB_STOP_TIMEOUT_S = 10


class MainWindow(QMainWindow):
    """`loaded` fires once the accounts are read and the panes show real content."""

    loaded = Signal()

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        apply_os_palette()
        self.services = services
        self.tasks = TaskKeeper(on_error=self.show_unexpected_error)
        self.accounts: list[ShopAccount] = []
        self.accounts_dialog: AccountsDialog | None = None
        self.hub_started = False
        self.setWindowTitle(self.tr("Workstation 客服工作台"))
        self.resize(1280, 800)
        self.prefs = QSettings(str(services.paths.settings_file), QSettings.Format.IniFormat)

        self.no_accounts = EmptyState(
            self.tr("还没有店铺账号"),
            self.tr("添加你负责的店铺子账号后，所有店铺的买家消息会合并到这里。"),
            self.tr("添加账号"),
        )
        self.no_accounts.action_clicked.connect(self.open_accounts)
        self.loading = EmptyState(self.tr("正在打开数据…"))
        self.store_error = EmptyState(self.tr("无法打开数据库"))

        self.inbox = InboxModel(self)
        self.list_stack = QStackedWidget()
        self.list_placeholder = EmptyState(self.tr("会话列表"), self.tr("买家发来消息后会出现在这里。"))
        self.list_stack.addWidget(self.list_placeholder)
        self.inbox_panel = InboxPanel(self.inbox, search_messages=self.search_messages, spawn=self.tasks.spawn)
        self.inbox_panel.open_conversation.connect(self.open_conversation)
        self.list_stack.addWidget(self.inbox_panel)

        self.centre_stack = QStackedWidget()
        for page in (self.loading, self.no_accounts, self.store_error):
            self.centre_stack.addWidget(page)
        self.conversation_placeholder = EmptyState(
            self.tr("没有打开的会话"), self.tr("在左侧列表选中买家，按 Enter 打开会话；Alt+J 跳到最紧急的买家，F1 查看全部快捷键。")
        )
        self.centre_stack.addWidget(self.conversation_placeholder)
        self.tabs = ConversationTabs(services, self.inbox, self.tasks.spawn)
        self.tabs.count_changed.connect(self._tabs_count_changed)
        self.centre_stack.addWidget(self.tabs)
        self.side_stack = QStackedWidget()
        self.side_placeholder = EmptyState(
            self.tr("订单 · 优惠券 · 快捷短语"), self.tr("打开一个会话后，这里显示买家的订单、可发的优惠券和快捷短语。")
        )
        self.side_stack.addWidget(self.side_placeholder)
        self.side_panel = self._build_side_panel()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.list_stack)
        self.splitter.addWidget(self.centre_stack)
        self.splitter.addWidget(self.side_stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([360, 620, 300])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.account_states = AccountStatusRow()
        self.status_message = QLabel()
        self.waiting_counter = QLabel()
        self.waiting_counter.setObjectName("waitingCounter")
        self.waiting_counter.setTextFormat(Qt.TextFormat.RichText)
        self.statusBar().addWidget(self.waiting_counter)
        self.statusBar().addWidget(self.status_message, 1)
        self.dnd_label = QLabel("免打扰中")
        self.dnd_label.setObjectName("dndLabel")
        self.dnd_label.setStyleSheet("color: #ffffff; background: #6b7280; border-radius: 3px; padding: 0 6px;")
        self.dnd_label.setToolTip("免打扰已开启：不响铃、不弹通知 (Ctrl+Shift+D 关闭)")
        self.statusBar().addPermanentWidget(self.dnd_label)
        self.statusBar().addPermanentWidget(self.account_states)

        self.bridge = SyncBridge(self)
        self.bridge.conversations_changed.connect(self._conversations_changed)
        self.bridge.messages_arrived.connect(self._messages_arrived)
        self.bridge.outbox_changed.connect(self.tabs.on_outbox)
        self.bridge.account_state_changed.connect(self.account_states.set_state)
        self.alerts = AlertCenter(self, self.inbox, self.prefs, is_viewing=self._is_viewing,
                                  repeat_s=_int_setting(self.prefs, "alerts/repeat_s", 30))
        self.alerts.dnd_changed.connect(self._dnd_changed)
        self.dnd_label.setVisible(self.alerts.dnd)
        self.inbox_actions = InboxActions(self)
        self.actions_by_name = self.inbox_actions.by_name
        self.inbox_actions.build_menus()
        self.tools = ToolWindows(self)
        self.tools.build_menu()

        self._counter_soon = QTimer(self)  # the counter follows bursts at most a few times a second
        self._counter_soon.setSingleShot(True)
        self._counter_soon.setInterval(250)
        self._counter_soon.timeout.connect(self._update_counter)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)
        self.clock.start()

    def _build_side_panel(self):
        """Orders, coupons, notes and products for the open conversation (issue 8's panel)."""
        try:
            from workstation.ui.message_model import load_image_bytes
            from workstation.ui.side_panel import SidePanel

            panel = SidePanel(self.services.store, image_fetcher=lambda url: load_image_bytes(("url", url)))
        except Exception:
            log.exception("the side panel is unavailable")
            return None
        panel.tags_changed.connect(lambda key, _tags: self.tasks.spawn(self.refresh_conversation(key)))
        self.side_stack.addWidget(panel)
        self.tabs.currentChanged.connect(lambda _index: self._show_in_side_panel())
        return panel

    def _show_in_side_panel(self) -> None:
        if self.side_panel is None:
            return
        page = self.tabs.current_page()
        conversation = page.conversation() if page is not None else None
        self.side_panel.set_conversation(conversation, hub=self.services.hub if conversation else None)
        self.side_stack.setCurrentWidget(self.side_panel if conversation is not None else self.side_placeholder)

    async def refresh_conversation(self, key) -> None:
        """Re-read one conversation row (its tags changed in the side panel)."""
        conversation = await self.services.store.call(store.get_conversation, tuple(key))
        if conversation is not None:
            self.inbox.upsert(conversation)
            self.tabs.on_conversations([conversation])

    # ---- start-up and shutdown ------------------------------------------------------------------

    async def load(self) -> None:
        """Open the database, read the accounts and conversations, start syncing, show the right panes."""
        self.centre_stack.setCurrentWidget(self.loading)
        try:
            await self.services.start()
            await self.reload_accounts()
            conversations = await self.services.store.call(store.list_conversations, limit=INITIAL_CONVERSATIONS)
            self.inbox.upsert_many(conversations)
            self.inbox_panel._keep_a_current_row()
        except StoreError as exc:
            log.error("cannot open the store: %s", exc)
            self.store_error.set_text(self.tr("无法打开数据库"), str(exc))
            self.centre_stack.setCurrentWidget(self.store_error)
            self.status_message.setText(str(exc))
            self.loaded.emit()
            return
        await self.start_hub()
        await self.prepare_quick_replies()
        self._update_counter()
        if self.tabs.count() == 0 and self.accounts:
            self.inbox_actions.focus_list()  # keyboard-first: arrows and Enter work at once
        self.loaded.emit()

    async def prepare_quick_replies(self) -> None:
        """The `/` phrases in the composer; a library that cannot be read only costs the popup."""
        if "quick_replies" in self.services.extras:
            return
        try:
            from workstation.quickreply.service import QuickReplies

            quick_replies = await asyncio.to_thread(QuickReplies, self.services.paths.root)
            await quick_replies.prepare()
        except Exception:
            log.exception("quick replies are unavailable")
            return
        self.services.extras["quick_replies"] = quick_replies
        for key in self.tabs.open_keys():
            self.attach_phrases(self.tabs.page(key))
        self.attach_phrase_browser(quick_replies)
        self.tasks.spawn(quick_replies.keep_team_current(self._team_phrases_status), name="team-phrases")

    def _team_phrases_status(self, status) -> None:
        self.status_message.setText(status.text)

    def attach_phrase_browser(self, quick_replies) -> None:
        """The side panel's 快捷短语 tab: a click inserts into the open composer (sent on the agent's key)."""
        if self.side_panel is None:
            return
        from workstation.ui.phrase_popup import PhraseBrowser

        browser = PhraseBrowser(quick_replies)

        def insert(text, unfilled):
            page = self.tabs.current_page()
            if page is not None:
                page.composer.insert_phrase(text, unfilled)
                page.composer.edit.setFocus()

        browser.phrase_chosen.connect(insert)
        self.tabs.currentChanged.connect(lambda _index: self._update_browser_context(browser))
        self.side_panel.set_quick_reply_widget(browser)
        self.phrase_browser = browser
        self._update_browser_context(browser)

    def _update_browser_context(self, browser) -> None:
        page = self.tabs.current_page()
        if page is not None and page.conversation() is not None:
            context, platform, shop_id = self.phrase_context(page)
            browser.set_context(context, platform=platform, shop_id=shop_id)

    def phrase_context(self, page):
        """Values for {买家昵称} {店铺名} {客服昵称} from the open conversation."""
        from workstation.quickreply.variables import ConversationContext

        conversation = page.conversation()
        shop = self.inbox.shop_info(conversation)
        account = next((a for a in self.accounts if a.platform is conversation.platform
                        and a.shop_id == conversation.shop_id), None)
        context = ConversationContext(buyer_nick=display_nick(conversation.buyer_nick), shop_name=shop.name,
                                      agent_nick=account.login.split(":")[-1] if account else "")
        return context, conversation.platform, conversation.shop_id

    async def start_hub(self) -> None:
        hub = self.services.hub
        if hub is None or self.hub_started:
            return
        self.hub_started = True
        # Listen to whichever hub the services hold now (the demo may have built its own).
        hub.add_listener(self.bridge)
        hooks = self.services.extras.setdefault("shutdown_hooks", [])
        hooks.append(self.shutdown)
        try:
            await hub.start(self.accounts)
        except Exception:
            log.exception("the sync hub failed to start")
            self.status_message.setText(self.tr("消息同步未能启动，详情见日志。"))
            return
        # A session starts as 连接中 without announcing it: show what the hub knows now.
        for account_id, (state, detail) in hub.states().items():
            self.account_states.set_state(account_id, str(getattr(state, "value", state)), detail)
        if self.services.demo:
            await self._show_demo()

    async def _show_demo(self, timeout_s: float = 6.0) -> None:
        """Demo only: wait for the first catch-up, then open the most urgent buyer, so a newcomer
        (and the README picture) sees a working inbox at once."""
        hub = self.services.hub
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        enabled = [a.id for a in self.accounts if a.enabled]
        while loop.time() < deadline:
            states = [hub.state(i)[0] for i in enabled]
            if states and all(str(getattr(s, "value", s)) != "connecting" for s in states):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        self.bridge.flush()
        order = self.inbox_panel.waiting_keys_in_order()
        if order and self.tabs.count() == 0:
            self.open_conversation(order[0])
            await asyncio.sleep(0.3)

    async def shutdown(self) -> None:
        """Awaited by the shell on exit: keep the drafts, then stop syncing."""
        if self.side_panel is not None:
            self.side_panel.shutdown()
        try:
            await self.tabs.flush_drafts()
        except Exception:
            log.exception("saving drafts on exit failed")
        if self.services.hub is not None and self.hub_started:
            self.services.hub.remove_listener(self.bridge)
            self.hub_started = False
            try:
                # Exiting must not hang on a platform that does not answer: whatever is still
                # unsent stays in the outbox and goes out on the next start.
                await asyncio.wait_for(self.services.hub.stop(), HUB_STOP_TIMEOUT_S)
            except TimeoutError:
                log.warning("the sync hub did not stop within %d s; exiting anyway", HUB_STOP_TIMEOUT_S)

    async def reload_accounts(self) -> None:
        previous = {a.id: a for a in self.accounts}
        self.accounts = await self.services.accounts.list()
        self.account_states.set_accounts(self.accounts)
        self.inbox.set_settings(self.deadline_settings())
        self.inbox.set_accounts(self.accounts)
        self.inbox_panel.set_accounts(self.accounts)
        if self.accounts:
            self.list_stack.setCurrentWidget(self.inbox_panel)
            self._tabs_count_changed(self.tabs.count())
            enabled = sum(1 for a in self.accounts if a.enabled)
            self.status_message.setText(self.tr("%d 个店铺账号，%d 个启用") % (len(self.accounts), enabled))
        else:
            self.list_stack.setCurrentWidget(self.list_placeholder)
            self.centre_stack.setCurrentWidget(self.no_accounts)
            self.status_message.setText(self.tr("还没有店铺账号 — 添加账号"))
        hub = self.services.hub
        if hub is not None and self.hub_started:
            current = {a.id: a for a in self.accounts}
            for account_id in previous.keys() - current.keys():
                await hub.remove_account(account_id)
            for account in self.accounts:
                if previous.get(account.id) != account:
                    await hub.add_account(account)

    def deadline_settings(self) -> DeadlineSettings:
        """Thresholds from the window settings; a shop's own reply target from its account
        (`extra["reply_target_s"]`), for platforms whose rules leave it to the shop."""
        shop_reply = {}
        for account in self.accounts:
            seconds = account.extra.get("reply_target_s") if account.extra else None
            try:
                if seconds and float(seconds) > 0:
                    shop_reply[(account.platform.value, account.shop_id)] = timedelta(seconds=float(seconds))
            except (TypeError, ValueError):
                log.warning("account %s has an unreadable reply target %r", account.id, seconds)
        try:
            return DeadlineSettings(
                amber_share=float(self.prefs.value("inbox/amber_share", 0.5)),
                red_share=float(self.prefs.value("inbox/red_share", 1.0)),
                shop_reply=shop_reply,
            )
        except (TypeError, ValueError):
            log.warning("unreadable urgency thresholds in the settings; using 50 %% / 100 %%")
            return DeadlineSettings(shop_reply=shop_reply)

    # ---- live updates -------------------------------------------------------------------------------

    def _conversations_changed(self, conversations: list) -> None:
        self.inbox.upsert_many(conversations)
        self.tabs.on_conversations(conversations)
        if not self._counter_soon.isActive():
            self._counter_soon.start()

    def _messages_arrived(self, messages: list) -> None:
        self.tabs.on_messages(messages)
        self.alerts.on_messages(messages)

    def _tick(self) -> None:
        self._update_counter()
        self.tabs.tick()

    def _update_counter(self) -> None:
        waiting = self.inbox.waiting()
        if not waiting:
            self.waiting_counter.setText("没有买家在等待")
            return
        now = datetime.now(UTC)
        longest = now - min(d.started_at for _, d in waiting)
        worst = Urgency.CALM
        for _, deadline in waiting:
            level = urgency(deadline, now, self.inbox.settings)
            if level > worst:
                worst = level
                if worst is Urgency.RED:
                    break
        colour = urgency_colour(worst).name()
        self.waiting_counter.setText(
            f'<span style="color:{colour}; font-weight:600">{len(waiting)} 位买家等待 · 最久 {format_wait(longest)}</span>'
        )

    def _tabs_count_changed(self, count: int) -> None:
        if not self.accounts and count == 0:
            return
        self.centre_stack.setCurrentWidget(self.tabs if count else self.conversation_placeholder)

    def _is_viewing(self, key) -> bool:
        page = self.tabs.current_page()
        return page is not None and page.key == tuple(key) and self.isActiveWindow()

    def _dnd_changed(self, on: bool) -> None:
        self.actions_by_name["toggle_dnd"].setChecked(on)
        self.dnd_label.setVisible(on)
        self.status_message.setText("免打扰已开启：不响铃、不弹通知" if on else "免打扰已关闭")

    # ---- keyboard actions -------------------------------------------------------------------------------

    def open_conversation(self, key) -> None:
        fresh = self.tabs.page(key) is None
        page = self.tabs.open(tuple(key))
        if fresh:
            sizes = self.prefs.value("conversation/splitter")
            if sizes is not None:
                page.splitter.restoreState(sizes)
            page.splitter.splitterMoved.connect(
                lambda *_: self.prefs.setValue("conversation/splitter", page.splitter.saveState()))
        page.composer.set_enter_sends(self.inbox_actions.enter_sends())
        self.attach_phrases(page)
        self.inbox_panel.select_key(key)

    def toggle_enter_mode(self) -> None:
        self.inbox_actions.toggle_enter_mode()

    def attach_phrases(self, page) -> None:
        """Wire the `/` quick-reply popup into a composer when the quick-reply service is there."""
        quick_replies = self.services.extras.get("quick_replies")
        if quick_replies is None or getattr(page, "_phrases_attached", False):
            return
        from workstation.ui.phrase_popup import PhrasePopup

        popup = PhrasePopup(quick_replies, page)
        popup.phrase_chosen.connect(page.composer.insert_phrase)
        popup.dismissed.connect(page.composer.edit.setFocus)

        def open_popup():
            if page.conversation() is not None:
                context, platform, shop_id = self.phrase_context(page)
                popup.set_context(context, platform=platform, shop_id=shop_id)
            edit = page.composer.edit
            popup.open_at(edit.mapToGlobal(edit.cursorRect().bottomLeft()))

        page.composer.edit.slash_typed.connect(open_popup)
        page._phrases_attached = True

    @property
    def shortcut_sheet(self):
        return self.inbox_actions.shortcut_sheet

    async def search_messages(self, text: str) -> set:
        rows = await self.services.store.call(store.list_conversations, search=text, limit=500)
        return {c.key for c in rows}

    # ---- dialogs ---------------------------------------------------------------------------------

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

    def closeEvent(self, event) -> None:
        # Pages and panes are about to go; their pending work must not outlive them.
        for key in self.tabs.open_keys():
            self.tabs.page(key).dispose()
        if self.side_panel is not None:
            self.side_panel.shutdown()
        super().closeEvent(event)

    # ---- window state ------------------------------------------------------------------------------

    def restore_state(self, settings: QSettings) -> None:
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.value("main/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        window_state = settings.value("main/state")
        if window_state is not None:
            self.restoreState(window_state)
        tab = settings.value("inbox/tab")
        if tab is not None:
            self.inbox_panel.tabs.setCurrentIndex(int(tab))

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("main/geometry", self.saveGeometry())
        settings.setValue("main/splitter", self.splitter.saveState())
        settings.setValue("main/state", self.saveState())
        settings.setValue("inbox/tab", self.inbox_panel.tabs.currentIndex())


def _int_setting(settings: QSettings, key: str, default: int) -> int:
    try:
        return int(settings.value(key, default))
    except (TypeError, ValueError):
        log.warning("setting %s is not a number; using %s", key, default)
        return default
