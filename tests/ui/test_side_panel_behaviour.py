"""How the panel behaves around the flows: loading states, switching buyers while answers are
still on the way, the per-conversation cache, never freezing the window, empty states."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from tests.helpers.side_panel import account_of, conversation_in, panel_env, qt_garbage_on_qt_thread  # noqa: F401


def second_conversation(env, buyer_index=1):
    conversation, _, _ = conversation_in(env.world, account_of(env.accounts, "pdd"), buyer_index=buyer_index,
                                         says=("你好",))
    env.hub.add(conversation, env.connector)
    return conversation


def test_slow_platform_shows_loading_and_the_window_keeps_running(panel_env, qtbot):
    env, panel = panel_env("pdd")
    env.transport.delay = 0.8
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    started = time.monotonic()
    panel.set_conversation(env.conversation, env.connector, env.hub)
    assert time.monotonic() - started < 0.2  # returned at once
    tab = panel.orders_tab
    assert tab.stack.state == "loading" and tab.stack.loading_label.text()
    panel.tabs.setCurrentWidget(panel.coupons_tab)  # switching tabs mid-load is instant too
    assert panel.coupons_tab.stack.state == "loading"
    qtbot.waitUntil(lambda: panel.coupons_tab.stack.state == "content", timeout=10000)
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) > 20 and max(gaps) < 0.5  # the Qt thread never stalled behind the network


def test_answers_for_the_previous_buyer_never_paint_over_the_next(panel_env, qtbot):
    env, panel = panel_env("pdd")
    other = second_conversation(env)
    env.transport.delay = 0.5
    panel.set_conversation(env.conversation, env.connector, env.hub)
    panel.set_conversation(other, env.connector, env.hub)
    assert panel.current_conversation() is other
    assert panel.buyer_label.text() == other.buyer_nick
    qtbot.waitUntil(lambda: panel.orders_tab.stack.state in ("content", "empty"), timeout=10000)
    assert all(card.order.buyer_id == other.buyer_id for card in panel.orders_tab.cards)


def test_switching_back_uses_the_conversations_cache(panel_env, qtbot):
    env, panel = panel_env("pdd")
    other = second_conversation(env)
    panel.set_conversation(env.conversation, env.connector, env.hub)
    qtbot.waitUntil(lambda: panel.orders_tab.stack.state in ("content", "empty"), timeout=5000)
    panel.set_conversation(other, env.connector, env.hub)
    qtbot.waitUntil(lambda: panel.orders_tab.stack.state in ("content", "empty"), timeout=5000)
    requests = env.transport.requests
    panel.set_conversation(env.conversation, env.connector, env.hub)
    qtbot.waitUntil(lambda: panel.orders_tab.stack.state in ("content", "empty"), timeout=5000)
    assert env.transport.requests == requests  # orders came from the cache
    assert all(card.order.buyer_id == env.conversation.buyer_id for card in panel.orders_tab.cards)


def test_empty_states_and_the_quick_reply_spot(panel_env, qtbot):
    env, panel = panel_env("pdd")
    assert panel.stack.currentWidget() is panel.empty
    panel.set_conversation(env.conversation, env.connector, env.hub)
    assert panel.stack.currentWidget() is panel.content
    panel.set_conversation(None)
    assert panel.stack.currentWidget() is panel.empty

    class StoppedHub:
        def connector(self, account_id):
            raise RuntimeError("这个店铺账号已停用或已删除。")

    panel.set_conversation(env.conversation, None, StoppedHub())
    assert panel.stack.currentWidget() is panel.empty and "未连接" in panel.empty.title_label.text()

    browser = QLabel("短语面板")
    panel.set_quick_reply_widget(browser)
    assert panel.quick_replies.browser is browser and not panel.quick_replies.placeholder.isVisible()


def test_panel_without_network_shows_errors_not_tracebacks(panel_env, qtbot):
    env, panel = panel_env("pdd")
    env.transport.down = True
    panel.set_conversation(env.conversation, env.connector, env.hub)
    for tab in (panel.orders_tab, panel.coupons_tab, panel.products_tab):
        panel.tabs.setCurrentWidget(tab)
        qtbot.waitUntil(lambda: tab.stack.state == "error", timeout=15000)
        assert "网络" in tab.stack.error_label.text()
    assert not panel.problem.isVisible()



def test_a_tab_that_failed_loads_again_when_shown_again(panel_env, qtbot):
    env, panel = panel_env("pdd")
    env.transport.down = True
    panel.set_conversation(env.conversation, env.connector, env.hub)
    qtbot.waitUntil(lambda: panel.orders_tab.stack.state == "error", timeout=15000)
    env.transport.down = False
    panel.tabs.setCurrentWidget(panel.notes_tab)
    panel.tabs.setCurrentWidget(panel.orders_tab)
    qtbot.waitUntil(lambda: panel.orders_tab.stack.state in ("content", "empty"), timeout=5000)


def test_without_a_hub_cards_are_refused_with_a_reason(panel_env, qtbot):
    env, panel = panel_env("pdd")
    panel.set_conversation(env.conversation, env.connector, None)
    panel.tabs.setCurrentWidget(panel.products_tab)
    tab = panel.products_tab
    qtbot.waitUntil(lambda: tab.stack.state == "content", timeout=5000)
    row = next(r for r in tab.product_rows if r.send_button.isEnabled())
    row.send_button.click()
    qtbot.waitUntil(lambda: tab.status.tone == "error", timeout=5000)
    assert "消息通道未连接" in tab.status.text()
