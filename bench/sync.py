"""Sync benchmark: the real engine against the platform emulator on loopback, chaos on.

    python bench/sync.py --shops 20 --seconds 30 --chaos 0.05

The emulator runs under uvicorn in a background thread with its own event loop; the
engine (SyncHub, the five real connectors, SQLite through the store worker) runs in
this thread, talking HTTP and WebSocket over 127.0.0.1. Simulated buyers write for
`--seconds`; an automatic agent answers every conversation that has a buyer waiting.
Before the engine starts, `--backlog-seconds` of buyer traffic accumulate (the
emulator's clock is moved forward), so signing in begins with a catch-up: the time it
takes to store that backlog gives `ingest_msgs_per_s`.

Then arrivals stop, the engine drains, and the database is compared with the
emulator's ground truth (every event it emitted, every agent message it accepted):

- buyer_messages: buyer messages the emulator emitted to the enrolled shops
- stored / lost: how many of them are / are not in the database
- duplicates: rows or listener notifications beyond one per platform message
- agent_sent: messages the automatic agent put through SyncHub.send
- agent_delivered: those the platform holds, with their outbox row marked sent
- double_sent: platform messages beyond one per idempotency key, plus resends the
  emulator's own idempotency check had to refuse (a platform without one would have
  shown the buyer that message twice)

Prints ONE JSON line; exits 1 if anything was lost, duplicated or sent twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation.domain.messages import Message, MessageType, Sender  # noqa: E402
from workstation.domain.platforms import Platform  # noqa: E402
from workstation.domain.verdict import DraftKind, OutgoingDraft  # noqa: E402
from workstation.secrets import use_volatile_keyring  # noqa: E402
from workstation.shops.emulator_cli import start_emulator_in_thread  # noqa: E402
from workstation.store import StoreWorker  # noqa: E402
from workstation.store import messages as store  # noqa: E402
from workstation.sync import SyncError, SyncHub, SyncPolicy  # noqa: E402
from workstation.sync.enrol import enrol_emulator_accounts  # noqa: E402

REPLIES = (
    "亲，您好，这边马上为您查询～",
    "好的亲，已经帮您备注了，请放心",
    "亲，今天下单今天发货哦",
    "收到，稍等一下，我看一下库存",
    "亲，尺码可以参考详情页的尺码表哦",
    "已经为您催促仓库了，有消息第一时间告诉您",
    "亲，退款申请提交后我们会尽快处理的",
    "感谢您的耐心等待，还有什么可以帮您的吗",
)


class AutoAgent:
    """Answers each conversation a moment after a buyer writes, like a quick human agent."""

    def __init__(self, hub: SyncHub, rng: random.Random, delay: tuple[float, float]):
        self.hub = hub
        self.rng = rng
        self.delay = delay
        self.active = True
        self.pending: dict[tuple, asyncio.Task] = {}
        self.tasks: set[asyncio.Task] = set()
        self.sent = 0
        self.refused = Counter()
        self.heard = Counter()
        self.first_heard: float | None = None
        self.last_heard = 0.0
        self.round = 0
        self.uncertain = 0

    # listener interface
    def on_messages(self, messages: list[Message]) -> None:
        now = time.perf_counter()
        self.first_heard = self.first_heard or now
        self.last_heard = now
        for message in messages:
            self.heard[(message.platform.value, message.shop_id, message.message_id)] += 1
            if (self.active and message.sender is Sender.BUYER and message.type is not MessageType.EVENT):
                key = (message.platform.value, message.shop_id, message.conversation_id)
                if key not in self.pending:
                    task = asyncio.get_running_loop().create_task(self._reply(key))
                    self.pending[key] = task
                    self.tasks.add(task)
                    task.add_done_callback(self.tasks.discard)

    def on_conversation(self, conversation) -> None:
        pass

    def on_account_state(self, account_id, state, detail) -> None:
        pass

    def on_outbox(self, outbox_row) -> None:
        if outbox_row["state"] == "uncertain":
            self.uncertain += 1

    async def _reply(self, key: tuple) -> None:
        try:
            await asyncio.sleep(self.rng.uniform(*self.delay))
            if not self.active:
                return
            self.round += 1
            text = f"{REPLIES[self.round % len(REPLIES)]}（{self.round}）"
            await self.hub.send(key, OutgoingDraft(kind=DraftKind.TEXT, text=text), confirmed_warning=True)
            self.sent += 1
        except SyncError as exc:
            self.refused[type(exc).__name__] += 1
        finally:
            self.pending.pop(key, None)


def pick_accounts(rows: list[dict], count: int) -> list[dict]:
    """Round-robin over the platforms so every platform is in the run."""
    by_platform: dict[str, list[dict]] = {}
    for row in rows:
        by_platform.setdefault(row["platform"], []).append(row)
    picked: list[dict] = []
    while len(picked) < count and any(by_platform.values()):
        for platform in [p.value for p in Platform]:
            if by_platform.get(platform) and len(picked) < count:
                picked.append(by_platform[platform].pop(0))
    return picked


def snapshot(world, shop_ids: set[str]) -> list[dict]:
    return [dict(event) for shop_id in shop_ids for event in world.shops[shop_id].events]


async def wait_for(predicate, timeout: float, interval: float = 0.25) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(interval)
    return await predicate()


async def run(args) -> dict:
    logging.basicConfig(level=logging.ERROR if not args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    use_volatile_keyring()
    rng = random.Random(args.seed)
    emulator = start_emulator_in_thread(
        seed=args.seed, chaos=args.chaos, buyers_per_minute=args.buyers_per_minute,
        shops_per_platform=max(1, math.ceil(args.shops / len(Platform))),
    )
    tmp = tempfile.TemporaryDirectory(prefix="bench-sync-")
    worker = StoreWorker(Path(tmp.name) / "workstation.sqlite3")
    try:
        await worker.open()
        rows = pick_accounts(emulator.accounts(), args.shops)
        shop_ids = {str(row["shop_id"]) for row in rows}
        world = emulator.world
        accounts = await enrol_emulator_accounts(worker, rows)

        # A backlog that signing in must catch up on (within the gateways' 10-minute clock skew).
        emulator.call(world.tick, args.backlog_seconds)
        backlog = {e["message_id"] for e in emulator.call(snapshot, world, shop_ids)}

        hub = SyncHub(worker, policy=SyncPolicy())
        agent = AutoAgent(hub, rng, (args.reply_min, args.reply_max))
        hub.add_listener(agent)
        started = time.perf_counter()
        await hub.start(accounts)

        async def backlog_stored() -> bool:
            ids = await worker.call(lambda db: {r[0] for r in db.execute("SELECT message_id FROM messages")})
            return backlog <= ids

        await wait_for(backlog_stored, 60)
        ingest_seconds = max(time.perf_counter() - started, 1e-6)
        ingest_rate = len(backlog) / ingest_seconds

        await asyncio.sleep(args.seconds)

        # Stop the buyers and the agent; let every outgoing message settle and the engine drain.
        emulator.call(setattr, world, "buyers_per_minute", 0)
        agent.active = False
        await asyncio.gather(*list(agent.tasks), return_exceptions=True)

        async def outbox_settled() -> bool:
            rows_ = await worker.call(store.list_outbox, states=["queued", "sending", "uncertain"])
            return not rows_

        await wait_for(outbox_settled, 60)
        truth = emulator.call(snapshot, world, shop_ids)
        truth_ids = {e["message_id"] for e in truth}

        async def caught_up() -> bool:
            ids = await worker.call(lambda db: {r[0] for r in db.execute("SELECT message_id FROM messages")})
            return truth_ids <= ids

        await wait_for(caught_up, 60)
        states = hub.states()
        engine_stats = Counter()
        for account in accounts:
            engine_stats.update(hub.session(account.id).stats)
        await hub.stop()

        db_rows = await worker.call(lambda db: db.execute(
            "SELECT platform, shop_id, message_id FROM messages").fetchall())
        outbox = await worker.call(store.list_outbox)
        refused_resends = emulator.call(lambda: world.stats["agent_duplicates_refused"])
    finally:
        emulator.stop()
        worker.close()

    stored_ids = {message_id for _, _, message_id in db_rows}
    buyer_ids = {e["message_id"] for e in truth if e.get("kind") == "message" and e.get("sender") == "buyer"}
    stored_buyer = buyer_ids & stored_ids
    missing_any = truth_ids - stored_ids
    duplicates = (len(db_rows) - len(set(db_rows))) + sum(n - 1 for n in agent.heard.values() if n > 1)
    keys_on_platform = Counter(e.get("idempotency_key") for e in truth
                               if e.get("sender") == "agent" and e.get("idempotency_key"))
    double_sent = sum(n - 1 for n in keys_on_platform.values() if n > 1) + refused_resends
    delivered = sum(1 for row in outbox if row["state"] == "sent" and keys_on_platform.get(row["idempotency_key"]))
    if missing_any or args.verbose:
        print(json.dumps({
            "events_in_truth": len(truth_ids), "events_missing": len(missing_any),
            "outbox_states": Counter(r["state"] for r in outbox), "refused": agent.refused,
            "account_states": Counter(str(s) for s, _ in states.values()),
            "engine": engine_stats, "uncertain_sends": agent.uncertain, "backlog": len(backlog), "ingest_seconds": round(ingest_seconds, 2),
        }, ensure_ascii=False, default=str), file=sys.stderr)
    return {
        "buyer_messages": len(buyer_ids),
        "stored": len(stored_buyer),
        "lost": len(buyer_ids - stored_ids),
        "duplicates": duplicates,
        "agent_sent": len(outbox),
        "agent_delivered": delivered,
        "double_sent": double_sent,
        "ingest_msgs_per_s": round(ingest_rate, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sync engine benchmark against the platform emulator (chaos on).")
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--chaos", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--buyers-per-minute", type=float, default=240)
    parser.add_argument("--backlog-seconds", type=float, default=240)
    parser.add_argument("--reply-min", type=float, default=0.5)
    parser.add_argument("--reply-max", type=float, default=3.0)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    print(json.dumps(result))
    return 0 if result["lost"] == result["duplicates"] == result["double_sent"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
