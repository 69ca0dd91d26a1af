"""Time limits that never swallow a cancellation.

On Python 3.11 `asyncio.wait_for` can lose a `cancel()` that arrives just as the awaited
call finishes (CPython gh-86296), so a stopping session would carry on. `asyncio.timeout`
does not have that flaw; `within` wraps it for single awaits.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, TypeVar

T = TypeVar("T")


async def within(seconds: float, awaitable: Awaitable[T]) -> T:
    """Await with a time limit; raises TimeoutError when it runs out."""
    async with asyncio.timeout(seconds):
        return await awaitable


async def wait_event(event: asyncio.Event, seconds: float) -> bool:
    """True when the event was set within `seconds`, False when the time ran out."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
        return True
    except TimeoutError:
        return False
