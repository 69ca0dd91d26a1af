"""The real engine and the real connectors against the platform emulator, in-process, with chaos on."""

from __future__ import annotations

import asyncio
import importlib

import pytest
from httpx_ws.transport import ASGIWebSocketTransport

from tests.sync.conftest import FAST, RecordingListener, wait_until
from workstation.domain.messages import Sender
from workstation.domain.platforms import Platform
from workstation.domain.verdict import DraftKind, OutgoingDraft
from workstation.shops.emulator import GATEWAY_PATHS, create_app
from workstation.store import messages as store
from workstation.sync import AccountState, SyncHub
from workstation.sync.enrol import enrol_emulator_accounts

BASE = "http://emulator"
CONNECTORS = {
    Platform.PDD: ("workstation.shops.pdd", "PddConnector"),
    Platform.TAOBAO: ("workstation.shops.taobao", "TaobaoConnector"),
    Platform.DOUYIN: ("workstation.shops.douyin", "DouyinConnector"),
    Platform.KUAISHOU: ("workstation.shops.kuaishou", "KuaishouConnector"),
    Platform.JD: ("workstation.shops.jd", "JdConnector"),
}


def available_platforms() -> list[Platform]:
    found = []
    for platform, (module, _) in CONNECTORS.items():
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        found.append(platform)
    return found


def factory(transport):
    def make(account):
        module, name = CONNECTORS[account.platform]
        return getattr(importlib.import_module(module), name)(transport=transport)
    return make


async def stored_message_ids(worker) -> list[str]:
    return await worker.call(lambda db: [r[0] for r in db.execute("SELECT message_id FROM messages").fetchall()])


@pytest.mark.asyncio
async def test_chaos_nothing_lost_nothing_doubled_both_ways(worker):
    platforms = available_platforms()
    assert platforms, "no connector is importable"
    app = create_app(seed=7, chaos=0.15, buyers_per_minute=0, shops_per_platform=2)
    world = app.state.emulator
    shops = [s for s in world.shops.values() if s.platform in platforms]
    rows = [s.account(BASE, GATEWAY_PATHS[s.platform]) for s in shops]
    accounts = await enrol_emulator_accounts(worker, rows)
    listener = RecordingListener()
    replies: list[int] = []
    async with ASGIWebSocketTransport(app) as transport:
        hub = SyncHub(worker, connector_factory=factory(transport), policy=FAST)
        hub.add_listener(listener)
        try:
            await hub.start(accounts)
            await wait_until(lambda: all(hub.state(a.id)[0] is AccountState.CONNECTED for a in accounts), timeout=20)
            for round_ in range(6):
                for shop in shops:
                    world.inject_buyer_message(shop.shop_id, f"第{round_}个问题：什么时候发货？",
                                               buyer_id=f"{shop.shop_id}-buyer{round_ % 3}")
                await asyncio.sleep(0.2)
                # an agent answers every conversation with a buyer waiting
                for conversation in await worker.call(store.list_conversations, waiting_only=True):
                    draft = OutgoingDraft(kind=DraftKind.TEXT, text=f"亲，第{round_}轮为您查询中，请稍等")
                    replies.append(await hub.send(conversation.key, draft, confirmed_warning=True))
            truth = {e["message_id"] for s in shops for e in s.events}
            await wait_until(lambda: len(listener.messages) >= len(truth), timeout=30, interval=0.1)
            await wait_until(
                lambda: sum(r["state"] == "sent" for r in {r["id"]: r for r in listener.outbox}.values()) == len(replies),
                timeout=30, interval=0.1)
        finally:
            await hub.stop()
    truth_events = [e for s in shops for e in s.events]
    stored = await stored_message_ids(worker)
    assert len(stored) == len(set(stored))
    assert {e["message_id"] for e in truth_events} <= set(stored)
    # each agent reply reached the platform exactly once
    agent_keys = [e.get("idempotency_key") for e in truth_events if e.get("sender") == "agent"]
    assert len(agent_keys) == len(set(agent_keys)) == len(replies)
    assert world.stats["agent_duplicates_refused"] == 0
    buyer_truth = [e for e in truth_events if e.get("sender") == "buyer"]
    assert len(buyer_truth) == 6 * len(shops)
    assert {m.message_id for m in listener.messages if m.sender is Sender.BUYER} == {e["message_id"] for e in buyer_truth}
