"""An in-memory platform and a connector for it that keep the ShopConnector contract.

`FakePlatform` is one shop's platform side: the ground-truth event history (cursors
"1", "2", … in order), live subscribers, tokens, and what agents' sends delivered.
Switches let a test misbehave the way real platforms do: drop the push connection,
duplicate or reorder pushed events, drop pushes silently, rate-limit every call,
refuse refreshes, answer a send ambiguously (delivered, but the reply lost or late),
and push malformed events.

`FakeConnector` is the client a session uses. It never dedups sends by idempotency
key, so a double send by the engine shows up as two deliveries.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from workstation.domain.accounts import ShopAccount
from workstation.domain.messages import EventKind, Message, MessageType, Sender
from workstation.domain.platforms import Platform
from workstation.shops.base import (
    AuthExpired,
    CouponGrant,
    Credentials,
    EventPage,
    NetworkDown,
    Outgoing,
    PlatformError,
    RateLimited,
    SentReceipt,
    ShopEvent,
    Tokens,
)
from workstation.shops.connector_base import SignatureRejected

_DROP = object()


@dataclass
class Delivery:
    outgoing: Outgoing
    receipt: SentReceipt


@dataclass
class FakePlatform:
    platform: Platform = Platform.PDD
    shop_id: str = "shop1"
    shop_name: str = "测试店"
    login: str = "kefu01"
    password: str = "secret-pw"
    access_lifetime: timedelta = timedelta(hours=2)

    # switches
    rate_limited_until: float = 0.0        # loop.time(); every call raises RateLimited before then
    rate_limit_retry_after: float = 60.0
    refresh_fails: bool = False
    duplicate_pushes: bool = False
    reorder_pushes: bool = False           # hold each pushed event back and send it after the next
    push_drop_every: int = 0               # silently lose every n-th push (history keeps it)
    send_plan: deque = field(default_factory=deque)  # "ok" | "lost_reply" | "refused" | "hang_after_delivery" | "reject"
    find_sent_failures: int = 0
    latency: float = 0.0
    clock_rejected: bool = False           # the gateway refuses our timestamps (a wrong system clock)

    # state
    history: list[ShopEvent] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    read_marks: list[str] = field(default_factory=list)
    valid_access: set[str] = field(default_factory=set)
    valid_refresh: set[str] = field(default_factory=set)
    calls: dict[str, int] = field(default_factory=dict)
    subscribers: list[asyncio.Queue] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _held: list = field(default_factory=list)
    _pushes: int = 0

    def account(self, account_id: int, *, extra: dict | None = None) -> ShopAccount:
        return ShopAccount(
            id=account_id, platform=self.platform, shop_id=self.shop_id, display_name=self.shop_name,
            login=self.login, extra=extra or {"gateway": "memory://", "app_key": "k"},
        )

    # ---- what happens on the platform ----------------------------------------------------

    def _message(self, conversation_id: str, sender: Sender, text: str, **kw) -> Message:
        number = next(self._ids)
        return Message(
            platform=self.platform, shop_id=self.shop_id, conversation_id=conversation_id,
            message_id=f"m{number}", sender=sender, sent_at=datetime.now(UTC) + timedelta(microseconds=number),
            text=text, buyer_id=f"buyer-{conversation_id}", buyer_nick=f"买家{conversation_id}",
            shop_name=self.shop_name, **kw,
        )

    def _record(self, message: Message, *, push: bool = True) -> ShopEvent:
        event = ShopEvent(cursor=str(len(self.history) + 1), message=message)
        self.history.append(event)
        if push:
            self.push(event)
        return event

    def buyer_says(self, conversation_id: str, text: str, *, push: bool = True) -> ShopEvent:
        return self._record(self._message(conversation_id, Sender.BUYER, text), push=push)

    def enters_reception(self, conversation_id: str) -> ShopEvent:
        return self._record(self._message(
            conversation_id, Sender.SYSTEM, "", type=MessageType.EVENT, event=EventKind.ENTERED_RECEPTION))

    def push(self, item) -> None:
        """Push to every live subscriber, with the misbehaviour switched on."""
        self._pushes += 1
        if self.push_drop_every and self._pushes % self.push_drop_every == 0:
            return
        items = [item, item] if self.duplicate_pushes else [item]
        if self.reorder_pushes:
            held, self._held = self._held, items
            if not held:
                return
            items = items + held
        for queue in list(self.subscribers):
            for one in items:
                queue.put_nowait(one)

    def drop_connections(self) -> None:
        for queue in list(self.subscribers):
            queue.put_nowait(_DROP)

    def delivered(self, idempotency_key: str | None = None) -> list[Delivery]:
        return [d for d in self.deliveries if idempotency_key is None or d.outgoing.idempotency_key == idempotency_key]

    def _deliver(self, outgoing: Outgoing) -> SentReceipt:
        message = self._message(outgoing.conversation_id, Sender.AGENT, outgoing.text, type=outgoing.type,
                                payload={"idempotency_key": outgoing.idempotency_key})
        receipt = SentReceipt(message.message_id, message.sent_at, outgoing.idempotency_key)
        self.deliveries.append(Delivery(outgoing, receipt))
        self._record(message)  # the platform echoes the agent's message to the stream too
        return receipt

    def issue_tokens(self) -> Tokens:
        number = next(self._ids)
        tokens = Tokens(
            access_token=f"acc-{number}", refresh_token=f"ref-{number}",
            access_expires_at=datetime.now(UTC) + self.access_lifetime,
            refresh_expires_at=datetime.now(UTC) + timedelta(days=14),
        )
        self.valid_access.add(tokens.access_token)
        self.valid_refresh.add(tokens.refresh_token)
        return tokens

    def revoke_tokens(self) -> None:
        self.valid_access.clear()


class FakeConnector:
    """A ShopConnector over a FakePlatform."""

    def __init__(self, shop: FakePlatform):
        self.shop = shop
        self.platform = shop.platform
        self.tokens: Tokens | None = None
        self.closed = False
        self.on_tokens = None  # set by the sync engine, called with every new Tokens (as the real connectors do)

    def _store(self, tokens: Tokens) -> Tokens:
        self.tokens = tokens
        if self.on_tokens is not None:
            self.on_tokens(tokens)
        return tokens

    async def _enter(self, name: str, *, needs_token: bool = True) -> None:
        shop = self.shop
        shop.calls[name] = shop.calls.get(name, 0) + 1
        if shop.latency:
            await asyncio.sleep(shop.latency)
        remaining = shop.rate_limited_until - asyncio.get_running_loop().time()
        if remaining > 0:
            raise RateLimited("接口调用频率超限", retry_after=min(remaining, shop.rate_limit_retry_after))
        if shop.clock_rejected:
            raise SignatureRejected("本机时间与服务器相差太大，请校准系统时间后重试", code="bad_timestamp")
        if needs_token:
            if self.tokens is None or self.tokens.access_token not in shop.valid_access:
                raise AuthExpired("access_token 已失效")
            if self.tokens.access_expires_at <= datetime.now(UTC):
                raise AuthExpired("access_token 已过期")

    async def sign_in(self, credentials: Credentials) -> Tokens:
        await self._enter("sign_in", needs_token=False)
        if credentials.login != self.shop.login or credentials.password != self.shop.password:
            raise AuthExpired("账号或密码错误")
        return self._store(self.shop.issue_tokens())

    async def refresh(self) -> Tokens:
        await self._enter("refresh", needs_token=False)
        if self.shop.refresh_fails or self.tokens is None or self.tokens.refresh_token not in self.shop.valid_refresh:
            raise AuthExpired("refresh_token 无效")
        self.shop.valid_access.discard(self.tokens.access_token)
        self.shop.valid_refresh.discard(self.tokens.refresh_token)
        return self._store(self.shop.issue_tokens())

    def use_tokens(self, tokens: Tokens) -> None:
        self.tokens = tokens

    async def events(self, cursor: str | None):
        await self._enter("events")
        queue: asyncio.Queue = asyncio.Queue()
        self.shop.subscribers.append(queue)
        try:
            while True:
                item = await queue.get()
                if item is _DROP:
                    raise NetworkDown("推送连接断开")
                if self.tokens is None or self.tokens.access_token not in self.shop.valid_access:
                    raise AuthExpired("access_token 已失效")
                yield item
        finally:
            self.shop.subscribers.remove(queue)

    async def catch_up(self, cursor: str | None, limit: int = 200) -> EventPage:
        await self._enter("catch_up")
        start = int(cursor or 0)
        events = tuple(self.shop.history[start:start + limit])
        next_cursor = str(start + len(events))
        return EventPage(events, next_cursor, has_more=start + len(events) < len(self.shop.history))

    async def send(self, outgoing: Outgoing) -> SentReceipt:
        await self._enter("send")
        plan = self.shop.send_plan.popleft() if self.shop.send_plan else "ok"
        if plan == "refused":
            raise NetworkDown("连接被拒绝", request_sent=False)
        if plan == "reject":
            raise PlatformError("消息包含违规内容", code="50001")
        receipt = self.shop._deliver(outgoing)
        if plan == "lost_reply":
            raise NetworkDown("连接在响应前断开", request_sent=True)
        if plan == "hang_after_delivery":
            await asyncio.sleep(3600)
        return receipt

    async def find_sent(self, conversation_id: str, idempotency_key: str) -> SentReceipt | None:
        await self._enter("find_sent")
        if self.shop.find_sent_failures > 0:
            self.shop.find_sent_failures -= 1
            raise NetworkDown("查询超时", request_sent=True)
        for delivery in self.shop.deliveries:
            if delivery.outgoing.idempotency_key == idempotency_key and delivery.outgoing.conversation_id == conversation_id:
                return delivery.receipt
        return None

    async def mark_read(self, conversation_id: str) -> None:
        await self._enter("mark_read")
        self.shop.read_marks.append(conversation_id)

    async def list_orders(self, buyer_id: str):
        await self._enter("list_orders")
        return []

    async def get_order(self, order_id: str):
        await self._enter("get_order")
        return None

    async def reveal_order_contact(self, order_id: str) -> dict:
        await self._enter("reveal_order_contact")
        return {}

    async def list_coupons(self, buyer_id: str):
        await self._enter("list_coupons")
        return []

    async def send_coupon(self, conversation_id, buyer_id, coupon_id, idempotency_key) -> CouponGrant:
        await self._enter("send_coupon")
        return CouponGrant(coupon_id, buyer_id, f"g-{idempotency_key}", datetime.now(UTC) + timedelta(days=7))

    async def find_coupon_grant(self, buyer_id, idempotency_key):
        await self._enter("find_coupon_grant")
        return None

    async def invite_rating(self, conversation_id: str) -> None:
        await self._enter("invite_rating")

    async def set_buyer_remark(self, buyer_id: str, text: str) -> None:
        await self._enter("set_buyer_remark")

    async def list_products(self, query: str = ""):
        await self._enter("list_products")
        return []

    async def aclose(self) -> None:
        self.closed = True
