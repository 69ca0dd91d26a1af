"""The side panel's sends through the real SyncHub (the one send path: gate, outbox, connector)
against the emulator on real loopback HTTP, as in `workstation --demo`."""

from __future__ import annotations

import asyncio

from tests.helpers.side_panel import qt_garbage_on_qt_thread  # noqa: F401 (fixture)
from workstation.commerce.records import CouponSendState
from workstation.commerce.session import ConversationCommerce
from workstation.domain.platforms import Platform
from workstation.shops.emulator_cli import start_emulator_in_thread
from workstation.store import messages as store
from workstation.store.worker import StoreWorker
from workstation.sync import AccountState, SyncHub
from workstation.sync.enrol import enrol_emulator_accounts
from workstation.sync.policy import SyncPolicy

FAST = SyncPolicy(backoff_base_s=0.02, backoff_cap_s=0.2, sweep_interval_s=0.2, call_timeout_s=2.0,
                  send_timeout_s=1.0, reconcile_delay_s=0.01, post_connect_catch_up_s=0.05)


async def until(predicate, timeout: float = 15.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := await predicate() if asyncio.iscoroutinefunction(predicate) else predicate()):
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
    return result


def test_coupon_note_and_cards_go_through_the_sync_hub(tmp_path, arun):
    arun(_scenario(tmp_path), timeout=60_000)


async def _scenario(tmp_path):
    worker = StoreWorker(tmp_path / "db.sqlite3")
    await worker.open()
    handle = await asyncio.to_thread(start_emulator_in_thread, seed=3, buyers_per_minute=0, shops_per_platform=1)
    hub = SyncHub(worker, policy=FAST)
    try:
        accounts = await enrol_emulator_accounts(worker, handle.accounts())
        account = next(a for a in accounts if a.platform is Platform.PDD)
        await hub.start([account])
        await until(lambda: hub.state(account.id)[0] is AccountState.CONNECTED)
        world = handle.world
        conversation_id = handle.call(
            lambda: world.inject_buyer_message(account.shop_id, "有优惠券吗？")["conversation_id"])
        key = ("pdd", account.shop_id, conversation_id)

        async def stored():
            return await worker.call(store.get_conversation, key)

        conversation = await until(stored)
        commerce = ConversationCommerce(conversation, hub.connector(account.id), hub, worker, agent=account.login)

        offers = await commerce.coupon_offers()
        coupon = next(o.coupon for o in offers if o.sendable)
        result = await commerce.send_coupon(coupon)
        assert result.send.state == CouponSendState.GRANTED and result.note_state == "sent", result.message
        note = commerce.coupon_note(coupon)

        def agent_texts():
            shop = world.shops[account.shop_id]
            return handle.call(lambda: [e["text"] for e in shop.events
                                        if e.get("sender") == "agent" and e["conversation_id"] == conversation_id])

        await until(lambda: note in agent_texts())
        products = await commerce.products()
        product = next(o.product for o in products if o.sendable)
        await commerce.send_product_card(product)
        await until(lambda: any(product.title in text for text in agent_texts()))
        assert agent_texts().count(note) == 1
    finally:
        await hub.stop()
        await asyncio.to_thread(handle.stop)
        await asyncio.to_thread(worker.close)
