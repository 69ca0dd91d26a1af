"""Customer-service coupons (客服发券): who may get which coupon, what the buyer is told,
and sending that never grants twice.

SPEC: only 店铺满减券 and 商品满减券 created for the customer-service channel; each has
a validity period and a per-buyer limit; a coupon over the limit cannot be sent, so
say so before promising it, and tell the buyer when it expires.

Sending writes the idempotency key to the database before the request leaves. After
an ambiguous failure (the request left, the answer was lost) the platform is asked
with `find_coupon_grant` under the same key; nothing is sent again until it answers.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from workstation.commerce import records
from workstation.commerce.errors import CouponOutcomeUnknown, CouponRefused, CommerceError, explain, refusal_kind
from workstation.commerce.money import china_time, threshold_text
from workstation.commerce.records import CouponSend, CouponSendState
from workstation.domain.commerce import Coupon, CouponKind
from workstation.shops.base import NetworkDown, PlatformError, RateLimited, ShopConnector, ShopError

log = logging.getLogger(__name__)

MAX_RATE_LIMIT_WAIT = 3.0  # seconds worth waiting for once, instead of telling the agent to retry
RATE_LIMIT_MARGIN = 0.2    # timers may fire a little early; arriving early earns another refusal


@dataclass(frozen=True, slots=True)
class CouponOffer:
    """A coupon as the 优惠券 tab lists it: sendable, or greyed out with the reason."""

    coupon: Coupon
    sendable: bool
    reason: str = ""           # why not, in Chinese; empty when sendable
    reason_kind: str = ""      # expired | not_started | stock | limit
    unresolved: CouponSend | None = None  # an earlier send whose outcome is not known yet


def eligibility(coupon: Coupon, now: datetime) -> tuple[bool, str, str]:
    """(sendable, reason, kind): validity first, then stock, then the buyer's limit."""
    if now < coupon.valid_from:
        return False, f"未到发放时间（{china_time(coupon.valid_from, now)} 起可发）", "not_started"
    if now >= coupon.valid_to:
        return False, f"已过期（{china_time(coupon.valid_to, now)} 到期），不能再发", "expired"
    if coupon.stock_left <= 0:
        return False, "已发完，没有剩余库存", "stock"
    if coupon.per_buyer_limit > 0 and coupon.buyer_received >= coupon.per_buyer_limit:
        return (False, f"该买家已领 {coupon.buyer_received} 张，每人限领 {coupon.per_buyer_limit} 张，不能再发",
                "limit")
    return True, "", ""


def offers(coupons: list[Coupon], now: datetime, unresolved: list[CouponSend] = ()) -> list[CouponOffer]:
    """Only the two customer-service kinds; sendable ones first, each group by valid-to."""
    pending = {send.coupon_id: send for send in unresolved}
    out = []
    for coupon in coupons:
        if coupon.kind not in (CouponKind.SHOP, CouponKind.PRODUCT):
            continue
        sendable, reason, kind = eligibility(coupon, now)
        out.append(CouponOffer(coupon, sendable, reason, kind, pending.get(coupon.coupon_id)))
    return sorted(out, key=lambda o: (not o.sendable, o.coupon.valid_to))


def coupon_summary(coupon: Coupon) -> str:
    """店铺满减券 · 满199元减20元."""
    return f"{coupon.kind.label} · {threshold_text(coupon.threshold_fen, coupon.discount_fen)}"


def buyer_message(coupon: Coupon, valid_to: datetime | None = None, now: datetime | None = None) -> str:
    """What the buyer reads after the coupon lands: what it is and when it expires."""
    until = china_time(valid_to or coupon.valid_to, now)
    scope = "全店商品可用" if coupon.kind is CouponKind.SHOP else "指定商品可用"
    return (f"亲，已为您发放一张{coupon.kind.label}“{coupon.title}”："
            f"{threshold_text(coupon.threshold_fen, coupon.discount_fen)}，{scope}，"
            f"有效期至{until}，下单时可直接使用，过期就不能用了哦～")


_REFUSAL_TEXT = {
    "expired": "这张券已过期或不在有效期内，平台拒绝发放。",
    "limit": "该买家已达到这张券的每人限领数量，平台拒绝发放。",
    "stock": "这张券刚刚发完了，平台拒绝发放。",
    "not_found": "这张券已被店铺删除或停用，平台拒绝发放。",
}


class CouponSender:
    """Sends one conversation's coupons; every attempt is recorded first."""

    def __init__(self, connector: ShopConnector, worker, key: records.ConversationKey, buyer_id: str, *,
                 clock: Callable[[], datetime], call_timeout: float = 15.0,
                 reconcile_delays: tuple[float, ...] = (0.0, 0.5, 1.5)):
        self.connector = connector
        self.worker = worker
        self.key = key
        self.buyer_id = buyer_id
        self.clock = clock
        self.call_timeout = call_timeout
        self.reconcile_delays = reconcile_delays

    async def unresolved(self) -> list[CouponSend]:
        platform, shop_id, _ = self.key
        return await self.worker.call(records.unresolved_coupon_sends, platform, shop_id, self.buyer_id)

    async def send(self, coupon: Coupon) -> CouponSend:
        """Grant `coupon` to the buyer; returns the granted record or raises a CommerceError.

        An earlier send of this coupon to this buyer whose outcome is unknown is
        reconciled instead: a new request only goes out once the platform said no.
        """
        for earlier in await self.unresolved():
            if earlier.coupon_id == coupon.coupon_id:
                resolved = await self.reconcile(earlier)
                if resolved.state == CouponSendState.GRANTED:
                    return resolved
        sendable, reason, kind = eligibility(coupon, self.clock())
        if not sendable:
            raise CouponRefused(f"“{coupon.title}”{reason}。", kind)
        record = await self.worker.call(
            records.start_coupon_send, self.key, buyer_id=self.buyer_id, coupon_id=coupon.coupon_id,
            coupon_title=coupon.title, idempotency_key=uuid.uuid4().hex, valid_to=coupon.valid_to)
        conversation_id = self.key[2]
        try:
            grant = await self._send_once_or_after_rate_limit(conversation_id, coupon, record)
        except NetworkDown as exc:
            if exc.request_sent:
                log.info("coupon send %s: answer lost (%s); reconciling", record.id, exc)
                return await self._uncertain_then_reconcile(record)
            await self._fail(record, "网络未连接，券没有发出。")
            raise CommerceError("券没有发出：网络连接失败，请检查网络后重新发送。") from exc
        except (asyncio.TimeoutError, TimeoutError):
            log.info("coupon send %s timed out; reconciling", record.id)
            return await self._uncertain_then_reconcile(record)
        except asyncio.CancelledError:
            # The request may be on the wire: leave it for reconciliation, never for a blind resend.
            await asyncio.shield(self.worker.call(records.update_coupon_send, record.id,
                                                  state=CouponSendState.UNCERTAIN))
            raise
        except PlatformError as exc:
            kind = refusal_kind(exc) or "other"
            message = _REFUSAL_TEXT.get(kind) or explain(exc, "发券")
            log.info("coupon send %s refused: %s (%s/%s)", record.id, exc, exc.code, exc.sub_code)
            await self._fail(record, message)
            raise CouponRefused(message, kind) from exc
        except ShopError as exc:  # auth expired, rate limited: refused before any grant
            message = explain(exc, "发券")
            await self._fail(record, message)
            raise CommerceError(message) from exc
        return await self.worker.call(records.update_coupon_send, record.id, state=CouponSendState.GRANTED,
                                      grant_id=grant.grant_id, valid_to=grant.valid_to, error="")

    async def _send_once_or_after_rate_limit(self, conversation_id: str, coupon: Coupon, record: CouponSend):
        """A rate-limit refusal means the platform did not process the call: the same key may go
        again after the short wait it asked for."""
        try:
            return await asyncio.wait_for(
                self.connector.send_coupon(conversation_id, self.buyer_id, coupon.coupon_id, record.idempotency_key),
                self.call_timeout)
        except RateLimited as exc:
            if exc.retry_after > MAX_RATE_LIMIT_WAIT:
                raise
            await asyncio.sleep(exc.retry_after + RATE_LIMIT_MARGIN)
            return await asyncio.wait_for(
                self.connector.send_coupon(conversation_id, self.buyer_id, coupon.coupon_id, record.idempotency_key),
                self.call_timeout)

    async def _fail(self, record: CouponSend, message: str) -> None:
        await self.worker.call(records.update_coupon_send, record.id, state=CouponSendState.FAILED, error=message)

    async def _uncertain_then_reconcile(self, record: CouponSend) -> CouponSend:
        record = await self.worker.call(records.update_coupon_send, record.id, state=CouponSendState.UNCERTAIN,
                                        error="网络中断，正在向平台核对这张券是否已发出。")
        return await self.reconcile(record)

    async def reconcile(self, record: CouponSend) -> CouponSend:
        """Ask the platform whether the grant with this key exists; the record follows the answer.

        Raises CouponOutcomeUnknown when the platform cannot be asked; the record stays
        `uncertain` and the panel offers 核对 (which comes back here), never a resend.
        """
        last: BaseException | None = None
        for delay in self.reconcile_delays:
            if delay:
                await asyncio.sleep(delay)
            try:
                grant = await asyncio.wait_for(
                    self.connector.find_coupon_grant(self.buyer_id, record.idempotency_key), self.call_timeout)
            except (ShopError, asyncio.TimeoutError, TimeoutError) as exc:
                last = exc
                log.info("reconciling coupon send %s failed: %s", record.id, exc)
                continue
            if grant is not None:
                return await self.worker.call(records.update_coupon_send, record.id, state=CouponSendState.GRANTED,
                                              grant_id=grant.grant_id, valid_to=grant.valid_to, error="")
            # The platform has no grant under this key: the request never took effect.
            return await self.worker.call(records.update_coupon_send, record.id, state=CouponSendState.FAILED,
                                          error="平台确认这张券没有发出，可以重新发送。")
        message = ("网络中断，暂时无法确认“%s”是否已发给买家。网络恢复后请点“核对”；核对之前不会重复发券。"
                   % record.coupon_title)
        await self.worker.call(records.update_coupon_send, record.id, state=CouponSendState.UNCERTAIN, error=message)
        raise CouponOutcomeUnknown(message) from last
