"""The emulated shops: accounts, catalogue, orders, coupons, buyers and chat events.

Platform-neutral: each gateway module (pdd.py, taobao.py …) renders what this module
returns in its platform's own names and envelopes. A simulated clock (`now()`,
`tick()`) drives buyers; under uvicorn a background task advances it in real time.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from workstation.domain.platforms import Platform
from workstation.shops.emulator import seed as S
from workstation.shops.emulator.buyers import BuyerSimulation

log = logging.getLogger(__name__)

CST = timezone(timedelta(hours=8))

# Calls per second per shop each gateway accepts before answering with its rate-limit
# error (modelled; the real quotas are per API and per app tier).
GATEWAY_LIMITS = {Platform.PDD: 20, Platform.TAOBAO: 20, Platform.DOUYIN: 16,
                  Platform.KUAISHOU: 16, Platform.JD: 14}

# Token lifetimes: 抖店 7/14 days and 快手 48 h/180 days are published (issue 4);
# the others are modelled on what the platforms grant to self-use apps.
TOKEN_TTL = {
    Platform.PDD: (timedelta(days=1), timedelta(days=30)),
    Platform.TAOBAO: (timedelta(days=1), timedelta(days=30)),
    Platform.DOUYIN: (timedelta(days=7), timedelta(days=14)),
    Platform.KUAISHOU: (timedelta(hours=48), timedelta(days=180)),
    Platform.JD: (timedelta(days=1), timedelta(days=30)),
}
AUTH_CODE_TTL = timedelta(minutes=2)  # 快手: code valid 2 minutes, single use
MAX_CLOCK_SKEW = timedelta(minutes=10)


class OpError(Exception):
    """A business or gateway refusal; each gateway renders `kind` in its own error shape."""

    def __init__(self, kind: str, message: str, *, retry_after: float = 0.0):
        super().__init__(message)
        self.kind = kind  # missing_param, invalid_param, not_found, coupon_out_of_stock, coupon_limit,
        # coupon_expired, bad_app_key, bad_signature, bad_timestamp, invalid_token, expired_token,
        # invalid_refresh, bad_login, invalid_code, rate_limited, unknown_method, conversation_closed
        self.message = message
        self.retry_after = retry_after


@dataclass
class Shop:
    platform: Platform
    shop_id: str
    shop_name: str
    app_key: str
    app_secret: str
    sign_secret: str
    login: str
    password: str
    category: str
    products: list[dict] = field(default_factory=list)
    coupons: dict[str, dict] = field(default_factory=dict)
    orders: dict[str, dict] = field(default_factory=dict)
    buyers: list[dict] = field(default_factory=list)
    conversations: dict[str, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    sent_by_key: dict[tuple[str, str], dict] = field(default_factory=dict)
    grants_by_key: dict[tuple[str, str], dict] = field(default_factory=dict)
    grants: dict[tuple[str, str], int] = field(default_factory=dict)  # (coupon, buyer) -> count
    remarks: dict[str, str] = field(default_factory=dict)
    acked_upto: int = 0
    listeners: set = field(default_factory=set)
    calls: deque = field(default_factory=deque)
    throttled_until: datetime | None = None

    def account(self, base_url: str, gateway: str) -> dict:
        out = {"platform": self.platform.value, "shop_id": self.shop_id, "shop_name": self.shop_name,
               "app_key": self.app_key, "app_secret": self.app_secret, "login": self.login,
               "password": self.password, "gateway": base_url.rstrip("/") + gateway}
        if self.platform is Platform.KUAISHOU:
            out["sign_secret"] = self.sign_secret
        return out


@dataclass
class Grant:
    shop: Shop
    expires_at: datetime


class World(BuyerSimulation):
    def __init__(self, seed: int = 1, chaos: float = 0.0, buyers_per_minute: float = 6.0,
                 shops_per_platform: int = 2, clock: Callable[[], datetime] | None = None):
        self.seed = seed
        self.chaos = max(0.0, min(1.0, chaos))
        self.buyers_per_minute = buyers_per_minute
        self._wall = clock or (lambda: datetime.now(timezone.utc))
        self.offset = timedelta()
        self.sim_rng = random.Random(seed)
        self.chaos_rng = random.Random(seed * 7919 + 1)
        self.token_rng = random.Random(seed * 104729 + 3)
        self.shops: dict[str, Shop] = {}
        self.by_app_key: dict[str, Shop] = {}
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}
        self.codes: dict[str, tuple[Shop, datetime, str]] = {}
        self._agenda: list[tuple[datetime, int, Callable[[], None]]] = []
        self._counter = itertools.count()
        self._ids = itertools.count(1)
        self.simulated_to = self.now()
        self._next_arrival = self.simulated_to + self._arrival_gap()
        self.stats = {"buyer_messages": 0, "agent_sent": 0, "agent_duplicates_refused": 0}
        self.chaos_counts: dict[str, int] = {}  # what chaos did, by kind (reported by /emulator/stats)
        for platform in Platform:
            for index in range(shops_per_platform):
                self._seed_shop(platform, index)

    # ---- seeding -----------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):07d}"

    def _seed_shop(self, platform: Platform, index: int) -> None:
        rng = self.sim_rng
        category = list(S.CATALOGUES)[(list(Platform).index(platform) + index * 2) % len(S.CATALOGUES)]
        name = S.SHOP_NAMES[category][index % len(S.SHOP_NAMES[category])]
        prefix = S.ID_PREFIX[platform]
        shop_id = f"{rng.randint(10_000_000, 99_999_999)}"
        shop = Shop(
            platform=platform, shop_id=shop_id, shop_name=name + ("" if index < 3 else f"{index}"),
            app_key=f"{prefix}{S.random_token(rng, 14)}", app_secret=S.random_token(rng, 32),
            sign_secret=S.random_token(rng, 24), login=f"{name[:2]}:客服{index + 1:02d}",
            password=S.random_token(rng, 10), category=category)
        now = self.now()
        for n, (title, price) in enumerate(S.CATALOGUES[category]):
            shop.products.append({
                "product_id": f"{prefix}{shop_id[-4:]}{n + 1:04d}", "title": title, "price_fen": price,
                "stock": rng.randint(0, 500), "on_sale": rng.random() > 0.1,
                "image_url": f"/media/{shop_id}/product-{n + 1}.png"})
        first_product = shop.products[0]["product_id"]
        coupon_specs = [("shop", "店铺满199减20", 19900, 2000, 200, 1),
                        ("shop", "店铺满99减10", 9900, 1000, 3, 1),
                        ("product", f"{shop.products[0]['title']}满150减15", 15000, 1500, 50, 2)]
        for n, (kind, title, threshold, discount, stock, limit) in enumerate(coupon_specs):
            cid = f"{prefix}c{shop_id[-4:]}{n + 1:03d}"
            shop.coupons[cid] = {
                "coupon_id": cid, "kind": kind, "title": title, "threshold_fen": threshold,
                "discount_fen": discount, "valid_from": now - timedelta(days=3),
                "valid_to": now + timedelta(days=7 + n * 7), "stock_left": stock, "per_buyer_limit": limit,
                "product_ids": [first_product] if kind == "product" else []}
        expired = f"{prefix}c{shop_id[-4:]}999"
        shop.coupons[expired] = {
            "coupon_id": expired, "kind": "shop", "title": "双十一店铺满300减40", "threshold_fen": 30000,
            "discount_fen": 4000, "valid_from": now - timedelta(days=20), "valid_to": now - timedelta(days=10),
            "stock_left": 100, "per_buyer_limit": 1, "product_ids": []}
        for b in range(8):
            buyer = {"buyer_id": f"{prefix}b{S.random_token(rng, 10)}", "nick": S.buyer_nick(rng, platform),
                     "address": S.make_address(rng)}
            shop.buyers.append(buyer)
            for _ in range(rng.randint(0, 3)):
                self._seed_order(shop, buyer, now)
        self.shops[shop_id] = shop
        self.by_app_key[shop.app_key] = shop

    def _seed_order(self, shop: Shop, buyer: dict, now: datetime) -> None:
        rng = self.sim_rng
        status = rng.choice(["unpaid", "to_ship", "to_ship", "shipped", "shipped", "received", "refunding", "closed"])
        created = now - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
        items = []
        for product in rng.sample(shop.products, rng.randint(1, 2)):
            sku = f"{rng.choice(S.COLOURS)};{rng.choice(S.SIZES)}" if shop.category in ("女装", "运动") else rng.choice(S.COLOURS)
            items.append({"product_id": product["product_id"], "title": product["title"],
                          "quantity": rng.randint(1, 3), "price_fen": product["price_fen"], "sku": sku,
                          "image_url": product["image_url"]})
        amount = sum(i["price_fen"] * i["quantity"] for i in items)
        if amount >= 19900 and rng.random() < 0.5:
            amount -= 2000  # paid with the 满199减20 coupon
        address = buyer["address"]
        order = {
            "order_id": S.order_number(shop.platform, rng.randint(100000, 999999), rng.randint(100000, 999999),
                                       created),
            "buyer_id": buyer["buyer_id"], "status": status, "amount_fen": amount, "created_at": created,
            "items": items, "receiver": address["receiver"], "phone": address["phone"],
            "address": address["province"] + address["city"] + address["district"] + address["detail"],
            "address_masked": address["address_masked"], "carrier": "", "tracking_no": "", "logistics": []}
        if status in ("shipped", "received", "refunding"):
            carrier = rng.choice(S.CARRIERS)
            order["carrier"] = carrier
            order["tracking_no"] = f"{rng.choice(['ZT', 'YT', 'YD', 'SF', 'ST', 'JT', 'JD'])}{rng.randint(10**11, 10**12 - 1)}"
            order["logistics"] = S.logistics_trace(rng, created + timedelta(hours=rng.randint(4, 30)),
                                                   status != "shipped", address["city"])
        shop.orders[order["order_id"]] = order

    # ---- accounts and tokens -------------------------------------------------------

    def shop_by_app_key(self, app_key: str) -> Shop:
        shop = self.by_app_key.get(app_key or "")
        if shop is None:
            raise OpError("bad_app_key", "app_key 不存在")
        return shop

    def shop_by_login(self, login: str, password: str) -> Shop:
        for shop in self.shops.values():
            if shop.login == login and shop.password == password:
                return shop
        raise OpError("bad_login", "账号或密码错误")

    def issue_code(self, shop: Shop, redirect_uri: str) -> str:
        code = S.random_token(self.token_rng, 24)
        self.codes[code] = (shop, self.now() + AUTH_CODE_TTL, redirect_uri)
        return code

    def redeem_code(self, app_shop: Shop, code: str) -> Shop:
        entry = self.codes.pop(code or "", None)  # single use
        if entry is None or entry[0] is not app_shop:
            raise OpError("invalid_code", "授权码无效或已使用")
        if entry[1] < self.now():
            raise OpError("invalid_code", "授权码已过期")
        return entry[0]

    def issue_tokens(self, shop: Shop) -> dict:
        access_ttl, refresh_ttl = TOKEN_TTL[shop.platform]
        now = self.now()
        access = S.random_token(self.token_rng, 32)
        refresh = S.random_token(self.token_rng, 32)
        self.access[access] = Grant(shop, now + access_ttl)
        self.refresh[refresh] = Grant(shop, now + refresh_ttl)
        return {"access_token": access, "refresh_token": refresh,
                "expires_in": int(access_ttl.total_seconds()),
                "refresh_expires_in": int(refresh_ttl.total_seconds()),
                "access_expires_at": now + access_ttl, "refresh_expires_at": now + refresh_ttl,
                "shop_id": shop.shop_id, "shop_name": shop.shop_name}

    def refresh_tokens(self, app_shop: Shop, refresh_token: str, *, rotate: bool) -> dict:
        grant = self.refresh.get(refresh_token or "")
        if grant is None or grant.shop is not app_shop:
            raise OpError("invalid_refresh", "refresh_token 无效")
        if grant.expires_at < self.now():
            raise OpError("invalid_refresh", "refresh_token 已过期")
        if rotate:
            del self.refresh[refresh_token]
            return self.issue_tokens(grant.shop)
        access_ttl, _ = TOKEN_TTL[app_shop.platform]
        now = self.now()
        access = S.random_token(self.token_rng, 32)
        self.access[access] = Grant(grant.shop, now + access_ttl)
        return {"access_token": access, "refresh_token": refresh_token,
                "expires_in": int(access_ttl.total_seconds()),
                "refresh_expires_in": int((grant.expires_at - now).total_seconds()),
                "access_expires_at": now + access_ttl, "refresh_expires_at": grant.expires_at,
                "shop_id": grant.shop.shop_id, "shop_name": grant.shop.shop_name}

    def shop_for_token(self, app_shop: Shop, token: str) -> Shop:
        if not token:
            raise OpError("missing_param", "缺少 access_token")
        grant = self.access.get(token)
        if grant is None or grant.shop is not app_shop:
            raise OpError("invalid_token", "access_token 无效")
        if grant.expires_at < self.now():
            raise OpError("expired_token", "access_token 已过期")
        return grant.shop

    def revoke_tokens(self, shop_id: str) -> None:
        """Test hook: the shop owner cancelled the authorisation."""
        for table in (self.access, self.refresh):
            for token in [t for t, g in table.items() if g.shop.shop_id == shop_id]:
                del table[token]

    def check_rate(self, shop: Shop) -> None:
        now = self.now()
        if shop.throttled_until and now < shop.throttled_until:
            raise OpError("rate_limited", "调用频率超限",
                          retry_after=(shop.throttled_until - now).total_seconds())
        wall = self._wall().timestamp()
        while shop.calls and shop.calls[0] < wall - 1.0:
            shop.calls.popleft()
        if len(shop.calls) >= GATEWAY_LIMITS[shop.platform]:
            raise OpError("rate_limited", "调用频率超限", retry_after=1.0)
        shop.calls.append(wall)

    def throttle(self, shop_id: str, seconds: float) -> None:
        """Test hook: answer every call of this shop with the rate-limit error for `seconds`."""
        self.shops[shop_id].throttled_until = self.now() + timedelta(seconds=seconds)

    # ---- events ------------------------------------------------------------------

    def _emit(self, shop: Shop, event: dict) -> dict:
        event["seq"] = len(shop.events) + 1
        event["shop_id"] = shop.shop_id
        shop.events.append(event)
        for queue in list(shop.listeners):
            queue.put_nowait(event)
        return event

    def _message_event(self, shop: Shop, conv: dict, sender: str, part: dict, at: datetime,
                       **extra: Any) -> dict:
        event = {"kind": "message", "message_id": self._new_id("m"), "conversation_id": conv["conversation_id"],
                 "buyer_id": conv["buyer_id"], "buyer_nick": conv["buyer_nick"], "sender": sender,
                 "type": part.get("type", "text"), "text": part.get("text", ""), "sent_at": at,
                 "payload": {}}
        if part.get("type") == "image":
            name = f"{part.get('image', 'photo')}-{event['message_id']}.png"
            event["payload"]["image_url"] = f"/media/{shop.shop_id}/{name}"
        if part.get("card"):
            event["payload"]["card"] = part["card"]
        event.update(extra)
        return self._emit(shop, event)

    def _system_event(self, shop: Shop, conv: dict, kind: str, at: datetime, **extra: Any) -> dict:
        event = {"kind": kind, "message_id": self._new_id("e"), "conversation_id": conv["conversation_id"],
                 "buyer_id": conv["buyer_id"], "buyer_nick": conv["buyer_nick"], "sender": "system",
                 "type": "event", "text": "", "sent_at": at, "payload": {}}
        event.update(extra)
        return self._emit(shop, event)

    def events_after(self, shop: Shop, cursor: int, limit: int) -> tuple[list[dict], int, bool]:
        batch = shop.events[cursor:cursor + limit]
        next_cursor = cursor + len(batch)
        return batch, next_cursor, next_cursor < len(shop.events)

    # ---- operations the gateways expose (neutral names) ------------------------------

    def conversation(self, shop: Shop, conversation_id: str) -> dict:
        conv = shop.conversations.get(conversation_id or "")
        if conv is None:
            raise OpError("not_found", "会话不存在")
        return conv

    def send_message(self, shop: Shop, params: dict) -> tuple[dict, bool]:
        """Returns (message event, created). The same key in a conversation yields the same message."""
        cid = require(params, "conversation_id")
        key = require(params, "idempotency_key")
        existing = shop.sent_by_key.get((cid, key))
        if existing is not None:
            self.stats["agent_duplicates_refused"] += 1
            return existing, False
        conv = self.conversation(shop, cid)
        kind = params.get("msg_type") or "text"
        if kind not in ("text", "image", "order_card", "product_card", "coupon"):
            raise OpError("invalid_param", f"不支持的消息类型 {kind}")
        if kind == "text" and not (params.get("text") or "").strip():
            raise OpError("missing_param", "消息内容不能为空")
        if len(params.get("text") or "") > 1000:
            raise OpError("invalid_param", "消息过长（最多1000字）")
        now = self.now()
        part = {"type": kind, "text": params.get("text") or "", "image": "agent", "card": params.get("card") or {}}
        if conv["state"] == "closed":
            conv["state"] = "open"
        event = self._message_event(shop, conv, "agent", part, now, idempotency_key=key)
        shop.sent_by_key[(cid, key)] = event
        conv["last_agent_at"] = now
        self.stats["agent_sent"] += 1
        self._after_agent_reply(shop, conv, now)
        return event, True

    def find_sent(self, shop: Shop, conversation_id: str, key: str) -> dict | None:
        return shop.sent_by_key.get((conversation_id, key))

    def mark_read(self, shop: Shop, conversation_id: str) -> None:
        conv = self.conversation(shop, conversation_id)
        self._system_event(shop, conv, "read", self.now(), sender="agent")

    def invite_rating(self, shop: Shop, conversation_id: str) -> None:
        conv = self.conversation(shop, conversation_id)
        if conv["rating_invited"]:
            raise OpError("invalid_param", "该会话已邀请过评价")
        conv["rating_invited"] = True

    def transfer(self, shop: Shop, conversation_id: str, to_agent: str) -> None:
        conv = self.conversation(shop, conversation_id)
        self._system_event(shop, conv, "transfer", self.now(), payload={"to_agent": to_agent})

    def orders_of(self, shop: Shop, buyer_id: str) -> list[dict]:
        orders = [o for o in shop.orders.values() if o["buyer_id"] == buyer_id]
        return sorted(orders, key=lambda o: o["created_at"], reverse=True)

    def order(self, shop: Shop, order_id: str) -> dict:
        order = shop.orders.get(order_id or "")
        if order is None:
            raise OpError("not_found", "订单不存在")
        return order

    def coupons_for(self, shop: Shop, buyer_id: str) -> list[dict]:
        now = self.now()
        out = []
        for coupon in shop.coupons.values():
            if coupon["valid_to"] < now:
                continue
            out.append(dict(coupon, buyer_received=shop.grants.get((coupon["coupon_id"], buyer_id), 0)))
        return out

    def send_coupon(self, shop: Shop, params: dict) -> tuple[dict, bool]:
        buyer_id = require(params, "buyer_id")
        key = require(params, "idempotency_key")
        existing = shop.grants_by_key.get((buyer_id, key))
        if existing is not None:
            return existing, False
        coupon = shop.coupons.get(require(params, "coupon_id"))
        if coupon is None:
            raise OpError("not_found", "优惠券不存在")
        now = self.now()
        if not (coupon["valid_from"] <= now <= coupon["valid_to"]):
            raise OpError("coupon_expired", "优惠券不在有效期内")
        if coupon["stock_left"] <= 0:
            raise OpError("coupon_out_of_stock", "优惠券已发完")
        held = shop.grants.get((coupon["coupon_id"], buyer_id), 0)
        if held >= coupon["per_buyer_limit"]:
            raise OpError("coupon_limit", f"该买家已领取{held}张，超过每人限领{coupon['per_buyer_limit']}张")
        coupon["stock_left"] -= 1
        shop.grants[(coupon["coupon_id"], buyer_id)] = held + 1
        grant = {"grant_id": self._new_id("g"), "coupon_id": coupon["coupon_id"], "buyer_id": buyer_id,
                 "valid_to": coupon["valid_to"], "idempotency_key": key}
        shop.grants_by_key[(buyer_id, key)] = grant
        cid = params.get("conversation_id")
        if cid and cid in shop.conversations:
            self._message_event(shop, shop.conversations[cid], "agent",
                                {"type": "coupon", "text": coupon["title"],
                                 "card": {"coupon_id": coupon["coupon_id"], "grant_id": grant["grant_id"]}},
                                now, idempotency_key=f"coupon:{key}")
        return grant, True

    def products(self, shop: Shop, query: str) -> list[dict]:
        return [p for p in shop.products if not query or query in p["title"]]

    def set_remark(self, shop: Shop, buyer_id: str, text: str) -> None:
        if len(text) > 200:
            raise OpError("invalid_param", "备注最多200字")
        shop.remarks[buyer_id] = text

    def contact(self, shop: Shop, order_id: str) -> dict:
        order = self.order(shop, order_id)
        return {"receiver": order["receiver"], "phone": order["phone"], "address": order["address"]}

    # ---- chaos -------------------------------------------------------------------

    def count_chaos(self, what: str) -> None:
        self.chaos_counts[what] = self.chaos_counts.get(what, 0) + 1

    def roll(self, scale: float = 1.0) -> bool:
        return self.chaos > 0 and self.chaos_rng.random() < self.chaos * scale


def require(params: dict, name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise OpError("missing_param", f"缺少必填参数 {name}")
    return str(value)
