"""订单 tab, driven as an agent would, against the emulator."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from tests.helpers.side_panel import buyer_with_orders, panel_env, qt_garbage_on_qt_thread  # noqa: F401 (fixtures)
from workstation.commerce import records
from workstation.domain.messages import MessageType


def open_buyer_with_orders(panel_env):
    env, panel = panel_env("pdd")
    index = buyer_with_orders(env.shop)
    if index != 0:
        env, panel = panel_env("pdd", buyer_index=index)
    return env, panel


def test_orders_load_off_the_qt_thread_masked_with_an_audited_reveal(panel_env, qtbot, arun):
    env, panel = open_buyer_with_orders(panel_env)
    panel.set_conversation(env.conversation, env.connector, env.hub)
    tab = panel.orders_tab
    assert tab.stack.state == "loading"  # set_conversation returned before any answer
    qtbot.waitUntil(lambda: tab.stack.state == "content", timeout=5000)
    expected = [o for o in env.shop.orders.values() if o["buyer_id"] == env.conversation.buyer_id]
    assert len(tab.cards) == len(expected)

    card = tab.cards[0]
    raw = env.shop.orders[card.order.order_id]
    assert raw["phone"] not in card.contact_label.text()
    assert raw["phone"][:3] + "****" + raw["phone"][-4:] in card.contact_label.text()
    assert raw["address"] not in card.contact_label.text()

    qtbot.mouseClick(card.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: raw["phone"] in card.contact_label.text(), timeout=5000)
    assert "已记录查看" in card.contact_label.text()
    audit = arun(env.worker.call(records.contact_reveals, "pdd"))
    assert [(a["order_id"], a["outcome"]) for a in audit] == [(card.order.order_id, "shown")]

    qtbot.mouseClick(card.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == card.order.order_id

    with qtbot.waitSignal(panel.message_queued, timeout=5000):
        qtbot.mouseClick(card.send_button, Qt.MouseButton.LeftButton)
    _, _, sent_card, message_type = env.hub.sent[-1]
    assert message_type is MessageType.ORDER_CARD and sent_card["order_id"] == card.order.order_id
    assert tab.status.tone == "ok"


def test_search_by_number_and_every_refusal(panel_env, qtbot):
    env, panel = open_buyer_with_orders(panel_env)
    panel.set_conversation(env.conversation, env.connector, env.hub)
    tab = panel.orders_tab
    qtbot.waitUntil(lambda: tab.stack.state == "content", timeout=5000)
    own = len(tab.cards)

    requests = env.transport.requests
    qtbot.keyClicks(tab.search_edit, "12345")
    qtbot.keyClick(tab.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.status.tone == "error", timeout=5000)
    assert "不是有效的拼多多订单号" in tab.status.text()
    assert env.transport.requests == requests and len(tab.cards) == own  # nothing asked, nothing lost

    tab.search_edit.clear()
    qtbot.keyClicks(tab.search_edit, "251125-999999999999999")
    qtbot.mouseClick(tab.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "没有订单号为" in tab.status.text(), timeout=5000)
    assert len(tab.cards) == own

    other = next(o for o in env.shop.orders.values() if o["buyer_id"] != env.conversation.buyer_id)
    tab.search_edit.clear()
    qtbot.keyClicks(tab.search_edit, other["order_id"])
    qtbot.mouseClick(tab.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.status.tone == "ok", timeout=5000)
    assert [c.order.order_id for c in tab.cards] == [other["order_id"]]
    assert tab.back_button.isVisible()

    qtbot.mouseClick(tab.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.cards) == own and not tab.back_button.isVisible(), timeout=5000)


def test_order_lookup_with_the_network_down_says_so_and_retries(panel_env, qtbot):
    env, panel = open_buyer_with_orders(panel_env)
    env.transport.down = True
    panel.set_conversation(env.conversation, env.connector, env.hub)
    tab = panel.orders_tab
    qtbot.waitUntil(lambda: tab.stack.state == "error", timeout=10000)
    assert "网络" in tab.stack.error_label.text()
    env.transport.down = False
    qtbot.mouseClick(tab.stack.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.stack.state == "content", timeout=5000)
