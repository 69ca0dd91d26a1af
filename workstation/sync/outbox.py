"""An account's outgoing messages: written to the outbox first, sent once, never delivered twice.

Each message gets a fresh idempotency key when it is written. After an ambiguous
failure — the request left but no answer came back (NetworkDown with request_sent,
or a timeout) — the message is `uncertain` and the platform is asked
(`connector.find_sent`) before anything is sent again; a message that was ever put
on the wire is reconciled the same way before a retry, even after a restart.

Each conversation is a lane: its messages go out one after another, in the order they
were written, so a buyer never reads them shuffled. Lanes run side by side (a few
requests at a time per account), so one buyer's message stuck in reconciliation never
holds up the replies to the shop's other buyers.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import uuid
from collections import deque
from typing import TYPE_CHECKING

from workstation.domain.messages import Message, MessageType, Sender, SendState
from workstation.domain.platforms import Platform
from workstation.shops.base import AuthExpired, NetworkDown, Outgoing, PlatformError, RateLimited, SentReceipt, ShopError
from workstation.store import messages as store
from workstation.sync.backoff import Backoff
from workstation.sync.errors import CannotRetry
from workstation.sync.state import AccountState
from workstation.sync.timeouts import wait_event, within

if TYPE_CHECKING:
    from workstation.sync.session import AccountSession

log = logging.getLogger(__name__)

NEEDS_LOGIN_TEXT = "账号需重新登录，登录后可重试。"
UNCERTAIN_GAVE_UP_TEXT = "无法确认消息是否已送达。重试时会先向平台核对，不会重复发送。"


class Outbox:
    def __init__(self, session: "AccountSession"):
        self._session = session
        self._lanes: dict[str, deque[int]] = {}        # conversation_id -> outbox ids, oldest first
        self._lane_tasks: dict[str, asyncio.Task] = {}
        self._slots = asyncio.Semaphore(session.policy.sends_in_parallel)
        self._wakeup = asyncio.Event()

    @property
    def _policy(self):
        return self._session.policy

    async def _db(self, fn, *args, **kwargs):
        return await self._session.worker.call(fn, *args, **kwargs)

    def _tell(self, row: dict) -> None:
        self._session.listeners.outbox(row)

    def wake(self) -> None:
        self._wakeup.set()

    # ---- what the hub calls -------------------------------------------------------------

    async def _write_after_gate(self, key, *, buyer_id: str, type: MessageType, text: str = "",
                     image: bytes | None = None, card: dict | None = None) -> dict:
        """Write the message to the outbox (state queued) and line it up for sending.

        Only `SyncHub.send` calls this, after the compliance gate passed the draft:
        there is no other way into the outbox.
        """
        payload: dict = {"buyer_id": buyer_id}
        if image is not None:
            payload["image_b64"] = base64.b64encode(image).decode("ascii")
        if card:
            payload["card"] = card
        row = await self._db(
            store.create_outbox, account_id=self._session.account_id, key=key,
            idempotency_key=uuid.uuid4().hex, type=type, text=text, payload=payload,
        )
        self._tell(row)
        self._enqueue(row)
        return row

    async def retry(self, outbox_id: int) -> dict:
        row = await self._db(store.get_outbox, outbox_id)
        if row is None or row["account_id"] != self._session.account_id:
            raise CannotRetry("找不到这条待发送的消息。")
        if row["state"] != SendState.FAILED:
            raise CannotRetry("只有发送失败的消息可以重试。")
        row = await self._db(store.update_outbox, outbox_id, SendState.QUEUED, last_error="")
        self._tell(row)
        self._enqueue(row)
        return row

    async def resume(self) -> None:
        """After a start: line up what was queued, and reconcile what was on the wire when we stopped."""
        rows = await self._db(
            store.list_outbox,
            states=[SendState.QUEUED, SendState.SENDING, SendState.UNCERTAIN],
            account_id=self._session.account_id,
        )
        for row in rows:
            if row["state"] == SendState.SENDING:
                row = await self._db(store.update_outbox, row["id"], SendState.UNCERTAIN)
                self._tell(row)
            self._enqueue(row)

    # ---- the sender task ----------------------------------------------------------------------

    def _enqueue(self, row: dict) -> None:
        conversation_id = row["conversation_id"]
        lane = self._lanes.setdefault(conversation_id, deque())
        if row["id"] in lane:
            return
        lane.append(row["id"])
        if conversation_id not in self._lane_tasks:
            task = asyncio.get_running_loop().create_task(
                self._drain(conversation_id), name=f"outbox {self._session.account.key} {conversation_id}")
            self._lane_tasks[conversation_id] = task

    async def _drain(self, conversation_id: str) -> None:
        try:
            while lane := self._lanes.get(conversation_id):
                outbox_id = lane[0]
                try:
                    await self._deliver(outbox_id)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.exception("%s: sending outbox row %s failed unexpectedly", self._session.account.key, outbox_id)
                    # attempts > 0 makes the agent's retry reconcile first, so failing here never risks a double.
                    await self._set(outbox_id, SendState.FAILED, last_error=f"发送出错：{exc}")
                lane.popleft()
        finally:
            # No await between the empty check and here: a message enqueued meanwhile starts a new lane.
            if not self._lanes.get(conversation_id):
                self._lanes.pop(conversation_id, None)
            self._lane_tasks.pop(conversation_id, None)

    async def run(self) -> None:
        """The account's outbox task: resume what a previous run left, then own the lanes until stopped."""
        try:
            await self.resume()
            await asyncio.Event().wait()
        finally:
            lanes = list(self._lane_tasks.values())
            for task in lanes:
                task.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)

    async def _set(self, outbox_id: int, state: SendState, **changes) -> dict:
        row = await self._db(store.update_outbox, outbox_id, state, **changes)
        self._tell(row)
        return row

    async def _wait_for_sign_in(self) -> bool:
        while not self._session.signed_in:
            if self._session.state is AccountState.NEEDS_LOGIN:
                return False
            self._wakeup.clear()
            await wait_event(self._wakeup, 0.5)
        return True

    def _outgoing(self, row: dict) -> Outgoing:
        payload = row["payload"]
        image = base64.b64decode(payload["image_b64"]) if payload.get("image_b64") else None
        return Outgoing(
            conversation_id=row["conversation_id"],
            buyer_id=payload.get("buyer_id", ""),
            idempotency_key=row["idempotency_key"],
            type=MessageType(row["type"]),
            text=row["text"],
            image=image,
            card=payload.get("card", {}),
        )

    async def _deliver(self, outbox_id: int) -> None:
        session, policy = self._session, self._policy
        row = await self._db(store.get_outbox, outbox_id)
        if row is None or row["state"] in (SendState.SENT, SendState.FAILED):
            return
        outgoing = self._outgoing(row)
        # Anything that may ever have reached the platform is reconciled before it is sent again.
        must_reconcile = row["attempts"] > 0 or row["state"] in (SendState.SENDING, SendState.UNCERTAIN)
        backoff = Backoff(policy.backoff_base_s, policy.backoff_cap_s)
        sends = reconciles = 0
        rate_limited_for = 0.0
        while True:
            if not await self._wait_for_sign_in():
                await self._set(outbox_id, SendState.FAILED, last_error=NEEDS_LOGIN_TEXT)
                return
            generation = session.token_generation
            if must_reconcile:
                if reconciles >= policy.max_reconcile_attempts:
                    await self._set(outbox_id, SendState.FAILED, last_error=UNCERTAIN_GAVE_UP_TEXT)
                    return
                reconciles += 1
                if row["state"] != SendState.UNCERTAIN:
                    row = await self._set(outbox_id, SendState.UNCERTAIN)
                await asyncio.sleep(policy.reconcile_delay_s)
                try:
                    async with self._slots:
                        receipt = await within(
                            policy.call_timeout_s,
                            session.connector.find_sent(outgoing.conversation_id, outgoing.idempotency_key),
                        )
                except AuthExpired:
                    if not await session.recover_auth(generation):
                        await self._set(outbox_id, SendState.FAILED, last_error=NEEDS_LOGIN_TEXT)
                        return
                    continue
                except (ShopError, TimeoutError, OSError) as exc:
                    delay = max(getattr(exc, "retry_after", 0.0), backoff.next_delay())
                    log.info("%s: reconciling outbox %s failed (%s); again in %.1fs",
                             session.account.key, outbox_id, exc or type(exc).__name__, delay)
                    await asyncio.sleep(delay)
                    continue
                if receipt is not None:
                    log.info("%s: outbox %s had reached the platform; not sending again", session.account.key, outbox_id)
                    await self._record_sent(row, outgoing, receipt)
                    return
                must_reconcile = False  # the platform has not got it: sending (with the same key) is safe
            if sends >= policy.max_send_attempts:
                await self._set(outbox_id, SendState.FAILED, last_error=f"多次发送失败：{row['last_error']}")
                return
            sends += 1
            row = await self._set(outbox_id, SendState.SENDING, count_attempt=True)
            try:
                async with self._slots:
                    receipt = await within(policy.send_timeout_s, session.connector.send(outgoing))
            except AuthExpired:
                # The gateway checks the token before anything else: the message was not taken.
                if not await session.recover_auth(generation):
                    await self._set(outbox_id, SendState.FAILED, last_error=NEEDS_LOGIN_TEXT)
                    return
                row = await self._set(outbox_id, SendState.QUEUED)
                continue
            except RateLimited as exc:
                sends -= 1  # a refusal, not a try; bounded by time instead
                session.note_rate_limited(exc)
                delay = max(exc.retry_after, backoff.next_delay())
                rate_limited_for += delay
                if rate_limited_for > policy.max_rate_limited_wait_s:
                    await self._set(outbox_id, SendState.FAILED, last_error=f"平台持续限流：{exc}")
                    return
                row = await self._set(outbox_id, SendState.QUEUED, last_error=f"平台限流，{delay:.0f} 秒后重试")
                await asyncio.sleep(delay)
                continue
            except PlatformError as exc:
                await self._set(outbox_id, SendState.FAILED, last_error=str(exc) or "平台拒绝了这条消息")
                return
            except NetworkDown as exc:
                if exc.request_sent:
                    must_reconcile = True
                    row = await self._set(outbox_id, SendState.UNCERTAIN, last_error=f"{exc}（正在向平台核对）")
                else:
                    row = await self._set(outbox_id, SendState.QUEUED, last_error=f"{exc}（稍后重试）")
                await asyncio.sleep(backoff.next_delay())
                continue
            except (TimeoutError, OSError, ShopError) as exc:
                must_reconcile = True
                row = await self._set(outbox_id, SendState.UNCERTAIN,
                                      last_error=f"{exc or '平台响应超时'}（正在向平台核对）")
                await asyncio.sleep(backoff.next_delay())
                continue
            await self._record_sent(row, outgoing, receipt)
            return

    async def _record_sent(self, row: dict, outgoing: Outgoing, receipt: SentReceipt) -> None:
        session = self._session
        account = session.account
        message = Message(
            platform=Platform(row["platform"]),
            shop_id=row["shop_id"],
            conversation_id=row["conversation_id"],
            message_id=receipt.message_id,
            sender=Sender.AGENT,
            sent_at=receipt.sent_at,
            type=outgoing.type,
            text=outgoing.text,
            buyer_id=outgoing.buyer_id,
            shop_name=account.display_name,
            agent_id=account.login,
            payload={"idempotency_key": outgoing.idempotency_key, **({"card": outgoing.card} if outgoing.card else {})},
        )
        row, ingested = await self._db(store.record_sent, row["id"], message)
        self._tell(row)
        session.announce(ingested)
