"""Catch-up with cursors, the push's resume point, and exactly-once sending with chaos on."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.helpers.emulator import mounted_emulator
from workstation.shops.base import NetworkDown, Outgoing, RateLimited, ShopError
from workstation.shops.emulator.world import World
from workstation.shops.http import RetryPolicy
from workstation.shops.pdd import PddConnector
from workstation.shops.registry import credentials_from_account


async def _persist(call, *args, attempts: int = 40):
    """Retry a safe call through chaos (what the sync engine's backoff does)."""
    for _ in range(attempts):
        try:
            return await call(*args)
        except (NetworkDown, RateLimited):
            await asyncio.sleep(0.01)
    raise AssertionError("chaos never let the call through")


async def _signed_in_through_chaos(env, platform: str):
    for _ in range(40):
        connector = env.connector(platform)
        connector._retry = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)  # quick backoff in tests
        try:
            await connector.sign_in(credentials_from_account(env.account(platform)))
            return connector
        except (NetworkDown, RateLimited, ShopError):
            continue
    raise AssertionError("could not sign in through chaos")


def test_world_and_chaos_are_reproducible_from_the_seed():
    def run(seed):
        world = World(seed=seed, chaos=0.2, buyers_per_minute=30, clock=lambda: _FIXED)
        world.tick(900)
        log = [(s.shop_id, e["seq"], e["kind"], e["text"]) for s in world.shops.values() for e in s.events]
        return log, [world.roll() for _ in range(200)]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_simulated_buyers_write_realistic_chinese_and_rate_after_close():
    world = World(seed=9, buyers_per_minute=40, clock=lambda: _FIXED)
    world.tick(1800)
    events = [e for s in world.shops.values() for e in s.events]
    texts = [e["text"] for e in events if e["kind"] == "message"]
    assert len(texts) > 100
    for topic in ("发货", "尺码", "退款", "优惠"):
        assert any(topic in t or (topic == "优惠" and "券" in t) for t in texts), topic
    assert any(e["type"] == "image" and "qrcode" in e["payload"]["image_url"] for e in events)
    assert any(re.search(r"(https?://|www)", t) for t in texts)
    assert sum(1 for e in events if e["kind"] == "entered_reception") > 20
    # agents answer every open conversation; buyers then close, and some rate
    for shop in world.shops.values():
        for conv in list(shop.conversations.values()):
            if conv["state"] == "open":
                world.send_message(shop, {"conversation_id": conv["conversation_id"], "idempotency_key": "a1",
                                          "text": "亲，马上为您处理"})
    world.buyers_per_minute = 0
    world.tick(900)
    after = [e for s in world.shops.values() for e in s.events]
    assert any(e["kind"] == "closed" for e in after)
    ratings = [e for e in after if e["kind"] == "rating"]
    assert ratings and all(e["rating"] in ("satisfied", "neutral", "disappointed") for e in ratings)


@pytest.mark.asyncio
async def test_catch_up_pages_through_cursors():
    async with mounted_emulator(seed=41) as env:
        connector = await env.signed_in("taobao")
        shop_id = env.account("taobao")["shop_id"]
        for n in range(12):
            env.world.inject_buyer_message(shop_id, f"第{n}条：能便宜点吗", buyer_id=f"tbb-{n % 3}")
        total = len(env.world.shops[shop_id].events)
        cursor, seen, pages = None, [], 0
        while True:
            page = await connector.catch_up(cursor, limit=5)
            pages += 1
            seen += [e.message.message_id for e in page.events]
            cursor = page.next_cursor
            if not page.has_more:
                break
        assert pages == -(-total // 5) and len(seen) == len(set(seen)) == total
        empty = await connector.catch_up(cursor)
        assert empty.events == () and empty.next_cursor == cursor and not empty.has_more


@pytest.mark.asyncio
async def test_what_arrives_while_disconnected_is_caught_up():
    async with mounted_emulator(seed=42) as env:
        connector = await env.signed_in("douyin")
        shop_id = env.account("douyin")["shop_id"]
        env.world.inject_buyer_message(shop_id, "在吗")
        stream = connector.events("0")
        last = None
        for _ in range(2):
            last = await asyncio.wait_for(stream.__anext__(), 5)
        await stream.aclose()  # the connection drops here
        for text in ("还在吗", "怎么不回复", "我要退款"):
            env.world.inject_buyer_message(shop_id, text)
        page = await connector.catch_up(last.cursor)
        assert [e.message.text for e in page.events] == ["还在吗", "怎么不回复", "我要退款"]


class _ScriptedPush(PddConnector):
    """A PDD connector whose push connection plays prepared frames."""

    frames: list = []

    async def _ws_session(self, url, inbox, outbox):
        for frame in self.frames:
            inbox.put_nowait(frame)
        inbox.put_nowait(NetworkDown("连接断开"))


def _frame(seq: int, kind: str = "message", **extra) -> dict:
    import json
    content = {"kind": kind, "message_id": f"m{seq}", "conversation_id": "c1", "buyer_id": "b1",
               "sender": "buyer", "type": "text", "text": f"消息{seq}", "sent_at": 1764000000 + seq,
               "cursor": str(seq), "payload": {}, **extra}
    return {"commandType": "Common", "id": seq, "message": {"type": "pdd_cs_" + kind, "content": json.dumps(content)}}


@pytest.mark.asyncio
async def test_push_cursor_never_passes_a_missing_event_and_bad_frames_are_skipped():
    connector = _ScriptedPush(credentials=credentials_from_account(
        {"gateway": "http://x/pdd/api/router", "app_key": "k", "app_secret": "s", "login": "l"}))
    from datetime import datetime, timedelta, timezone
    from workstation.shops.base import Tokens
    connector.use_tokens(Tokens("t", "r", datetime.now(timezone.utc) + timedelta(days=1)))
    connector.frames = [
        _frame(1), _frame(3), _frame(2), _frame(2),                 # reordered, then duplicated
        {"commandType": "HeartBeat"},                               # not an event
        {"commandType": "Common", "id": 9, "message": {"type": "pdd_trade_TradeCreated", "content": "{}"}},
        _frame(4, kind="future_kind"),                              # an event type we do not know yet
        _frame(6), _frame(5),
    ]
    got = []
    with pytest.raises(NetworkDown):
        async for event in connector.events("0"):
            got.append((event.message.message_id, event.cursor))
    await connector.aclose()
    assert got == [("m1", "1"), ("m3", "1"), ("m2", "3"), ("m2", "3"), ("m6", "3"), ("m5", "3")]
    # m4 was unreadable, so the resume point stays before it: catch-up will fetch it again.


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", ["pdd", "kuaishou"])
async def test_exactly_once_sending_under_chaos(platform):
    async with mounted_emulator(seed=43, chaos=0.3) as env:
        connector = await _signed_in_through_chaos(env, platform)
        shop_id = env.account(platform)["shop_id"]
        conv = env.world.inject_buyer_message(shop_id, "发货了吗")
        ambiguous = recovered = 0
        receipts = {}
        for n in range(30):
            outgoing = Outgoing(conv["conversation_id"], conv["buyer_id"], f"reply-{n}", text=f"第{n}条回复")
            while True:
                try:
                    receipts[n] = await connector.send(outgoing)
                    break
                except NetworkDown as down:
                    if not down.request_sent:
                        continue
                    ambiguous += 1
                    found = await _persist(connector.find_sent, outgoing.conversation_id, outgoing.idempotency_key)
                    if found is not None:
                        recovered += 1
                        receipts[n] = found
                        break
                except RateLimited as limited:
                    await asyncio.sleep(min(limited.retry_after, 0.05))  # the engine waits retry_after
        sent = [e for e in env.world.shops[shop_id].events if e["sender"] == "agent"]
        assert len(sent) == 30 and len({e["idempotency_key"] for e in sent}) == 30
        assert [e["text"] for e in sent] == [f"第{n}条回复" for n in range(30)]
        assert {r.message_id for r in receipts.values()} == {e["message_id"] for e in sent}
        assert ambiguous > 0 and recovered > 0  # the emulator really did process sends and drop the reply
        assert env.world.chaos_counts["reply_dropped_after_processing"] >= recovered


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", ["taobao", "jd"])
async def test_push_with_chaos_plus_catch_up_loses_nothing(platform):
    async with mounted_emulator(seed=44, chaos=0.25) as env:
        connector = await _signed_in_through_chaos(env, platform)
        shop_id = env.account(platform)["shop_id"]
        wanted = 40

        async def buyers():
            for n in range(wanted):
                env.world.inject_buyer_message(shop_id, f"第{n}个问题：尺码怎么选", buyer_id=f"b{n % 4}")
                await asyncio.sleep(0.01)

        producer = asyncio.ensure_future(buyers())
        received: dict[str, int] = {}
        cursor = "0"
        reconnects = 0

        async def consume():
            nonlocal cursor, reconnects
            while True:
                try:
                    async for event in connector.events(cursor):
                        received[event.message.message_id] = received.get(event.message.message_id, 0) + 1
                        cursor = event.cursor
                        if _complete():
                            return
                except (NetworkDown, RateLimited):
                    reconnects += 1
                page = await _persist(connector.catch_up, cursor)
                while True:
                    for event in page.events:
                        received[event.message.message_id] = received.get(event.message.message_id, 0) + 1
                    cursor = page.next_cursor
                    if not page.has_more:
                        break
                    page = await _persist(connector.catch_up, cursor)
                if _complete():
                    return

        def _complete() -> bool:
            if not producer.done():
                return False
            return all(e["message_id"] in received for e in env.world.shops[shop_id].events)

        await asyncio.wait_for(consume(), 30)
        await producer
        buyer_ids = {e["message_id"] for e in env.world.shops[shop_id].events if e["sender"] == "buyer"}
        assert len(buyer_ids) == wanted and buyer_ids <= set(received)
        # chaos really disturbed the push (drops, duplicates, reordering, delays, unknown frames)
        assert sum(n for kind, n in env.world.chaos_counts.items() if kind.startswith("push_")) > 0


def _fixed():
    from datetime import datetime, timezone
    return datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


_FIXED = _fixed()


@pytest.mark.asyncio
async def test_a_push_connection_that_closes_mid_frame_is_network_down():
    import base64
    import hashlib
    from datetime import datetime, timedelta, timezone

    from workstation.shops.base import Tokens

    async def half_a_frame(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        key = next(line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
                   if line.lower().startswith(b"sec-websocket-key"))
        accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        writer.write(b"\x81\x7e\x01\x00" + b'{"commandType":')  # header promises 256 bytes, 16 arrive
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(half_a_frame, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    connector = PddConnector(credentials=credentials_from_account(
        {"gateway": f"http://127.0.0.1:{port}/pdd/api/router", "app_key": "k", "app_secret": "s", "login": "l"}))
    connector.use_tokens(Tokens("t", "r", datetime.now(timezone.utc) + timedelta(days=1)))
    try:
        stream = connector.events("0")
        with pytest.raises(NetworkDown) as down:
            await asyncio.wait_for(stream.__anext__(), 10)
        assert "推送" in str(down.value)
        await stream.aclose()
    finally:
        await connector.aclose()
        server.close()
        await server.wait_closed()
