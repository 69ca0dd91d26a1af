"""The one place that touches the OS keyring: passwords and tokens, keyed by account.

Nothing else in Workstation imports `keyring`. Calls can block for seconds on some
desktops, so the UI reaches this module through `asyncio.to_thread`.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "workstation"

# Backends that would keep a secret in plain text or drop it without saying so.
_UNSAFE_BACKENDS = {"keyring.backends.fail", "keyring.backends.null", "keyrings.alt.file"}


class SecretsUnavailable(RuntimeError):
    """No usable keyring: the secret was NOT saved. The message is for the agent."""


class SecretStore:
    """Passwords and tokens under one service name, keyed by `account_key` and `kind`."""

    def __init__(self, service: str = SERVICE):
        self.service = service

    def _backend(self) -> KeyringBackend:
        backend = keyring.get_keyring()
        module = type(backend).__module__
        if any(module.startswith(unsafe) for unsafe in _UNSAFE_BACKENDS) or backend.priority <= 0:
            raise SecretsUnavailable(
                "没有找到可用的系统钥匙串（如 Windows 凭据管理器、macOS 钥匙串或 Secret Service），"
                "密码和令牌不会被保存。请安装并解锁系统钥匙串后重试。"
            )
        return backend

    @staticmethod
    def _username(account_key: str, kind: str) -> str:
        return f"{account_key}#{kind}"

    def set(self, account_key: str, kind: str, value: str) -> None:
        backend = self._backend()
        try:
            backend.set_password(self.service, self._username(account_key, kind), value)
        except keyring.errors.KeyringError as exc:
            log.warning("keyring refused to store %s for %s: %s", kind, account_key, type(exc).__name__)
            raise SecretsUnavailable(f"系统钥匙串拒绝保存（{exc}）。密码没有保存，请检查钥匙串是否已解锁。") from exc

    def get(self, account_key: str, kind: str) -> str | None:
        backend = self._backend()
        try:
            return backend.get_password(self.service, self._username(account_key, kind))
        except keyring.errors.KeyringError as exc:
            log.warning("keyring refused to read %s for %s: %s", kind, account_key, type(exc).__name__)
            raise SecretsUnavailable(f"无法读取系统钥匙串（{exc}）。请检查钥匙串是否已解锁。") from exc

    def delete(self, account_key: str, kind: str) -> None:
        """Forget a secret; forgetting one that was never stored is not an error."""
        backend = self._backend()
        try:
            backend.delete_password(self.service, self._username(account_key, kind))
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            raise SecretsUnavailable(f"无法从系统钥匙串删除（{exc}）。") from exc

    def delete_account(self, account_key: str, kinds=("password", "access_token", "refresh_token")) -> None:
        for kind in kinds:
            self.delete(account_key, kind)


class VolatileKeyring(KeyringBackend):
    """Keeps secrets in memory for this process only.

    Used by `--demo`, whose accounts belong to the local platform emulator and are
    re-created on every start, so a fresh machine without an OS keyring can run it.
    Never used for real accounts.
    """

    priority = 1

    def __init__(self):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


def use_volatile_keyring() -> None:
    keyring.set_keyring(VolatileKeyring())
