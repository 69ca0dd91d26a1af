"""An account's secrets and tokens, read from and written to the keyring (blocking: call via a thread).

Tokens are stored as JSON with their expiry, so a restart can reuse a token that is
still good instead of signing in again.
"""

from __future__ import annotations

import json
from datetime import datetime

from workstation.domain.accounts import ShopAccount
from workstation.secrets import SecretStore
from workstation.shops.base import Credentials, Tokens


class MissingSecret(Exception):
    """Something signing in needs is not in the keyring; the message is for the agent."""


def load_credentials(secrets: SecretStore, account: ShopAccount) -> Credentials:
    app_secret = secrets.get(account.key, "app_secret") or ""
    password = secrets.get(account.key, "password") or ""
    sign_secret = secrets.get(account.key, "sign_secret") or ""
    if not app_secret and not password:
        raise MissingSecret("没有保存这个账号的密码或应用密钥，请在账号管理里重新登录。")
    return Credentials(
        gateway=str(account.extra.get("gateway", "")),
        app_key=str(account.extra.get("app_key", "")),
        app_secret=app_secret,
        login=account.login,
        password=password,
        sign_secret=sign_secret,
        shop_id=account.shop_id,
        approval=str(account.extra.get("approval", "browser")),
    )


def _dump(value: str, expires_at: datetime | None) -> str:
    return json.dumps({"token": value, "expires_at": expires_at.isoformat() if expires_at else None})


def _load(raw: str | None) -> tuple[str, datetime | None] | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
        expires = datetime.fromisoformat(data["expires_at"]) if data.get("expires_at") else None
        return str(data["token"]), expires
    except (ValueError, KeyError, TypeError):
        return None


def load_tokens(secrets: SecretStore, account: ShopAccount) -> Tokens | None:
    access = _load(secrets.get(account.key, "access_token"))
    refresh = _load(secrets.get(account.key, "refresh_token"))
    if access is None or access[1] is None:
        return None
    return Tokens(
        access_token=access[0],
        refresh_token=refresh[0] if refresh else "",
        access_expires_at=access[1],
        refresh_expires_at=refresh[1] if refresh else None,
    )


def save_tokens(secrets: SecretStore, account: ShopAccount, tokens: Tokens) -> None:
    secrets.set(account.key, "access_token", _dump(tokens.access_token, tokens.access_expires_at))
    secrets.set(account.key, "refresh_token", _dump(tokens.refresh_token, tokens.refresh_expires_at))


def forget_tokens(secrets: SecretStore, account: ShopAccount) -> None:
    secrets.delete(account.key, "access_token")
    secrets.delete(account.key, "refresh_token")
