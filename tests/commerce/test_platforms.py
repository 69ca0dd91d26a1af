"""The same side-panel flows on all five platforms: each connector's request and error shapes
must come out as the same agent-facing outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers.side_panel import buyer_with_orders, commerce_env, qt_garbage_on_qt_thread  # noqa: F401 (fixture)
from workstation.commerce.errors import CouponRefused, OrderNotFound, ProductUnavailable
from workstation.commerce.records import CouponSendState
from workstation.shops.emulator import create_app

UNKNOWN_NUMBER = {"pdd": "251125-999999999999999", "taobao": "9999999999999999999", "douyin": "6999999999999999999",
                  "kuaishou": "9999999999999999", "jd": "999999999999"}


def _buyer_with_orders(platform: str) -> int:
    world = create_app(seed=3, buyers_per_minute=0).state.emulator
    shop = next(s for s in world.shops.values() if s.platform.value == platform)
    return buyer_with_orders(shop)


@pytest.mark.parametrize("platform", ["pdd", "taobao", "douyin", "kuaishou", "jd"])
def test_flows_on_every_platform(platform, tmp_path, arun):
    arun(_flows(platform, tmp_path, _buyer_with_orders(platform)), timeout=30_000)


async def _flows(platform, tmp_path, buyer_index):
    async with commerce_env(platform, tmp_path / "db.sqlite3", buyer_index=buyer_index) as t:
        c = t.commerce
        orders = await c.orders()
        assert orders and "****" in orders[0].phone_masked
        assert (await c.find_order(orders[0].order_id)).order_id == orders[0].order_id
        with pytest.raises(OrderNotFound):
            await c.find_order(UNKNOWN_NUMBER[platform])
        contact = await c.reveal_contact(orders[0])
        assert contact["phone"] == t.shop.orders[orders[0].order_id]["phone"]

        offers = await c.coupon_offers()
        limited = next(o.coupon for o in offers if o.coupon.per_buyer_limit == 1 and o.coupon.stock_left > 10)
        t.transport.drop_reply(t.connector.operations["coupon.send"])
        result = await c.send_coupon(limited)
        assert result.send.state == CouponSendState.GRANTED
        assert t.shop.grants[(limited.coupon_id, t.conversation.buyer_id)] == 1

        # The platform's own refusals, with our client-side check out of the way.
        import dataclasses

        with pytest.raises(CouponRefused) as caught:
            await c.coupons_sender.send(dataclasses.replace(limited, buyer_received=0))
        assert caught.value.reason == "limit", str(caught.value)
        other = next(o.coupon for o in offers if o.coupon.coupon_id != limited.coupon_id)
        t.shop.coupons[other.coupon_id]["stock_left"] = 0
        with pytest.raises(CouponRefused) as caught:
            await c.send_coupon(other)
        assert caught.value.reason == "stock", str(caught.value)
        t.shop.coupons[other.coupon_id].update(stock_left=5, valid_to=t.world.now() - timedelta(minutes=1))
        with pytest.raises(CouponRefused) as caught:
            await c.send_coupon(other)
        assert caught.value.reason == "expired", str(caught.value)

        saved = await c.save_buyer_note(["老客户"], "备注")
        assert saved.pushed, saved.message
        assert t.shop.remarks[t.conversation.buyer_id] == "[老客户] 备注"

        await c.set_solved(True)
        assert not (await c.invite_rating()).allowed
        assert t.shop.conversations[t.conversation.conversation_id]["rating_invited"]

        products = await c.products()
        product = next(o.product for o in products if o.sendable)
        await c.send_product_card(product)
        t.shop.products[:] = [p for p in t.shop.products if p["product_id"] != product.product_id]
        with pytest.raises(ProductUnavailable):
            await c.send_product_card(product)
