"""优惠券 tab: confirm inline, grant once, tell the buyer, and every refusal on screen."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from tests.helpers.side_panel import panel_env, qt_garbage_on_qt_thread  # noqa: F401 (fixtures)
from workstation.domain.verdict import DraftKind


def open_coupons(panel_env, qtbot):
    env, panel = panel_env("pdd")
    panel.set_conversation(env.conversation, env.connector, env.hub)
    panel.tabs.setCurrentWidget(panel.coupons_tab)
    tab = panel.coupons_tab
    qtbot.waitUntil(lambda: tab.stack.state == "content", timeout=5000)
    return env, panel, tab


def grants(env, coupon_id):
    return env.shop.grants.get((coupon_id, env.conversation.buyer_id), 0)


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def send_and_confirm(qtbot, tab, coupon_id):
    click(qtbot, tab.row_for(coupon_id).send_button)
    qtbot.waitUntil(tab.confirm.isVisible, timeout=3000)
    click(qtbot, tab.confirm.confirm_button)


def test_send_coupon_confirms_grants_once_and_tells_the_buyer(panel_env, qtbot):
    env, panel, tab = open_coupons(panel_env, qtbot)
    row = next(r for r in tab.coupon_rows if r.offer.coupon.per_buyer_limit == 1 and r.offer.coupon.stock_left > 10)
    coupon = row.offer.coupon
    assert "每人限领 1 张" in row.detail_label.text() and "有效期至" in row.detail_label.text()

    click(qtbot, row.send_button)
    qtbot.waitUntil(tab.confirm.isVisible, timeout=3000)
    assert coupon.title in tab.confirm.text_label.text() and "有效期至" in tab.confirm.text_label.text()
    click(qtbot, tab.confirm.cancel_button)  # changed their mind: nothing happens
    assert not tab.confirm.isVisible() and grants(env, coupon.coupon_id) == 0 and not env.hub.sent

    send_and_confirm(qtbot, tab, coupon.coupon_id)
    qtbot.waitUntil(lambda: tab.status.tone == "ok", timeout=5000)
    assert "已向买家发放" in tab.status.text()
    assert grants(env, coupon.coupon_id) == 1
    [(_, draft, _, _)] = env.hub.sent
    assert draft.kind is DraftKind.COUPON_NOTE and coupon.title in draft.text and "有效期至" in draft.text

    qtbot.waitUntil(lambda: "每人限领 1 张" in tab.row_for(coupon.coupon_id).reason_label.text(), timeout=5000)
    assert not tab.row_for(coupon.coupon_id).send_button.isEnabled()
    assert "已发放" in tab.sent_list.text()
    qtbot.waitUntil(lambda: "已发券" in [panel.tag_row.itemAt(i).widget().text()
                                        for i in range(panel.tag_row.count() - 1)], timeout=3000)


def test_out_of_stock_and_expired_meanwhile_are_refused_with_the_reason(panel_env, qtbot):
    env, panel, tab = open_coupons(panel_env, qtbot)
    first, second = (r.offer.coupon for r in tab.coupon_rows[:2])
    env.shop.coupons[first.coupon_id]["stock_left"] = 0  # ran out while the agent was looking
    send_and_confirm(qtbot, tab, first.coupon_id)
    qtbot.waitUntil(lambda: tab.status.tone == "error", timeout=5000)
    assert "发完" in tab.status.text()
    qtbot.waitUntil(lambda: "已发完" in tab.row_for(first.coupon_id).reason_label.text(), timeout=5000)
    assert not tab.row_for(first.coupon_id).send_button.isEnabled()

    env.shop.coupons[second.coupon_id]["valid_to"] = env.world.now() - timedelta(minutes=1)  # ended early
    tab.status.clear_status()
    send_and_confirm(qtbot, tab, second.coupon_id)
    qtbot.waitUntil(lambda: tab.status.tone == "error", timeout=5000)
    assert "过期" in tab.status.text()
    qtbot.waitUntil(lambda: tab.row_for(second.coupon_id) is None, timeout=5000)  # no longer offered
    assert grants(env, first.coupon_id) == grants(env, second.coupon_id) == 0 and not env.hub.sent


def test_coupon_past_its_validity_is_greyed_out_before_sending(panel_env, qtbot, arun):
    env, panel, tab = open_coupons(panel_env, qtbot)
    coupon = tab.coupon_rows[0].offer.coupon
    env.world.offset += coupon.valid_to - env.world.now() + timedelta(seconds=1)
    arun(tab.load())  # the cached list, judged again on the clock
    row = tab.row_for(coupon.coupon_id)
    assert not row.send_button.isEnabled() and "已过期" in row.reason_label.text()


def test_reply_lost_mid_send_is_reconciled_not_sent_twice(panel_env, qtbot):
    env, panel, tab = open_coupons(panel_env, qtbot)
    coupon = tab.coupon_rows[0].offer.coupon
    env.transport.drop_reply(env.connector.operations["coupon.send"])
    send_and_confirm(qtbot, tab, coupon.coupon_id)
    qtbot.waitUntil(lambda: tab.status.tone == "ok", timeout=5000)
    assert grants(env, coupon.coupon_id) == 1 and len(env.hub.sent) == 1


def test_network_gone_mid_send_offers_check_never_a_second_grant(panel_env, qtbot):
    env, panel, tab = open_coupons(panel_env, qtbot)
    coupon = next(r.offer.coupon for r in tab.coupon_rows if r.offer.coupon.per_buyer_limit >= 2)
    send_method = env.connector.operations["coupon.send"]
    transport = env.transport
    transport.drop_reply(send_method)
    forward = transport.handle_async_request

    async def then_down(request):
        try:
            return await forward(request)
        finally:
            if not transport._drops.get(send_method):
                transport.down = True  # the grant went out, then the network died

    transport.handle_async_request = then_down
    send_and_confirm(qtbot, tab, coupon.coupon_id)
    qtbot.waitUntil(lambda: tab.status.tone == "warn", timeout=10000)
    assert "核对" in tab.status.text() and "不会重复发券" in tab.status.text()
    qtbot.waitUntil(lambda: tab.row_for(coupon.coupon_id).send_button.text() == "核对", timeout=5000)
    assert "待核对" in tab.sent_list.text()
    assert grants(env, coupon.coupon_id) == 1 and not env.hub.sent

    transport.handle_async_request = forward
    transport.down = False
    click(qtbot, tab.row_for(coupon.coupon_id).send_button)  # 核对: no confirmation, no new grant
    qtbot.waitUntil(lambda: tab.status.tone == "ok", timeout=5000)
    assert grants(env, coupon.coupon_id) == 1 and len(env.hub.sent) == 1
    qtbot.waitUntil(lambda: "已发放" in tab.sent_list.text(), timeout=5000)


def test_network_down_before_sending_sends_nothing(panel_env, qtbot):
    env, panel, tab = open_coupons(panel_env, qtbot)
    coupon = tab.coupon_rows[0].offer.coupon
    env.transport.down = True
    send_and_confirm(qtbot, tab, coupon.coupon_id)
    qtbot.waitUntil(lambda: tab.status.tone == "error", timeout=10000)
    assert "没有发出" in tab.status.text()
    assert grants(env, coupon.coupon_id) == 0


def test_coupon_note_goes_through_the_compliance_gate(panel_env, qtbot):
    env, panel = panel_env("pdd")
    blocked_id = next(iter(env.shop.coupons))
    env.shop.coupons[blocked_id]["title"] = "加微信领券"  # a title the shop should not have written
    panel.set_conversation(env.conversation, env.connector, env.hub)
    panel.tabs.setCurrentWidget(panel.coupons_tab)
    tab = panel.coupons_tab
    qtbot.waitUntil(lambda: tab.stack.state == "content", timeout=5000)
    send_and_confirm(qtbot, tab, blocked_id)
    qtbot.waitUntil(lambda: tab.status.tone == "warn", timeout=5000)
    assert "未通过合规检查" in tab.status.text() and grants(env, blocked_id) == 1 and not env.hub.sent
    qtbot.waitUntil(lambda: "说明消息未发送" in tab.sent_list.text(), timeout=5000)

    # The same explanation sent again and again reads as perfunctory: the gate warns, the agent decides.
    offer = next(r.offer for r in tab.coupon_rows if r.offer.sendable)
    note = panel.commerce.coupon_note(offer.coupon)
    env.hub.recent[env.conversation.key] = [note, note]
    send_and_confirm(qtbot, tab, offer.coupon.coupon_id)
    qtbot.waitUntil(lambda: tab.confirm.isVisible() and "仍要发送" in tab.confirm.text_label.text(), timeout=5000)
    assert grants(env, offer.coupon.coupon_id) == 1 and not env.hub.sent
    click(qtbot, tab.confirm.confirm_button)
    qtbot.waitUntil(lambda: len(env.hub.sent) == 1, timeout=5000)
    assert env.hub.sent[0][1].text == note
