"""The platform emulator: one Starlette app serving all five platforms' gateways.

`create_app(seed=…, chaos=…, buyers_per_minute=…)` returns the app; its world is at
`app.state.emulator` (`tick(seconds)`, `inject_buyer_message(...)`, `revoke_tokens`,
`throttle`). Under uvicorn (`realtime=True`) buyers arrive with the wall clock; in
tests nothing happens until the test ticks the clock.

Besides the gateways, loopback-only operator endpoints: `GET /emulator/accounts`,
`GET /emulator/stats`, `GET /emulator/shops/{shop_id}/events`, and
`POST /emulator/{inject|throttle|revoke}` with a JSON body. (No tick over HTTP: moving the
platform clock would make every client's timestamp look skewed.)
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import zlib

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from workstation.domain.platforms import Platform
from workstation.shops.emulator.douyin import DouyinGateway
from workstation.shops.emulator.gateway import Gateway
from workstation.shops.emulator.jd import JdGateway
from workstation.shops.emulator.kuaishou import KuaishouGateway
from workstation.shops.emulator.pdd import PddGateway
from workstation.shops.emulator.taobao import TaobaoGateway
from workstation.shops.emulator.world import World

log = logging.getLogger(__name__)

# Where each platform's connector calls (relative to the emulator's base URL).
GATEWAY_PATHS = {
    Platform.PDD: "/pdd/api/router",
    Platform.TAOBAO: "/taobao/router/rest",
    Platform.JD: "/jd/routerjson",
    Platform.DOUYIN: "/douyin",
    Platform.KUAISHOU: "/kuaishou/openapi",
}
AUTHORIZE_PATHS = {
    Platform.PDD: "/pdd/oauth/authorize",
    Platform.TAOBAO: "/taobao/oauth/authorize",
    Platform.JD: "/jd/oauth2/to_login",
    Platform.KUAISHOU: "/kuaishou/oauth2/authorize",
}

__all__ = ["create_app", "World", "GATEWAY_PATHS"]


def create_app(seed: int = 1, chaos: float = 0.0, buyers_per_minute: float = 6.0, *,
               shops_per_platform: int = 2, realtime: bool = False, clock=None) -> Starlette:
    world = World(seed=seed, chaos=chaos, buyers_per_minute=buyers_per_minute,
                  shops_per_platform=shops_per_platform, clock=clock)
    gateways: dict[Platform, Gateway] = {
        Platform.PDD: PddGateway(world), Platform.TAOBAO: TaobaoGateway(world), Platform.JD: JdGateway(world),
        Platform.DOUYIN: DouyinGateway(world), Platform.KUAISHOU: KuaishouGateway(world),
    }
    routes: list = []
    for platform, gateway in gateways.items():
        routes.append(WebSocketRoute(gateway.prefix + gateway.ws_path, gateway.websocket))
        if platform in AUTHORIZE_PATHS:
            routes.append(Route(AUTHORIZE_PATHS[platform], gateway.authorize, methods=["GET", "POST"]))
    jd, kuaishou = gateways[Platform.JD], gateways[Platform.KUAISHOU]
    routes += [
        Route("/jd/oauth2/access_token", jd.oauth_token, methods=["GET", "POST"]),
        Route("/jd/oauth2/refresh_token", jd.oauth_token, methods=["GET", "POST"]),
        Route("/kuaishou/oauth2/access_token", kuaishou.oauth_token, methods=["GET", "POST"]),
        Route("/kuaishou/oauth2/refresh_token", kuaishou.oauth_token, methods=["GET", "POST"]),
    ]
    for gateway in gateways.values():
        routes.append(Route(gateway.prefix + gateway.api_path, gateway.handle, methods=["GET", "POST"]))

    async def accounts(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return JSONResponse([shop.account(base, GATEWAY_PATHS[shop.platform]) for shop in world.shops.values()])

    async def stats(request: Request) -> Response:
        return JSONResponse({**world.stats, "shops": len(world.shops),
                             "events": sum(len(s.events) for s in world.shops.values()),
                             "chaos": dict(world.chaos_counts)})

    async def media(request: Request) -> Response:
        return Response(render_image(request.path_params["name"]), media_type="image/png",
                        headers={"Cache-Control": "max-age=86400"})

    async def shop_events(request: Request) -> Response:
        shop = world.shops.get(request.path_params["shop_id"])
        if shop is None:
            return JSONResponse({"error": "没有这个店铺"}, status_code=404)
        return JSONResponse([_plain(e) for e in shop.events])

    async def control(request: Request) -> Response:
        """Operator hooks for training, demos and the benchmark (loopback only, unsigned)."""
        try:
            body = await request.json()
            action = request.path_params["action"]
            shop_id = str(body["shop_id"])
            if shop_id not in world.shops:
                return JSONResponse({"error": "没有这个店铺"}, status_code=404)
            if action == "inject":
                conv = world.inject_buyer_message(shop_id, body.get("text", ""), buyer_id=body.get("buyer_id"),
                                                  image=body.get("image"))
                return JSONResponse({k: conv[k] for k in ("conversation_id", "buyer_id", "buyer_nick")})
            if action == "throttle":
                world.throttle(shop_id, float(body["seconds"]))
            elif action == "revoke":
                world.revoke_tokens(shop_id)
            else:
                return JSONResponse({"error": f"未知操作 {action}"}, status_code=404)
            return JSONResponse({"ok": True})
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": f"请求格式不正确：{exc}"}, status_code=400)

    routes += [Route("/emulator/accounts", accounts), Route("/emulator/stats", stats),
               Route("/emulator/shops/{shop_id}/events", shop_events),
               Route("/emulator/{action}", control, methods=["POST"]),
               Route("/media/{shop_id}/{name}", media)]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        task = asyncio.ensure_future(world.run_realtime()) if realtime else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.emulator = world
    app.state.gateways = gateways
    return app


def _plain(event: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in event.items()}


def render_image(name: str) -> bytes:
    """A product photo stand-in, or — for `qrcode-*` — a real QR code a buyer pasted."""
    from PIL import Image, ImageDraw

    digest = zlib.crc32(name.encode())
    if name.startswith("qrcode"):
        import zxingcpp

        text = f"https://u.wechat.com/EK{digest:08x}"  # a personal WeChat contact card, as buyers paste
        image = zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode), scale=6)
        img = Image.fromarray(image) if not isinstance(image, Image.Image) else image
    else:
        colour = ((digest >> 16) & 0xFF, (digest >> 8) & 0xFF, digest & 0xFF)
        img = Image.new("RGB", (240, 240), colour)
        draw = ImageDraw.Draw(img)
        draw.ellipse((60, 60, 180, 180), outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
