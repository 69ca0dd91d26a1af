"""What side-panel tests share: a hub with SyncHub.send's contract, a transport that drops
the connection mid-request, and a conversation set up in the emulator and the store.

`FakeHub.send` keeps the real hub's promise — the compliance gate runs on every draft
(the real `gate_outgoing`) and blocked drafts raise MessageBlocked — then hands the
message straight to the connector instead of an outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from dataclasses import dataclass, field

import httpx

from workstation.compliance.gate import gate_outgoing
from workstation.domain.messages import Conversation, Message, MessageType, Sender
from workstation.domain.platforms import Platform
from workstation.shops.base import Outgoing
from workstation.store import messages as store
from workstation.sync.errors import MessageBlocked, MessageNeedsConfirmation


@dataclass
class FakeHub:
    connectors: dict = field(default_factory=dict)        # account_id -> connector
    conversations: dict = field(default_factory=dict)     # key -> Conversation
    sent: list = field(default_factory=list)              # (key, draft, card, message_type)

    def add(self, conversation: Conversation, connector) -> None:
        self.conversations[conversation.key] = conversation
        self.connectors[conversation.account_id] = connector

    def connector(self, account_id: int):
        return self.connectors[account_id]

    async def send(self, conversation_key, draft, *, confirmed_warning: bool = False, card: dict | None = None,
                   message_type: MessageType | None = None) -> int:
        conversation = self.conversations[tuple(conversation_key)]
        verdict = await asyncio.to_thread(gate_outgoing, draft)
        if verdict.blocked:
            raise MessageBlocked(verdict)
        if verdict.warned and not confirmed_warning:
            raise MessageNeedsConfirmation(verdict)
        connector = self.connectors[conversation.account_id]
        await connector.send(Outgoing(
            conversation_id=conversation.conversation_id, buyer_id=conversation.buyer_id,
            idempotency_key=uuid.uuid4().hex, type=message_type or MessageType.TEXT, text=draft.text,
            card=card or {}))
        self.sent.append((tuple(conversation_key), draft, card, message_type))
        return len(self.sent)


class FlakyTransport(httpx.AsyncBaseTransport):
    """Wraps a transport. `drop_reply(method)`: the next call of that API method reaches the
    platform, but its answer is lost. `down = True`: nothing gets through at all."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner
        self.down = False
        self._drops: dict[str, int] = {}
        self.requests = 0

    def drop_reply(self, method: str, times: int = 1) -> None:
        self._drops[method] = self._drops.get(method, 0) + times

    def _matches(self, request: httpx.Request, method: str) -> bool:
        try:
            body = request.content.decode("utf-8", "replace")
        except httpx.RequestNotRead:
            body = ""
        text = httpx.URL(str(request.url)).path + " " + str(request.url.query, "utf-8", "replace") + " " + body
        text = text.replace("%2E", ".").replace("/", ".")
        return re.search(re.escape(method) + r"(?![\w.])", text) is not None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.down:
            raise httpx.ConnectError("network is unreachable", request=request)
        for method, left in list(self._drops.items()):
            if left > 0 and self._matches(request, method):
                self._drops[method] = left - 1
                response = await self.inner.handle_async_request(request)
                await response.aread()
                raise httpx.ReadError("connection reset by peer", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:  # the emulator env closes the inner transport
        pass


def conversation_in(env, platform: str, *, account_id: int = 1, buyer_index: int = 0,
                    says: tuple[str, ...] = ("你好，在吗",)) -> tuple[Conversation, dict, list[Message]]:
    """A buyer of the platform's first emulated shop writes; returns the Conversation, the
    emulator's shop and the buyer's messages (for the store)."""
    account = env.account(platform)
    world = env.world
    shop = world.shops[str(account["shop_id"])]
    buyer = shop.buyers[buyer_index]
    conv = None
    for text in says:
        conv = world.inject_buyer_message(shop.shop_id, text, buyer_id=buyer["buyer_id"])
    conversation = Conversation(
        platform=Platform(platform), shop_id=shop.shop_id, conversation_id=conv["conversation_id"],
        buyer_id=buyer["buyer_id"], buyer_nick=buyer["nick"], account_id=account_id, shop_name=shop.shop_name)
    now = world.now()
    messages = [Message(platform=Platform(platform), shop_id=shop.shop_id, conversation_id=conv["conversation_id"],
                        message_id=f"t{n}-{uuid.uuid4().hex[:6]}", sender=Sender.BUYER, sent_at=now, text=text,
                        buyer_id=buyer["buyer_id"], buyer_nick=buyer["nick"], shop_name=shop.shop_name)
                for n, text in enumerate(says)]
    return conversation, shop, messages


async def store_conversation(worker, conversation: Conversation, messages: list[Message]) -> None:
    await worker.call(store.insert_events, conversation.account_id, messages, None)


@dataclass
class CommerceEnv:
    env: object            # tests.helpers.emulator.EmulatorEnv
    world: object
    shop: object
    conversation: Conversation
    connector: object
    transport: FlakyTransport
    hub: FakeHub
    worker: object
    commerce: object = None


@contextlib.asynccontextmanager
async def commerce_env(platform: str, db_path, *, says: tuple[str, ...] = ("你好，在吗",), buyer_index: int = 0,
                       seed: int = 3):
    """The emulator in-process, a signed-in connector behind a FlakyTransport, a store with the
    conversation in it, a FakeHub and a ConversationCommerce on the emulator's clock."""
    from tests.helpers.emulator import mounted_emulator
    from workstation.commerce.session import ConversationCommerce
    from workstation.shops.registry import connector_for, credentials_from_account
    from workstation.store.worker import StoreWorker

    worker = StoreWorker(db_path)
    try:
        async with mounted_emulator(seed=seed) as env:
            flaky = FlakyTransport(env.transport)
            connector = connector_for(platform, transport=flaky, clock=env.world.now)
            env.connectors.append(connector)
            await connector.sign_in(credentials_from_account(env.account(platform)))
            conversation, shop, messages = conversation_in(env, platform, says=says, buyer_index=buyer_index)
            await worker.open()
            await store_conversation(worker, conversation, messages)
            hub = FakeHub()
            hub.add(conversation, connector)
            commerce = ConversationCommerce(conversation, connector, hub, worker, agent="kefu01",
                                            clock=env.world.now, reconcile_delays=(0.0, 0.05))
            yield CommerceEnv(env, env.world, shop, conversation, connector, flaky, hub, worker, commerce)
    finally:
        await asyncio.to_thread(worker.close)
