"""Each of the five connectors against the emulator mounted in-process."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.helpers.emulator import mounted_emulator
from workstation.domain.commerce import CouponKind
from workstation.domain.messages import EventKind, MessageType, Sender
from workstation.shops.base import (
    AuthExpired, NetworkDown, Outgoing, PlatformError, RateLimited, ShopConnector,
)
from workstation.shops.connector_base import SignatureRejected
from workstation.shops.emulator.world import TOKEN_TTL
from workstation.domain.platforms import Platform
from workstation.shops.registry import connector_for, credentials_from_account

PLATFORMS = ["pdd", "taobao", "jd", "douyin", "kuaishou"]


def _buyer_with_orders(env, platform: str) -> tuple[str, dict]:
    shop = env.world.shops[env.account(platform)["shop_id"]]
    for buyer in shop.buyers:
        orders = env.world.orders_of(shop, buyer["buyer_id"])
        if orders:
            return buyer["buyer_id"], orders[0]
    raise AssertionError("seed has no buyer with orders")


def test_registry_gives_a_protocol_conforming_connector_per_platform():
    for code in PLATFORMS:
        connector = connector_for(code)
        assert isinstance(connector, ShopConnector)
        assert connector.platform is Platform(code)
    assert connector_for("快手").platform is Platform.KUAISHOU


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_chat_round_trip(platform):
    async with mounted_emulator(seed=21) as env:
        connector = await env.signed_in(platform)
        shop_id = env.account(platform)["shop_id"]
        conv = env.world.inject_buyer_message(shop_id, "请问什么时候发货？")
        env.world.inject_buyer_message(shop_id, image="qrcode", buyer_id=conv["buyer_id"])

        page = await connector.catch_up(None)
        assert [e.message.event for e in page.events[:1]] == [EventKind.ENTERED_RECEPTION]
        text, image = page.events[1].message, page.events[2].message
        assert (text.sender, text.type, text.text) == (Sender.BUYER, MessageType.TEXT, "请问什么时候发货？")
        assert text.platform is Platform(platform) and text.shop_id == shop_id
        assert text.sent_at.tzinfo is not None and text.conversation_id == conv["conversation_id"]
        assert image.type is MessageType.IMAGE and image.payload["image_url"].startswith("http://emulator.test/media/")

        outgoing = Outgoing(conv["conversation_id"], conv["buyer_id"], "idem-1", text="亲，今天下午发货")
        receipt = await connector.send(outgoing)
        assert await connector.send(outgoing) == receipt  # same key → same message, never two
        assert await connector.find_sent(conv["conversation_id"], "idem-1") == receipt
        assert await connector.find_sent(conv["conversation_id"], "never-sent") is None
        agent_messages = [e for e in env.world.shops[shop_id].events if e["sender"] == "agent"]
        assert len(agent_messages) == 1

        stream = connector.events(page.next_cursor)
        try:
            pushed = await asyncio.wait_for(stream.__anext__(), 5)
            assert pushed.message.message_id == receipt.message_id
            assert pushed.message.payload["idempotency_key"] == "idem-1"
            env.world.inject_buyer_message(shop_id, "好的谢谢", buyer_id=conv["buyer_id"])
            pushed = await asyncio.wait_for(stream.__anext__(), 5)
            assert pushed.message.text == "好的谢谢" and pushed.cursor == "5"
        finally:
            await stream.aclose()
        await connector.mark_read(conv["conversation_id"])
        await connector.invite_rating(conv["conversation_id"])
        await connector.set_buyer_remark(conv["buyer_id"], "问过尺码，偏瘦")
        assert env.world.shops[shop_id].remarks[conv["buyer_id"]] == "问过尺码，偏瘦"


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_orders_products_and_contact(platform):
    async with mounted_emulator(seed=22) as env:
        connector = await env.signed_in(platform)
        buyer_id, seeded = _buyer_with_orders(env, platform)
        orders = await connector.list_orders(buyer_id)
        assert orders and all(o.buyer_id == buyer_id for o in orders)
        order = next(o for o in orders if o.order_id == seeded["order_id"])
        assert order.amount_fen == seeded["amount_fen"] and isinstance(order.amount_fen, int)
        assert [i.price_fen for i in order.items] == [i["price_fen"] for i in seeded["items"]]
        assert order.created_at.tzinfo is not None and order.status_text
        assert "****" in order.phone_masked and seeded["phone"] not in order.phone_masked
        assert seeded["address"] != order.address_masked
        assert len(order.logistics) == len(seeded["logistics"])
        assert all(i.image_url.startswith("http://emulator.test/media/") for i in order.items if i.image_url)
        assert await connector.get_order(order.order_id) == order
        assert await connector.get_order("404404404") is None
        contact = await connector.reveal_order_contact(order.order_id)
        assert contact["phone"] == seeded["phone"]
        products = await connector.list_products()
        assert len(products) == 6 and all(p.price_fen > 0 for p in products)
        assert len(await connector.list_products(products[0].title[:3])) >= 1


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_coupons_validity_stock_and_per_buyer_limit(platform):
    async with mounted_emulator(seed=23) as env:
        connector = await env.signed_in(platform)
        shop = env.world.shops[env.account(platform)["shop_id"]]
        conv = env.world.inject_buyer_message(shop.shop_id, "有优惠券吗")
        coupons = await connector.list_coupons(conv["buyer_id"])
        assert {c.kind for c in coupons} == {CouponKind.SHOP, CouponKind.PRODUCT}
        assert all(c.valid_to > env.world.now() for c in coupons)  # the expired 双十一 coupon is not offered
        product_coupon = next(c for c in coupons if c.kind is CouponKind.PRODUCT)
        assert product_coupon.product_ids and product_coupon.per_buyer_limit == 2

        big = next(c for c in coupons if c.title == "店铺满199减20")
        grant = await connector.send_coupon(conv["conversation_id"], conv["buyer_id"], big.coupon_id, "c-1")
        assert await connector.send_coupon(conv["conversation_id"], conv["buyer_id"], big.coupon_id, "c-1") == grant
        assert await connector.find_coupon_grant(conv["buyer_id"], "c-1") == grant
        assert await connector.find_coupon_grant(conv["buyer_id"], "c-2") is None
        with pytest.raises(PlatformError) as limit:
            await connector.send_coupon(conv["conversation_id"], conv["buyer_id"], big.coupon_id, "c-2")
        assert "限领" in limit.value.platform_message
        again = {c.coupon_id: c for c in await connector.list_coupons(conv["buyer_id"])}
        assert again[big.coupon_id].buyer_received == 1 and again[big.coupon_id].stock_left == big.stock_left - 1

        small = next(c for c in coupons if c.title == "店铺满99减10")  # stock 3
        for n in range(3):
            await connector.send_coupon("", f"buyer-{n}", small.coupon_id, f"s-{n}")
        with pytest.raises(PlatformError) as empty:
            await connector.send_coupon("", "buyer-9", small.coupon_id, "s-9")
        assert "发完" in empty.value.platform_message
        expired = next(c for c in shop.coupons.values() if c["valid_to"] < env.world.now())
        with pytest.raises(PlatformError):
            await connector.send_coupon("", "buyer-1", expired["coupon_id"], "x-1")


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_token_refreshes_before_expiry_and_reports_new_tokens(platform):
    async with mounted_emulator(seed=24) as env:
        connector = await env.signed_in(platform)
        seen = []
        connector.on_tokens = seen.append
        first = connector.tokens
        access_ttl, _ = TOKEN_TTL[Platform(platform)]
        env.world.tick((access_ttl - timedelta(minutes=2)).total_seconds())  # inside the refresh margin
        await connector.list_products()
        assert len(seen) == 1 and connector.tokens is seen[0]
        assert connector.tokens.access_token != first.access_token
        assert connector.tokens.access_expires_at > env.world.now() + access_ttl - timedelta(minutes=1)
        if platform == "kuaishou":  # 快手 rotates the refresh token; the old one is void
            assert connector.tokens.refresh_token != first.refresh_token
            stale = env.connector(platform)
            stale.use_credentials(connector.credentials)
            stale.use_tokens(first)
            with pytest.raises(AuthExpired):
                await stale.refresh()
        else:
            assert connector.tokens.refresh_token == first.refresh_token


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_rejected_token_is_refreshed_once_then_auth_expired(platform):
    async with mounted_emulator(seed=25) as env:
        connector = await env.signed_in(platform)
        shop_id = env.account(platform)["shop_id"]
        # The platform expired the access token early: one refresh, then the call succeeds.
        for token, grant in list(env.world.access.items()):
            if grant.shop.shop_id == shop_id:
                grant.expires_at = env.world.now() - timedelta(seconds=1)
        assert await connector.list_products()
        # The owner revoked the authorisation: refreshing cannot help.
        env.world.revoke_tokens(shop_id)
        with pytest.raises(AuthExpired) as expired:
            await connector.list_products()
        assert "重新登录" in str(expired.value)
        stream = connector.events(None)
        with pytest.raises(AuthExpired):
            await asyncio.wait_for(stream.__anext__(), 5)
        await stream.aclose()


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_wrong_clock_rate_limit_and_bad_password(platform):
    async with mounted_emulator(seed=26) as env:
        connector = await env.signed_in(platform)
        shop_id = env.account(platform)["shop_id"]
        skewed = connector_for(platform, transport=env.transport, clock=lambda: env.world.now() + timedelta(minutes=30))
        env.connectors.append(skewed)
        skewed.use_credentials(connector.credentials)
        skewed.use_tokens(connector.tokens)
        with pytest.raises(SignatureRejected) as clock:
            await skewed.list_products()
        assert "系统时间" in str(clock.value) and clock.value.code
        if platform in ("pdd", "taobao", "douyin"):  # refresh goes through the signed gateway there
            with pytest.raises(SignatureRejected):
                await skewed.refresh()  # a wrong clock is not "sign in again"

        env.world.throttle(shop_id, 90)
        with pytest.raises(RateLimited) as limited:
            await connector.list_products()
        assert limited.value.retry_after >= 1

        wrong = credentials_from_account({**env.account(platform), "password": "wrong-password"})
        with pytest.raises((AuthExpired, PlatformError)):
            await env.connector(platform).sign_in(wrong)


@pytest.mark.asyncio
async def test_unreachable_gateway_is_network_down_not_sent():
    connector = connector_for("pdd")
    try:
        connector.use_credentials(credentials_from_account({
            "gateway": "http://127.0.0.1:9/pdd/api/router", "app_key": "k", "app_secret": "s", "login": "l"}))
        from workstation.shops.base import Tokens
        from datetime import datetime, timezone
        connector.use_tokens(Tokens("t", "r", datetime.now(timezone.utc) + timedelta(days=1)))
        connector._retry = type(connector._retry)(attempts=1)
        with pytest.raises(NetworkDown) as down:
            await connector.send(Outgoing("c", "b", "k", text="hi"))
        assert down.value.request_sent is False
    finally:
        await connector.aclose()


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", ["jd", "taobao"])
async def test_cards_images_and_transfer_events(platform):
    async with mounted_emulator(seed=27) as env:
        connector = await env.signed_in(platform)
        shop_id = env.account(platform)["shop_id"]
        conv = env.world.inject_buyer_message(shop_id, "这个有货吗")
        page = await connector.catch_up(None)
        card = {"product_id": "p-1", "title": "法式碎花连衣裙", "price_fen": 15900}
        await connector.send(Outgoing(conv["conversation_id"], conv["buyer_id"], "card-1",
                                      type=MessageType.PRODUCT_CARD, card=card))
        await connector.send(Outgoing(conv["conversation_id"], conv["buyer_id"], "img-1", type=MessageType.IMAGE,
                                      image=b"\x89PNG\r\n\x1a\n fake"))
        await connector.transfer(conv["conversation_id"], "客服02")
        later = await connector.catch_up(page.next_cursor)
        card_msg, image_msg, transfer = (e.message for e in later.events)
        assert card_msg.type is MessageType.PRODUCT_CARD and card_msg.payload["card"] == card
        assert image_msg.type is MessageType.IMAGE and image_msg.payload["image_url"].endswith(".png")
        assert transfer.event is EventKind.TRANSFER and transfer.payload["to_agent"] == "客服02"
        with pytest.raises(PlatformError):  # an empty text message is refused by the platform
            await connector.send(Outgoing(conv["conversation_id"], conv["buyer_id"], "empty", text="  "))


@pytest.mark.asyncio
async def test_failed_early_refresh_keeps_using_the_still_valid_token():
    async with mounted_emulator(seed=28) as env:
        connector = await env.signed_in("douyin")
        before = connector.tokens

        async def unreachable(refresh_token):
            raise NetworkDown("连接超时", request_sent=False)

        connector._refresh = unreachable
        env.world.tick((TOKEN_TTL[Platform.DOUYIN][0] - timedelta(minutes=3)).total_seconds())
        assert await connector.list_products()  # still inside the token's life: the call goes through
        assert connector.tokens is before
        env.world.tick(4 * 60)  # now it has expired and cannot be refreshed
        with pytest.raises(NetworkDown):
            await connector.list_products()
