"""Whatever the push connection does — drop, duplicate, reorder, lose events — every event
is stored exactly once and heard once."""

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
