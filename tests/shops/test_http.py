"""The shared gateway call: retries for safe calls only, and what each transport failure means."""

from __future__ import annotations

import random

import httpx
import pytest

from workstation.domain.platforms import Platform
from workstation.shops.base import NetworkDown, RateLimited
from workstation.shops.http import RetryPolicy, call_gateway
from workstation.shops.ratelimit import Limit, TokenBucket


class Script:
    """A transport that plays answers (or raises) in order and counts requests."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


async def _call(script: Script, *, idempotent: bool, **kwargs):
    slept = []

    async def sleep(seconds):
        slept.append(seconds)

    client = httpx.AsyncClient(transport=httpx.MockTransport(script))
    try:
        reply = await call_gateway(client, "POST", "http://gw.test/router", idempotent=idempotent, what="t.method",
                                   sleep=sleep, rng=random.Random(1), **kwargs)
        return reply, slept
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_safe_call_retries_5xx_and_malformed_json_with_growing_jittered_backoff():
    script = Script(httpx.Response(503, text="busy"), httpx.Response(200, content=b'{"a": '),
                    httpx.Response(200, json={"ok": 1}))
    reply, slept = await _call(script, idempotent=True)
    assert reply.body == {"ok": 1} and script.calls == 3
    assert 0.1 <= slept[0] <= 0.2 and 0.2 <= slept[1] <= 0.4


@pytest.mark.asyncio
async def test_unsafe_call_is_never_retried_and_reports_the_request_may_have_arrived():
    script = Script(httpx.Response(504, text="gateway timeout"), httpx.Response(200, json={}))
    with pytest.raises(NetworkDown) as down:
        await _call(script, idempotent=False)
    assert down.value.request_sent is True and script.calls == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("error, sent", [
    (httpx.ConnectError("refused"), False),
    (httpx.ConnectTimeout("slow connect"), False),
    (httpx.ReadTimeout("no answer"), True),
    (httpx.RemoteProtocolError("peer closed"), True),
    (httpx.WriteError("broken pipe"), True),
])
async def test_transport_errors_say_whether_the_request_left(error, sent):
    with pytest.raises(NetworkDown) as down:
        await _call(Script(error), idempotent=False)
    assert down.value.request_sent is sent


@pytest.mark.asyncio
async def test_malformed_json_reply_is_ambiguous_with_a_clear_message():
    with pytest.raises(NetworkDown) as down:
        await _call(Script(httpx.Response(200, content=b"<html>oops")), idempotent=False)
    assert "无法解析" in str(down.value) and down.value.request_sent


@pytest.mark.asyncio
async def test_http_429_is_rate_limited_with_retry_after():
    with pytest.raises(RateLimited) as limited:
        await _call(Script(httpx.Response(429, headers={"Retry-After": "7"})), idempotent=True)
    assert limited.value.retry_after == 7


@pytest.mark.asyncio
async def test_each_attempt_is_prepared_afresh():
    script = Script(httpx.Response(502), httpx.Response(200, json={"ok": True}))
    stamps = iter(["1", "2"])
    seen = []

    def recorder(request):
        seen.append(request.url.params["timestamp"])
        return script(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(recorder))

    async def no_sleep(_):
        return None

    await call_gateway(client, "POST", "http://gw.test/", idempotent=True, what="x", sleep=no_sleep,
                       prepare=lambda: {"params": {"timestamp": next(stamps)}})
    await client.aclose()
    assert seen == ["1", "2"]


def test_retry_policy_caps_delay():
    policy = RetryPolicy(attempts=10, base_delay=0.5, max_delay=2.0)
    rng = random.Random(3)
    assert all(policy.delay(n, rng) <= 2.0 for n in range(1, 10))


@pytest.mark.asyncio
async def test_token_bucket_spaces_calls_and_pause_fails_fast():
    now = [0.0]
    slept = []

    async def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(Limit(per_second=2.0, burst=2), clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        await bucket.acquire()
    assert now[0] == pytest.approx(1.0)  # two free, then one every half second
    bucket.pause(30)
    with pytest.raises(RateLimited) as limited:
        await bucket.acquire()
    assert limited.value.retry_after == pytest.approx(30)
    now[0] += 31
    await bucket.acquire()


def test_every_platform_has_a_limit():
    from workstation.shops.ratelimit import PLATFORM_LIMITS
    from workstation.shops.emulator.world import GATEWAY_LIMITS
    for platform in Platform:
        limit = PLATFORM_LIMITS[platform]
        assert limit.per_second + limit.burst <= GATEWAY_LIMITS[platform]  # never trips the gateway's second


def test_request_urls_in_logs_have_tokens_and_signatures_masked(caplog):
    import logging

    import workstation.shops.http  # noqa: F401  (installs the filter)

    with caplog.at_level(logging.INFO, logger="httpx"):
        logging.getLogger("httpx").info('HTTP Request: %s %s "%s"', "GET",
                                        httpx.URL("http://gw/ws?app_key=k&access_token=SECRET1&sign=SIG&cursor=5"),
                                        "HTTP/1.1 101")
    text = caplog.text
    assert "SECRET1" not in text and "SIG" not in text
    assert "access_token=***" in text and "cursor=5" in text and "app_key=k" in text
