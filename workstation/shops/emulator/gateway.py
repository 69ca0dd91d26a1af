"""What every emulated gateway does the same way: the order of checks, chaos, WebSocket push.

A platform module subclasses `Gateway` and supplies how its requests carry system
parameters, how it signs, how it names methods and how its answers and errors look.
Checks run as the real gateways run them: app key, signature and timestamp first,
then the token, then the rate limit, then the business call.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
from collections.abc import Collection
from urllib.parse import parse_qsl
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.websockets import WebSocket, WebSocketDisconnect

from workstation.domain.platforms import Platform
from workstation.shops.emulator.world import CST, MAX_CLOCK_SKEW, OpError, Shop, World, require

log = logging.getLogger(__name__)

# Operations whose reply chaos may drop after the work is done (the ambiguous failure
# exactly-once sending must survive).
MUTATING = {"chat.send", "coupon.send"}


@dataclass
class Call:
    method: str
    app_key: str = ""
    token: str = ""
    params: dict = field(default_factory=dict)   # business parameters
    system: dict = field(default_factory=dict)   # everything on the wire, as signed


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def rekey(value: Any, fn) -> Any:
    if isinstance(value, dict):
        return {fn(k): rekey(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [rekey(v, fn) for v in value]
    return value


class Gateway:
    platform: Platform
    prefix: str                       # URL prefix, e.g. "/pdd"
    api_path: str                     # the router, relative to prefix
    ws_path: str = "/message/ws"
    methods: dict[str, str] = {}      # platform method name -> neutral operation
    has_acks: bool = False
    camel_case: bool = False          # JD and 快手 name fields in camelCase

    def __init__(self, world: World):
        self.world = world

    # ---- what a platform supplies ---------------------------------------------------

    async def parse(self, request: Request) -> Call:
        """By default every parameter travels in the query string or a form body (JOS, TOP)."""
        fields = dict(request.query_params)
        fields.update(await read_form(request))
        return self._call(fields)

    def parse_query(self, query: dict) -> Call:
        return self._call(query)

    def _call(self, fields: dict) -> Call:
        """The call that a request's fields (query and body together) make."""
        raise NotImplementedError

    def verify(self, call: Call, app: Shop) -> None:
        """Check the signature, then the timestamp; raise OpError."""
        raise NotImplementedError

    def success(self, call: Call, result: dict) -> dict:
        raise NotImplementedError

    def error_body(self, call: Call | None, err: OpError) -> dict:
        raise NotImplementedError

    def time_out(self, moment: datetime) -> Any:
        return int(moment.timestamp())

    def render_order(self, order: dict) -> dict:
        raise NotImplementedError

    def ws_frame(self, event: dict) -> dict:
        raise NotImplementedError

    def ws_ack(self, frame: dict) -> int | None:
        return None

    def render_tokens(self, tokens: dict) -> dict:
        return {"access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
                "expires_in": tokens["expires_in"], "refresh_token_expires_in": tokens["refresh_expires_in"],
                "shop_id": tokens["shop_id"], "shop_name": tokens["shop_name"]}

    def token_create(self, app: Shop, call: Call) -> dict:
        shop = self.world.redeem_code(app, require(call.params, "code"))
        return self.render_tokens(self.world.issue_tokens(shop))

    def token_refresh(self, app: Shop, call: Call) -> dict:
        return self.render_tokens(self.world.refresh_tokens(app, require(call.params, "refresh_token"), rotate=False))

    # ---- shared helpers ---------------------------------------------------------------

    def check_skew(self, moment: datetime | None) -> None:
        if moment is None:
            raise OpError("bad_timestamp", "timestamp 格式错误")
        if abs(moment - self.world.now()) > MAX_CLOCK_SKEW:
            raise OpError("bad_timestamp", "timestamp 与服务器时间相差超过10分钟")

    @staticmethod
    def require_fields(fields: dict, names: tuple[str, ...], what: str = "公共参数") -> None:
        """Every system parameter in `names` is present and not empty, checked in that order."""
        for name in names:
            if not fields.get(name):
                raise OpError("missing_param", f"缺少{what} {name}")

    @classmethod
    def json_param_call(cls, fields: dict, *, required: tuple[str, ...], param: str, app_key: str,
                        missing: str = "公共参数") -> Call:
        """A call whose business parameters travel as one JSON object in the field `param`
        (JOS, 快手, 抖店)."""
        cls.require_fields(fields, required, missing)
        try:
            business = json.loads(fields.get(param) or "{}")
        except json.JSONDecodeError:
            raise OpError("invalid_param", f"{param} 不是合法的 JSON") from None
        if not isinstance(business, dict):
            raise OpError("invalid_param", f"{param} 必须是对象")
        return Call(method=fields["method"], app_key=fields[app_key], token=fields.get("access_token", ""),
                    params=business, system=fields)

    @staticmethod
    def form_params(fields: dict, system: Collection[str]) -> dict:
        """The business parameters of a form-encoded call (TOP, PDD): every field but the system ones,
        with values that look like JSON objects or arrays decoded."""
        business = {}
        for key, value in fields.items():
            if key in system:
                continue
            if isinstance(value, str) and value[:1] in "{[":
                try:
                    value = json.loads(value)
                except json.JSONDecodeError:
                    pass
            business[key] = value
        return business

    def render(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return self.time_out(value)
        if isinstance(value, dict):
            return {k: self.render(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.render(v) for v in value]
        return value

    def render_event(self, event: dict) -> dict:
        out = {k: v for k, v in event.items() if k != "idempotency_key"}
        out["cursor"] = str(event["seq"])
        if event.get("idempotency_key"):
            out["client_msg_id"] = event["idempotency_key"]
        return self._cased(self.render(out))

    def _cased(self, body: dict) -> dict:
        return rekey(body, camel) if self.camel_case else body

    def _json(self, body: dict, status: int = 200, headers: dict | None = None) -> Response:
        return JSONResponse(body, status_code=status, headers=headers)

    # ---- the request pipeline -----------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        world = self.world
        if world.roll(0.5):
            choice = world.chaos_rng.choice(["503", "429", "malformed"])
            world.count_chaos(f"http_{choice}")
            if choice == "503":
                return Response("<html><body>503 Service Temporarily Unavailable</body></html>", status_code=503,
                                media_type="text/html")
            if choice == "429":
                return Response("Too Many Requests", status_code=429, headers={"Retry-After": "1"})
            return Response('{"error_response": {"code": 15, "msg": "Remote', media_type="application/json")
        call: Call | None = None
        try:
            try:
                call = await self.parse(request)
            except (ValueError, UnicodeDecodeError) as exc:  # a body that is not what it claims to be
                raise OpError("invalid_param", f"请求体无法解析：{type(exc).__name__}") from None
            app = world.shop_by_app_key(call.app_key)
            self.verify(call, app)
            operation = self.methods.get(call.method)
            if operation is None:
                raise OpError("unknown_method", f"不存在的方法名 {call.method}")
            result = self.dispatch(operation, app, call)
        except OpError as err:
            status = 200
            headers = None
            if err.kind == "rate_limited":
                headers = {"Retry-After": str(max(1, int(err.retry_after + 0.999)))}
            return self._json(self.error_body(call, err), status, headers)
        body = self.success(call, result)
        if operation in MUTATING and world.roll(0.5):
            world.count_chaos("reply_dropped_after_processing")
            # Processed, but the reply never makes it back.
            if world.chaos_rng.random() < 0.5:
                return Response("Gateway Timeout", status_code=504)
            return Response(json.dumps(body, ensure_ascii=False)[:20], media_type="application/json")
        return self._json(body)

    def dispatch(self, operation: str, app: Shop, call: Call) -> dict:
        world = self.world
        if operation == "token.create":
            return self.token_create(app, call)
        if operation == "token.refresh":
            return self.token_refresh(app, call)
        shop = world.shop_for_token(app, call.token)
        world.check_rate(shop)
        p = rekey(call.params, snake) if self.camel_case else call.params
        if operation == "chat.history":
            cursor = _int(p.get("cursor"), 0)
            limit = max(1, min(500, _int(p.get("page_size") or p.get("limit"), 100)))
            events, next_cursor, has_more = world.events_after(shop, cursor, limit)
            return self._cased({"events": [self.render_event(e) for e in events],
                                "next_cursor": str(next_cursor), "has_more": has_more})
        if operation == "chat.send":
            event, created = world.send_message(shop, p)
            return self._cased({"message": self.render_event(event), "duplicate": not created})
        if operation == "chat.find":
            event = world.find_sent(shop, require(p, "conversation_id"), require(p, "idempotency_key"))
            return self._cased({"found": event is not None, "message": self.render_event(event) if event else None})
        if operation == "chat.read":
            world.mark_read(shop, require(p, "conversation_id"))
            return self._cased({"success": True})
        if operation == "chat.transfer":
            world.transfer(shop, require(p, "conversation_id"), require(p, "to_agent"))
            return self._cased({"success": True})
        if operation == "order.list":
            orders = world.orders_of(shop, require(p, "buyer_id"))
            return {"orders": [self.render_order(o) for o in orders], "total": len(orders)}
        if operation == "order.get":
            return {"order": self.render_order(world.order(shop, require(p, "order_id")))}
        if operation == "order.contact":
            return self._cased(world.contact(shop, require(p, "order_id")))
        if operation == "coupon.list":
            coupons = world.coupons_for(shop, require(p, "buyer_id"))
            return self._cased({"coupons": self.render(coupons)})
        if operation == "coupon.send":
            grant, created = world.send_coupon(shop, p)
            return self._cased({"grant": self.render(grant), "duplicate": not created})
        if operation == "coupon.find":
            grant = shop.grants_by_key.get((require(p, "buyer_id"), require(p, "idempotency_key")))
            return self._cased({"found": grant is not None, "grant": self.render(grant) if grant else None})
        if operation == "rating.invite":
            world.invite_rating(shop, require(p, "conversation_id"))
            return self._cased({"success": True})
        if operation == "buyer.remark":
            world.set_remark(shop, require(p, "buyer_id"), p.get("remark") or "")
            return self._cased({"success": True})
        if operation == "product.list":
            products = world.products(shop, p.get("query") or "")
            return self._cased({"products": self.render(products), "total": len(products)})
        raise OpError("unknown_method", f"不存在的方法名 {call.method}")

    # ---- OAuth authorisation page and token endpoints (the platforms that use OAuth) ---------

    async def token_client(self, request: Request, client_field: str) -> tuple[dict, Shop]:
        """A token endpoint's fields (query, and form body on POST) and the app they name, whose
        secret they must carry; raise OpError."""
        fields = dict(request.query_params)
        if request.method == "POST":
            fields.update(await read_form(request))
        app = self.world.shop_by_app_key(fields.get(client_field, ""))
        if fields.get("app_secret") != app.app_secret:
            raise OpError("bad_app_key", "app_secret 错误")
        return fields, app

    async def authorize(self, request: Request) -> Response:
        query = dict(request.query_params)
        if request.method == "GET":
            return HTMLResponse(_AUTHORIZE_PAGE.format(
                platform=self.platform.label, action=request.url.path,
                hidden="".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                               for k, v in query.items())))
        form = await read_form(request)
        merged = {**query, **form}
        client_id = merged.get("client_id") or merged.get("app_key") or merged.get("app_id") or ""
        redirect_uri = merged.get("redirect_uri", "")
        state = merged.get("state", "")
        try:
            app = self.world.shop_by_app_key(client_id)
            shop = self.world.shop_by_login(merged.get("login", ""), merged.get("password", ""))
            if shop is not app:
                raise OpError("bad_login", "该账号未授权此应用")
        except OpError as err:
            return HTMLResponse(f"<p>授权失败：{err.message}</p>", status_code=401)
        if not redirect_uri.startswith(("http://127.0.0.1", "http://localhost")):
            return HTMLResponse("<p>redirect_uri 不在白名单内</p>", status_code=400)
        code = self.world.issue_code(shop, redirect_uri)
        sep = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{sep}code={code}&state={state}", status_code=302)

    # ---- WebSocket push -----------------------------------------------------------------

    async def websocket(self, websocket: WebSocket) -> None:
        await websocket.accept()
        world = self.world
        try:
            call = self.parse_query(dict(websocket.query_params))
            app = world.shop_by_app_key(call.app_key)
            self.verify(call, app)
            shop = world.shop_for_token(app, call.token)
        except OpError as err:
            await websocket.send_text(json.dumps(self.error_body(None, err), ensure_ascii=False))
            await websocket.close(code=4401 if err.kind in ("invalid_token", "expired_token") else 4400)
            return
        cursor = websocket.query_params.get("cursor")
        if cursor:
            start = _int(cursor, 0)
        elif self.has_acks:
            start = shop.acked_upto
        else:
            start = len(shop.events)
        queue: asyncio.Queue = asyncio.Queue()
        for event in shop.events[start:]:
            queue.put_nowait(event)
        shop.listeners.add(queue)
        sender = asyncio.ensure_future(self._pump(websocket, queue))
        receiver = asyncio.ensure_future(self._listen(websocket, shop))
        try:
            await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            shop.listeners.discard(queue)
            for task in (sender, receiver):
                task.cancel()
            await asyncio.gather(sender, receiver, return_exceptions=True)
            try:
                await websocket.close()
            except (RuntimeError, WebSocketDisconnect):
                pass  # the client went first

    async def _pump(self, websocket: WebSocket, queue: asyncio.Queue) -> None:
        world = self.world
        held: dict | None = None
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=0.3 if held else None)
            except asyncio.TimeoutError:
                await websocket.send_text(json.dumps(self.ws_frame(held), ensure_ascii=False))
                held = None
                continue
            if world.roll():
                action = world.chaos_rng.choice(["drop", "duplicate", "reorder", "delay", "unknown"])
                world.count_chaos(f"push_{action}")
                if action == "drop":
                    log.info("chaos: dropping %s push connection", self.platform.value)
                    return
                if action == "duplicate":
                    await websocket.send_text(json.dumps(self.ws_frame(event), ensure_ascii=False))
                elif action == "reorder" and held is None:
                    held = event
                    continue
                elif action == "delay":
                    await asyncio.sleep(world.chaos_rng.uniform(0.05, 0.4))
                elif action == "unknown":
                    await websocket.send_text(json.dumps(self.unknown_frame(), ensure_ascii=False))
            await websocket.send_text(json.dumps(self.ws_frame(event), ensure_ascii=False))
            if held is not None:
                await websocket.send_text(json.dumps(self.ws_frame(held), ensure_ascii=False))
                held = None

    def unknown_frame(self) -> dict:
        return {"type": "unknown_future_event", "data": "{}"}

    async def _listen(self, websocket: WebSocket, shop: Shop) -> None:
        while True:
            try:
                text = await websocket.receive_text()
            except (WebSocketDisconnect, RuntimeError, KeyError):
                return
            try:
                frame = json.loads(text)
            except json.JSONDecodeError:
                continue
            if isinstance(frame, dict):
                seq = self.ws_ack(frame)
                if seq is not None:
                    shop.acked_upto = max(shop.acked_upto, seq)


async def read_form(request: Request) -> dict:
    """An application/x-www-form-urlencoded body (the gateways' usual encoding)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    if not body or request.headers.get("content-type", "").startswith("application/json"):
        return {}
    return dict(parse_qsl(body, keep_blank_values=True))


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def cst_text(moment: datetime) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")


def parse_cst(text: str, fmt: str = "%Y-%m-%d %H:%M:%S") -> datetime | None:
    try:
        return datetime.strptime(text, fmt).replace(tzinfo=CST)
    except (TypeError, ValueError):
        return None


def from_unix(value: Any, *, millis: bool = False) -> datetime | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(number / 1000 if millis else number, timezone.utc)


def yuan(fen: int) -> str:
    """Fen as the yuan string TOP and JOS use ("12.50")."""
    return f"{fen // 100}.{fen % 100:02d}"


_AUTHORIZE_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{platform} 授权</title>
<body><h1>{platform} 店铺授权（模拟）</h1><p>请使用店铺子账号登录，授权 Workstation 访问订单与客服消息。</p>
<form method="post" action="{action}">{hidden}
<label>账号 <input name="login"></label><label>密码 <input name="password" type="password"></label>
<button type="submit">授权并登录</button></form></body></html>"""

