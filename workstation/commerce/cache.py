"""A small per-conversation cache: values age out, and concurrent loads of one key share a call."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable


class TimedCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._values: dict[str, tuple[float, Any]] = {}
        self._loading: dict[str, asyncio.Future] = {}

    def peek(self, key: str, max_age: float) -> tuple[bool, Any]:
        entry = self._values.get(key)
        if entry is None or self._clock() - entry[0] > max_age:
            return False, None
        return True, entry[1]

    def put(self, key: str, value: Any) -> None:
        self._values[key] = (self._clock(), value)

    def forget(self, *keys: str) -> None:
        """Forget the keys given, or everything that starts with one of them + ':'."""
        for key in list(self._values):
            if any(key == k or key.startswith(k + ":") for k in keys):
                del self._values[key]

    async def get(self, key: str, load: Callable[[], Awaitable[Any]], max_age: float, *, refresh: bool = False) -> Any:
        if not refresh:
            hit, value = self.peek(key, max_age)
            if hit:
                return value
        pending = self._loading.get(key)
        if pending is not None and not refresh:
            return await asyncio.shield(pending)
        future = asyncio.ensure_future(load())
        self._loading[key] = future
        future.add_done_callback(lambda done: self._settled(key, done))
        return await asyncio.shield(future)

    def _settled(self, key: str, future: asyncio.Future) -> None:
        current = self._loading.get(key) is future  # a refresh started later wins
        if current:
            del self._loading[key]
        if future.cancelled():
            return
        if future.exception() is None and current:
            self.put(key, future.result())
