"""`ConversationCommerce`: the side panel's work for one open conversation, without Qt.

It holds the conversation's connector, the sync hub (the one send path) and the
store worker, caches what it loaded (orders, coupons, products) for a short while,
and turns every failure into a CommerceError whose text the panel shows as it is.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from workstation.commerce import records
from workstation.commerce.cache import TimedCache
from workstation.commerce.coupons import CouponOffer, CouponSender, buyer_message, offers
from workstation.commerce.errors import (
    CommerceError,
    CouponOutcomeUnknown,
    NoteNotPushed,
    OrderNotFound,
    ProductUnavailable,
    RatingNotAllowed,
    explain,
    refusal_kind,
)
from workstation.commerce.masking import mask_address, mask_name, mask_phone
from workstation.commerce.order_numbers import validate_order_number
from workstation.commerce.outgoing import order_card, product_card, send_card, send_text
from workstation.commerce.products import ProductOffer, rank
from workstation.commerce.ratings import RatingState, rating_state
from workstation.commerce.records import CouponSend, CouponSendState
from workstation.domain.commerce import Coupon, Order, Product
from workstation.domain.messages import Conversation, MessageType, Sender
from workstation.domain.verdict import DraftKind
from workstation.shops.base import PlatformError, RateLimited, ShopConnector, ShopError
from workstation.store import messages as store

log = logging.getLogger(__name__)

COUPON_TAG = "已发券"
PRESET_TAGS = ("老客户", "易退款", COUPON_TAG, "重点关注", "爱砍价", "已解决")
REMARK_LIMIT = 200  # the shortest buyer-remark limit among the platforms' endpoints (modelled)

ORDERS_MAX_AGE = 60.0
COUPONS_MAX_AGE = 30.0
PRODUCTS_MAX_AGE = 120.0
MAX_RATE_LIMIT_WAIT = 3.0  # seconds worth waiting for, once, instead of showing an error
RATE_LIMIT_MARGIN = 0.2    # timers may fire a little early; arriving early earns another refusal


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def masked(order: Order) -> Order:
    """The order with receiver, phone and address masked, whatever the connector delivered."""
    return dataclasses.replace(order, receiver_masked=mask_name(order.receiver_masked),
                               phone_masked=mask_phone(order.phone_masked),
                               address_masked=mask_address(order.address_masked))


@dataclass(frozen=True, slots=True)
class CouponResult:
    send: CouponSend
    message: str                 # what to tell the agent
    note_state: str = ""         # sent | blocked | needs_confirmation | failed
    note_problem: str = ""       # the gate's reason when the note did not go


@dataclass(frozen=True, slots=True)
class NoteSaved:
    note: store.BuyerNote
    pushed: bool
    message: str


class ConversationCommerce:
    def __init__(self, conversation: Conversation, connector: ShopConnector, hub, worker, *,
                 agent: str = "", clock: Callable[[], datetime] = utc_now, call_timeout: float = 15.0,
                 reconcile_delays: tuple[float, ...] = (0.0, 0.5, 1.5)):
        self.conversation = conversation
        self.connector = connector
        self.hub = hub
        self.worker = worker
        self.agent = agent
        self.clock = clock
        self.call_timeout = call_timeout
        self.cache = TimedCache()
        self.coupons_sender = CouponSender(connector, worker, conversation.key, conversation.buyer_id, clock=clock,
                                           call_timeout=call_timeout, reconcile_delays=reconcile_delays)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.conversation.key

    @property
    def platform(self):
        return self.conversation.platform

    @property
    def buyer_id(self) -> str:
        return self.conversation.buyer_id

    async def _call(self, doing: str, make, *, retry_rate_limit: bool = True):
        """Await `make()` (a connector call); any failure becomes a CommerceError saying what to do.

        A platform that answers "too many calls" with a short wait is asked once more after
        that wait: the agent asked for one thing and should not have to click twice.
        """
        for attempt in (1, 2):
            try:
                return await asyncio.wait_for(make(), self.call_timeout)
            except CommerceError:
                raise
            except RateLimited as exc:
                if retry_rate_limit and attempt == 1 and exc.retry_after <= MAX_RATE_LIMIT_WAIT:
                    log.info("%s for %s rate-limited; retrying in %.1fs", doing, self.key, exc.retry_after)
                    await asyncio.sleep(exc.retry_after + RATE_LIMIT_MARGIN)
                    continue
                raise CommerceError(explain(exc, doing)) from exc
            except (ShopError, asyncio.TimeoutError, TimeoutError, NotImplementedError) as exc:
                log.info("%s for %s failed: %r", doing, self.key, exc)
                if isinstance(exc, NotImplementedError):
                    raise CommerceError(f"{doing}失败：该平台暂不支持这个功能。") from exc
                raise CommerceError(explain(exc, doing)) from exc
        raise AssertionError("unreachable")

    # ---- orders -----------------------------------------------------------------------------

    async def orders(self, *, refresh: bool = False) -> list[Order]:
        async def load():
            found = await self._call("查询买家订单", lambda: self.connector.list_orders(self.buyer_id))
            return sorted((masked(o) for o in found), key=lambda o: o.created_at, reverse=True)

        return await self.cache.get("orders", load, ORDERS_MAX_AGE, refresh=refresh)

    async def find_order(self, text: str) -> Order:
        """Any order of the shop by number; malformed numbers never reach the platform."""
        number = validate_order_number(self.platform, text)

        async def load():
            try:
                order = await self._call("查询订单", lambda: self.connector.get_order(number))
            except CommerceError as exc:
                cause = exc.__cause__
                if isinstance(cause, PlatformError) and refusal_kind(cause) == "not_found":
                    order = None
                else:
                    raise
            if order is None:
                raise OrderNotFound(f"本店没有订单号为 {number} 的订单，请核对订单号（是否属于其他店铺？）。")
            return masked(order)

        return await self.cache.get(f"order:{number}", load, ORDERS_MAX_AGE)

    async def reveal_contact(self, order: Order) -> dict:
        """The order's receiver, phone and address in full; the click is audited before the call."""
        reveal_id = await self.worker.call(
            records.log_contact_reveal, self.key, order_id=order.order_id, buyer_id=order.buyer_id,
            account_id=self.conversation.account_id, agent=self.agent)
        try:
            contact = await self._call("查看收货信息", lambda: self.connector.reveal_order_contact(order.order_id))
        except CommerceError:
            await self.worker.call(records.finish_contact_reveal, reveal_id, "failed")
            raise
        await self.worker.call(records.finish_contact_reveal, reveal_id, "shown")
        log.info("contact of order %s revealed to %s (audit row %s)", order.order_id, self.agent or "agent", reveal_id)
        return {"receiver": contact.get("receiver", ""), "phone": contact.get("phone", ""),
                "address": contact.get("address", "")}

    def _require_hub(self) -> None:
        if self.hub is None:
            raise CommerceError("消息通道未连接（店铺账号未登录或已停用），卡片没有发送。")

    async def send_order_card(self, order: Order, *, confirmed_warning: bool = False) -> int:
        self._require_hub()
        card, text = order_card(order)
        return await send_card(self.hub, self.key, MessageType.ORDER_CARD, card, text,
                               confirmed_warning=confirmed_warning)

    # ---- coupons ---------------------------------------------------------------------------

    async def coupon_offers(self, *, refresh: bool = False) -> list[CouponOffer]:
        coupons = await self.cache.get(
            "coupons", lambda: self._call("读取优惠券", lambda: self.connector.list_coupons(self.buyer_id)),
            COUPONS_MAX_AGE, refresh=refresh)
        unresolved = await self.coupons_sender.unresolved()
        return offers(coupons, self.clock(), unresolved)

    def coupon_note(self, coupon: Coupon) -> str:
        return buyer_message(coupon, now=self.clock())

    async def sent_coupons(self) -> list[CouponSend]:
        return await self.worker.call(records.coupon_sends, self.key)

    async def send_coupon(self, coupon: Coupon) -> CouponResult:
        """Grant the coupon (reconciling any earlier unknown outcome first), then tell the buyer."""
        try:
            record = await self.coupons_sender.send(coupon)
        except CouponOutcomeUnknown:
            raise  # nothing is known to have changed: keep the list the agent is looking at
        except CommerceError:
            self.cache.forget("coupons")  # a refusal: the platform's stock or limits moved
            raise
        self.cache.forget("coupons")
        return await self._after_grant(record, coupon)

    async def reconcile_coupon(self, record: CouponSend, coupon: Coupon | None = None) -> CouponResult:
        resolved = await self.coupons_sender.reconcile(record)  # raises CouponOutcomeUnknown while offline
        self.cache.forget("coupons")
        if resolved.state == CouponSendState.GRANTED:
            if coupon is not None:
                return await self._after_grant(resolved, coupon)
            return CouponResult(resolved, f"已核对：“{resolved.coupon_title}”已经发给买家，没有重复发送。")
        return CouponResult(resolved, f"已核对：“{resolved.coupon_title}”没有发出，可以重新发送。")

    async def _after_grant(self, record: CouponSend, coupon: Coupon) -> CouponResult:
        try:
            await self._add_tag(COUPON_TAG)
        except Exception:  # noqa: BLE001 — the coupon went; a missing tag must not hide that
            log.exception("could not tag buyer %s with %s", self.buyer_id, COUPON_TAG)
        if record.note_state == "sent":
            return CouponResult(record, f"已核对：“{coupon.title}”已经发给买家，说明消息也已发送，没有重复发送。", "sent")
        return await self.send_coupon_note(record, coupon)

    async def send_coupon_note(self, record: CouponSend, coupon: Coupon, *, confirmed_warning: bool = False) -> CouponResult:
        from workstation.sync.errors import MessageBlocked, MessageNeedsConfirmation, SyncError

        text = record.note_text or buyer_message(coupon, record.valid_to, self.clock())
        granted = f"已向买家发放“{coupon.title}”"
        if self.hub is None:
            record = await self.worker.call(records.update_coupon_send, record.id, note_text=text, note_state="failed")
            return CouponResult(record, f"{granted}，但消息通道未连接，说明消息没有发出；请稍后手动告诉买家。", "failed",
                                "消息通道未连接")
        try:
            await send_text(self.hub, self.key, text, kind=DraftKind.COUPON_NOTE, confirmed_warning=confirmed_warning)
        except MessageNeedsConfirmation as exc:
            record = await self.worker.call(records.update_coupon_send, record.id, note_text=text,
                                            note_state="needs_confirmation")
            return CouponResult(record, f"{granted}。说明消息需要确认：{exc}", "needs_confirmation", str(exc))
        except MessageBlocked as exc:
            record = await self.worker.call(records.update_coupon_send, record.id, note_text=text, note_state="blocked")
            return CouponResult(record, f"{granted}，但说明消息未通过合规检查，没有发送：{exc}", "blocked", str(exc))
        except SyncError as exc:
            record = await self.worker.call(records.update_coupon_send, record.id, note_text=text, note_state="failed")
            return CouponResult(record, f"{granted}，但说明消息没有发出：{exc}", "failed", str(exc))
        record = await self.worker.call(records.update_coupon_send, record.id, note_text=text, note_state="sent")
        return CouponResult(record, f"{granted}，并已告诉买家券的用法和到期时间。", "sent")

    # ---- rating invitation ---------------------------------------------------------------------

    async def rating_state(self) -> RatingState:
        platform, shop_id, conversation_id = self.key
        solved = await self.worker.call(records.solved_at, self.key)
        invitations = await self.worker.call(records.rating_invitations, platform, shop_id, self.buyer_id)
        return rating_state(self.platform, conversation_id, solved, invitations, self.clock())

    async def set_solved(self, solved: bool) -> RatingState:
        await self.worker.call(records.set_solved, self.key, solved)
        return await self.rating_state()

    async def invite_rating(self) -> RatingState:
        state = await self.rating_state()
        if not state.allowed:
            raise RatingNotAllowed(state.reason)
        try:
            await self._call("邀请评价", lambda: self.connector.invite_rating(self.key[2]))
        except CommerceError as exc:
            cause = exc.__cause__
            if isinstance(cause, PlatformError) and "已邀请" in f"{cause} {cause.platform_message}":
                # The platform counts an invitation we did not see (another agent, another tool).
                await self.worker.call(records.record_rating_invitation, self.key, self.buyer_id, self.clock())
                raise RatingNotAllowed("平台提示本次会话已邀请过评价，不能重复邀请。") from cause
            raise
        await self.worker.call(records.record_rating_invitation, self.key, self.buyer_id, self.clock())
        return await self.rating_state()

    # ---- tags and notes ----------------------------------------------------------------------

    async def buyer_note(self) -> store.BuyerNote:
        platform, shop_id, _ = self.key
        return await self.worker.call(store.get_buyer_note, platform, shop_id, self.buyer_id)

    async def _add_tag(self, tag: str) -> None:
        note = await self.buyer_note()
        if tag not in note.tags:
            platform, shop_id, _ = self.key
            await self.worker.call(store.set_buyer_note, platform, shop_id, self.buyer_id, tags=[*note.tags, tag])

    async def save_buyer_note(self, tags: list[str], note: str) -> NoteSaved:
        """Store locally first (every agent sees it next time), then push to the platform's remark."""
        platform, shop_id, _ = self.key
        saved = await self.worker.call(store.set_buyer_note, platform, shop_id, self.buyer_id, tags=tags, note=note)
        try:
            await self.push_remark(saved)
        except NoteNotPushed as exc:
            return NoteSaved(saved, False, str(exc))
        return NoteSaved(saved, True, "已保存，并已同步到平台的买家备注。")

    async def push_remark(self, note: store.BuyerNote) -> None:
        text = remark_text(note)
        try:
            await self._call("同步买家备注", lambda: self.connector.set_buyer_remark(self.buyer_id, text))
        except CommerceError as exc:
            cause = exc.__cause__
            if isinstance(cause, NotImplementedError) or (
                    isinstance(cause, PlatformError) and "unknown_method" in f"{cause.code} {cause.sub_code}".lower()):
                raise NoteNotPushed("已保存在本地；该平台没有买家备注接口，备注只在工作台内可见。") from cause
            raise NoteNotPushed(f"已保存在本地，但{exc}") from cause

    # ---- products --------------------------------------------------------------------------------

    async def products(self, query: str = "", *, refresh: bool = False) -> list[ProductOffer]:
        query = query.strip()
        found = await self.cache.get(
            f"products:{query}", lambda: self._call("搜索商品", lambda: self.connector.list_products(query)),
            PRODUCTS_MAX_AGE, refresh=refresh)
        texts, mentioned = await self.worker.call(_buyer_mentions, self.key)
        return rank(found, texts, mentioned)

    async def send_product_card(self, product: Product, *, confirmed_warning: bool = False) -> int:
        """Check the product is still on sale (it may have been removed meanwhile), then send its card."""
        current = await self._call("检查商品", lambda: self.connector.list_products(product.title))
        fresh = next((p for p in current if p.product_id == product.product_id), None)
        if fresh is None or not fresh.on_sale or fresh.stock <= 0:
            self.cache.forget("products")
            why = "已下架或已删除" if fresh is None or not fresh.on_sale else "已经没有库存"
            raise ProductUnavailable(f"“{product.title}”{why}，没有发送。商品列表已刷新。")
        self._require_hub()
        card, text = product_card(fresh)
        return await send_card(self.hub, self.key, MessageType.PRODUCT_CARD, card, text,
                               confirmed_warning=confirmed_warning)


def remark_text(note: store.BuyerNote) -> str:
    tags = "".join(f"[{t}]" for t in note.tags)
    return (tags + (" " if tags and note.note else "") + note.note)[:REMARK_LIMIT]


def _buyer_mentions(db, key) -> tuple[list[str], set[str]]:
    """The buyer's recent texts and the product ids their cards or links carried."""
    texts, ids = [], set()
    for stored in store.page_messages(db, key, None, 100):
        message = stored.message
        if message.sender is not Sender.BUYER:
            continue
        if message.text:
            texts.append(message.text)
        payload = message.payload or {}
        card = payload.get("card") if isinstance(payload.get("card"), dict) else {}
        for value in (payload.get("product_id"), card.get("product_id")):
            if value:
                ids.add(str(value))
    return texts, ids


