"""拼多多 connector against the emulator mounted in-process."""

from __future__ import annotations

import asyncio

import pytest

from tests.helpers.emulator import mounted_emulator
from workstation.domain.messages import EventKind, MessageType, Sender
from workstation.shops.base import Outgoing


@pytest.mark.asyncio
async def test_pdd_oauth_sign_in_catch_up_send_and_push():
    async with mounted_emulator(seed=11) as env:
        connector = await env.signed_in("pdd")
        assert connector.tokens.access_token
        shop_id = env.account("pdd")["shop_id"]
        conv = env.world.inject_buyer_message(shop_id, "你好，什么时候发货？")

        page = await connector.catch_up(None)
        kinds = [(e.message.type, e.message.event) for e in page.events]
        assert kinds == [(MessageType.EVENT, EventKind.ENTERED_RECEPTION), (MessageType.TEXT, None)]
        assert page.events[1].message.text == "你好，什么时候发货？"
        assert page.events[1].message.sender is Sender.BUYER
        assert page.next_cursor == "2" and not page.has_more

        receipt = await connector.send(Outgoing(conv["conversation_id"], conv["buyer_id"], "key-1", text="亲，今天发货"))
        again = await connector.send(Outgoing(conv["conversation_id"], conv["buyer_id"], "key-1", text="亲，今天发货"))
        assert again == receipt
        assert await connector.find_sent(conv["conversation_id"], "key-1") == receipt
        assert await connector.find_sent(conv["conversation_id"], "key-2") is None

        stream = connector.events(page.next_cursor)
        first = await asyncio.wait_for(stream.__anext__(), 5)
        assert first.message.sender is Sender.AGENT and first.message.payload["idempotency_key"] == "key-1"
        env.world.inject_buyer_message(shop_id, "尺码偏大吗")
        second = await asyncio.wait_for(stream.__anext__(), 5)
        assert second.message.text == "尺码偏大吗" and second.cursor == "4"
        await stream.aclose()
        # Acks reached the emulator: a reconnect without a cursor resumes after them.
        await asyncio.sleep(0.6)
        assert env.world.shops[shop_id].acked_upto >= 3
