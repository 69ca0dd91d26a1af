"""One shop account's connection: sign-in and token refresh, the live event stream with
reconnect and catch-up, and (through its Outbox) the account's sending.

Every account runs in its own tasks, so a slow, failing or rate-limited account only
ever waits on itself. The catch-up cursor advances only with pages from the platform's
history endpoint, committed in the same transaction as their events: live pushes are
stored as they come (duplicates ignored) but never move the cursor, so an event the
push dropped or reordered is fetched by the next catch-up.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime

from workstation.domain.accounts import ShopAccount
from workstation.domain.messages import EventKind, Message, MessageType, Sender
from workstation.secrets import SecretStore, SecretsUnavailable
from workstation.shops.base import AuthExpired, PlatformError, RateLimited, ShopConnector, ShopError, ShopEvent, Tokens
from workstation.shops.connector_base import SignatureRejected
from workstation.store import StoreWorker
from workstation.store import messages as store
from workstation.sync.backoff import Backoff
from workstation.sync.credentials import MissingSecret, load_credentials, load_tokens, save_tokens
from workstation.sync.listener import Listeners
from workstation.sync.outbox import Outbox
from workstation.sync.policy import SyncPolicy
from workstation.sync.state import AccountState
from workstation.sync.timeouts import wait_event, within

log = logging.getLogger(__name__)


class NeedsLogin(Exception):
    pass


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "平台响应超时"
    text = str(exc)
    return text if text else type(exc).__name__


class AccountSession:
    def __init__(
        self,
        account: ShopAccount,
        connector: ShopConnector,
        worker: StoreWorker,
        secrets: SecretStore,
        listeners: Listeners,
        policy: SyncPolicy,
    ):
        if account.id is None:
            raise ValueError("an account must be saved (have an id) before it can sync")
        self.account = account
        self.connector = connector
        self.worker = worker
        self.secrets = secrets
        self.listeners = listeners
        self.policy = policy
        self.state = AccountState.CONNECTING
        self.detail = ""
        self.stats = {"received": 0, "stored": 0, "duplicates": 0, "skipped": 0, "reconnects": 0, "refreshes": 0}
        self.outbox = Outbox(self)
        self._tokens: Tokens | None = None
        self._tokens_adopted_at: datetime | None = None
        self.token_generation = 0
        self._stored_tokens_unproven = False  # tokens from the keyring that no call has accepted yet
        self._token_lock = asyncio.Lock()
        self._persist_lock = asyncio.Lock()
        self._persisted: Tokens | None = None
        self._persisting: set[asyncio.Task] = set()
        if hasattr(connector, "on_tokens"):
            connector.on_tokens = self._on_connector_tokens
        self._catch_up_lock = asyncio.Lock()
        self._signed_in = asyncio.Event()
        self._sweep_soon = asyncio.Event()
        self._tasks: dict[str, asyncio.Task] = {}
        self._stopping = False

    @property
    def account_id(self) -> int:
        return self.account.id  # type: ignore[return-value]

    # ---- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        name = self.account.key
        self._tasks = {
            "run": asyncio.create_task(self._run(), name=f"sync-run {name}"),
            "sweep": asyncio.create_task(self._sweep_loop(), name=f"sync-sweep {name}"),
            "refresh": asyncio.create_task(self._refresh_loop(), name=f"sync-refresh {name}"),
            "outbox": asyncio.create_task(self.outbox.run(), name=f"sync-outbox {name}"),
        }
        for task in self._tasks.values():
            task.add_done_callback(self._task_done)
        self._set_state(AccountState.CONNECTING, "")

    def _task_done(self, task: asyncio.Task) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("%s: task %s ended with an error", self.account.key, task.get_name(), exc_info=exc)

    async def stop(self) -> None:
        self._stopping = True
        # Cancel again while any task still runs: a library may swallow one cancellation
        # (asyncio.wait_for on 3.11 does), and a connector stuck in its own clean-up must
        # not hold up quitting the app.
        stuck = {task for task in self._tasks.values() if not task.done()}
        deadline = asyncio.get_running_loop().time() + self.policy.stop_timeout_s
        while stuck and asyncio.get_running_loop().time() < deadline:
            for task in stuck:
                task.cancel()
            _, stuck = await asyncio.wait(stuck, timeout=0.5)
        if stuck:
            for task in stuck:
                log.warning("%s: task %s did not stop within %.0fs", self.account.key, task.get_name(),
                            self.policy.stop_timeout_s)
                for line in task.get_stack(limit=8):
                    log.warning("  at %s:%s", line.f_code.co_filename, line.f_lineno)
        if self._persisting:  # let a keyring write in progress finish rather than tear it
            await asyncio.wait(list(self._persisting), timeout=5)
        try:
            await within(5, self.connector.aclose())
        except Exception:
            log.warning("%s: closing the connector failed", self.account.key, exc_info=True)

    def _set_state(self, state: AccountState, detail: str) -> None:
        if self._stopping or (state is self.state and detail == self.detail):
            return
        if state is not self.state:
            log.info("%s: %s → %s %s", self.account.key, self.state.value, state.value, detail)
        self.state, self.detail = state, detail
        self.listeners.account_state(self.account_id, state, detail)

    # ---- sign-in and tokens ----------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        return self._tokens is not None

    async def wait_signed_in(self) -> None:
        await self._signed_in.wait()

    async def _call(self, awaitable):
        return await within(self.policy.call_timeout_s, awaitable)

    async def _sign_in(self) -> None:
        """Reuse the stored token, else refresh it, else sign in with the stored secrets."""
        try:
            credentials = await asyncio.to_thread(load_credentials, self.secrets, self.account)
        except MissingSecret as exc:
            raise NeedsLogin(str(exc)) from exc
        use_credentials = getattr(self.connector, "use_credentials", None)
        if use_credentials is not None:
            use_credentials(credentials)  # signing needs the app secret even with a stored token
        tokens = await asyncio.to_thread(load_tokens, self.secrets, self.account)
        now = datetime.now(UTC)
        if tokens is not None and (tokens.access_expires_at - now).total_seconds() > self.policy.refresh_margin_s:
            self.connector.use_tokens(tokens)
            self._accept_tokens(tokens)
            self._persisted = tokens
            self._stored_tokens_unproven = True
            return
        if tokens is not None and tokens.refresh_token and (
            tokens.refresh_expires_at is None or tokens.refresh_expires_at > now
        ):
            self.connector.use_tokens(tokens)
            try:
                await self._adopt(await self._call(self.connector.refresh()))
                self._stored_tokens_unproven = True
                return
            except AuthExpired as exc:
                log.info("%s: stored refresh token refused (%s); signing in", self.account.key, exc)
        try:
            tokens = await self._call(self.connector.sign_in(credentials))
        except SignatureRejected:
            raise  # a wrong clock or app secret, not the agent's password: shown as 错误 and retried
        except (AuthExpired, PlatformError) as exc:
            raise NeedsLogin(f"登录失败：{_describe(exc)}") from exc
        await self._adopt(tokens)

    def _on_connector_tokens(self, tokens: Tokens) -> None:
        """The connector signed in or refreshed on its own (e.g. just before expiry): keep the keyring in step."""
        if tokens is self._tokens:
            return
        self._accept_tokens(tokens)
        task = asyncio.get_running_loop().create_task(self._persist_latest())
        self._persisting.add(task)
        task.add_done_callback(self._persisting.discard)

    def _accept_tokens(self, tokens: Tokens) -> None:
        if tokens is self._tokens:
            return
        self._tokens = tokens
        self._tokens_adopted_at = datetime.now(UTC)
        self.token_generation += 1
        self._signed_in.set()

    async def _adopt(self, tokens: Tokens) -> None:
        self.connector.use_tokens(tokens)
        self._accept_tokens(tokens)
        await self._persist_latest()

    async def _persist_latest(self) -> None:
        # Always write the newest tokens, in order: 快手 rotates the refresh token on every
        # refresh, so an older pair landing last would leave a dead refresh token in the keyring.
        async with self._persist_lock:
            tokens = self._tokens
            if tokens is None or tokens is self._persisted:
                return
            try:
                await asyncio.to_thread(save_tokens, self.secrets, self.account, tokens)
                self._persisted = tokens
            except SecretsUnavailable as exc:
                # The session goes on with the token in memory; only a restart needs a new sign-in.
                log.warning("%s: token not saved to the keyring: %s", self.account.key, exc)

    async def recover_auth(self, generation: int) -> bool:
        """A call was refused for its token: refresh once (shared by every caller). False = needs login."""
        async with self._token_lock:
            if self.token_generation != generation and self._tokens is not None:
                return True  # someone else refreshed since that call started
            if self.state is AccountState.NEEDS_LOGIN:
                return False
            try:
                tokens = await self._call(self.connector.refresh())
            except AuthExpired as exc:
                if self._stored_tokens_unproven and await self._sign_in_with_password():
                    return True
                await self._lose_login(f"登录已失效，刷新令牌失败：{_describe(exc)}")
                return False
            self.stats["refreshes"] += 1
            await self._adopt(tokens)
            return True

    async def _sign_in_with_password(self) -> bool:
        """Tokens kept from an earlier run were refused (revoked while the app was closed, or a
        restarted platform): with a stored password, signing in again is what the agent would do."""
        self._stored_tokens_unproven = False
        try:
            credentials = await asyncio.to_thread(load_credentials, self.secrets, self.account)
            if not credentials.password:
                return False
            log.info("%s: stored tokens refused; signing in again with the stored password", self.account.key)
            await self._adopt(await self._call(self.connector.sign_in(credentials)))
            return True
        except (MissingSecret, SecretsUnavailable, AuthExpired, PlatformError) as exc:
            log.info("%s: signing in again failed: %s", self.account.key, _describe(exc))
            return False

    async def _lose_login(self, detail: str) -> None:
        self._tokens = None
        self._signed_in.clear()
        self._set_state(AccountState.NEEDS_LOGIN, detail)
        current = asyncio.current_task()
        for name in ("run", "sweep", "refresh"):
            task = self._tasks.get(name)
            if task is not None and task is not current:
                task.cancel()
        self.outbox.wake()

    def _refresh_due_in(self) -> float:
        tokens = self._tokens
        assert tokens is not None and self._tokens_adopted_at is not None
        now = datetime.now(UTC)
        lifetime = (tokens.access_expires_at - self._tokens_adopted_at).total_seconds()
        margin = min(self.policy.refresh_margin_s, max(lifetime, 0) * self.policy.refresh_margin_share)
        return (tokens.access_expires_at - now).total_seconds() - margin

    async def _refresh_loop(self) -> None:
        """Refresh the access token before it expires, so no call meets an expired token."""
        backoff = Backoff(self.policy.backoff_base_s, self.policy.backoff_cap_s)
        while True:
            await self._signed_in.wait()
            due = self._refresh_due_in()
            if due > 0:
                await asyncio.sleep(min(due, 60.0))
                continue
            try:
                if not await self.recover_auth(self.token_generation):
                    return
                backoff.reset()
            except (ShopError, TimeoutError, OSError) as exc:
                delay = max(getattr(exc, "retry_after", 0.0), backoff.next_delay())
                log.info("%s: token refresh failed (%s), retrying in %.1fs", self.account.key, _describe(exc), delay)
                await asyncio.sleep(delay)

    # ---- events ---------------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = Backoff(self.policy.backoff_base_s, self.policy.backoff_cap_s)
        auth_refusals = 0  # in a row; a token refused again right after a refresh must not spin
        while True:
            generation = self.token_generation
            try:
                if self._tokens is None:
                    await self._sign_in()
                    generation = self.token_generation
                await self.catch_up()
                self._set_state(AccountState.CONNECTED, "")
                self._stored_tokens_unproven = False
                backoff.reset()
                auth_refusals = 0
                # Events that land between the catch-up and the push subscription are in
                # neither: one more catch-up shortly after the stream is up covers them.
                self._sweep_soon.set()
                await self._follow_live_stream()
                raise ConnectionResetError("推送连接已关闭")
            except NeedsLogin as exc:
                await self._lose_login(str(exc))
                return
            except AuthExpired as exc:
                auth_refusals += 1
                if auth_refusals > 3:
                    await self._lose_login(f"登录已失效：{_describe(exc)}")
                    return
                if not await self.recover_auth(generation):
                    return
                if auth_refusals > 1:
                    await asyncio.sleep(backoff.next_delay())
                continue
            except RateLimited as exc:
                delay = max(exc.retry_after, backoff.next_delay())
                self._set_state(AccountState.RECONNECTING, f"平台限流，{delay:.0f} 秒后重试（{_describe(exc)}）")
            except SignatureRejected as exc:
                # Retrying soon will not fix a wrong system clock or app secret; say what to do.
                delay = self.policy.backoff_cap_s
                self._set_state(AccountState.ERROR, _describe(exc))
            except (ShopError, TimeoutError, OSError) as exc:
                delay = backoff.next_delay()
                self._set_state(AccountState.RECONNECTING, _describe(exc))
            except SecretsUnavailable as exc:
                delay = self.policy.backoff_cap_s
                self._set_state(AccountState.ERROR, str(exc))
            except Exception as exc:
                log.exception("%s: unexpected error in the sync loop", self.account.key)
                delay = backoff.next_delay()
                self._set_state(AccountState.ERROR, _describe(exc))
            self.stats["reconnects"] += 1
            log.info("%s: reconnecting in %.1fs (%s)", self.account.key, delay, self.detail)
            await asyncio.sleep(delay)

    async def _follow_live_stream(self) -> None:
        cursor = await self.worker.call(store.get_cursor, self.account_id)
        stream = self.connector.events(cursor)
        try:
            async for event in stream:
                await self._ingest([event], None)
        finally:
            closer = getattr(stream, "aclose", None)
            if closer is not None:
                try:
                    await closer()
                except Exception:
                    log.debug("%s: closing the event stream failed", self.account.key, exc_info=True)

    async def catch_up(self) -> int:
        """Fetch everything after the committed cursor, page by page; returns how many were new."""
        async with self._catch_up_lock:
            cursor = await self.worker.call(store.get_cursor, self.account_id)
            new = 0
            while True:
                page = await self._call(self.connector.catch_up(cursor, self.policy.catch_up_page))
                next_cursor = page.next_cursor or cursor
                new += await self._ingest(list(page.events), next_cursor)
                if not page.has_more or next_cursor == cursor:
                    return new
                cursor = next_cursor

    async def _sweep_loop(self) -> None:
        while True:
            if await wait_event(self._sweep_soon, self.policy.sweep_interval_s * random.uniform(0.8, 1.2)):
                self._sweep_soon.clear()
                await asyncio.sleep(self.policy.post_connect_catch_up_s)
            if self.state is not AccountState.CONNECTED:
                continue
            generation = self.token_generation
            try:
                new = await self.catch_up()
                if new:
                    log.info("%s: catch-up found %d events the push had not delivered", self.account.key, new)
                if self.state is AccountState.CONNECTED and self.detail:
                    self._set_state(AccountState.CONNECTED, "")  # the limit has passed
            except AuthExpired:
                if not await self.recover_auth(generation):
                    return
            except RateLimited as exc:
                self.note_rate_limited(exc)
                await asyncio.sleep(exc.retry_after)
            except (ShopError, TimeoutError, OSError) as exc:
                log.info("%s: periodic catch-up failed: %s", self.account.key, _describe(exc))
            except Exception:
                log.exception("%s: periodic catch-up failed", self.account.key)

    def note_rate_limited(self, exc: RateLimited) -> None:
        """The push still works but calls are refused: say so on the account (shown on hover)."""
        log.info("%s: rate limited for %.0fs: %s", self.account.key, exc.retry_after, exc)
        if self.state is AccountState.CONNECTED:
            self._set_state(AccountState.CONNECTED, f"平台限流，约 {exc.retry_after:.0f} 秒后恢复（{_describe(exc)}）")

    def _accept(self, events: list) -> list[Message]:
        """Keep the well-formed events of this shop; log and skip the rest."""
        accepted = []
        for event in events:
            message = getattr(event, "message", None)
            problem = None
            if not isinstance(event, ShopEvent) or not isinstance(message, Message):
                problem = "not an event"
            elif not message.message_id or not message.conversation_id:
                problem = "missing message or conversation id"
            elif message.platform is not self.account.platform or message.shop_id != self.account.shop_id:
                problem = f"belongs to {getattr(message.platform, 'value', message.platform)}:{message.shop_id}"
            elif not isinstance(message.type, MessageType) or not isinstance(message.sender, Sender):
                problem = f"unknown message type or sender {message.type!r}/{message.sender!r}"
            elif message.type is MessageType.EVENT and not isinstance(message.event, EventKind):
                problem = f"unknown event kind {message.event!r}"
            else:
                try:
                    store.message_row(message)
                except (TypeError, AttributeError, ValueError) as exc:
                    problem = f"cannot be stored: {exc}"
            if problem:
                self.stats["skipped"] += 1
                log.warning("%s: skipped a malformed event (%s)", self.account.key, problem)
                continue
            accepted.append(message)
        return accepted

    async def _ingest(self, events: list, cursor: str | None) -> int:
        """Commit, then tell the listeners: nothing reaches the UI that is not stored."""
        messages = self._accept(events)
        self.stats["received"] += len(messages)
        if not messages and cursor is None:
            return 0
        ingested = await self.worker.call(store.insert_events, self.account_id, messages, cursor)
        self.stats["stored"] += len(ingested.new_messages)
        self.stats["duplicates"] += len(messages) - len(ingested.new_messages)
        self.announce(ingested)
        return len(ingested.new_messages)

    def announce(self, ingested: store.Ingested) -> None:
        self.listeners.messages(ingested.new_messages)
        for conversation in ingested.conversations:
            self.listeners.conversation(conversation)
