"""What the five connectors share: token handling, retries, events, and mapping to domain types.

A platform module subclasses `GatewayConnector` and supplies how a request is signed
and sent (`_request`), how its answers and errors look (`_unwrap`), how sign-in and
refresh work, how push frames look and how its orders read. Everything else —
refresh-before-expiry, one retry after a rejected token, the rate limiter, the event
watermark — lives here once.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import functools
import json
import logging
import random
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, AsyncIterator, Callable
from urllib.parse import urljoin

import httpx
from httpx_ws import WebSocketDisconnect, WebSocketNetworkError, WebSocketUpgradeError, aconnect_ws

from workstation.domain.commerce import Coupon, CouponKind, Order, Product
from workstation.domain.messages import EventKind, Message, MessageType, Rating, Sender
from workstation.domain.platforms import Platform
from workstation.shops.base import (
    AuthExpired, CouponGrant, Credentials, EventPage, NetworkDown, Outgoing, PlatformError, RateLimited,
    SentReceipt, ShopError, ShopEvent, Tokens,
)
from workstation.shops.http import DEFAULT_TIMEOUT, GatewayReply, RetryPolicy, call_gateway
from workstation.shops.oauth import LoopbackRedirect, approve_headless, approve_in_browser
from workstation.shops.ratelimit import TokenBucket, bucket_for
from workstation.shops.wire import camel_keys, snake_keys, unix_time, utc_now

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)


class TokenRejected(ShopError):
    """The gateway refused the access token (invalid or expired); refreshing may help."""


class SignatureRejected(PlatformError):
    """The gateway refused the signature or the timestamp (a wrong system clock)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A platform error, classified: kind is auth | rate | signature | timestamp | other."""

    kind: str
    code: str
    sub_code: str
    message: str
    retry_after: float = 0.0


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every connector: loading the CA bundle costs ~70 ms each time."""
    return ssl.create_default_context()


class GatewayConnector:
    platform: Platform
    operations: dict[str, str] = {}   # neutral operation -> the platform's method name
    camel_case: bool = False          # business fields named in camelCase (JD, 快手)
    has_acks: bool = False

    def __init__(self, *, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], datetime] = utc_now, credentials: Credentials | None = None,
                 rng: random.Random | None = None, retry: RetryPolicy = RetryPolicy(),
                 bucket: TokenBucket | None = None):
        self._client = httpx.AsyncClient(transport=transport, timeout=DEFAULT_TIMEOUT, verify=_tls_context())
        self._clock = clock
        self._rng = rng or random.Random()
        self._retry = retry
        self.bucket = bucket or bucket_for(self.platform)
        self.credentials = credentials
        self.tokens: Tokens | None = None
        self.shop_name = ""
        # Called with every new Tokens (sign-in, refresh — 快手 rotates the refresh token on
        # each refresh, so the keyring copy must follow). Set by the sync engine.
        self.on_tokens: Callable[[Tokens], None] | None = None
        self._refreshing: asyncio.Lock | None = None

    # ---- what a platform supplies ----------------------------------------------------

    def _request(self, method: str, params: dict, token: str) -> dict:
        """Keyword arguments for `client.request` (method, url, params/data/content) with a fresh signature."""
        raise NotImplementedError

    def _unwrap(self, method: str, body: Any) -> dict:
        """The business result of a successful answer; raise via `_refuse` otherwise."""
        raise NotImplementedError

    async def _sign_in(self, credentials: Credentials) -> Tokens:
        raise NotImplementedError

    async def _refresh(self, refresh_token: str) -> Tokens:
        raise NotImplementedError

    def _ws_url(self, token: str, cursor: str | None) -> str:
        raise NotImplementedError

    def _frame_events(self, frame: Any) -> list[tuple[dict, Any]]:
        """(event dict, ack frame or None) for each event a push frame carries; [] for others."""
        raise NotImplementedError

    def _classify(self, error: dict) -> Refusal:
        """What a platform's error object means."""
        raise NotImplementedError

    def _frame_error(self, frame: Any) -> Refusal | None:
        """The refusal a push frame carries, if any; by default an `error_response` (PDD, TOP, JOS)."""
        return self._error_response(frame)

    def _parse_time(self, value: Any) -> datetime:
        return unix_time(value)

    def _parse_order(self, data: dict) -> Order:
        raise NotImplementedError

    def _order_list(self, result: dict) -> list[dict]:
        return result.get("orders") or []

    def _order_one(self, result: dict) -> dict | None:
        return result.get("order")

    # ---- errors ----------------------------------------------------------------------

    def _refuse(self, refusal: Refusal) -> None:
        label = self.platform.label
        if refusal.kind == "auth":
            raise TokenRejected(f"{label}登录已失效（{refusal.code} {refusal.message}）")
        if refusal.kind == "rate":
            self.bucket.pause(refusal.retry_after or 1.0)
            raise RateLimited(f"{label}调用太频繁，{refusal.retry_after or 1:.0f} 秒后重试", refusal.retry_after or 1.0)
        if refusal.kind == "timestamp":
            raise SignatureRejected(f"本机时间与{label}服务器相差太大，请校准系统时间后重试", code=refusal.code,
                                    sub_code=refusal.sub_code, platform_message=refusal.message)
        if refusal.kind == "signature":
            raise SignatureRejected(f"{label}拒绝了请求签名，请检查应用密钥", code=refusal.code,
                                    sub_code=refusal.sub_code, platform_message=refusal.message)
        raise PlatformError(f"{label}返回错误：{refusal.message}", code=refusal.code, sub_code=refusal.sub_code,
                            platform_message=refusal.message)

    # ---- tokens ----------------------------------------------------------------------

    def use_credentials(self, credentials: Credentials) -> None:
        """Restore an account without signing in again (tokens come from the keyring)."""
        self.credentials = credentials

    def use_tokens(self, tokens: Tokens) -> None:
        self.tokens = tokens

    def _store(self, tokens: Tokens) -> Tokens:
        self.tokens = tokens
        if self.on_tokens is not None:
            self.on_tokens(tokens)
        return tokens

    async def sign_in(self, credentials: Credentials) -> Tokens:
        self.credentials = credentials
        return self._store(await self._sign_in(credentials))

    async def refresh(self) -> Tokens:
        if self._refreshing is None:
            self._refreshing = asyncio.Lock()
        before = self.tokens
        async with self._refreshing:
            if self.tokens is not before and self.tokens is not None:
                return self.tokens  # another call refreshed while we waited
            if self.tokens is None or not self.tokens.refresh_token:
                raise AuthExpired(f"{self.platform.label}未登录，请重新登录")
            if self.tokens.refresh_expires_at and self.tokens.refresh_expires_at <= self._clock():
                raise AuthExpired(f"{self.platform.label}授权已过期，请重新登录")
            try:
                return self._store(await self._refresh(self.tokens.refresh_token))
            except SignatureRejected:
                raise  # a wrong system clock or app secret; signing in again would not help
            except (TokenRejected, PlatformError) as exc:
                raise AuthExpired(f"{self.platform.label}刷新授权失败，请重新登录（{exc}）") from None

    def _require_setup(self) -> Credentials:
        if self.credentials is None:
            raise AuthExpired(f"{self.platform.label}账号未配置，请重新登录")
        return self.credentials

    async def _token(self) -> str:
        if self.tokens is None:
            raise AuthExpired(f"{self.platform.label}未登录，请重新登录")
        if self.tokens.access_expires_at - self._clock() < REFRESH_MARGIN:
            try:
                await self.refresh()
            except (NetworkDown, RateLimited) as exc:
                if self.tokens.access_expires_at <= self._clock():
                    raise
                # Early refresh is a courtesy: while the token still works, use it and try again next call.
                log.info("%s: early token refresh failed (%s), using the current token", self.platform.value, exc)
        return self.tokens.access_token

    # ---- calls ----------------------------------------------------------------------

    async def _api(self, operation: str, params: dict, *, idempotent: bool = True, auth: bool = True) -> dict:
        self._require_setup()
        method = self.operations[operation]
        if self.camel_case:
            params = camel_keys(params)
        for attempt in (1, 2):
            token = await self._token() if auth else ""
            await self.bucket.acquire()
            reply = await call_gateway(
                self._client, "POST", "", idempotent=idempotent, what=method, retry=self._retry, rng=self._rng,
                prepare=lambda: self._request(method, params, token))
            try:
                result = self._unwrap(method, reply.body)
            except TokenRejected:
                if not auth or attempt == 2:
                    raise AuthExpired(f"{self.platform.label}登录已失效，请重新登录") from None
                log.info("%s: token rejected, refreshing once", self.platform.value)
                await self.refresh()
                continue
            return snake_keys(result) if self.camel_case else result
        raise AssertionError("unreachable")

    # ---- chat -------------------------------------------------------------------------

    async def catch_up(self, cursor: str | None, limit: int = 200) -> EventPage:
        result = await self._api("chat.history", {"cursor": cursor or "0", "page_size": limit})
        events = []
        for data in result.get("events") or []:
            event = self._shop_event(data)
            if event is not None:
                events.append(event)
        return EventPage(tuple(events), str(result.get("next_cursor") or cursor or "0"), bool(result.get("has_more")))

    def _shop_event(self, data: Any) -> ShopEvent | None:
        """Map one platform event to a ShopEvent; None (and a log line) when it cannot be read."""
        if not isinstance(data, dict):
            log.warning("%s: event is not an object, skipped", self.platform.value)
            return None
        data = snake_keys(data) if self.camel_case else data
        try:
            kind = data["kind"]
            payload = dict(data.get("payload") or {})
            if payload.get("image_url"):
                payload["image_url"] = urljoin(self._media_base(), payload["image_url"])
            if data.get("client_msg_id"):
                payload["idempotency_key"] = data["client_msg_id"]
            if kind == "message":
                message_type, event_kind = MessageType(data["type"]), None
            else:
                message_type, event_kind = MessageType.EVENT, EventKind(kind)
            own_shop = self.credentials.shop_id if self.credentials else ""
            message = Message(
                platform=self.platform, shop_id=str(data.get("shop_id") or own_shop),
                conversation_id=str(data["conversation_id"]), message_id=str(data["message_id"]),
                sender=Sender(data.get("sender") or "system"), sent_at=self._parse_time(data["sent_at"]),
                type=message_type, text=data.get("text") or "", buyer_id=str(data.get("buyer_id") or ""),
                buyer_nick=data.get("buyer_nick") or "", shop_name=self.shop_name, event=event_kind,
                rating=Rating(data["rating"]) if data.get("rating") else None,
                rating_reasons=tuple(data.get("rating_reasons") or ()), payload=payload)
            return ShopEvent(cursor=str(data["cursor"]), message=message)
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("%s: unreadable or unknown event skipped (%s: %s)", self.platform.value, type(exc).__name__, exc)
            return None

    def _media_base(self) -> str:
        if self.credentials is None:
            return ""
        parts = httpx.URL(self.credentials.gateway)
        return f"{parts.scheme}://{parts.netloc.decode()}/"

    async def events(self, cursor: str | None) -> AsyncIterator[ShopEvent]:
        """Live push. Each event's `cursor` is the resume point covering every event before it.

        The push may reorder events (chaos, or the real thing); the cursor handed out is
        the highest position up to which nothing is missing, so resuming from the cursor of
        the last stored event can repeat an event but never skip one.
        """
        token = await self._token()
        url = self._ws_url(token, cursor)
        inbox: asyncio.Queue = asyncio.Queue()
        outbox: asyncio.Queue = asyncio.Queue()
        reader = asyncio.ensure_future(self._ws_session(url, inbox, outbox))
        watermark = int(cursor) if cursor and str(cursor).isdigit() else None
        seen_ahead: set[int] = set()
        try:
            while True:
                item = await inbox.get()
                if isinstance(item, BaseException):
                    raise item
                refusal = self._frame_error(item)
                if refusal is not None:
                    if refusal.kind == "auth":
                        raise AuthExpired(f"{self.platform.label}推送连接登录已失效")
                    self._refuse(refusal)
                for data, ack in self._frame_events(item):
                    event = self._shop_event(data)
                    if event is not None:
                        seq = int(event.cursor)
                        if watermark is None:
                            watermark = seq - 1
                        if seq > watermark:
                            seen_ahead.add(seq)
                        while watermark + 1 in seen_ahead:
                            watermark += 1
                            seen_ahead.discard(watermark)
                        yield ShopEvent(cursor=str(watermark), message=event.message)
                    if ack is not None and self.has_acks:
                        outbox.put_nowait(ack)
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _ws_session(self, url: str, inbox: asyncio.Queue, outbox: asyncio.Queue) -> None:
        failure: BaseException | None = None
        try:
            async with aconnect_ws(url, self._client, keepalive_ping_interval_seconds=20) as ws:
                while True:
                    while not outbox.empty():
                        await ws.send_text(json.dumps(outbox.get_nowait()))
                    try:
                        text = await ws.receive_text(timeout=0.25)
                    except TimeoutError:
                        continue
                    try:
                        inbox.put_nowait(json.loads(text))
                    except json.JSONDecodeError:
                        failure = NetworkDown(f"{self.platform.label}推送数据无法解析，重新连接")
                        break
        except WebSocketUpgradeError as exc:
            failure = NetworkDown(f"{self.platform.label}推送连接被拒绝（HTTP {exc.response.status_code}）")
        except (WebSocketDisconnect, WebSocketNetworkError, httpx.HTTPError, OSError) as exc:
            failure = NetworkDown(f"{self.platform.label}推送连接断开（{type(exc).__name__}）")
        except Exception as exc:  # an ExceptionGroup from the session task group, among others
            log.info("push session ended: %r", exc)
            failure = NetworkDown(f"{self.platform.label}推送连接断开（{type(exc).__name__}）")
        inbox.put_nowait(failure or NetworkDown(f"{self.platform.label}推送连接已关闭"))

    async def send(self, outgoing: Outgoing) -> SentReceipt:
        params: dict[str, Any] = {"conversation_id": outgoing.conversation_id, "buyer_id": outgoing.buyer_id,
                                  "idempotency_key": outgoing.idempotency_key, "msg_type": outgoing.type.value,
                                  "text": outgoing.text}
        if outgoing.card:
            params["card"] = outgoing.card
        if outgoing.image is not None:
            params["image_base64"] = base64.b64encode(outgoing.image).decode("ascii")
        # Not retried here: after an ambiguous failure the sync engine asks find_sent first.
        result = await self._api("chat.send", params, idempotent=False)
        return self._receipt(result.get("message") or {}, outgoing.idempotency_key)

    def _receipt(self, message: dict, key: str) -> SentReceipt:
        try:
            return SentReceipt(message_id=str(message["message_id"]), sent_at=self._parse_time(message["sent_at"]),
                               idempotency_key=str(message.get("client_msg_id") or key))
        except (KeyError, ValueError, TypeError):
            raise PlatformError(f"{self.platform.label}的发送回执缺少字段", platform_message=str(message)[:200]) from None

    async def find_sent(self, conversation_id: str, idempotency_key: str) -> SentReceipt | None:
        result = await self._api("chat.find", {"conversation_id": conversation_id, "idempotency_key": idempotency_key})
        if not result.get("found"):
            return None
        return self._receipt(result.get("message") or {}, idempotency_key)

    async def mark_read(self, conversation_id: str) -> None:
        await self._api("chat.read", {"conversation_id": conversation_id})

    async def transfer(self, conversation_id: str, to_agent: str) -> None:
        await self._api("chat.transfer", {"conversation_id": conversation_id, "to_agent": to_agent}, idempotent=False)

    # ---- orders, coupons, products ---------------------------------------------------------

    async def list_orders(self, buyer_id: str) -> list[Order]:
        result = await self._api("order.list", {"buyer_id": buyer_id})
        return [self._order(o) for o in self._order_list(result)]

    async def get_order(self, order_id: str) -> Order | None:
        try:
            result = await self._api("order.get", {"order_id": order_id})
        except PlatformError as exc:
            if "not_found" in (exc.sub_code or "").lower() or "不存在" in exc.platform_message:
                return None
            raise
        data = self._order_one(result)
        return self._order(data) if data else None

    def _order(self, data: dict) -> Order:
        """The platform's order as a domain Order, with item pictures as absolute URLs."""
        try:
            order = self._parse_order(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise PlatformError(f"{self.platform.label}返回的订单缺少字段（{exc}）") from None
        base = self._media_base()
        items = tuple(dataclasses.replace(i, image_url=urljoin(base, i.image_url)) if i.image_url else i
                      for i in order.items)
        return dataclasses.replace(order, items=items)

    async def reveal_order_contact(self, order_id: str) -> dict:
        result = await self._api("order.contact", {"order_id": order_id})
        return {"receiver": result.get("receiver", ""), "phone": result.get("phone", ""),
                "address": result.get("address", "")}

    async def list_coupons(self, buyer_id: str) -> list[Coupon]:
        result = await self._api("coupon.list", {"buyer_id": buyer_id})
        return [Coupon(coupon_id=str(c["coupon_id"]), kind=CouponKind(c["kind"]), title=c["title"],
                       threshold_fen=int(c["threshold_fen"]), discount_fen=int(c["discount_fen"]),
                       valid_from=self._parse_time(c["valid_from"]), valid_to=self._parse_time(c["valid_to"]),
                       stock_left=int(c["stock_left"]), per_buyer_limit=int(c["per_buyer_limit"]),
                       buyer_received=int(c.get("buyer_received") or 0),
                       product_ids=tuple(str(p) for p in c.get("product_ids") or ()))
                for c in result.get("coupons") or []]

    async def send_coupon(self, conversation_id: str, buyer_id: str, coupon_id: str, idempotency_key: str) -> CouponGrant:
        result = await self._api("coupon.send", {"conversation_id": conversation_id, "buyer_id": buyer_id,
                                                 "coupon_id": coupon_id, "idempotency_key": idempotency_key},
                                 idempotent=False)
        return self._grant(result.get("grant") or {})

    def _grant(self, grant: dict) -> CouponGrant:
        return CouponGrant(coupon_id=str(grant["coupon_id"]), buyer_id=str(grant["buyer_id"]),
                           grant_id=str(grant["grant_id"]), valid_to=self._parse_time(grant["valid_to"]))

    async def find_coupon_grant(self, buyer_id: str, idempotency_key: str) -> CouponGrant | None:
        result = await self._api("coupon.find", {"buyer_id": buyer_id, "idempotency_key": idempotency_key})
        return self._grant(result["grant"]) if result.get("found") else None

    async def invite_rating(self, conversation_id: str) -> None:
        await self._api("rating.invite", {"conversation_id": conversation_id}, idempotent=False)

    async def set_buyer_remark(self, buyer_id: str, text: str) -> None:
        await self._api("buyer.remark", {"buyer_id": buyer_id, "remark": text})

    async def list_products(self, query: str = "") -> list[Product]:
        result = await self._api("product.list", {"query": query})
        return [Product(product_id=str(p["product_id"]), title=p["title"], price_fen=int(p["price_fen"]),
                        stock=int(p["stock"]), image_url=urljoin(self._media_base(), p.get("image_url") or ""),
                        on_sale=bool(p.get("on_sale", True)))
                for p in result.get("products") or []]

    async def aclose(self) -> None:
        await self._client.aclose()

    # ---- helpers for platform modules ---------------------------------------------------

    def _tokens_from(self, access: str, refresh: str, expires_in: Any, refresh_expires_in: Any = None) -> Tokens:
        now = self._clock()
        try:
            access_at = now + timedelta(seconds=int(expires_in))
            refresh_at = now + timedelta(seconds=int(refresh_expires_in)) if refresh_expires_in else None
        except (TypeError, ValueError):
            raise PlatformError(f"{self.platform.label}返回的令牌有效期格式不正确") from None
        if not access:
            raise PlatformError(f"{self.platform.label}未返回 access_token")
        return Tokens(access_token=access, refresh_token=refresh or "", access_expires_at=access_at,
                      refresh_expires_at=refresh_at)

    async def _authorization_code(self, path: str, query: dict, credentials: Credentials) -> str:
        """Have the app approved on the platform's authorize page (`path` under the gateway root) and
        return the code it redirects back with: in the agent's browser, or (emulator) by its login form."""
        async with LoopbackRedirect() as listener:
            full_query = {**query, "redirect_uri": listener.redirect_uri, "state": listener.state}
            if credentials.approval == "password":
                await approve_headless(self._client, self._root + path, full_query,
                                       credentials.login, credentials.password)
                return await listener.code(timeout=30)
            await approve_in_browser(self._root + path, full_query)
            return await listener.code(timeout=300)  # the agent logs in and clicks 授权

    def _error_response(self, body: Any) -> Refusal | None:
        """The refusal in the `error_response` object PDD, TOP and JOS answer with, if there is one."""
        if isinstance(body, dict) and isinstance(body.get("error_response"), dict):
            return self._classify(body["error_response"])
        return None

    def _keyed_result(self, body: Any, key: str, name: str) -> dict:
        """The object under `key` in an answer that refuses with `error_response` (PDD, TOP, JOS).
        `name` is how the platform is named in the message when the answer is malformed."""
        if not isinstance(body, dict):
            raise PlatformError(f"{name}返回的数据格式不正确")
        refusal = self._error_response(body)
        if refusal is not None:
            self._refuse(refusal)
        result = body.get(key)
        if not isinstance(result, dict):
            raise PlatformError(f"{name}返回缺少 {key}")
        return result

    def _enveloped_data(self, body: Any, status_key: str, ok: Any) -> dict:
        """The `data` of a flat `{status, …, data}` answer (抖店 `code`, 快手 `result`) whose status is
        `ok`; any other status is refused."""
        label = self.platform.label
        if not isinstance(body, dict) or status_key not in body:
            raise PlatformError(f"{label}返回的数据格式不正确")
        if body.get(status_key) == ok:
            data = body.get("data")
            if not isinstance(data, dict):
                raise PlatformError(f"{label}返回缺少 data")
            return data
        self._refuse(self._classify(body))
        raise AssertionError("unreachable")

    def _envelope_refusal(self, frame: Any, status_key: str, ok: Any) -> Refusal | None:
        """The refusal in a pushed flat envelope whose status is not `ok`."""
        if isinstance(frame, dict) and status_key in frame and frame.get(status_key) != ok:
            return self._classify(frame)
        return None

    @staticmethod
    def _pushed_event(topic: Any, prefix: str, payload: Any, ack: Any = None) -> tuple[dict, Any]:
        """One pushed event whose payload is JSON text. A topic we do not handle (not starting with
        `prefix`) or a payload that does not parse gives an empty event, still acknowledged so it
        is not redelivered."""
        if not str(topic).startswith(prefix):
            return {}, ack
        try:
            return json.loads(payload or "{}"), ack
        except json.JSONDecodeError:
            return {}, ack

    async def _plain_json(self, method: str, url: str, *, what: str, **kwargs) -> dict:
        """An unsigned OAuth endpoint (JD, 快手): one request, JSON back."""
        reply: GatewayReply = await call_gateway(self._client, method, url, idempotent=False, what=what,
                                                 retry=self._retry, rng=self._rng, **kwargs)
        if not isinstance(reply.body, dict):
            raise NetworkDown(f"{self.platform.label}授权接口返回的数据无法解析", request_sent=True)
        return reply.body
