"""Enrol the platform emulator's seeded accounts: saved in the store, secrets in the keyring.

Used by the sync benchmark, the tests and anyone scripting against `workstation emulator`;
the account rows are what `workstation emulator accounts --json` prints.
"""

from __future__ import annotations

import asyncio

from workstation.domain.accounts import SHOP_COLOURS, ShopAccount
from workstation.domain.platforms import Platform
from workstation.secrets import SecretStore
from workstation.store import StoreWorker
from workstation.store.accounts import list_accounts, save_account

SECRET_FIELDS = ("password", "app_secret", "sign_secret")


def account_from_row(row: dict, index: int = 0, existing: ShopAccount | None = None) -> ShopAccount:
    return ShopAccount(
        id=existing.id if existing else None,
        platform=Platform(row["platform"]),
        shop_id=str(row["shop_id"]),
        display_name=row.get("shop_name") or str(row["shop_id"]),
        login=row["login"],
        colour=existing.colour if existing else SHOP_COLOURS[index % len(SHOP_COLOURS)],
        enabled=existing.enabled if existing else True,
        # The emulator's authorize page takes the sub-account password, so emulator accounts sign
        # in without a browser; accounts added by hand approve in the agent's browser.
        extra={**(existing.extra if existing else {}), "gateway": row["gateway"], "app_key": row["app_key"],
               "approval": "password"},
    )


async def enrol_emulator_accounts(worker: StoreWorker, rows: list[dict], secrets: SecretStore | None = None) -> list[ShopAccount]:
    """Save (or update) one account per row and put its secrets in the keyring; returns them with ids."""
    secrets = secrets or SecretStore()
    current = {(a.platform.value, a.shop_id, a.login): a for a in await worker.call(list_accounts)}
    saved = []
    for index, row in enumerate(rows):
        existing = current.get((row["platform"], str(row["shop_id"]), row["login"]))
        account = await worker.call(save_account, account_from_row(row, index, existing))
        for kind in SECRET_FIELDS:
            if row.get(kind):
                await asyncio.to_thread(secrets.set, account.key, kind, row[kind])
        saved.append(account)
    return saved


async def hub_for_emulator(handle, worker: StoreWorker, *, secrets: SecretStore | None = None, policy=None):
    """A SyncHub over every account of a running emulator (`start_emulator_in_thread`), not started yet.

    Returns (hub, accounts); then `hub.add_listener(...)` and `await hub.start(accounts)`.
    The connectors call the emulator over loopback at each account's `gateway`.
    """
    from workstation.sync.hub import SyncHub

    rows = await asyncio.to_thread(handle.accounts)
    accounts = await enrol_emulator_accounts(worker, rows, secrets)
    return SyncHub(worker, secrets=secrets, policy=policy), accounts
