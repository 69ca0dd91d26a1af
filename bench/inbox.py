"""Inbox benchmark (issue 5): the main window under a burst of buyer messages. Prints ONE JSON line:

    {"loop_lag_p99_ms", "arrival_to_visible_p95_ms", "rss_mb", "conversations", "messages"}

Offscreen, 20 shop accounts, 5 000 stored conversations, then 200 buyer messages per second
for 10 s pushed through the real sync path: connector live stream → AccountSession → store
(one committed transaction per event) → hub listeners → SyncBridge → InboxModel/filter →
list repaint. The platform side is the in-memory fake platform of the tests
(tests/helpers/fake_connector.py), so the numbers measure the workstation rather than an
HTTP server competing for the same cores.

- loop_lag_p99_ms: how late a 10 ms asyncio sleep on the Qt thread wakes, p99 over the burst.
- arrival_to_visible_p95_ms: from the buyer message entering the connector's stream to the
  first repaint of the list after its row was updated.
- rss_mb: resident memory at the end.
Details go to stderr. Usage: python bench/inbox.py [--seconds 10] [--rate 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WORKSTATION_SILENT", "1")

import keyring  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.helpers.fake_connector import FakeConnector, FakePlatform  # noqa: E402
from workstation.app import Services  # noqa: E402
from workstation.domain.accounts import SHOP_COLOURS, ShopAccount  # noqa: E402
from workstation.domain.messages import Message, Sender  # noqa: E402
from workstation.domain.platforms import Platform  # noqa: E402
from workstation.secrets import VolatileKeyring  # noqa: E402
from workstation.store import messages as store  # noqa: E402
from workstation.sync import SyncHub, SyncPolicy  # noqa: E402

ACCOUNTS = 20
CONVERSATIONS = 5000
NEW_SHARE = 0.2  # share of burst messages that open a new conversation


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class PaintClock(QObject):
    """Marks pending arrivals visible at the first repaint of the list after their row changed."""

    def __init__(self):
        super().__init__()
        self.ready: list[float] = []      # arrival times whose rows are updated, awaiting a paint
        self.latencies: list[float] = []

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and self.ready:
            now = time.perf_counter()
            self.latencies.extend((now - t) * 1000 for t in self.ready)
            self.ready.clear()
        return False


async def seed_history(services, shops: dict[int, FakePlatform]) -> list[tuple[int, str]]:
    """5 000 conversations across the accounts, a quarter of them with a buyer still waiting."""
    rng = random.Random(5)
    now = datetime.now(UTC)
    conversations = []
    batches: dict[int, list[Message]] = {}
    for n in range(CONVERSATIONS):
        account_id = list(shops)[n % len(shops)]
        shop = shops[account_id]
        cid = f"c{n}"
        conversations.append((account_id, cid))
        base = now - timedelta(minutes=rng.uniform(1, 600))
        common = dict(platform=shop.platform, shop_id=shop.shop_id, conversation_id=cid, buyer_id=f"b{n}",
                      buyer_nick=f"买家{n}", shop_name=shop.shop_name)
        batch = batches.setdefault(account_id, [])
        batch.append(Message(message_id=f"h{n}a", sender=Sender.BUYER, sent_at=base, text="在吗，这个有货吗", **common))
        if rng.random() > 0.25:
            batch.append(Message(message_id=f"h{n}b", sender=Sender.AGENT, sent_at=base + timedelta(seconds=30),
                                 text="亲，有货的，今天下单明天发", **common))
    for account_id, batch in batches.items():
        await services.store.call(store.insert_events, account_id, batch, None)
    return conversations


async def run(seconds: float, rate: int) -> dict:
    from workstation.ui.main_window import MainWindow

    keyring.set_keyring(VolatileKeyring())
    data_dir = Path(tempfile.mkdtemp(prefix="inbox-bench-"))
    services = Services.build(data_dir)
    await services.store.open()
    shops: dict[int, FakePlatform] = {}
    platforms = list(Platform)
    for index in range(ACCOUNTS):
        platform = platforms[index % len(platforms)]
        account = ShopAccount(platform, f"shop{index}", f"{platform.label}·店{index}", f"kf{index}",
                              colour=SHOP_COLOURS[index % len(SHOP_COLOURS)],
                              extra={"gateway": "memory://", "app_key": "k"})
        saved = await services.accounts.save(account, {"password": "secret-pw"})
        shops[saved.id] = FakePlatform(platform=platform, shop_id=account.shop_id, shop_name=account.display_name,
                                       login=account.login)
    services.hub = SyncHub(services.store, connector_factory=lambda a: FakeConnector(shops[a.id]),
                           policy=SyncPolicy(sweep_interval_s=30.0))
    started = time.perf_counter()
    conversations = await seed_history(services, shops)
    log(f"seeded {len(conversations)} conversations in {time.perf_counter() - started:.1f}s")

    from workstation.ui.gc_guard import QtThreadGarbageCollector

    garbage_collector = QtThreadGarbageCollector()  # as the app does: collect on the Qt thread only
    window = MainWindow(services)
    window.resize(1280, 800)
    window.show()
    started = time.perf_counter()
    await window.load()
    log(f"window loaded {window.inbox.rowCount()} rows in {time.perf_counter() - started:.2f}s")
    deadline = time.perf_counter() + 20
    while any(services.hub.state(i)[0].value != "connected" for i in shops) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    window.inbox_panel.show_all()

    clock = PaintClock()
    window.inbox_panel.view.viewport().installEventFilter(clock)
    pending: dict[tuple, list[tuple[str, float]]] = {}

    def rows_updated(batch) -> None:
        for conversation in batch:
            waiting = pending.pop(conversation.key, None)
            if waiting:
                clock.ready.extend(t for _, t in waiting)

    window.bridge.conversations_changed.connect(rows_updated)  # after the window's own handler

    lags: list[float] = []
    stop = asyncio.Event()

    async def sample_lag() -> None:
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.010)
            lags.append(max((time.perf_counter() - before) * 1000 - 10, 0.0))

    sampler = asyncio.ensure_future(sample_lag())
    rng = random.Random(7)
    sent = 0
    tick = 0.05
    per_tick = max(1, int(rate * tick))
    burst_start = time.perf_counter()
    next_at = burst_start
    new_number = CONVERSATIONS
    while time.perf_counter() - burst_start < seconds:
        for _ in range(per_tick):
            if rng.random() < NEW_SHARE:
                account_id = rng.choice(list(shops))
                cid = f"c{new_number}"
                new_number += 1
            else:
                account_id, cid = rng.choice(conversations)
            shop = shops[account_id]
            key = (shop.platform.value, shop.shop_id, cid)
            pending.setdefault(key, []).append((cid, time.perf_counter()))
            shop.buyer_says(cid, rng.choice(["在吗", "什么时候发货", "能便宜点吗", "尺码偏大吗", "好的谢谢"]))
            sent += 1
        next_at += tick
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    # Let the tail drain.
    drain_deadline = time.perf_counter() + 10
    while (pending or clock.ready) and time.perf_counter() < drain_deadline:
        window.inbox_panel.view.viewport().update()
        await asyncio.sleep(0.02)
    stop.set()
    await sampler
    total_messages = await services.store.call(store.count_messages)
    result = {
        "loop_lag_p99_ms": round(percentile(lags, 0.99), 1),
        "arrival_to_visible_p95_ms": round(percentile(clock.latencies, 0.95), 1),
        "rss_mb": round(rss_mb(), 1),
        "conversations": window.inbox.rowCount(),
        "messages": total_messages,
    }
    log(f"burst: {sent} buyer messages in {seconds:.0f}s; measured {len(clock.latencies)} arrivals, "
        f"{len(pending)} conversations never shown; lag p50 {percentile(lags, 0.5):.1f} ms, "
        f"max {max(lags):.1f} ms; visible p50 {percentile(clock.latencies, 0.5):.1f} ms, "
        f"max {max(clock.latencies, default=float('nan')):.1f} ms")
    await window.shutdown()
    garbage_collector.stop()
    window.close()
    await services.aclose()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--switch-interval", type=float, default=None, help="override sys.setswitchinterval (s)")
    args = parser.parse_args()
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(run(args.seconds, args.rate))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
