"""What the UI implements to hear from the sync engine, and the fan-out that calls every listener.

Listeners are called on the asyncio (Qt) thread, after the change is committed to the
database; a listener that raises is logged and does not disturb the engine or the others.
"""

from __future__ import annotations

import logging
from typing import Protocol

from workstation.domain.messages import Conversation, Message
from workstation.sync.state import AccountState

log = logging.getLogger(__name__)


class SyncListener(Protocol):
    def on_messages(self, messages: list[Message]) -> None: ...
    def on_conversation(self, conversation: Conversation) -> None: ...
    def on_account_state(self, account_id: int, state: AccountState, detail: str) -> None: ...
    def on_outbox(self, outbox_row: dict) -> None: ...


class Listeners:
    def __init__(self):
        self._listeners: list[SyncListener] = []

    def add(self, listener: SyncListener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove(self, listener: SyncListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _call(self, method: str, *args) -> None:
        for listener in list(self._listeners):
            handler = getattr(listener, method, None)
            if handler is None:
                continue
            try:
                handler(*args)
            except Exception:
                log.exception("listener %r failed in %s", listener, method)

    def messages(self, messages: list[Message]) -> None:
        if messages:
            self._call("on_messages", list(messages))

    def conversation(self, conversation: Conversation) -> None:
        self._call("on_conversation", conversation)

    def account_state(self, account_id: int, state: AccountState, detail: str) -> None:
        self._call("on_account_state", account_id, state, detail)

    def outbox(self, row: dict) -> None:
        self._call("on_outbox", row)
