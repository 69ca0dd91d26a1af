"""Adding, editing and removing shop accounts: the rules, the database row and the keyring entry together.

Secrets are written before the row and removed with it, so an account never
exists half-saved: if the keyring refuses, nothing is saved and the agent is told.
"""

from __future__ import annotations

import asyncio
import logging

from workstation.domain.accounts import AccountInvalid, ShopAccount, normalised, validate_account
from workstation.secrets import SecretStore
from workstation.store import accounts as account_queries
from workstation.store.worker import StoreWorker

log = logging.getLogger(__name__)

SECRET_KINDS = ("password", "app_secret", "sign_secret", "access_token", "refresh_token")


class AccountService:
    def __init__(self, store: StoreWorker, secrets: SecretStore):
        self.store = store
        self.secrets = secrets

    async def list(self) -> list[ShopAccount]:
        return await self.store.call(account_queries.list_accounts)

    async def save(self, account: ShopAccount, secrets: dict[str, str] | None = None) -> ShopAccount:
        """Validate and save; `secrets` maps kind → value (empty values are ignored on edit)."""
        account = normalised(account)
        existing = await self.list()
        validate_account(account, existing)
        secrets = {kind: value for kind, value in (secrets or {}).items() if value}
        previous = next((a for a in existing if a.id == account.id), None) if account.id is not None else None
        if previous is None and not secrets.get("password"):
            raise AccountInvalid({"password": "新账号需要填写密码。"})
        if previous is not None and previous.key != account.key:
            # The keyring entry is keyed by platform/shop/login: carry the old secrets over.
            for kind in SECRET_KINDS:
                if kind not in secrets:
                    value = await asyncio.to_thread(self.secrets.get, previous.key, kind)
                    if value:
                        secrets[kind] = value
        for kind, value in secrets.items():
            await asyncio.to_thread(self.secrets.set, account.key, kind, value)
        try:
            saved = await self.store.call(account_queries.save_account, account)
        except Exception:
            if previous is None:
                await asyncio.to_thread(self._forget, account.key)
            raise
        if previous is not None and previous.key != account.key:
            await asyncio.to_thread(self._forget, previous.key)
        log.info("saved account %s (%s)", saved.id, saved.platform.value)
        return saved

    async def set_enabled(self, account: ShopAccount, enabled: bool) -> ShopAccount:
        return await self.store.call(account_queries.save_account, account.with_changes(enabled=enabled))

    async def remove(self, account: ShopAccount) -> None:
        await asyncio.to_thread(self._forget, account.key)
        await self.store.call(account_queries.delete_account, account.id)
        log.info("removed account %s", account.id)

    def _forget(self, key: str) -> None:
        self.secrets.delete_account(key, SECRET_KINDS)
