"""An inbox rig: real Services and a real SyncHub over fake shops, plus stored history to start from.

`InboxRig.window()` builds and loads the main window; buyers then talk through
`rig.shops[account_id].buyer_says(...)` and their messages take the real sync path
(connector → session → store → listener → bridge → model).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.exceptions import TimeoutError as WaitTimedOut

from tests.helpers.fake_connector import FakeConnector, FakePlatform
from workstation.domain.accounts import SHOP_COLOURS, ShopAccount
from workstation.domain.messages import EventKind, Message, MessageType, Sender
from workstation.domain.platforms import Platform
from workstation.store import messages as store
from workstation.sync import SyncHub, SyncPolicy

FAST = SyncPolicy(backoff_base_s=0.02, backoff_cap_s=0.2, sweep_interval_s=0.5, call_timeout_s=2.0,
                  send_timeout_s=0.5, reconcile_delay_s=0.01, max_rate_limited_wait_s=5.0)


def message(platform: Platform, shop_id: str, conversation_id: str, text: str, *, ago: float = 0.0,
            sender: Sender = Sender.BUYER, number: int = 0, nick: str | None = None, **kw) -> Message:
    at = datetime.now(UTC) - timedelta(seconds=ago) + timedelta(microseconds=number)
    return Message(platform=platform, shop_id=shop_id, conversation_id=conversation_id,
                   message_id=kw.pop("message_id", f"{conversation_id}-{number}-{at.timestamp()}"), sender=sender,
                   sent_at=at, text=text, buyer_id=f"b-{conversation_id}", buyer_nick=nick or f"买家{conversation_id}", **kw)


def entered(platform, shop_id, conversation_id, *, ago: float) -> Message:
    return message(platform, shop_id, conversation_id, "", ago=ago, sender=Sender.SYSTEM,
                   type=MessageType.EVENT, event=EventKind.ENTERED_RECEPTION, number=999)


class InboxRig:
    def __init__(self, services, arun, qtbot):
        self.services = services
        self.arun = arun
        self.qtbot = qtbot
        self.shops: dict[int, FakePlatform] = {}
        self.accounts: dict[int, ShopAccount] = {}
        self.connectors: list[FakeConnector] = []
        self.windows: list = []
        arun(services.store.open())
        services.hub = SyncHub(services.store, connector_factory=self._connector, policy=FAST)

    def _connector(self, account: ShopAccount) -> FakeConnector:
        connector = FakeConnector(self.shops[account.id])
        self.connectors.append(connector)
        return connector

    def add_shop(self, platform: Platform, shop_id: str, name: str) -> tuple[int, FakePlatform]:
        index = len(self.accounts)
        account = ShopAccount(platform, shop_id, name, f"kf{index}", colour=SHOP_COLOURS[index % len(SHOP_COLOURS)],
                              extra={"gateway": "memory://", "app_key": "k"})
        saved = self.arun(self.services.accounts.save(account, {"password": "secret-pw"}))
        shop = FakePlatform(platform=platform, shop_id=shop_id, shop_name=name, login=saved.login)
        self.shops[saved.id] = shop
        self.accounts[saved.id] = saved
        return saved.id, shop

    def store_history(self, account_id: int | None, messages: list[Message]) -> None:
        self.arun(self.services.store.call(store.insert_events, account_id, messages, None))

    def window(self):
        from workstation.ui.main_window import MainWindow

        window = MainWindow(self.services)
        self.windows.append(window)  # deleted by the fixture at a known moment, not by a random GC run
        window.show()
        self.arun(window.load())
        return window

    def close_windows(self) -> None:
        import gc

        from PySide6.QtCore import QCoreApplication, QEvent
        from shiboken6 import isValid

        for window in self.windows:
            if isValid(window):
                window.close()
                window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.windows.clear()
        gc.collect()

    def wait_connected(self, window) -> None:
        self.qtbot.waitUntil(lambda: all(window.account_states.state_of(i) == "connected" for i in self.shops
                                         if self.accounts[i].enabled), timeout=5000)


@pytest.fixture
def inbox_rig(services, arun, qtbot):
    rig = InboxRig(services, arun, qtbot)
    yield rig
    # Let sessions that are still signing in settle first: under this per-test qasync loop,
    # stopping one mid-connect has been seen to leave hub.stop() waiting for ever (not
    # reproduced with asyncio.run or the app's loop; reported to the sync engine).
    hub = services.hub
    try:
        qtbot.waitUntil(lambda: all(hub.state(i)[0].value == "connected" for i in rig.accounts
                                    if rig.accounts[i].enabled), timeout=3000)
    except WaitTimedOut:
        pass
    arun(hub.stop())
    rig.close_windows()

