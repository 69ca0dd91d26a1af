"""Each side-panel flow against the emulator (in-process), including every refusal.

The scenarios run on the tests' qasync loop (`arun`), as the app runs them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers.side_panel import buyer_with_orders, commerce_env, qt_garbage_on_qt_thread  # noqa: F401 (fixture)
from workstation.commerce import records
from workstation.commerce.errors import (
    CommerceError,
    CouponOutcomeUnknown,
    CouponRefused,
    InvalidOrderNumber,
    OrderNotFound,
    ProductUnavailable,
    RatingNotAllowed,
)
from workstation.commerce.records import CouponSendState
from workstation.domain.messages import MessageType
from workstation.domain.verdict import DraftKind

PLATFORM = "pdd"


def grants(t, coupon_id: str) -> int:
    return t.shop.grants.get((coupon_id, t.conversation.buyer_id), 0)


def test_orders_masked_search_and_audited_reveal(tmp_path, arun):
    arun(_orders_masked_search_and_audited_reveal(tmp_path), timeout=20_000)


async def _orders_masked_search_and_audited_reveal(tmp_path):
    async with commerce_env(PLATFORM, tmp_path / "db.sqlite3", buyer_index=0) as probe:
        index = buyer_with_orders(probe.shop)
    async with commerce_env(PLATFORM, tmp_path / "db2.sqlite3", buyer_index=index) as t:
        orders = await t.commerce.orders()
        assert orders and all(o.buyer_id == t.conversation.buyer_id for o in orders)
        order = orders[0]
        raw = t.shop.orders[order.order_id]
        assert raw["phone"] not in order.phone_masked and "****" in order.phone_masked
        assert order.receiver_masked.endswith("*")

        other = next(o for o in t.shop.orders.values() if o["buyer_id"] != t.conversation.buyer_id)
        found = await t.commerce.find_order(" 订单号：" + other["order_id"])
        assert found.order_id == other["order_id"]

        requests = t.transport.requests
        with pytest.raises(InvalidOrderNumber):
            await t.commerce.find_order("12345")
        assert t.transport.requests == requests  # a malformed number never reaches the platform
        with pytest.raises(OrderNotFound) as caught:
            await t.commerce.find_order("251125-999999999999999")
        assert "没有订单号为" in str(caught.value)

        contact = await t.commerce.reveal_contact(order)
        assert contact["phone"] == raw["phone"]
        audit = await t.worker.call(records.contact_reveals, PLATFORM)
        assert [(a["order_id"], a["agent"], a["outcome"]) for a in audit] == [(order.order_id, "kefu01", "shown")]
        assert raw["phone"] not in str(audit)

        await t.commerce.send_order_card(order)
        key, draft, card, message_type = t.hub.sent[-1]
        assert message_type is MessageType.ORDER_CARD and card["order_id"] == order.order_id


def test_coupon_send_grants_once_tells_the_buyer_and_records_it(tmp_path, arun):
    arun(_coupon_send_grants_once_tells_the_buyer_and_records_it(tmp_path), timeout=20_000)


async def _coupon_send_grants_once_tells_the_buyer_and_records_it(tmp_path):
    async with commerce_env(PLATFORM, tmp_path / "db.sqlite3") as t:
        offers = await t.commerce.coupon_offers()
        assert offers and all(o.sendable for o in offers)  # the emulator lists no expired ones
        first = next(o.coupon for o in offers if o.coupon.per_buyer_limit == 1 and o.coupon.stock_left > 10)
        result = await t.commerce.send_coupon(first)
        assert result.send.state == CouponSendState.GRANTED and result.note_state == "sent"
        assert grants(t, first.coupon_id) == 1
        _, draft, _, _ = t.hub.sent[-1]
        assert draft.kind is DraftKind.COUPON_NOTE and first.title in draft.text and "有效期至" in draft.text
        sent = await t.commerce.sent_coupons()
        assert [(s.coupon_id, s.state, s.note_state) for s in sent] == [(first.coupon_id, "granted", "sent")]
        assert "已发券" in (await t.commerce.buyer_note()).tags

        again = next(o for o in await t.commerce.coupon_offers() if o.coupon.coupon_id == first.coupon_id)
        assert not again.sendable and again.reason_kind == "limit" and "每人限领 1 张" in again.reason
        with pytest.raises(CouponRefused) as caught:
            await t.commerce.send_coupon(again.coupon)
        assert caught.value.reason == "limit"
        assert grants(t, first.coupon_id) == 1


def test_coupon_refusals_from_the_platform_expired_and_out_of_stock(tmp_path, arun):
    arun(_coupon_refusals_from_the_platform_expired_and_out_of_stock(tmp_path), timeout=20_000)


async def _coupon_refusals_from_the_platform_expired_and_out_of_stock(tmp_path):
    async with commerce_env(PLATFORM, tmp_path / "db.sqlite3") as t:
        offers = [o.coupon for o in await t.commerce.coupon_offers()]
        # Meanwhile on the platform: one coupon ran out, another was ended early.
        t.shop.coupons[offers[0].coupon_id]["stock_left"] = 0
        t.shop.coupons[offers[1].coupon_id]["valid_to"] = t.world.now() - timedelta(minutes=1)
        with pytest.raises(CouponRefused) as caught:
            await t.commerce.send_coupon(offers[0])
        assert caught.value.reason == "stock" and "发完" in str(caught.value)
        with pytest.raises(CouponRefused) as caught:
            await t.commerce.send_coupon(offers[1])
        assert caught.value.reason == "expired"
        states = {s.coupon_id: s.state for s in await t.commerce.sent_coupons()}
        assert states == {offers[0].coupon_id: "failed", offers[1].coupon_id: "failed"}
        refreshed = {o.coupon.coupon_id: o for o in await t.commerce.coupon_offers()}
        assert refreshed[offers[0].coupon_id].reason_kind == "stock"
        assert offers[1].coupon_id not in refreshed
        assert not t.hub.sent  # no note for a coupon that did not go


def test_coupon_expiring_on_our_clock_is_refused_before_any_call(tmp_path, arun):
    arun(_coupon_expiring_on_our_clock_is_refused_before_any_call(tmp_path), timeout=20_000)


async def _coupon_expiring_on_our_clock_is_refused_before_any_call(tmp_path):
    async with commerce_env(PLATFORM, tmp_path / "db.sqlite3") as t:
        coupon = (await t.commerce.coupon_offers())[0].coupon
        t.world.offset += coupon.valid_to - t.world.now() + timedelta(seconds=1)
        requests = t.transport.requests
        with pytest.raises(CouponRefused) as caught:
            await t.commerce.send_coupon(coupon)
        assert caught.value.reason == "expired" and t.transport.requests == requests


def test_reply_lost_mid_send_is_reconciled_never_sent_twice(tmp_path, arun):
    arun(_reply_lost_mid_send_is_reconciled_never_sent_twice(tmp_path), timeout=20_000)


async def _reply_lost_mid_send_is_reconciled_never_sent_twice(tmp_path):
    async with commerce_env(PLATFORM, tmp_path / "db.sqlite3") as t:
        coupon = (await t.commerce.coupon_offers())[0].coupon
        t.transport.drop_reply(t.connector.operations["coupon.send"])
        result = await t.commerce.send_coupon(coupon)
        assert result.send.state == CouponSendState.GRANTED and result.send.grant_id
        assert grants(t, coupon.coupon_id) == 1
        assert len(t.hub.sent) == 1


def test_network_gone_after_the_request_left_stays_uncertain_until_checked(tmp_path, arun):
    arun(_network_gone_after_the_request_left_stays_uncertain_until_checked(tmp_path), timeout=20_000)


async def _network_gone_after_the_request_left_stays_uncertain_until_checked(tmp_path):
    async with commerce_env(PLATFORM, tmp_path / "db.sqlite3") as t:
        coupon = next(o.coupon for o in await t.commerce.coupon_offers() if o.coupon.per_buyer_limit >= 2)
        send_method = t.connector.operations["coupon.send"]
        t.transport.drop_reply(send_method)
        original = t.transport.handle_async_request

        async def drop_then_down(request):
            try:
                return await original(request)
            finally:
                if not t.transport._drops.get(send_method):
                    t.transport.down = True  # the network dies right after the grant went out

        t.transport.handle_async_request = drop_then_down
        with pytest.raises(CouponOutcomeUnknown) as caught:
            await t.commerce.send_coupon(coupon)
        assert "核对" in str(caught.value)
        assert grants(t, coupon.coupon_id) == 1
        [record] = await t.commerce.sent_coupons()
        assert record.state == CouponSendState.UNCERTAIN
        offer = next(o for o in await _offers_offline(t) if o.coupon.coupon_id == coupon.coupon_id)
        assert offer.unresolved is not None

        t.transport.handle_async_request = original
        t.transport.down = False
        result = await t.commerce.send_coupon(coupon)  # the agent clicks again: it reconciles, it does not resend
        assert result.send.id == record.id and result.send.state == CouponSendState.GRANTED
        assert grants(t, coupon.coupon_id) == 1
        assert len(t.hub.sent) == 1


async def _offers_offline(t):
    return await t.commerce.coupon_offers()  # served from the cache while the network is down


def test_network_down_before_sending_sends_nothing(tmp_path, arun):
    arun(_network_down_before_sending_sends_nothing(tmp_path), timeout=20_000)


async def _network_down_before_sending_sends_nothing(tmp_path):
    async with commerce_env(PLATFORM, tmp_path / "db.sqlite3") as t:
        coupon = (await t.commerce.coupon_offers())[0].coupon
        t.transport.down = True
        with pytest.raises(CommerceError) as caught:
            await t.commerce.send_coupon(coupon)
        assert "没有发出" in str(caught.value)
        assert grants(t, coupon.coupon_id) == 0
        assert [s.state for s in await t.commerce.sent_coupons()] == ["failed"]


def test_rating_invitation_only_after_solved_and_once(tmp_path, arun):
    arun(_rating_invitation_only_after_solved_and_once(tmp_path), timeout=20_000)


async def _rating_invitation_only_after_solved_and_once(tmp_path):
    async with commerce_env(PLATFORM, tmp_path / "db.sqlite3") as t:
        state = await t.commerce.rating_state()
        assert not state.allowed and "问题已解决" in state.reason
        with pytest.raises(RatingNotAllowed):
            await t.commerce.invite_rating()
        assert (await t.commerce.set_solved(True)).allowed
        state = await t.commerce.invite_rating()
        assert not state.allowed and "已于" in state.reason
        assert t.shop.conversations[t.conversation.conversation_id]["rating_invited"]


def test_tags_and_notes_stored_locally_and_pushed_as_remark(tmp_path, arun):
    arun(_tags_and_notes_stored_locally_and_pushed_as_remark(tmp_path), timeout=20_000)


async def _tags_and_notes_stored_locally_and_pushed_as_remark(tmp_path):
    async with commerce_env(PLATFORM, tmp_path / "db.sqlite3") as t:
        saved = await t.commerce.save_buyer_note(["老客户", "易退款"], "上次退过一件，尺码偏小")
        assert saved.pushed and saved.note.tags == ("老客户", "易退款")
        assert t.shop.remarks[t.conversation.buyer_id] == "[老客户][易退款] 上次退过一件，尺码偏小"
        t.transport.down = True
        saved = await t.commerce.save_buyer_note(["老客户"], "改成只留老客户")
        assert not saved.pushed and "已保存在本地" in saved.message
        assert (await t.commerce.buyer_note()).note == "改成只留老客户"


def test_products_asked_about_first_and_removed_meanwhile(tmp_path, arun):
    arun(_products_asked_about_first_and_removed_meanwhile(tmp_path), timeout=20_000)


async def _products_asked_about_first_and_removed_meanwhile(tmp_path):
    async with commerce_env(PLATFORM, tmp_path / "db.sqlite3", says=("在吗",)) as probe:
        title = probe.shop.products[3]["title"]
    async with commerce_env(PLATFORM, tmp_path / "db2.sqlite3", says=("在吗", f"{title}还有货吗")) as t:
        ranked = await t.commerce.products()
        assert ranked[0].product.title == title and ranked[0].asked_about
        sendable = next(o.product for o in ranked if o.sendable)
        await t.commerce.send_product_card(sendable)
        _, _, card, message_type = t.hub.sent[-1]
        assert message_type is MessageType.PRODUCT_CARD and card["product_id"] == sendable.product_id

        t.shop.products[:] = [p for p in t.shop.products if p["product_id"] != sendable.product_id]
        with pytest.raises(ProductUnavailable) as caught:
            await t.commerce.send_product_card(sendable)
        assert "已下架或已删除" in str(caught.value)
        assert len(t.hub.sent) == 1
        assert sendable.product_id not in [o.product.product_id for o in await t.commerce.products()]
