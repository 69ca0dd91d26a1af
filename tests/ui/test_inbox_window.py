"""The inbox as an agent works it: buyers arrive through the real sync path, the agent opens,
switches and closes tabs from the keyboard, replies, and the platform hears it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.helpers.inbox import inbox_rig, message  # noqa: F401 (fixture)
from tests.helpers.typing import type_text
from workstation.domain.messages import SendState
from workstation.domain.platforms import Platform
from workstation.ui.inbox_model import Role


def visible_keys(window):
    proxy = window.inbox_panel.proxy
    return [proxy.index(r, 0).data(Role.KEY) for r in range(proxy.rowCount())]


def test_a_buyer_message_arrives_opens_with_enter_and_the_reply_reaches_the_platform(qtbot, inbox_rig):
    account_id, shop = inbox_rig.add_shop(Platform.KUAISHOU, "ks1", "快手·老铁家居")
    window = inbox_rig.window()
    inbox_rig.wait_connected(window)
    shop.enters_reception("c1")
    shop.buyer_says("c1", "在吗？这个沙发有现货吗")
    key = ("kuaishou", "ks1", "c1")
    qtbot.waitUntil(lambda: key in visible_keys(window), timeout=5000)
    assert window.inbox.unread_total == 1
    assert window.windowTitle().startswith("(1)")
    qtbot.waitUntil(lambda: "1 位买家等待" in window.waiting_counter.text(), timeout=2000)

    window.inbox_panel.view.setFocus()
    window.inbox_panel.select_key(key)
    qtbot.keyClick(window.inbox_panel.view, Qt.Key.Key_Return)
    page = window.tabs.current_page()
    assert page is not None and page.key == key
    assert window.side_stack.currentWidget() is window.side_panel
    assert window.side_panel.current_conversation().key == key
    qtbot.waitUntil(lambda: page.loaded and page.model.rowCount() >= 2)
    assert "买家进入接待" in page.model.index(0, 0).data()
    # Viewing marks it read on the platform.
    window.activateWindow()
    inbox_rig.arun(page.mark_read())
    qtbot.waitUntil(lambda: "c1" in shop.read_marks and window.inbox.unread_total == 0, timeout=5000)

    type_text(qtbot, page.composer.edit, "亲，有现货的，今天下单明天发")
    qtbot.keyClick(page.composer.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(shop.deliveries) == 1, timeout=5000)
    assert shop.deliveries[0].outgoing.text == "亲，有现货的，今天下单明天发"
    assert page.composer.text() == ""
    qtbot.waitUntil(lambda: any(i.send_state is SendState.SENT and i.message is not None for i in page.model.items),
                    timeout=5000)
    # Answered: the buyer leaves 待回复, still there under 全部.
    qtbot.waitUntil(lambda: key not in visible_keys(window), timeout=5000)
    window.inbox_panel.show_all()
    assert key in visible_keys(window)


def test_tabs_are_driven_from_the_keyboard(qtbot, inbox_rig):
    account_id, shop = inbox_rig.add_shop(Platform.TAOBAO, "tb1", "淘宝·云裳女装")
    inbox_rig.store_history(account_id, [
        message(Platform.TAOBAO, "tb1", "slow", "怎么还不回", ago=170, number=1),
        message(Platform.TAOBAO, "tb1", "mid", "尺码怎么选", ago=60, number=2),
        message(Platform.TAOBAO, "tb1", "new", "在吗", ago=5, number=3),
    ])
    window = inbox_rig.window()
    inbox_rig.wait_connected(window)
    assert [k[2] for k in visible_keys(window)] == ["slow", "mid", "new"]
    for shortcut in ("next_waiting", "close_tab", "next_tab", "shortcut_sheet"):
        action = window.actions_by_name[shortcut]
        assert "(" in action.toolTip() and action.shortcut().toString()

    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)   # the most urgent buyer
    assert window.tabs.current_page().key[2] == "slow"
    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.current_page().key[2] == "mid"
    qtbot.keyClick(window.tabs.current_page().composer.edit, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.current_page().key[2] == "slow"
    assert window.tabs.count() == 2
    # Double-click opens too.
    view = window.inbox_panel.view
    window.inbox_panel.select_key(("taobao", "tb1", "new"))
    rect = view.visualRect(view.currentIndex())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.tabs.current_page().key[2] == "new" and window.tabs.count() == 3

    focus = window.tabs.current_page().composer.edit
    qtbot.keyClick(focus, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.current_page().key[2] == "slow"
    qtbot.keyClick(window.tabs.current_page().composer.edit, Qt.Key.Key_Backtab,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.tabs.current_page().key[2] == "new"
    qtbot.keyClick(window.tabs.current_page().composer.edit, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 2 and "new" not in [k[2] for k in window.tabs.open_keys()]
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.count() == 0
    assert window.centre_stack.currentWidget() is window.conversation_placeholder
    assert window.side_stack.currentWidget() is window.side_placeholder

    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert window.shortcut_sheet is not None and window.shortcut_sheet.isVisible()
    assert window.shortcut_sheet.table.rowCount() > 15
    window.shortcut_sheet.close()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.inbox_panel.search.hasFocus() or window.focusWidget() is window.inbox_panel.search


def test_a_shop_reply_target_and_thresholds_come_from_the_settings(qtbot, inbox_rig):
    from dataclasses import replace as with_changes
    from datetime import timedelta

    account_id, shop = inbox_rig.add_shop(Platform.DOUYIN, "dy1", "抖店·小鹿童装")
    account = inbox_rig.accounts[account_id]
    inbox_rig.arun(inbox_rig.services.accounts.save(
        with_changes(account, extra={**account.extra, "reply_target_s": 60}), {"password": "secret-pw"}))
    inbox_rig.store_history(account_id, [message(Platform.DOUYIN, "dy1", "c1", "在吗", ago=40)])
    window = inbox_rig.window()
    deadline = window.inbox.deadline(("douyin", "dy1", "c1"))
    assert deadline.span == timedelta(seconds=60)
    window.prefs.setValue("inbox/amber_share", 0.8)
    inbox_rig.arun(window.reload_accounts())
    assert window.inbox.settings.amber_share == 0.8
