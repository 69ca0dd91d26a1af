"""The sync engine (Qt-free, asyncio): per-account sessions, catch-up, the outbox, and the hub the UI talks to."""

from workstation.sync.errors import (
    AccountUnavailable,
    CannotRetry,
    MessageBlocked,
    MessageNeedsConfirmation,
    SyncError,
    UnknownConversation,
)
from workstation.sync.hub import SyncHub, default_connector_factory
from workstation.sync.listener import SyncListener
from workstation.sync.policy import SyncPolicy
from workstation.sync.state import AccountState

__all__ = [
    "AccountState",
    "AccountUnavailable",
    "CannotRetry",
    "MessageBlocked",
    "MessageNeedsConfirmation",
    "SyncError",
    "SyncHub",
    "SyncListener",
    "SyncPolicy",
    "UnknownConversation",
    "default_connector_factory",
]
