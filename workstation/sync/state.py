"""An account's connection state as the status bar shows it, with the Chinese label agents read."""

from __future__ import annotations

import enum


class AccountState(enum.StrEnum):
    CONNECTING = "connecting"      # signing in / first catch-up
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"  # connection lost or platform busy; retrying with backoff
    NEEDS_LOGIN = "needs_login"    # token refused and refresh failed: the agent must sign in again
    ERROR = "error"                # something the engine cannot fix by retrying soon (see the detail)
    DISABLED = "disabled"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    AccountState.CONNECTING: "连接中",
    AccountState.CONNECTED: "已连接",
    AccountState.RECONNECTING: "重连中",
    AccountState.NEEDS_LOGIN: "需重新登录",
    AccountState.ERROR: "错误",
    AccountState.DISABLED: "已停用",
}
