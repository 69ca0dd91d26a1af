"""One way to call a platform gateway: timeouts, retries for safe calls, and clear errors.

Transport failures become `NetworkDown` with `request_sent` saying whether the
platform may have seen the request — the sync engine reconciles those before any
retry of a send. Only calls marked `idempotent` are retried here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import httpx

from workstation.shops.base import NetworkDown, RateLimited

log = logging.getLogger(__name__)

# Gateways carry tokens and signatures in the query string (and WebSocket URLs must);
# httpx logs every request URL at INFO, so those values are masked before any handler sees them.
_SECRET_QUERY = re.compile(
    r"(?i)\b(access_token|session|refresh_token|app_secret|client_secret|sign|code|password)=([^&\s\"']+)")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(_SECRET_QUERY.sub(r"\1=***", str(a)) if isinstance(a, (str, httpx.URL)) else a
                                for a in (record.args if isinstance(record.args, tuple) else (record.args,)))
        if isinstance(record.msg, str):
            record.msg = _SECRET_QUERY.sub(r"\1=***", record.msg)
        return True


for _name in ("httpx", "httpx_ws", __name__):
    if not any(isinstance(f, RedactSecrets) for f in logging.getLogger(_name).filters):
        logging.getLogger(_name).addFilter(RedactSecrets())

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 3.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with full jitter (attempt counts from 1)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return rng.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True, slots=True)
class GatewayReply:
    status: int
    body: Any
    headers: httpx.Headers


def _retry_after(response: httpx.Response, default: float = 1.0) -> float:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return default


def _not_sent(exc: Exception) -> bool:
    """True when the request certainly never reached the server."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol))


async def call_gateway(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    idempotent: bool,
    what: str,
    params: dict | None = None,
    data: dict | None = None,
    json_body: Any = None,
    content: bytes | None = None,
    headers: dict | None = None,
    retry: RetryPolicy = RetryPolicy(),
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    prepare: Callable[[], dict] | None = None,
) -> GatewayReply:
    """Send one request and return the decoded JSON.

    `prepare`, when given, is called before every attempt and returns fresh keyword
    arguments (method/url/headers/params/data/json_body/content) — a retried request needs a new
    timestamp and signature. `what` names the call in errors and the log.
    """
    rng = rng or random.Random()
    attempts = retry.attempts if idempotent else 1
    last: Exception | None = None
    for attempt in range(1, attempts + 1):
        kwargs = dict(method=method, url=url, headers=headers, params=params, data=data, json=json_body,
                      content=content)
        if prepare is not None:
            fresh = prepare()  # may also set method, url and headers
            kwargs.update({("json" if k == "json_body" else k): v for k, v in fresh.items()})
        try:
            response = await client.request(**{k: v for k, v in kwargs.items() if v is not None})
        except httpx.HTTPError as exc:
            sent = not _not_sent(exc)
            last = NetworkDown(f"网络连接失败（{what}）：{type(exc).__name__}", request_sent=sent)
            log.info("%s: transport error %s (request_sent=%s, attempt %d)", what, type(exc).__name__, sent, attempt)
        else:
            if response.status_code == 429:
                raise RateLimited(f"平台限流（{what}），请稍后再试", _retry_after(response))
            if response.status_code >= 500:
                last = NetworkDown(f"平台服务暂时不可用（{what}，HTTP {response.status_code}）", request_sent=True)
                log.info("%s: HTTP %d (attempt %d)", what, response.status_code, attempt)
            else:
                try:
                    body = json.loads(response.content.decode("utf-8")) if response.content else None
                except (UnicodeDecodeError, json.JSONDecodeError):
                    last = NetworkDown(f"平台返回的数据无法解析（{what}）", request_sent=True)
                    log.warning("%s: unreadable reply (HTTP %d, %d bytes)", what, response.status_code, len(response.content))
                else:
                    if body is None and response.status_code != 204:
                        last = NetworkDown(f"平台返回了空响应（{what}）", request_sent=True)
                    else:
                        return GatewayReply(response.status_code, body, response.headers)
        if attempt < attempts:
            await sleep(retry.delay(attempt, rng))
    assert last is not None
    raise last
