"""Queries for shop accounts and settings. Plain functions over a sqlite_utils Database."""

from __future__ import annotations

import json
import time

import sqlite_utils

from workstation.domain.accounts import ShopAccount
from workstation.domain.platforms import Platform
from workstation.store.db import transaction


def _to_account(row: dict) -> ShopAccount:
    return ShopAccount(
        id=row["id"],
        platform=Platform(row["platform"]),
        shop_id=row["shop_id"],
        display_name=row["display_name"],
        colour=row["colour"],
        login=row["login"],
        enabled=bool(row["enabled"]),
        extra=json.loads(row["extra"] or "{}"),
    )


def list_accounts(db: sqlite_utils.Database) -> list[ShopAccount]:
    rows = db.query("SELECT * FROM accounts ORDER BY position, id")
    return [_to_account(row) for row in rows]


def get_account(db: sqlite_utils.Database, account_id: int) -> ShopAccount | None:
    rows = list(db.query("SELECT * FROM accounts WHERE id = ?", [account_id]))
    return _to_account(rows[0]) if rows else None


def save_account(db: sqlite_utils.Database, account: ShopAccount) -> ShopAccount:
    """Insert a new account or update an existing one; returns it with its id."""
    values = {
        "platform": account.platform.value,
        "shop_id": account.shop_id,
        "display_name": account.display_name,
        "colour": account.colour,
        "login": account.login,
        "enabled": int(account.enabled),
        "extra": json.dumps(account.extra, ensure_ascii=False),
    }
    with transaction(db):
        if account.id is None:
            position = db.execute("SELECT coalesce(max(position), 0) + 1 FROM accounts").fetchone()[0]
            cursor = db.execute(
                "INSERT INTO accounts (platform, shop_id, display_name, colour, login, enabled, extra, position, created_at)"
                " VALUES (:platform, :shop_id, :display_name, :colour, :login, :enabled, :extra, :position, :created_at)",
                {**values, "position": position, "created_at": time.time()},
            )
            return account.with_changes(id=cursor.lastrowid)
        db.execute(
            "UPDATE accounts SET platform=:platform, shop_id=:shop_id, display_name=:display_name, colour=:colour,"
            " login=:login, enabled=:enabled, extra=:extra WHERE id=:id",
            {**values, "id": account.id},
        )
        return account


def delete_account(db: sqlite_utils.Database, account_id: int) -> None:
    with transaction(db):
        db.execute("DELETE FROM accounts WHERE id = ?", [account_id])
        db.execute("DELETE FROM sync_cursors WHERE account_id = ?", [account_id])


def get_setting(db: sqlite_utils.Database, key: str, default=None):
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else default


def set_setting(db: sqlite_utils.Database, key: str, value) -> None:
    with transaction(db):
        db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, json.dumps(value, ensure_ascii=False)],
        )
