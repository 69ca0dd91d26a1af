"""Turns the sync hub's listener calls into Qt signals delivered on the Qt thread.

The hub calls listeners on the asyncio loop, which under qasync is the Qt thread; a
listener call from any other thread still arrives safely, because the signals are
queued to this object's thread. Bursts are coalesced: conversation updates within one
few milliseconds reach the UI once per conversation, in a single batch.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from workstation.domain.messages import Conversation, Message

log = logging.getLogger(__name__)

# A burst of events within this window reaches the inbox as one batch (well inside the 50 ms
# an agent would notice).
COALESCE_MS = 8


class SyncBridge(QObject):
    messages_arrived = Signal(list)          # list[Message], new and committed
    conversations_changed = Signal(list)     # list[Conversation], latest state of each, coalesced
    account_state_changed = Signal(int, str, str)
    outbox_changed = Signal(dict)

    _relay = Signal(str, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread = threading.get_ident()
        self._pending: dict[tuple, Conversation] = {}
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(COALESCE_MS)
        self._flush.timeout.connect(self.flush)
        self._relay.connect(self._on_relay)

    # ---- the SyncListener protocol (called by the hub) ------------------------------------

    def on_messages(self, messages: list[Message]) -> None:
        self._deliver("messages", list(messages))

    def on_conversation(self, conversation: Conversation) -> None:
        self._deliver("conversation", conversation)

    def on_account_state(self, account_id: int, state, detail: str) -> None:
        self._deliver("state", (account_id, str(getattr(state, "value", state)), detail or ""))

    def on_outbox(self, row: dict) -> None:
        self._deliver("outbox", dict(row))

    # ---- delivery -------------------------------------------------------------------------------

    def _deliver(self, kind: str, value) -> None:
        if threading.get_ident() != self._thread:
            self._relay.emit(kind, value)  # queued to the Qt thread
        else:
            self._on_relay(kind, value)

    @Slot(str, object)
    def _on_relay(self, kind: str, value) -> None:
        if kind == "messages":
            self.messages_arrived.emit(value)
        elif kind == "conversation":
            self._pending[value.key] = value
            if not self._flush.isActive():
                self._flush.start()
        elif kind == "state":
            self.account_state_changed.emit(*value)
        elif kind == "outbox":
            self.outbox_changed.emit(value)

    def flush(self) -> None:
        if not self._pending:
            return
        batch = list(self._pending.values())
        self._pending.clear()
        self.conversations_changed.emit(batch)
