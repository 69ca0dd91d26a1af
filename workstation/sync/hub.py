"""The sync engine's front door: owns one AccountSession per enabled account and is the
only way a message reaches the outbox — through the compliance gate.

The UI calls a few awaitable methods and registers listeners; it never reaches into
sessions. Every task the hub starts is kept and cancelled on `stop()`.

    hub = SyncHub(worker)                      # worker: the app's StoreWorker
    hub.add_listener(listener)                 # on_messages / on_conversation / on_account_state / on_outbox
    await hub.start(accounts)                  # list[ShopAccount] with ids; disabled ones show 已停用
    outbox_id = await hub.send(conversation.key, OutgoingDraft(kind=DraftKind.TEXT, text="亲，在的"))
    await hub.retry(outbox_id)                 # only a failed message; reconciles first if it ever left
    await hub.mark_read(conversation.key)
    hub.connector(account_id).list_orders(buyer_id)   # the side panel's calls
    await hub.stop()

Listeners are called on the event loop's thread after the change is committed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Callable, Iterable

from workstation.domain.accounts import ShopAccount
from workstation.domain.messages import Conversation, MessageType
from workstation.domain.verdict import DraftKind, OutgoingDraft
from workstation.secrets import SecretStore
from workstation.shops.base import ShopConnector
from workstation.store import StoreWorker
from workstation.store.db import transaction
from workstation.store import messages as store
from workstation.sync.errors import (
    AccountUnavailable,
    CannotRetry,
    MessageBlocked,
    MessageNeedsConfirmation,
    SyncError,
    UnknownConversation,
)
from workstation.sync.listener import Listeners, SyncListener
from workstation.sync.policy import SyncPolicy
from workstation.sync.session import AccountSession
from workstation.sync.state import AccountState
from workstation.sync.timeouts import within

log = logging.getLogger(__name__)

ConnectorFactory = Callable[[ShopAccount], ShopConnector]


def default_connector_factory(account: ShopAccount) -> ShopConnector:
    from workstation.shops.registry import connector_for

    return connector_for(account.platform)


class SyncHub:
    def __init__(
        self,
        worker: StoreWorker,
        *,
        connector_factory: ConnectorFactory | None = None,
        secrets: SecretStore | None = None,
        policy: SyncPolicy | None = None,
    ):
        self.worker = worker
        self.policy = policy or SyncPolicy()
        self._connector_factory = connector_factory or default_connector_factory
        self._secrets = secrets or SecretStore()
        self._listeners = Listeners()
        self._accounts: dict[int, ShopAccount] = {}
        self._sessions: dict[int, AccountSession] = {}
        self._offline: dict[int, tuple[AccountState, str]] = {}  # accounts without a session: disabled, or no connector
        self._tasks: set[asyncio.Task] = set()
        self._lock = asyncio.Lock()

    # ---- listeners -------------------------------------------------------------------------

    def add_listener(self, listener: SyncListener) -> None:
        self._listeners.add(listener)

    def remove_listener(self, listener: SyncListener) -> None:
        self._listeners.remove(listener)

    # ---- accounts ------------------------------------------------------------------------------

    async def start(self, accounts: Iterable[ShopAccount]) -> None:
        for account in accounts:
            await self.add_account(account)

    async def stop(self) -> None:
        async with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        await asyncio.gather(*(session.stop() for session in sessions), return_exceptions=True)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def add_account(self, account: ShopAccount) -> None:
        """Start syncing an account (or restart it with changed settings); a disabled one only shows 已停用."""
        if account.id is None:
            raise ValueError("save the account before adding it to the hub")
        async with self._lock:
            await self._stop_session(account.id)
            self._accounts[account.id] = account
            self._offline.pop(account.id, None)
            if not account.enabled:
                self._offline[account.id] = (AccountState.DISABLED, "")
                self._listeners.account_state(account.id, AccountState.DISABLED, "")
                return
            try:
                connector = self._connector_factory(account)
            except Exception as exc:
                # One account that cannot even be set up must not keep the others from starting.
                log.exception("no connector for %s", account.key)
                detail = f"无法连接这个平台：{exc}"
                self._offline[account.id] = (AccountState.ERROR, detail)
                self._listeners.account_state(account.id, AccountState.ERROR, detail)
                return
            session = AccountSession(account, connector, self.worker, self._secrets, self._listeners, self.policy)
            self._sessions[account.id] = session
            session.start()

    async def remove_account(self, account_id: int) -> None:
        """Stop syncing; the account's stored history stays."""
        async with self._lock:
            await self._stop_session(account_id)
            self._accounts.pop(account_id, None)
            self._offline.pop(account_id, None)

    async def set_enabled(self, account_id: int, enabled: bool) -> None:
        account = self._accounts.get(account_id)
        if account is None:
            raise AccountUnavailable("这个店铺账号不在工作台里。")
        await self.add_account(account.with_changes(enabled=enabled))

    async def reconnect(self, account_id: int) -> None:
        """Start an account afresh, e.g. after the agent signed in again (需重新登录)."""
        await self.set_enabled(account_id, True)

    async def _stop_session(self, account_id: int) -> None:
        session = self._sessions.pop(account_id, None)
        if session is not None:
            await session.stop()

    def accounts(self) -> list[ShopAccount]:
        return list(self._accounts.values())

    def state(self, account_id: int) -> tuple[AccountState, str]:
        session = self._sessions.get(account_id)
        if session is not None:
            return session.state, session.detail
        return self._offline.get(account_id, (AccountState.DISABLED, ""))

    def states(self) -> dict[int, tuple[AccountState, str]]:
        return {account_id: self.state(account_id) for account_id in self._accounts}

    def session(self, account_id: int) -> AccountSession:
        session = self._sessions.get(account_id)
        if session is None:
            raise AccountUnavailable("这个店铺账号已停用或已删除。")
        return session

    def connector(self, account_id: int) -> ShopConnector:
        """The account's connector, for the side panel's orders, coupons and products."""
        return self.session(account_id).connector

    def _session_for(self, conversation: Conversation) -> AccountSession:
        if conversation.account_id is not None and conversation.account_id in self._sessions:
            return self._sessions[conversation.account_id]
        for session in self._sessions.values():
            if session.account.platform == conversation.platform and session.account.shop_id == conversation.shop_id:
                return session
        raise AccountUnavailable("这个会话所属的店铺账号已停用或已删除，消息无法发送。")

    async def _conversation(self, key) -> Conversation:
        conversation = await self.worker.call(store.get_conversation, tuple(key))
        if conversation is None:
            raise UnknownConversation(key)
        return conversation

    # ---- sending ---------------------------------------------------------------------------------

    async def send(
        self,
        conversation_key,
        draft: OutgoingDraft,
        *,
        confirmed_warning: bool = False,
        card: dict | None = None,
        message_type: MessageType | str | None = None,
    ) -> int:
        """Pass the draft through the compliance gate, write it to the outbox, return the outbox id.

        An order, product or coupon card rides along as `card` with its `message_type`;
        the draft's text (what the buyer reads beside the card) is what the gate judges.
        Raises MessageBlocked (nothing written), MessageNeedsConfirmation (a warning the
        agent has not confirmed), UnknownConversation or AccountUnavailable. Progress
        reaches listeners through `on_outbox`.
        """
        from workstation.compliance.gate import gate_outgoing

        conversation = await self._conversation(conversation_key)
        session = self._session_for(conversation)
        kind = DraftKind(draft.kind)
        if kind is DraftKind.FILE:
            raise SyncError("暂不支持发送文件，请改发图片或文字。")
        if kind is DraftKind.IMAGE and not draft.image_bytes:
            raise SyncError("图片是空的，请重新粘贴。")
        outgoing_type = MessageType(message_type) if message_type else (
            MessageType.IMAGE if kind is DraftKind.IMAGE else MessageType.TEXT)
        if outgoing_type is MessageType.EVENT or (outgoing_type is MessageType.IMAGE) != (kind is DraftKind.IMAGE):
            raise SyncError("消息类型不正确，没有发送。")
        # The gate's repetition check reads the conversation's recent replies; fill them in
        # here so every caller gets it, whatever it passed.
        if not draft.recent_sent or draft.platform is None:
            recent = await self.worker.call(store.recent_agent_texts, conversation.key, 10)
            draft = dataclasses.replace(
                draft,
                platform=draft.platform or conversation.platform.value,
                recent_sent=tuple(draft.recent_sent) or tuple(reversed(recent)),
            )
        verdict = await asyncio.to_thread(gate_outgoing, draft)
        if verdict.blocked:
            await self._audit_blocked(session, conversation, draft, verdict)
            raise MessageBlocked(verdict)
        if verdict.warned and not confirmed_warning:
            raise MessageNeedsConfirmation(verdict)
        row = await session.outbox._write_after_gate(
            conversation.key,
            buyer_id=conversation.buyer_id,
            type=outgoing_type,
            text=draft.text,
            image=draft.image_bytes if kind is DraftKind.IMAGE else None,
            card=card or None,
        )
        return row["id"]

    async def _audit_blocked(self, session: AccountSession, conversation: Conversation, draft, verdict) -> None:
        """Every blocked attempt goes to the audit trail team leads review (issue 6)."""
        from workstation.compliance.audit import record_blocked

        def write(db):
            with transaction(db):
                record_blocked(
                    db, verdict=verdict, text=draft.text, account_id=session.account_id,
                    platform=conversation.platform.value, shop_id=conversation.shop_id,
                    conversation_id=conversation.conversation_id, agent_id=session.account.login,
                    kind=str(DraftKind(draft.kind)),
                )

        try:
            await self.worker.call(write)
        except Exception:
            # The message stays unsent either way; a missing audit line must not hide that.
            log.exception("could not write the compliance audit record")

    async def retry(self, outbox_id: int) -> None:
        """Send a failed message again (reconciling first if it ever left)."""
        row = await self.worker.call(store.get_outbox, outbox_id)
        if row is None:
            raise CannotRetry("找不到这条待发送的消息。")
        await self.session(row["account_id"]).outbox.retry(outbox_id)

    # ---- reading -------------------------------------------------------------------------------------

    async def mark_read(self, conversation_key) -> None:
        """Clear the unread count now; tell the platform in the background."""
        conversation = await self.worker.call(store.mark_conversation_read, tuple(conversation_key))
        if conversation is None:
            raise UnknownConversation(conversation_key)
        self._listeners.conversation(conversation)
        try:
            session = self._session_for(conversation)
        except AccountUnavailable:
            return
        self._spawn(self._tell_platform_read(session, conversation.conversation_id))

    async def _tell_platform_read(self, session: AccountSession, conversation_id: str) -> None:
        try:
            await within(self.policy.call_timeout_s, session.connector.mark_read(conversation_id))
        except Exception as exc:
            log.info("%s: marking %s read on the platform failed: %s", session.account.key, conversation_id, exc)

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
