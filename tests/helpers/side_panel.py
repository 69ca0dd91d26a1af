"""What side-panel tests share: a hub with SyncHub.send's contract, a transport that drops
the connection mid-request, and a conversation set up in the emulator and the store.

`FakeHub.send` keeps the real hub's promise — the compliance gate runs on every draft
(the real `gate_outgoing`) and blocked drafts raise MessageBlocked — then hands the
message straight to the connector instead of an outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import re
import uuid
from dataclasses import dataclass, field

import httpx
import pytest

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
    recent: dict = field(default_factory=dict)            # key -> texts sent before, newest last

    def add(self, conversation: Conversation, connector) -> None:
        self.conversations[conversation.key] = conversation
        self.connectors[conversation.account_id] = connector

    def connector(self, account_id: int):
        return self.connectors[account_id]

    async def send(self, conversation_key, draft, *, confirmed_warning: bool = False, card: dict | None = None,
                   message_type: MessageType | None = None) -> int:
        conversation = self.conversations[tuple(conversation_key)]
        recent = self.recent.setdefault(tuple(conversation_key), [])
        # Like SyncHub.send: the gate's repetition check sees the conversation's recent replies.
        draft = dataclasses.replace(draft, platform=conversation.platform.value, recent_sent=tuple(recent[-10:]))
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
        recent.append(draft.text)
        return len(self.sent)


class FlakyTransport(httpx.AsyncBaseTransport):
    """Wraps a transport. `drop_reply(method)`: the next call of that API method reaches the
    platform, but its answer is lost. `down = True`: nothing gets through at all.
    `delay`: every call waits that long first."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner
        self.down = False
        self.delay = 0.0               # seconds every call takes (a slow platform)
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
        if self.delay:
            await asyncio.sleep(self.delay)
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


BASE_URL = "http://emulator.test"


def account_of(accounts: list[dict], platform: str, index: int = 0) -> dict:
    return [a for a in accounts if a["platform"] == platform][index]


def conversation_in(world, account: dict, *, account_id: int = 1, buyer_index: int = 0,
                    says: tuple[str, ...] = ("你好，在吗",)) -> tuple[Conversation, object, list[Message]]:
    """A buyer of the account's emulated shop writes; returns the Conversation, the emulator's
    shop and the buyer's messages (for the store)."""
    platform = account["platform"]
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


@dataclass
class CommerceEnv:
    app: object
    world: object
    accounts: list
    shop: object
    conversation: Conversation
    connector: object
    transport: FlakyTransport
    hub: FakeHub
    worker: object
    commerce: object = None

    async def aclose(self) -> None:
        await self.connector.aclose()
        await asyncio.to_thread(self.worker.close)


async def start_commerce_env(platform: str, db_path, *, says: tuple[str, ...] = ("你好，在吗",),
                             buyer_index: int = 0, seed: int = 3) -> CommerceEnv:
    """The emulator in-process (plain HTTP over ASGITransport), a signed-in connector behind a
    FlakyTransport, a store holding the conversation, a FakeHub and a ConversationCommerce on
    the emulator's clock. Close with `await env.aclose()`."""
    from workstation.commerce.session import ConversationCommerce
    from workstation.shops.emulator import create_app
    from workstation.shops.registry import connector_for, credentials_from_account
    from workstation.store.worker import StoreWorker

    app = create_app(seed=seed, buyers_per_minute=0)
    world = app.state.emulator
    inner = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=inner, base_url=BASE_URL) as client:
        accounts = (await client.get("/emulator/accounts")).json()
    account = account_of(accounts, platform)
    flaky = FlakyTransport(inner)
    connector = connector_for(platform, transport=flaky, clock=world.now)
    await connector.sign_in(credentials_from_account(account))
    conversation, shop, messages = conversation_in(world, account, says=says, buyer_index=buyer_index)
    worker = StoreWorker(db_path)
    await worker.open()
    await worker.call(store.insert_events, conversation.account_id, messages, None)
    hub = FakeHub()
    hub.add(conversation, connector)
    commerce = ConversationCommerce(conversation, connector, hub, worker, agent="kefu01", clock=world.now,
                                    reconcile_delays=(0.0, 0.05))
    return CommerceEnv(app, world, accounts, shop, conversation, connector, flaky, hub, worker, commerce)


@contextlib.asynccontextmanager
async def commerce_env(platform: str, db_path, **options):
    env = await start_commerce_env(platform, db_path, **options)
    try:
        yield env
    finally:
        await env.aclose()


# PySide6 6.12.0 in this venv hands back None/True/False from void and bool-returning calls
# without taking a reference (b.click(), label.setText(), signal.emit() each drop one), so on
# Python 3.11, where these objects are not immortal, a long run ends in none_dealloc/bool_dealloc.
# Until PySide6 is pinned to a fixed build (or the app guards it at start-up), side-panel tests
# hold spare references so they are not the ones to trip it.
_SPARE_REFERENCES: list = []


def _hold_spare_references() -> None:
    if not _SPARE_REFERENCES:
        import ctypes

        _SPARE_REFERENCES.extend([None, True, False] * 1_000_000)
        # The list itself is never freed, not even at interpreter shutdown, where the missing
        # references would otherwise surface all at once.
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(_SPARE_REFERENCES))


@pytest.fixture(autouse=True)
def qt_garbage_on_qt_thread():
    """Collect garbage only on the Qt thread while a side-panel test runs, and once at its end.

    Left to the automatic collector, a cycle holding Qt objects (a finished qasync loop's
    timers and notifiers, a widget with its slots) may be freed from whichever thread
    triggers a collection — a store or to_thread worker — and a QObject destroyed there
    leaves its timer registered, which Qt later fires at freed memory (seen as a segfault in
    QTimerInfoList::activateTimers). Anki's Qt front end disables the automatic collector
    and collects on the main thread for the same reason. Autouse, so its teardown runs after
    qloop's and after pytest-qt closed the test's widgets.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if enabled:
            gc.enable()


@pytest.fixture
def panel_env(qtbot, arun, tmp_path):
    """`env, panel = panel_env("pdd", says=(...), buyer_index=0)`: a shown SidePanel on the
    emulator's clock and a CommerceEnv for the conversation (not yet set on the panel)."""
    from workstation.ui.side_panel import SidePanel

    _hold_spare_references()
    created = []

    def make(platform: str = "pdd", **options):
        env = arun(start_commerce_env(platform, tmp_path / f"side{len(created)}.sqlite3", **options))
        panel = SidePanel(env.worker, agent="kefu01", clock=env.world.now,
                          commerce_options={"reconcile_delays": (0.0, 0.05)})
        qtbot.addWidget(panel)
        panel.resize(400, 760)
        panel.show()
        created.append((env, panel))
        return env, panel

    yield make
    for env, panel in created:
        panel.shutdown()
        arun(env.aclose())


def buyer_with_orders(shop) -> int:
    return next(i for i, b in enumerate(shop.buyers)
                if any(o["buyer_id"] == b["buyer_id"] for o in shop.orders.values()))
