"""Where a team library is shared: a folder (network drive, synced folder) or a WebDAV URL.

Both speak the same two calls. Publishing is conditional on the version the lead started from
(HTTP ETag + If-Match; for a folder, a content hash under a lock file), so two leads cannot silently
overwrite each other: the second one gets PublishConflict carrying the other version.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

from workstation.quickreply.fileformat import write_atomic

log = logging.getLogger(__name__)

LIBRARY_FILE_NAME = "team-library.json"
MAX_LIBRARY_BYTES = 64 * 1024 * 1024
_LOCK_STALE_SECONDS = 60


class SyncError(Exception):
    """A sync or publish failed; str() is a Chinese sentence for the agent."""


class RemoteUnreachable(SyncError):
    pass


class RemoteAuthFailed(SyncError):
    pass


class RemoteNotFound(SyncError):
    pass


class RemoteBroken(SyncError):
    """The server answered, but with an error or with something that is not a library."""


class PublishConflict(SyncError):
    """Someone published since this lead's version was fetched; `theirs`/`their_etag` is that version."""

    def __init__(self, message: str, theirs: bytes | None, their_etag: str | None):
        super().__init__(message)
        self.theirs = theirs
        self.their_etag = their_etag


@dataclass(frozen=True, slots=True)
class RemoteVersion:
    data: bytes | None  # None: unchanged since the ETag we sent
    etag: str | None


class Remote(Protocol):
    description: str

    async def fetch(self, known_etag: str | None = None) -> RemoteVersion: ...

    async def publish(self, data: bytes, if_match: str | None) -> str: ...


def content_etag(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()[:40]


_CONFLICT = "另一位主管已经发布了新版本，你的修改没有覆盖它。请查看差异、合并后再发布。"


class FolderRemote:
    """A library file in a shared folder. The ETag is a content hash."""

    def __init__(self, location: Path):
        location = Path(location)
        self.path = location if location.suffix.lower() == ".json" else location / LIBRARY_FILE_NAME
        self.description = str(self.path)

    async def fetch(self, known_etag: str | None = None) -> RemoteVersion:
        return await asyncio.to_thread(self._fetch, known_etag)

    def _fetch(self, known_etag: str | None) -> RemoteVersion:
        if not self.path.parent.is_dir():
            raise RemoteUnreachable(f"无法访问共享文件夹 {self.path.parent}（网络盘未连接或文件夹不存在）。")
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise RemoteNotFound(f"共享文件夹里还没有团队话术库（{self.path.name}），请主管先发布。") from None
        except OSError as exc:
            raise RemoteUnreachable(f"无法读取共享文件夹中的话术库：{exc.strerror or exc}。") from exc
        etag = content_etag(data)
        return RemoteVersion(None if etag == known_etag else data, etag)

    async def publish(self, data: bytes, if_match: str | None) -> str:
        return await asyncio.to_thread(self._publish, data, if_match)

    def _publish(self, data: bytes, if_match: str | None) -> str:
        if not self.path.parent.is_dir():
            raise RemoteUnreachable(f"无法访问共享文件夹 {self.path.parent}（网络盘未连接或文件夹不存在）。")
        lock = self.path.with_name(self.path.name + ".lock")
        self._acquire(lock)
        try:
            current = self.path.read_bytes() if self.path.exists() else None
            current_etag = content_etag(current) if current is not None else None
            if current_etag != if_match:
                raise PublishConflict(_CONFLICT, current, current_etag)
            write_atomic(self.path, data)
            return content_etag(data)
        except OSError as exc:
            raise RemoteUnreachable(f"无法写入共享文件夹：{exc.strerror or exc}。") from exc
        finally:
            lock.unlink(missing_ok=True)

    @staticmethod
    def _acquire(lock: Path) -> None:
        for _ in range(50):
            try:
                os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                return
            except FileExistsError:
                try:
                    if time.time() - lock.stat().st_mtime > _LOCK_STALE_SECONDS:
                        lock.unlink(missing_ok=True)  # left behind by a crashed publisher
                        continue
                except FileNotFoundError:
                    continue
                time.sleep(0.1)
        raise RemoteUnreachable("另一位主管正在发布团队话术，请稍后再试。")


def _token(server_etag: str | None, data: bytes) -> str:
    return f"{server_etag or ''}|{content_etag(data)}"


def _split_token(token: str | None) -> tuple[str, str]:
    if not token:
        return "", ""
    server, _, content = token.rpartition("|")
    return server, content


@dataclass(frozen=True, slots=True)
class _Reply:
    status_code: int
    headers: httpx.Headers
    content: bytes


class WebDavRemote:
    """A library file on a WebDAV server (坚果云, Nextcloud, most NAS)."""

    def __init__(self, url: str, username: str = "", password: str | None = None, *, timeout: float = 15.0,
                 transport: httpx.AsyncBaseTransport | None = None):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"WebDAV 地址“{url}”无效，应以 https:// 开头。")
        if parts.username or parts.password:
            # The address is saved in plain settings and logs; the password belongs in the keyring.
            raise ValueError("请不要把用户名和密码写在 WebDAV 地址里，请分别填写。")
        if parts.path.endswith("/") or not parts.path:
            parts = parts._replace(path=(parts.path or "/") + LIBRARY_FILE_NAME)
        self.url = urlunsplit(parts)
        self.description = self.url
        self._auth = httpx.BasicAuth(username, password or "") if username else None
        self._timeout = timeout
        self._transport = transport

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(auth=self._auth, timeout=self._timeout, transport=self._transport,
                                 follow_redirects=True, headers={"User-Agent": "Workstation-QuickReply"})

    # The version token is "<server ETag>|sha256:<content hash>". Some servers (wsgidav among them) derive
    # the ETag from mtime and size, so two same-size writes within a second share one; comparing the
    # content hash before the conditional PUT catches what such an ETag would miss.

    async def fetch(self, known_etag: str | None = None) -> RemoteVersion:
        # No If-None-Match: with an mtime-based ETag a same-second change would be answered 304 and
        # missed until the next edit. The file is small; fetching it whole is the safe choice.
        async with self._client() as client:
            response = await self._request(client, "GET", self.url)
        if response.status_code == 404:
            raise RemoteNotFound("服务器上还没有团队话术库，请主管先发布。")
        self._raise_for(response, "下载团队话术")
        token = _token(response.headers.get("ETag"), response.content)
        if known_etag and token == known_etag:
            return RemoteVersion(None, token)
        return RemoteVersion(response.content, token)

    async def publish(self, data: bytes, if_match: str | None) -> str:
        server_etag, base_hash = _split_token(if_match)
        async with self._client() as client:
            headers = {"Content-Type": "application/json; charset=utf-8"}
            if if_match is None:
                headers["If-None-Match"] = "*"  # creating: fail if someone created it meanwhile
            else:
                current = await self._request(client, "GET", self.url)
                if current.status_code == 404:
                    raise PublishConflict("服务器上的团队话术库已被删除或移走，请确认后重新发布。", None, None)
                self._raise_for(current, "发布团队话术")
                if content_etag(current.content) != base_hash:
                    raise PublishConflict(_CONFLICT, current.content, _token(current.headers.get("ETag"),
                                                                             current.content))
                if server_etag:
                    headers["If-Match"] = server_etag
            response = await self._request(client, "PUT", self.url, headers=headers, content=data)
            if response.status_code == 409:
                await self._make_parents(client)
                response = await self._request(client, "PUT", self.url, headers=headers, content=data)
            if response.status_code == 412:
                theirs = await self._request(client, "GET", self.url)
                if theirs.status_code == 200:
                    raise PublishConflict(_CONFLICT, theirs.content,
                                          _token(theirs.headers.get("ETag"), theirs.content))
                raise PublishConflict(_CONFLICT, None, None)
            self._raise_for(response, "发布团队话术")
            etag = response.headers.get("ETag")
            if not etag:
                head = await self._request(client, "HEAD", self.url)
                etag = head.headers.get("ETag") if head.status_code == 200 else None
            return _token(etag, data)

    async def _make_parents(self, client: httpx.AsyncClient) -> None:
        parts = urlsplit(self.url)
        segments = [s for s in parts.path.split("/") if s][:-1]
        path = ""
        for segment in segments:
            path += "/" + segment
            response = await self._request(client, "MKCOL", urlunsplit(parts._replace(path=path + "/")))
            if response.status_code in (401, 403):
                self._raise_for(response, "创建文件夹")

    async def _request(self, client: httpx.AsyncClient, method: str, url: str, **kwargs) -> "_Reply":
        try:
            async with client.stream(method, url, **kwargs) as response:
                declared = int(response.headers.get("Content-Length") or 0)
                if declared > MAX_LIBRARY_BYTES:
                    raise RemoteBroken("服务器返回的文件过大，不是团队话术库。")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_LIBRARY_BYTES:
                        raise RemoteBroken("服务器返回的文件过大，不是团队话术库。")
                return _Reply(response.status_code, response.headers, bytes(body))
        except httpx.TimeoutException as exc:
            log.warning("WebDAV %s %s timed out: %s", method, url, type(exc).__name__)
            raise RemoteUnreachable("连接 WebDAV 服务器超时，请检查网络后重试。") from exc
        except (httpx.ConnectError, httpx.NetworkError) as exc:
            log.warning("WebDAV %s %s unreachable: %s", method, url, exc)
            raise RemoteUnreachable("无法连接 WebDAV 服务器（网络断开或服务器未开启）。") from exc
        except httpx.HTTPError as exc:
            log.warning("WebDAV %s %s failed: %s", method, url, exc)
            raise RemoteBroken(f"与 WebDAV 服务器通信失败（{type(exc).__name__}）。") from exc

    @staticmethod
    def _raise_for(response: "_Reply", doing: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        if status in (401, 403):
            raise RemoteAuthFailed(f"{doing}失败：WebDAV 用户名或密码不对，或没有权限（HTTP {status}）。"
                                   "坚果云等服务需要使用“应用密码”。")
        if status == 507:
            raise RemoteBroken(f"{doing}失败：WebDAV 空间已满（HTTP 507）。")
        if status >= 500:
            raise RemoteBroken(f"{doing}失败：WebDAV 服务器出错（HTTP {status}），请稍后重试。")
        raise RemoteBroken(f"{doing}失败：服务器返回 HTTP {status}。")
