"""Properties under chaos: whatever the push connection does, every event is stored and heard
exactly once; whatever the network does to sends, no message is delivered twice."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sync.conftest import Rig, wait_until
from workstation.store import StoreWorker
from workstation.sync import AccountState

STEPS = st.sampled_from(["say", "say", "say", "say", "drop", "dup", "reorder", "lose", "calm"])


async def scenario(script: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        worker = StoreWorker(Path(folder) / "w.sqlite3")
        await worker.open()
        rig = Rig(worker)
        shop = rig.shop(1)
        try:
            await rig.start(1)
            await wait_until(lambda: rig.state(1) is AccountState.CONNECTED and shop.subscribers)
            for number, step in enumerate(script):
                if step == "say":
                    shop.buyer_says(f"c{number % 3}", f"消息{number}")
                elif step == "drop":
                    shop.drop_connections()
                elif step == "dup":
                    shop.duplicate_pushes = True
                elif step == "reorder":
                    shop.reorder_pushes = True
                elif step == "lose":
                    shop.push_drop_every = 2
                else:
                    shop.duplicate_pushes = shop.reorder_pushes = False
                    shop.push_drop_every = 0
                await asyncio.sleep(0.005)
            truth = [e.message.message_id for e in shop.history]
            await wait_until(lambda: {m.message_id for m in rig.listener.messages} == set(truth), timeout=10)
            heard = [m.message_id for m in rig.listener.messages]
            assert sorted(heard) == sorted(truth)
            stored = await worker.call(lambda db: [r[0] for r in db.execute("SELECT message_id FROM messages")])
            assert sorted(stored) == sorted(truth)
        finally:
            await rig.hub.stop()
            worker.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(STEPS, min_size=3, max_size=30))
def test_receiving_is_exactly_once_whatever_the_push_does(script):
    asyncio.run(scenario(script))


PLANS = st.sampled_from(["ok", "ok", "lost_reply", "refused", "hang_after_delivery", "reject"])


async def sending_scenario(plans: list[str], messages: int, find_failures: int) -> None:
    from workstation.domain.verdict import PASS, DraftKind, OutgoingDraft
    from workstation.store import messages as store

    with tempfile.TemporaryDirectory() as folder:
        worker = StoreWorker(Path(folder) / "w.sqlite3")
        await worker.open()
        rig = Rig(worker)
        shop = rig.shop(1)
        shop.buyer_says("c0", "在吗")
        shop.buyer_says("c1", "在吗")
        try:
            await rig.start(1)
            await wait_until(lambda: len(rig.listener.messages) == 2)
            shop.send_plan.extend(plans)
            shop.find_sent_failures = find_failures
            import workstation.compliance.gate as gate

            original, gate.gate_outgoing = gate.gate_outgoing, lambda draft: PASS
            try:
                ids = [await rig.hub.send(("pdd", "shop1", f"c{i % 2}"), OutgoingDraft(DraftKind.TEXT, f"回复{i}"))
                       for i in range(messages)]
            finally:
                gate.gate_outgoing = original

            async def settled():
                rows = [await worker.call(store.get_outbox, i) for i in ids]
                return all(r["state"] in ("sent", "failed") for r in rows), rows

            for _ in range(4):  # the agent retries whatever failed
                await wait_until_async(settled, timeout=15)
                _, rows = await settled()
                for failed in [r for r in rows if r["state"] == "failed"]:
                    await rig.hub.retry(failed["id"])
            await wait_until_async(settled, timeout=15)
            _, rows = await settled()
            keys = [d.outgoing.idempotency_key for d in shop.deliveries]
            assert len(keys) == len(set(keys))  # never delivered twice
            assert {r["idempotency_key"] for r in rows if r["state"] == "sent"} == set(keys)
        finally:
            await rig.hub.stop()
            worker.close()


async def wait_until_async(check, timeout: float):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (await check())[0]:
        if loop.time() > deadline:
            raise AssertionError("outbox did not settle")
        await asyncio.sleep(0.02)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PLANS, max_size=30), st.integers(1, 8), st.integers(0, 4))
def test_sending_is_at_most_once_and_every_sent_row_is_on_the_platform(plans, messages, find_failures):
    asyncio.run(sending_scenario(plans, messages, find_failures))
