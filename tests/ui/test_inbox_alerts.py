"""Alerts (sound, tray, repeat past amber, mute, do-not-disturb) and bad input from platforms."""

from __future__ import annotations

import base64

from PySide6.QtCore import Qt

from tests.compliance.qrimages import encode, qr_gray
from tests.helpers.inbox import inbox_rig, message  # noqa: F401 (fixture)
from workstation.domain.messages import MessageType, Sender
from workstation.domain.platforms import Platform
from workstation.ui.inbox_model import Role
from workstation.ui.message_model import MAX_SHOWN_CHARS


def test_new_buyer_messages_ring_unless_muted_or_do_not_disturb(qtbot, inbox_rig):
    account_id, shop = inbox_rig.add_shop(Platform.DOUYIN, "dy1", "抖店·山野茶舍")
    window = inbox_rig.window()
    inbox_rig.wait_connected(window)
    alerts = window.alerts
    shop.buyer_says("c1", "茶叶是今年的新茶吗")
    qtbot.waitUntil(lambda: alerts.played == ["new_message"], timeout=5000)
    assert alerts.notified[-1][0] == "抖店·山野茶舍 · 买家c1"
    qtbot.waitUntil(lambda: window.windowTitle().startswith("(1) "), timeout=2000)

    alerts.set_muted(("douyin", "dy1"), True)
    shop.buyer_says("c2", "包邮吗")
    qtbot.waitUntil(lambda: window.inbox.unread_total == 2, timeout=5000)
    assert alerts.played == ["new_message"]
    assert window.inbox.shop_info(window.inbox.conversation(("douyin", "dy1", "c2"))).muted
    alerts.set_muted(("douyin", "dy1"), False)

    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert alerts.dnd and window.actions_by_name["toggle_dnd"].isChecked() and window.dnd_label.isVisible()
    shop.buyer_says("c3", "在吗")
    qtbot.waitUntil(lambda: window.inbox.unread_total == 3, timeout=5000)
    assert alerts.played == ["new_message"]
    assert alerts.remind_overdue() == 0
    # Settings persist: a new window starts in do-not-disturb.
    window.prefs.sync()
    assert window.prefs.value("alerts/dnd", type=bool) is True


def test_the_alert_repeats_while_a_buyer_waits_past_amber(qtbot, inbox_rig):
    account_id, shop = inbox_rig.add_shop(Platform.KUAISHOU, "ks1", "快手·东北特产")
    other_id, _ = inbox_rig.add_shop(Platform.JD, "jd1", "京东·书香阁")
    inbox_rig.store_history(account_id, [message(Platform.KUAISHOU, "ks1", "late", "人呢", ago=120)])
    inbox_rig.store_history(other_id, [message(Platform.JD, "jd1", "fresh", "有发票吗", ago=3)])
    window = inbox_rig.window()
    alerts = window.alerts
    assert alerts.remind_overdue() == 1
    assert alerts.played[-1] == "overdue" and "已等 2:0" in alerts.notified[-1][1]
    alerts.set_muted(("kuaishou", "ks1"), True)
    assert alerts.remind_overdue() == 0
    assert alerts.repeat.isActive()


def test_bad_input_is_shown_sanely_and_nothing_is_lost(qtbot, inbox_rig, caplog):
    account_id, shop = inbox_rig.add_shop(Platform.PDD, "p1", "拼多多·萌宠屋")
    long_text = "长" * 50_000
    wild_nick = "\u0000🐶🐱\u202e\n狗\u0007狗🐶" * 8
    inbox_rig.store_history(account_id, [
        message(Platform.PDD, "p1", "long", long_text, ago=20, number=1),
        message(Platform.PDD, "p1", "img", "", ago=10, number=2, type=MessageType.IMAGE,
                payload={"image_b64": base64.b64encode(b"not an image at all").decode()}),
        message(Platform.PDD, "p1", "link", "加我v信 abc123 www点abc点com 更便宜", ago=5, number=3),
        message(Platform.PDD, "p1", "qr", "", ago=6, number=6, type=MessageType.IMAGE,
                payload={"image_b64": base64.b64encode(encode(qr_gray())).decode()}),
        message(Platform.PDD, "p1", "emoji", "你好", ago=4, number=4, nick=wild_nick),
    ])
    # A shop that was removed from the workstation: its history stays visible.
    inbox_rig.store_history(None, [message(Platform.TAOBAO, "gone-shop", "orphan", "我的退款呢", ago=100, number=5)])
    window = inbox_rig.window()
    inbox_rig.wait_connected(window)

    window.open_conversation(("pdd", "p1", "long"))
    page = window.tabs.current_page()
    qtbot.waitUntil(lambda: page.loaded)
    shown = page.model.items[-1]
    assert shown.message.text == long_text and len(shown.text) < MAX_SHOWN_CHARS + 100 and "50000" in shown.text

    window.open_conversation(("pdd", "p1", "img"))
    page = window.tabs.current_page()
    qtbot.waitUntil(lambda: page.loaded and page.model.items[-1].image_failed, timeout=5000)
    page.grab()

    window.open_conversation(("pdd", "p1", "qr"))
    page = window.tabs.current_page()
    qtbot.waitUntil(lambda: page.loaded and page.model.items[-1].image is not None, timeout=8000)
    assert page.model.items[-1].qr_warning

    window.open_conversation(("pdd", "p1", "link"))
    page = window.tabs.current_page()
    qtbot.waitUntil(lambda: page.loaded)
    assert page.model.items[-1].link_warning
    page.grab()

    row = window.inbox.row_of(("pdd", "p1", "emoji"))
    nick = window.inbox.index(row, 0).data(Role.NICK)
    assert "\u0000" not in nick and "\n" not in nick and "🐶" in nick

    orphan = window.inbox.index(window.inbox.row_of(("taobao", "gone-shop", "orphan")), 0)
    assert orphan.data(Role.SHOP).removed
    window.open_conversation(("taobao", "gone-shop", "orphan"))
    page = window.tabs.current_page()
    qtbot.waitUntil(lambda: page.loaded)
    assert "店铺已移除" in page.header.text()
    page.composer.set_draft("您好")
    assert inbox_rig.arun(page.composer.send()) is False
    assert "已停用或已删除" in page.composer.verdict_label.text() or "删除" in page.composer.verdict_label.text()

    # Events for conversations nobody knows: ignored, no crash.
    stray = message(Platform.JD, "nowhere", "ghost", "", sender=Sender.SYSTEM, type=MessageType.EVENT)
    window.bridge.on_messages([stray])
    window.bridge.on_outbox({"id": 999, "platform": "jd", "shop_id": "nowhere", "conversation_id": "ghost",
                             "state": "failed", "text": "x"})
    window.bridge.on_account_state(12345, "connected", "")
    window.grab()


def test_long_histories_load_in_pages_as_the_agent_scrolls_up(qtbot, inbox_rig):
    account_id, shop = inbox_rig.add_shop(Platform.TAOBAO, "t1", "淘宝·极客数码")
    inbox_rig.store_history(account_id, [
        message(Platform.TAOBAO, "t1", "chatty", f"第{n}条消息", ago=500 - n, number=n,
                sender=Sender.BUYER if n % 2 else Sender.AGENT)
        for n in range(130)
    ])
    window = inbox_rig.window()
    window.open_conversation(("taobao", "t1", "chatty"))
    page = window.tabs.current_page()
    qtbot.waitUntil(lambda: page.loaded)
    assert page.model.rowCount() == 50 and page.model.items[-1].text == "第129条消息"
    page.view.verticalScrollBar().setValue(0)
    qtbot.waitUntil(lambda: page.model.rowCount() == 100, timeout=5000)
    assert page.model.items[0].text == "第30条消息"
    assert page.view.verticalScrollBar().value() > 0   # the agent stays where they were reading
    inbox_rig.arun(page.load_older())
    assert page.model.rowCount() == 130 and not page.model.has_older
    assert page.model.items[0].text == "第0条消息"
