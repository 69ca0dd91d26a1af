"""`--demo`: the platform emulator on a free loopback port and one shop account per seeded shop.

The demo profile is a scratch profile: every start brings up a fresh emulated world,
so the profile's chat data is cleared first (accounts are re-read from the emulator).
A data dir that holds real, non-demo accounts is refused rather than cleared.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

from workstation.domain.accounts import ShopAccount
from workstation.store import accounts as account_queries
from workstation.store.db import StoreError, transaction
from workstation.sync.enrol import SECRET_FIELDS, account_from_row

log = logging.getLogger(__name__)

DEMO_SEED = 2026
DEMO_BUYERS_PER_MINUTE = 4.0
BACKLOG_MINUTES = 8          # buyers already waiting when the demo opens, up to this long
BACKLOG_PER_SHOP = 3
_DEMO_MARK = "demo_profile"
_KEEP_TABLES = {"schema_version", "settings", "accounts"}


class DemoRefused(StoreError):
    pass


def reset_demo_profile(db) -> None:
    """Clear chat data of a demo profile; refuse a profile with real accounts."""
    is_demo = account_queries.get_setting(db, _DEMO_MARK, False)
    if not is_demo and account_queries.list_accounts(db):
        raise DemoRefused(
            "这个数据目录里有真实的店铺账号，演示模式不会使用它。请去掉 --data-dir，或指定一个空目录。"
        )
    tables = [name for name in db.table_names() if name not in _KEEP_TABLES and not _is_shadow(db, name)]
    with transaction(db):
        for name in tables:
            db.execute(f'DELETE FROM "{name}"')
    account_queries.set_setting(db, _DEMO_MARK, True)


def _is_shadow(db, name: str) -> bool:
    """FTS shadow tables belong to their virtual table (kept current by triggers); never touch them."""
    virtual = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")]
    return name in virtual or any(name.startswith(f"{table}_") for table in virtual)


def warm_up(world, minutes: float = BACKLOG_MINUTES, per_shop: int = BACKLOG_PER_SHOP, seed: int = DEMO_SEED) -> int:
    """Start conversations in the recent past, so the demo opens on buyers who have waited a while.

    Runs on the emulator's own loop (EmulatorHandle.call). Returns how many were started.
    """
    from workstation.shops.emulator.seed import buyer_burst

    rng = random.Random(seed)
    now = world.now()
    started = 0
    for shop in world.shops.values():
        for buyer in rng.sample(shop.buyers, min(per_shop, len(shop.buyers))):
            product = rng.choice(shop.products)
            # Most buyers wrote a moment ago, a few have waited long: calm, amber and red rows.
            waited = min(5 + rng.expovariate(1 / 75), minutes * 60)
            at = now - timedelta(seconds=waited)
            world.start_conversation(shop, buyer, buyer_burst(rng, product["title"]), at)
            started += 1
    world.run_until(now)
    return started


async def seed_demo_accounts(services) -> list[ShopAccount]:
    """Start the emulator, clear the scratch profile and save one account per emulated shop."""
    from workstation.shops.emulator_cli import start_emulator_in_thread

    await services.store.call(reset_demo_profile)
    handle = await asyncio.to_thread(
        start_emulator_in_thread, seed=DEMO_SEED, buyers_per_minute=DEMO_BUYERS_PER_MINUTE, realtime=True
    )

    async def stop_emulator():
        await asyncio.to_thread(handle.stop)

    services.extras.setdefault("shutdown_hooks", []).append(stop_emulator)
    services.extras["emulator"] = handle
    backlog = await asyncio.to_thread(handle.call, warm_up, handle.world)
    entries = await asyncio.to_thread(handle.accounts)
    log.info("demo: emulator on %s with %d shops, %d buyers already waiting", handle.base_url, len(entries), backlog)
    return await save_accounts(services, entries)


async def save_accounts(services, entries: list[dict]) -> list[ShopAccount]:
    """Save (or update) an account for each emulator account entry, secrets to the keyring."""
    existing = {(a.platform.value, a.shop_id, a.login): a for a in await services.accounts.list()}
    saved = []
    for index, entry in enumerate(entries):
        current = existing.get((entry["platform"], str(entry["shop_id"]), entry["login"]))
        secrets = {kind: entry[kind] for kind in SECRET_FIELDS if entry.get(kind)}
        saved.append(await services.accounts.save(account_from_row(entry, index, current), secrets))
    return saved
