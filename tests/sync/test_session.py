"""Receiving: catch-up after reconnect, duplicates, reordering, malformed events, tokens and isolation."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.sync.conftest import wait_until
from workstation.domain.messages import Message, Sender
from workstation.domain.platforms import Platform
from workstation.secrets import SecretStore
from workstation.shops.base import ShopEvent
from workstation.store import messages as store
from workstation.sync import AccountState


async def stored_ids(worker, shop_id="shop1"):
    rows = await worker.call(lambda db: [r[0] for r in db.execute(
        "SELECT message_id FROM messages WHERE shop_id = ? ORDER BY id", [shop_id]).fetchall()])
    return rows


@pytest.mark.asyncio
async def test_signs_in_catches_up_history_then_follows_live(rig):
    shop = rig.shop(1)
    shop.buyer_says("c1", "在吗")
    shop.buyer_says("c1", "什么时候发货")
    await rig.start(1)
    await wait_until(lambda: rig.state(1) is AccountState.CONNECTED)
    assert len(rig.listener.messages) == 2
    await wait_until(lambda: shop.subscribers)
    shop.buyer_says("c2", "有优惠吗")
    await wait_until(lambda: len(rig.listener.messages) == 3)
    assert [m.message_id for m in rig.listener.messages] == [e.message.message_id for e in shop.history]
    conversation = await rig.worker.call(store.get_conversation, ("pdd", "shop1", "c2"))
    assert conversation.unread == 1 and conversation.account_id == 1
    # tokens went to the keyring with their expiry, never to the database
    saved = json.loads(SecretStore().get(shop.account(1).key, "access_token"))
    assert saved["token"].startswith("acc-") and saved["expires_at"]
    assert rig.listener.last_state(1) == (AccountState.CONNECTED, "")


@pytest.mark.asyncio
async def test_what_arrived_while_disconnected_is_caught_up_on_reconnect(rig):
    shop = rig.shop(1)
    await rig.start(1)
    await wait_until(lambda: shop.subscribers)
    shop.buyer_says("c1", "第一条")
    await wait_until(lambda: len(rig.listener.messages) == 1)
    shop.drop_connections()
    # while the push is down, three messages arrive that are never pushed
    for text in ("第二条", "第三条", "第四条"):
        shop.buyer_says("c1", text, push=False)
    await wait_until(lambda: len(rig.listener.messages) == 4)
    assert await stored_ids(rig.worker) == [e.message.message_id for e in shop.history]
    assert any(state is AccountState.RECONNECTING for _, state, _ in rig.listener.states)
    assert rig.state(1) is AccountState.CONNECTED
    cursor = await rig.worker.call(store.get_cursor, 1)
    assert cursor == str(len(shop.history))


@pytest.mark.asyncio
async def test_duplicated_reordered_and_silently_dropped_pushes_end_up_exactly_once(rig):
    shop = rig.shop(1, duplicate_pushes=True, reorder_pushes=True, push_drop_every=3)
    await rig.start(1)
    await wait_until(lambda: shop.subscribers)
    for i in range(30):
        shop.buyer_says(f"c{i % 4}", f"消息{i}")
    await wait_until(lambda: len(rig.listener.messages) == 30)  # the periodic catch-up finds the dropped ones
    ids = await stored_ids(rig.worker)
    assert sorted(ids) == sorted(e.message.message_id for e in shop.history)
    assert len(ids) == len(set(ids))
    assert len({m.message_id for m in rig.listener.messages}) == 30  # listeners heard each once
    assert rig.hub.session(1).stats["duplicates"] > 0


@pytest.mark.asyncio
async def test_listeners_only_hear_of_committed_messages(rig, worker):
    shop = rig.shop(1)
    seen_in_db = []

    class Checker:
        def on_messages(self, messages):
            # runs on the loop thread; a blocking read through a fresh connection sees committed rows only
            import sqlite3
            conn = sqlite3.connect(worker.path)
            try:
                for message in messages:
                    seen_in_db.append(conn.execute(
                        "SELECT count(*) FROM messages WHERE message_id = ?", [message.message_id]).fetchone()[0])
            finally:
                conn.close()

    rig.hub.add_listener(Checker())
    await rig.start(1)
    await wait_until(lambda: shop.subscribers)
    for i in range(5):
        shop.buyer_says("c1", f"在吗{i}")
    await wait_until(lambda: len(seen_in_db) == 5)
    assert seen_in_db == [1] * 5


@pytest.mark.asyncio
async def test_malformed_and_unknown_events_are_logged_and_skipped(rig, caplog):
    shop = rig.shop(1)
    await rig.start(1)
    await wait_until(lambda: shop.subscribers)
    good = Message(platform=Platform.PDD, shop_id="shop1", conversation_id="c1", message_id="x", sender=Sender.BUYER,
                   sent_at=datetime.now(UTC))
    shop.push({"not": "an event"})
    shop.push(ShopEvent("9", None))
    shop.push(ShopEvent("9", Message(platform=Platform.PDD, shop_id="shop1", conversation_id="", message_id="y",
                                     sender=Sender.BUYER, sent_at=datetime.now(UTC))))
    shop.push(ShopEvent("9", Message(platform=Platform.JD, shop_id="other", conversation_id="c", message_id="z",
                                     sender=Sender.BUYER, sent_at=datetime.now(UTC))))
    shop.push(ShopEvent("9", Message(platform=Platform.PDD, shop_id="shop1", conversation_id="c", message_id="e",
                                     sender=Sender.SYSTEM, sent_at=datetime.now(UTC), type="event")))
    shop.push(ShopEvent("9", good))
    await wait_until(lambda: rig.listener.messages)
    assert [m.message_id for m in rig.listener.messages] == ["x"]
    assert rig.hub.session(1).stats["skipped"] == 5
    assert rig.state(1) is AccountState.CONNECTED
    assert "skipped a malformed event" in caplog.text


@pytest.mark.asyncio
async def test_token_is_refreshed_before_expiry_and_calls_go_on(rig):
    shop = rig.shop(1, access_lifetime=timedelta(seconds=1.5))
    await rig.start(1)
    await wait_until(lambda: rig.state(1) is AccountState.CONNECTED)
    await wait_until(lambda: shop.calls.get("refresh", 0) >= 2, timeout=5)
    assert rig.state(1) is AccountState.CONNECTED
    shop.buyer_says("c1", "还在吗")
    await wait_until(lambda: rig.listener.messages)
    saved = json.loads(SecretStore().get(shop.account(1).key, "access_token"))
    assert saved["token"] == rig.connectors[1][0].tokens.access_token


@pytest.mark.asyncio
async def test_refresh_failure_means_needs_login_while_the_others_carry_on(rig):
    failing = rig.shop(1)
    healthy = rig.shop(2, platform=Platform.KUAISHOU)
    await rig.start(1, 2)
    await wait_until(lambda: rig.state(1) is AccountState.CONNECTED and rig.state(2) is AccountState.CONNECTED)
    failing.refresh_fails = True
    failing.revoke_tokens()
    failing.buyer_says("c1", "在吗")  # the push meets a revoked token
    await wait_until(lambda: rig.state(1) is AccountState.NEEDS_LOGIN)
    state, detail = rig.hub.state(1)
    assert state.label == "需重新登录" and "刷新令牌失败" in detail
    healthy.buyer_says("k1", "你好")
    await wait_until(lambda: any(m.shop_id == "shop2" for m in rig.listener.messages))
    assert rig.state(2) is AccountState.CONNECTED
    # after the agent signs in again the account syncs what it missed
    failing.refresh_fails = False
    await rig.hub.reconnect(1)
    await wait_until(lambda: any(m.shop_id == "shop1" for m in rig.listener.messages))


@pytest.mark.asyncio
async def test_wrong_password_needs_login(rig):
    rig.shop(1, password="wrong")
    await rig.start(1)
    await wait_until(lambda: rig.state(1) is AccountState.NEEDS_LOGIN)
    assert "账号或密码错误" in rig.hub.state(1)[1]


@pytest.mark.asyncio
async def test_stored_token_is_reused_without_signing_in(rig):
    shop = rig.shop(1)
    tokens = shop.issue_tokens()
    from workstation.sync.credentials import save_tokens

    save_tokens(SecretStore(), shop.account(1), tokens)
    await rig.start(1)
    await wait_until(lambda: rig.state(1) is AccountState.CONNECTED)
    assert shop.calls.get("sign_in", 0) == 0


@pytest.mark.asyncio
async def test_an_account_rate_limited_for_minutes_never_stalls_the_others(rig):
    loop = asyncio.get_running_loop()
    limited = rig.shop(1, rate_limited_until=loop.time() + 600, rate_limit_retry_after=120)
    slow = rig.shop(2, platform=Platform.JD, latency=0.3)
    healthy = [rig.shop(i, platform=Platform.DOUYIN) for i in (3, 4, 5)]
    for shop in healthy:
        shop.buyer_says("c1", "在吗")
    await rig.start(1, 2, 3, 4, 5)
    await wait_until(lambda: all(rig.state(i) is AccountState.CONNECTED for i in (3, 4, 5)), timeout=2)
    assert rig.state(1) is AccountState.RECONNECTING
    assert "限流" in rig.hub.state(1)[1]
    started = loop.time()
    for shop in healthy:
        await wait_until(lambda: shop.subscribers)
        shop.buyer_says("c2", "发货了吗")
    await wait_until(lambda: sum(m.conversation_id == "c2" for m in rig.listener.messages) == 3, timeout=2)
    assert loop.time() - started < 1.0
    await wait_until(lambda: rig.state(2) is AccountState.CONNECTED, timeout=3)
    # stopping does not wait out the two-minute retry-after
    stop_started = loop.time()
    await rig.hub.stop()
    assert loop.time() - stop_started < 2.0


@pytest.mark.asyncio
async def test_disable_and_remove_account(rig):
    shop = rig.shop(1)
    await rig.start(1)
    await wait_until(lambda: rig.state(1) is AccountState.CONNECTED)
    await rig.hub.set_enabled(1, False)
    assert rig.state(1) is AccountState.DISABLED
    assert rig.listener.last_state(1)[0] is AccountState.DISABLED
    assert rig.connectors[1][0].closed and not shop.subscribers
    await rig.hub.set_enabled(1, True)
    await wait_until(lambda: rig.state(1) is AccountState.CONNECTED)
    assert rig.hub.connector(1) is rig.connectors[1][1]
    await rig.hub.remove_account(1)
    assert rig.hub.accounts() == []


@pytest.mark.asyncio
async def test_a_refresh_the_connector_makes_on_its_own_reaches_the_keyring(rig):
    shop = rig.shop(1, platform=Platform.KUAISHOU)
    await rig.start(1)
    await wait_until(lambda: rig.state(1) is AccountState.CONNECTED)
    connector = rig.connectors[1][0]
    before = rig.hub.session(1).token_generation
    for _ in range(3):  # 快手 rotates the refresh token each time: the keyring must hold the last one
        await connector.refresh()
    await wait_until(lambda: json.loads(SecretStore().get(shop.account(1).key, "refresh_token"))["token"]
                     == connector.tokens.refresh_token)
    assert rig.hub.session(1).token_generation == before + 3
    shop.buyer_says("c1", "在吗")
    await wait_until(lambda: rig.listener.messages)


@pytest.mark.asyncio
async def test_a_wrong_clock_shows_an_error_that_says_what_to_do_and_others_carry_on(rig):
    rig.shop(1, clock_rejected=True)
    healthy = rig.shop(2, platform=Platform.TAOBAO)
    await rig.start(1, 2)
    await wait_until(lambda: rig.state(1) is AccountState.ERROR)
    assert "校准系统时间" in rig.hub.state(1)[1] and AccountState.ERROR.label == "错误"
    await wait_until(lambda: rig.state(2) is AccountState.CONNECTED)
    healthy.buyer_says("c1", "在吗")
    await wait_until(lambda: rig.listener.messages)


@pytest.mark.asyncio
async def test_a_token_refused_right_after_every_refresh_ends_in_needs_login_not_a_spin(rig):
    shop = rig.shop(1)
    await rig.start(1)
    await wait_until(lambda: rig.state(1) is AccountState.CONNECTED)
    original_issue = shop.issue_tokens

    def issue_dead_tokens():
        tokens = original_issue()
        shop.valid_access.discard(tokens.access_token)  # the platform forgets each new token at once
        return tokens

    shop.issue_tokens = issue_dead_tokens
    shop.revoke_tokens()
    shop.drop_connections()
    await wait_until(lambda: rig.state(1) is AccountState.NEEDS_LOGIN, timeout=5)
    assert shop.calls["refresh"] <= 5


@pytest.mark.asyncio
async def test_tokens_refused_after_a_restart_mean_signing_in_again_with_the_stored_password(rig):
    shop = rig.shop(1)
    from workstation.sync.credentials import save_tokens

    stale = shop.issue_tokens()
    save_tokens(SecretStore(), shop.account(1), stale)
    shop.revoke_tokens()              # revoked while the app was closed…
    shop.valid_refresh.clear()        # …refresh token too
    shop.buyer_says("c1", "在吗")
    await rig.start(1)
    await wait_until(lambda: rig.state(1) is AccountState.CONNECTED and rig.listener.messages)
    assert shop.calls["sign_in"] == 1
    saved = json.loads(SecretStore().get(shop.account(1).key, "access_token"))
    assert saved["token"] != stale.access_token


@pytest.mark.asyncio
async def test_an_account_without_a_connector_shows_an_error_and_the_rest_start(worker):
    from tests.sync.conftest import FAST, RecordingListener
    from tests.helpers.fake_connector import FakeConnector, FakePlatform
    from workstation.sync import SyncHub

    good = FakePlatform(shop_id="ok")
    SecretStore().set(good.account(2).key, "password", good.password)

    def factory(account):
        if account.id == 1:
            raise ValueError("unknown gateway")
        return FakeConnector(good)

    hub = SyncHub(worker, connector_factory=factory, policy=FAST)
    listener = RecordingListener()
    hub.add_listener(listener)
    try:
        await hub.start([FakePlatform(shop_id="bad").account(1), good.account(2)])
        assert hub.state(1)[0] is AccountState.ERROR and "unknown gateway" in hub.state(1)[1]
        await wait_until(lambda: hub.state(2)[0] is AccountState.CONNECTED)
        assert listener.last_state(1)[0] is AccountState.ERROR
    finally:
        await hub.stop()
