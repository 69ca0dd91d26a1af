"""Per-account token bucket, so one busy shop never trips its platform's call limit.

The gateways count calls per shop in a sliding second; a full bucket plus one second's
refill (`burst + per_second`) stays within what the emulator enforces
(`workstation/shops/emulator/world.py`, `GATEWAY_LIMITS`). The real platforms publish
per-API quotas per app and per shop; these are deliberately conservative.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

from workstation.domain.platforms import Platform
from workstation.shops.base import RateLimited


@dataclass(frozen=True, slots=True)
class Limit:
    per_second: float
    burst: int


# Calls per second per shop account, and how many may go at once after a quiet spell.
PLATFORM_LIMITS: dict[Platform, Limit] = {
    Platform.PDD: Limit(per_second=10.0, burst=10),
    Platform.TAOBAO: Limit(per_second=10.0, burst=10),
    Platform.DOUYIN: Limit(per_second=8.0, burst=8),
    Platform.KUAISHOU: Limit(per_second=8.0, burst=8),
    Platform.JD: Limit(per_second=7.0, burst=7),
}


class TokenBucket:
    """`await acquire()` waits until a call may go; fair in arrival order."""

    def __init__(self, limit: Limit, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(limit.burst)
        self._updated = clock()
        self._lock = asyncio.Lock()
        self._paused_until = 0.0

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.limit.burst), self._tokens + elapsed * self.limit.per_second)
        self._updated = now

    def pause(self, seconds: float) -> None:
        """The platform said "slow down": hold every call of this account for `seconds`."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self._tokens = 0.0

    async def acquire(self) -> None:
        """Wait for a token; while the platform's "slow down" lasts, fail at once with RateLimited
        (the caller — the sync engine — decides when to come back, and other accounts go on)."""
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    remaining = self._paused_until - now
                    raise RateLimited(f"平台限流中，{remaining:.0f} 秒后再试", remaining)
                self._refill()
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                await self._sleep((1.0 - self._tokens) / self.limit.per_second)


def bucket_for(platform: Platform) -> TokenBucket:
    return TokenBucket(PLATFORM_LIMITS[platform])
