"""Keeping an agent's copy of the team library current, and publishing a lead's version.

Refresh at start and every few minutes; whatever goes wrong (server down, wrong password, garbage),
the last good library stays in use and the status line says why ("团队话术未同步：…").
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from workstation.domain.platforms import Platform
from workstation.quickreply.fileformat import LibraryFileError, dump_library, parse_library, write_atomic
from workstation.quickreply.lint import PhraseCheck, publish_blockers
from workstation.quickreply.model import Library, LibraryInvalid, Scope, empty_library, problems_in
from workstation.quickreply.remote import (
    FolderRemote, PublishConflict, Remote, RemoteBroken, SyncError, WebDavRemote,
)
from workstation.quickreply.store import LibraryStore, TeamCache, TeamDraft

log = logging.getLogger(__name__)

SUBSCRIPTION_FILE = "subscription.json"
REFRESH_SECONDS = 300
PASSWORD_KIND = "password"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _hhmm(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status line shows about the team library."""

    ok: bool
    text: str
    synced_at: datetime | None = None
    error: str = ""


class PublishBlocked(SyncError):
    """Some phrases fail the compliance filter; nothing was published."""

    def __init__(self, blocked: list[PhraseCheck]):
        self.blocked = blocked
        lines = "\n".join(f"{c.group} / {c.code}：{c.reasons()}" for c in blocked[:20])
        super().__init__(f"有 {len(blocked)} 条短语未通过合规检查，不能发布：\n{lines}")


class PublishInvalid(SyncError):
    def __init__(self, invalid: LibraryInvalid):
        self.problems = invalid.problems
        super().__init__(f"话术库有问题，不能发布：\n{invalid}")


# --- where the team library comes from -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subscription:
    """A folder path or a WebDAV URL; the WebDAV password lives in the keyring, never here."""

    kind: str  # "folder" | "webdav"
    location: str
    username: str = ""

    @property
    def secret_key(self) -> str:
        return f"webdav:{self.location}"

    def to_json(self) -> dict:
        return {"kind": self.kind, "location": self.location, "username": self.username}


def load_subscription(data_dir: Path) -> Subscription | None:
    path = Path(data_dir) / "quickreply" / SUBSCRIPTION_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
        kind = data["kind"]
        if kind not in ("folder", "webdav"):
            raise ValueError(kind)
        return Subscription(kind, str(data["location"]), str(data.get("username", "")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("subscription settings unreadable: %s", exc)
        return None


def save_subscription(data_dir: Path, subscription: Subscription, password: str | None = None) -> None:
    """Save where to sync from; a WebDAV password goes to the keyring (blocking: call off the Qt thread)."""
    if password is not None:
        from workstation.secrets import SecretStore

        SecretStore().set(subscription.secret_key, PASSWORD_KIND, password)
    path = Path(data_dir) / "quickreply" / SUBSCRIPTION_FILE
    write_atomic(path, json.dumps(subscription.to_json(), ensure_ascii=False).encode("utf-8"))


def open_remote(subscription: Subscription) -> Remote:
    """Build the remote; reads the keyring (blocking: call through asyncio.to_thread)."""
    if subscription.kind == "folder":
        return FolderRemote(Path(subscription.location))
    try:
        WebDavRemote(subscription.location)
    except ValueError as exc:
        raise SyncError(str(exc)) from exc
    password = None
    if subscription.username:
        from workstation.secrets import SecretsUnavailable, SecretStore

        try:
            password = SecretStore().get(subscription.secret_key, PASSWORD_KIND)
        except SecretsUnavailable as exc:
            raise SyncError(f"无法读取 WebDAV 密码：{exc}") from exc
        if password is None:
            raise SyncError("还没有保存 WebDAV 密码，请在“团队话术来源”中重新输入。")
    return WebDavRemote(subscription.location, subscription.username, password)


# --- the team library in use ------------------------------------------------------------------


class TeamSync:
    """The team library an agent uses: the cached copy, refreshed from the remote when possible."""

    def __init__(self, store: LibraryStore, remote: Remote | Callable[[], Remote] | None, *,
                 clock: Callable[[], datetime] = _now, check_text: Callable | None = None):
        self.store = store
        self.check_text = check_text  # None: workstation.compliance.check_text
        self._remote = remote
        self._clock = clock
        cache = store.load_team_cache()
        self.cache = cache
        self.library: Library = cache.library if cache else empty_library(Scope.TEAM)
        if remote is None:
            self.status = SyncStatus(False, "未设置团队话术来源", cache.synced_at if cache else None)
        elif cache and cache.synced_at:
            self.status = SyncStatus(False, f"团队话术尚未刷新（使用 {_hhmm(cache.synced_at)} 的副本）",
                                     cache.synced_at)
        else:
            self.status = SyncStatus(False, "团队话术尚未同步")

    def set_remote(self, remote: Remote | Callable[[], Remote] | None) -> None:
        """Switch where the team library comes from (after the source settings change)."""
        self._remote = remote
        if self.cache is not None:
            # A new source: the next refresh must not treat the old copy's version as current.
            self.cache = TeamCache(self.cache.library, None, self.cache.synced_at, self.cache.source)

    async def remote(self) -> Remote:
        if self._remote is None:
            raise SyncError("未设置团队话术来源。")
        if callable(self._remote) and not hasattr(self._remote, "fetch"):
            self._remote = await asyncio.to_thread(self._remote)
        return self._remote  # type: ignore[return-value]

    async def refresh(self) -> SyncStatus:
        """Fetch the team library if it changed. Never raises for an expected failure."""
        try:
            remote = await self.remote()
            known = self.cache.etag if self.cache else None
            version = await remote.fetch(known)
            now = self._clock()
            if version.data is None and self.cache is not None:
                self.cache = TeamCache(self.cache.library, version.etag, now, remote.description)
            else:
                library = _parse_remote(version.data or b"")
                self.cache = TeamCache(library, version.etag, now, remote.description)
                self.library = library
            await asyncio.to_thread(self.store.save_team_cache, self.cache)
            self.status = SyncStatus(True, f"团队话术已同步 {_hhmm(now)}", now)
        except SyncError as exc:
            self.status = self._failed(str(exc))
        except OSError as exc:
            log.exception("saving the team cache failed")
            self.status = self._failed(f"无法保存本地副本（{exc.strerror or exc}）")
        return self.status

    def _failed(self, reason: str) -> SyncStatus:
        reason = reason.rstrip("。")
        synced = self.cache.synced_at if self.cache else None
        kept = f"（继续使用 {_hhmm(synced)} 的副本）" if synced else ""
        log.info("team library not synced: %s", reason)
        return SyncStatus(False, f"团队话术未同步：{reason}{kept}", synced, reason)

    async def run_periodically(self, on_status: Callable[[SyncStatus], None], *,
                               interval: float = REFRESH_SECONDS,
                               refresh: Callable[[], Awaitable[SyncStatus]] | None = None) -> None:
        """Refresh now and every `interval` seconds until cancelled (the app keeps the task)."""
        while True:
            try:
                status = await (refresh or self.refresh)()
            except Exception:  # a bug must not stop the refreshes for the rest of the day
                log.exception("team library refresh failed unexpectedly")
                status = self._failed("内部错误，详情见日志")
                self.status = status
            on_status(status)
            await asyncio.sleep(interval)

    # --- publishing (leads) -------------------------------------------------------------------

    async def publish(self, library: Library, *, base_etag: str | None, published_by: str = "",
                      platform: Platform | None = None) -> Library:
        """Check, then publish conditionally on `base_etag`. Raises PublishBlocked, PublishInvalid,
        PublishConflict or another SyncError; on success the cache holds the published version."""
        problems = problems_in(library)
        if problems:
            raise PublishInvalid(LibraryInvalid(problems))
        blocked = await asyncio.to_thread(publish_blockers, library, platform=platform,
                                          check_text=self.check_text)
        if blocked:
            raise PublishBlocked(blocked)
        remote = await self.remote()
        published = library.with_changes(
            scope=Scope.TEAM, revision=max(library.revision, self.library.revision) + 1,
            updated_at=self._clock(), updated_by=published_by)
        data = dump_library(published)
        etag = await remote.publish(data, base_etag)
        now = self._clock()
        self.cache = TeamCache(published, etag, now, remote.description)
        self.library = published
        await asyncio.to_thread(self.store.save_team_cache, self.cache)
        self.status = SyncStatus(True, f"团队话术已发布并同步 {_hhmm(now)}", now)
        return published

    def conflict_library(self, conflict: PublishConflict) -> Library | None:
        """The other lead's version from a conflict, or None if it could not be read."""
        if conflict.theirs is None:
            return None
        try:
            return _parse_remote(conflict.theirs)
        except RemoteBroken:
            return None

    def draft(self) -> TeamDraft:
        """What a lead starts editing from: the saved draft, else the team library in use."""
        saved = self.store.load_team_draft()
        if saved is not None:
            return saved
        return TeamDraft(self.library, self.cache.etag if self.cache else None)


def _parse_remote(data: bytes) -> Library:
    try:
        library = parse_library(data, scope=Scope.TEAM)
    except LibraryFileError as exc:
        raise RemoteBroken(f"服务器上的团队话术库无法读取：{exc}") from exc
    problems = problems_in(library)
    if problems:
        raise RemoteBroken(f"服务器上的团队话术库有错误：{problems[0]}")
    return library
