"""The real engine and the five real connectors against the platform emulator.

The emulator runs under uvicorn in a thread of this process (real loopback HTTP and
WebSocket), with chaos on where the test says so; the world is only touched on the
emulator's own loop (`handle.call`).
"""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio

from tests.sync.conftest import FAST, RecordingListener, wait_until
from workstation.domain.messages import Sender
from workstation.domain.platforms import Platform
from workstation.domain.verdict import DraftKind, OutgoingDraft
from workstation.shops.emulator_cli import start_emulator_in_thread
from workstation.store import messages as store
from workstation.sync import AccountState, SyncHub
from workstation.sync.enrol import enrol_emulator_accounts


class Emulated:
    def __init__(self, handle, accounts):
        self.handle = handle
        self.world = handle.world
        self.accounts = accounts

    def shop(self, account):
        return self.world.shops[account.shop_id]

    def say(self, account, text, buyer=None):
        return self.handle.call(lambda: self.world.inject_buyer_message(account.shop_id, text, buyer_id=buyer)["conversation_id"])

    def truth(self) -> list[dict]:
        ids = {a.shop_id for a in self.accounts}
        return self.handle.call(lambda: [dict(e) for s in ids for e in self.world.shops[s].events])


async def emulated(worker, *, chaos=0.0, seed=3, shops_per_platform=1):
    handle = start_emulator_in_thread(seed=seed, chaos=chaos, buyers_per_minute=0, shops_per_platform=shops_per_platform)
    accounts = await enrol_emulator_accounts(worker, handle.accounts())
    return Emulated(handle, accounts)


@pytest_asyncio.fixture
async def hub_factory(worker):
    hubs, handles = [], []

    async def make(*, chaos=0.0, seed=3, shops_per_platform=1, env=None):
        env = env or await emulated(worker, chaos=chaos, seed=seed, shops_per_platform=shops_per_platform)
        handles.append(env.handle)
        hub = SyncHub(worker, policy=FAST)
        listener = RecordingListener()
        hub.add_listener(listener)
        hubs.append(hub)
        return env, hub, listener

    yield make
    for hub in hubs:
        await hub.stop()
    for handle in set(handles):
        await asyncio.to_thread(handle.stop)


def all_connected(hub, accounts):
    return all(hub.state(a.id)[0] is AccountState.CONNECTED for a in accounts)


@pytest.mark.asyncio
async def test_chaos_nothing_lost_nothing_doubled_both_ways(hub_factory, worker):
    env, hub, listener = await hub_factory(chaos=0.15, seed=7, shops_per_platform=2)
    assert {a.platform for a in env.accounts} == set(Platform)
    await hub.start(env.accounts)
    await wait_until(lambda: all_connected(hub, env.accounts), timeout=20)
    replies = []
    for round_ in range(5):
        for account in env.accounts:
            env.say(account, f"第{round_}个问题：什么时候发货？", buyer=f"{account.shop_id}-buyer{round_ % 3}")
        await asyncio.sleep(0.3)
        # an agent answers every conversation with a buyer waiting
        for conversation in await worker.call(store.list_conversations, waiting_only=True):
            draft = OutgoingDraft(kind=DraftKind.TEXT, text=f"亲，第{round_}轮为您查询中，请稍等")
            replies.append(await hub.send(conversation.key, draft, confirmed_warning=True))
    await wait_until(lambda: sum(r["state"] == "sent" for r in {r["id"]: r for r in listener.outbox}.values())
                     == len(replies), timeout=40, interval=0.1)
    truth = env.truth()
    await wait_until(lambda: {m.message_id for m in listener.messages} >= {e["message_id"] for e in truth},
                     timeout=40, interval=0.1)
    stored = await worker.call(lambda db: [r[0] for r in db.execute("SELECT message_id FROM messages")])
    assert len(stored) == len(set(stored))
    assert {e["message_id"] for e in truth} <= set(stored)
    # each agent reply reached the platform exactly once
    agent_keys = [e.get("idempotency_key") for e in truth if e.get("sender") == "agent"]
    assert len(agent_keys) == len(set(agent_keys)) == len(replies)
    assert env.handle.call(lambda: env.world.stats["agent_duplicates_refused"]) == 0
    # every reply is stored once and tied to its outbox row, whether the echo or the receipt came first
    joined = await worker.call(lambda db: db.execute(
        "SELECT count(*) FROM messages m JOIN outbox o ON o.idempotency_key = json_extract(m.payload, '$.idempotency_key')"
        " WHERE m.sender = 'agent' AND o.state = 'sent'").fetchone()[0])
    assert joined == len(replies)
    buyer_truth = {e["message_id"] for e in truth if e.get("sender") == "buyer" and e.get("kind") == "message"}
    assert len(buyer_truth) == 5 * len(env.accounts)
    heard = [m.message_id for m in listener.messages if m.sender is Sender.BUYER and m.event is None]
    assert sorted(heard) == sorted(buyer_truth)  # each heard once


@pytest.mark.asyncio
async def test_a_throttled_shop_and_a_revoked_one_leave_the_others_working(hub_factory, worker):
    env, hub, listener = await hub_factory()
    throttled, revoked, *healthy = env.accounts
    await hub.start(env.accounts)
    await wait_until(lambda: all_connected(hub, env.accounts), timeout=20)
    conversations = {a.id: env.say(a, "你好，发什么快递？") for a in env.accounts}
    await wait_until(lambda: {m.shop_id for m in listener.messages} >= {a.shop_id for a in env.accounts}, timeout=15)
    env.handle.call(env.world.throttle, throttled.shop_id, 600)   # 429 for ten minutes
    env.handle.call(env.world.revoke_tokens, revoked.shop_id)     # the shop owner withdrew the authorisation
    for account in env.accounts:
        env.say(account, "能发顺丰吗？")
    await wait_until(lambda: hub.state(revoked.id)[0] is AccountState.NEEDS_LOGIN, timeout=15)
    assert "重新登录" in hub.state(revoked.id)[1]
    loop = asyncio.get_running_loop()
    started = loop.time()
    await wait_until(lambda: {m.shop_id for m in listener.messages if m.text == "能发顺丰吗？"}
                     >= {a.shop_id for a in healthy}, timeout=15)
    # the healthy shops answer, while one shop is throttled and another needs login
    for account in healthy:
        key = (account.platform.value, account.shop_id, conversations[account.id])
        await hub.send(key, OutgoingDraft(kind=DraftKind.TEXT, text="亲，默认发中通快递"))
    await wait_until(lambda: sum(r["state"] == "sent" for r in listener.outbox) == len(healthy), timeout=15)
    assert loop.time() - started < 10
    # the throttled shop says so, and its reply waits in the outbox instead of failing at once
    key = (throttled.platform.value, throttled.shop_id, conversations[throttled.id])
    waiting_id = await hub.send(key, OutgoingDraft(kind=DraftKind.TEXT, text="亲，在的"))
    await wait_until(lambda: any(r["id"] == waiting_id and "限流" in r["last_error"] for r in listener.outbox), timeout=10)
    state, detail = hub.state(throttled.id)
    assert state in (AccountState.CONNECTED, AccountState.RECONNECTING) and "限流" in detail
    assert (await worker.call(store.get_outbox, waiting_id))["state"] == "queued"


@pytest.mark.asyncio
async def test_hub_for_emulator_signs_every_account_in(worker):
    from workstation.sync.enrol import hub_for_emulator

    handle = await asyncio.to_thread(start_emulator_in_thread, seed=11, buyers_per_minute=0)
    try:
        hub, accounts = await hub_for_emulator(handle, worker)
        assert len(accounts) == 10 and {a.platform for a in accounts} == set(Platform)
        await hub.start(accounts)
        try:
            await wait_until(lambda: all_connected(hub, accounts), timeout=20)
        finally:
            await hub.stop()
    finally:
        await asyncio.to_thread(handle.stop)


@pytest.mark.asyncio
async def test_after_a_restart_the_engine_reuses_tokens_and_catches_up_what_came_while_it_was_off(hub_factory, worker):
    env, first, _ = await hub_factory()
    await first.start(env.accounts)
    await wait_until(lambda: all_connected(first, env.accounts), timeout=20)
    await first.stop()
    tokens_issued = env.handle.call(lambda: len(env.world.access))
    for account in env.accounts:
        env.say(account, "人呢？怎么没人回")
    _, second, listener = await hub_factory(env=env)
    await second.start(env.accounts)
    truth = {e["message_id"] for e in env.truth()}
    await wait_until(lambda: {m.message_id for m in listener.messages} >= truth, timeout=20)
    assert env.handle.call(lambda: len(env.world.access)) == tokens_issued  # signed in with the stored tokens


@pytest.mark.asyncio
async def test_access_tokens_dropped_by_the_platform_are_refreshed_and_the_keyring_follows(hub_factory, worker):
    import json

    from workstation.secrets import SecretStore

    env, hub, listener = await hub_factory()
    await hub.start(env.accounts)
    await wait_until(lambda: all_connected(hub, env.accounts), timeout=20)
    before = {a.id: json.loads(SecretStore().get(a.key, "access_token"))["token"] for a in env.accounts}
    env.handle.call(env.world.access.clear)  # every access token is now unknown to the platform
    for account in env.accounts:
        env.say(account, "还在吗？")
    truth = {e["message_id"] for e in env.truth()}
    await wait_until(lambda: {m.message_id for m in listener.messages} >= truth, timeout=30)

    def keyring_followed():
        return all(json.loads(SecretStore().get(a.key, "access_token"))["token"] != before[a.id]
                   for a in env.accounts)

    await wait_until(keyring_followed, timeout=15)
    assert all_connected(hub, env.accounts)
    live = env.handle.call(lambda: set(env.world.access))
    assert all(json.loads(SecretStore().get(a.key, "access_token"))["token"] in live for a in env.accounts)
