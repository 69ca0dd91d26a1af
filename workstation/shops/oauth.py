"""OAuth authorization code through a loopback redirect (RFC 8252 §7.3).

The connector listens on 127.0.0.1 on a free port, sends the agent's browser to the
platform's authorize page with that address as `redirect_uri`, and receives the code
when the browser is redirected back. `approve_headless` plays the browser for the
emulator (tests, the demo): it posts the sub-account login and follows the redirect.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from workstation.shops.base import AuthExpired, NetworkDown

log = logging.getLogger(__name__)

_DONE_PAGE = ("<!doctype html><meta charset='utf-8'><title>授权完成</title>"
              "<p>授权完成，可以关闭此页面，回到 Workstation。</p>").encode("utf-8")


class LoopbackRedirect:
    """`async with LoopbackRedirect() as listener:` … `await listener.code(state)`."""

    def __init__(self, path: str = "/oauth/callback"):
        self.path = path
        self.state = secrets.token_urlsafe(16)
        self.redirect_uri = ""
        self._server: asyncio.base_events.Server | None = None
        self._received: asyncio.Future | None = None

    async def __aenter__(self) -> "LoopbackRedirect":
        self._received = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.redirect_uri = f"http://127.0.0.1:{port}{self.path}"
        return self

    async def __aexit__(self, *exc) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await asyncio.wait_for(reader.readline(), 5)).decode("latin-1")
            while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
                pass
            parts = request_line.split()
            target = urlsplit(parts[1]) if len(parts) >= 2 else urlsplit("/")
            status = b"404 Not Found"
            if target.path == self.path:
                query = {k: v[0] for k, v in parse_qs(target.query).items()}
                if self._received is not None and not self._received.done():
                    self._received.set_result(query)
                status = b"200 OK"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html; charset=utf-8\r\n"
                         b"Content-Length: " + str(len(_DONE_PAGE)).encode() + b"\r\nConnection: close\r\n\r\n"
                         + _DONE_PAGE)
            await writer.drain()
        except (asyncio.TimeoutError, ConnectionError) as exc:
            log.info("loopback redirect: unreadable request (%s)", type(exc).__name__)
        finally:
            writer.close()

    async def code(self, timeout: float = 300.0) -> str:
        """Wait for the redirect; check `state` (CSRF) and return the authorization code."""
        assert self._received is not None
        try:
            query = await asyncio.wait_for(self._received, timeout)
        except asyncio.TimeoutError:
            raise AuthExpired("等待平台授权超时，请重新登录") from None
        if query.get("state") != self.state:
            raise AuthExpired("授权回调的 state 不匹配，已拒绝（可能是伪造的回调）")
        if not query.get("code"):
            raise AuthExpired(f"平台拒绝授权：{query.get('error_description') or query.get('error') or '未返回授权码'}")
        return query["code"]


async def approve_in_browser(authorize_url: str, query: dict) -> None:
    """Open the platform's authorize page in the agent's browser; the redirect comes back to our listener."""
    import webbrowser

    url = f"{authorize_url}?{urlencode(query)}"
    opened = await asyncio.to_thread(webbrowser.open, url)
    if not opened:
        raise AuthExpired("无法打开浏览器完成授权，请手动在浏览器中打开授权页面后重试。")


async def approve_headless(client: httpx.AsyncClient, authorize_url: str, query: dict, login: str, password: str) -> None:
    """Act as the agent's browser on the emulator's authorize page: log in, follow the redirect."""
    try:
        response = await client.post(f"{authorize_url}?{urlencode(query)}", data={"login": login, "password": password},
                                     follow_redirects=False)
    except httpx.HTTPError as exc:
        raise NetworkDown(f"无法打开授权页面：{type(exc).__name__}") from None
    if response.status_code != 302:
        raise AuthExpired("账号或密码错误，授权失败" if response.status_code == 401 else
                          f"授权页面返回 HTTP {response.status_code}")
    location = response.headers["location"]
    async with httpx.AsyncClient(timeout=10) as browser:  # the redirect goes to our own loopback listener
        try:
            await browser.get(location)
        except httpx.HTTPError as exc:
            raise NetworkDown(f"授权回调失败：{type(exc).__name__}") from None
