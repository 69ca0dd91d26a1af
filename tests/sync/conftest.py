"""Fixtures for the sync engine: a database worker, a fast policy, a recording listener, fake shops."""

from __future__ import annotations

import asyncio
import importlib
import sys
import types

import pytest
import pytest_asyncio

from tests.helpers.fake_connector import FakeConnector, FakePlatform
from workstation.domain.platforms import Platform
from workstation.secrets import SecretStore
from workstation.store import StoreWorker
from workstation.sync import SyncHub, SyncPolicy

FAST = SyncPolicy(
    backoff_base_s=0.02, backoff_cap_s=0.2, sweep_interval_s=0.2, call_timeout_s=2.0, send_timeout_s=0.3,
    reconcile_delay_s=0.01, max_rate_limited_wait_s=30.0, post_connect_catch_up_s=0.05,
)


class RecordingListener:
    def __init__(self):
        self.messages = []
        self.conversations = []
        self.states = []
        self.outbox = []

    def on_messages(self, messages):
        self.messages.extend(messages)

    def on_conversation(self, conversation):
        self.conversations.append(conversation)

    def on_account_state(self, account_id, state, detail):
        self.states.append((account_id, state, detail))

    def on_outbox(self, outbox_row):
        self.outbox.append(outbox_row)

    def last_state(self, account_id):
        for one, state, detail in reversed(self.states):
            if one == account_id:
                return state, detail
        return None


async def wait_until(predicate, timeout: float = 5.0, interval: float = 0.01):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


@pytest.fixture
def gate():
    """The real compliance gate when it is installed; until then a pass-everything stand-in."""
    try:
        yield importlib.import_module("workstation.compliance.gate")
        return
    except ImportError:
        from workstation.domain.verdict import PASS

        stub = types.ModuleType("workstation.compliance.gate")
        stub.gate_outgoing = lambda draft: PASS
        sys.modules["workstation.compliance.gate"] = stub
        yield stub
        del sys.modules["workstation.compliance.gate"]


@pytest_asyncio.fixture
async def worker(data_dir):
    store_worker = StoreWorker(data_dir / "workstation.sqlite3")
    await store_worker.open()
    yield store_worker
    store_worker.close()


class Rig:
    """A hub over fake shops, with secrets in the test keyring."""

    def __init__(self, worker, policy=FAST):
        self.worker = worker
        self.shops: dict[int, FakePlatform] = {}
        self.connectors: dict[int, list[FakeConnector]] = {}
        self.listener = RecordingListener()
        self.hub = SyncHub(worker, connector_factory=self._connector, policy=policy)
        self.hub.add_listener(self.listener)

    def _connector(self, account):
        connector = FakeConnector(self.shops[account.id])
        self.connectors.setdefault(account.id, []).append(connector)
        return connector

    def shop(self, account_id: int, platform=Platform.PDD, *, password="secret-pw", **switches) -> FakePlatform:
        shop = FakePlatform(platform=platform, shop_id=f"shop{account_id}", shop_name=f"店{account_id}", **switches)
        self.shops[account_id] = shop
        if password is not None:
            SecretStore().set(shop.account(account_id).key, "password", password)
        return shop

    async def start(self, *account_ids):
        await self.hub.start([self.shops[i].account(i) for i in account_ids])

    def state(self, account_id):
        return self.hub.state(account_id)[0]


@pytest_asyncio.fixture
async def rig(worker):
    the_rig = Rig(worker)
    yield the_rig
    await the_rig.hub.stop()
