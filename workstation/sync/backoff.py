"""Exponential backoff with jitter, so twenty accounts that lost the network together do not retry in step."""

from __future__ import annotations

import random
from typing import Callable


class Backoff:
    """Delays grow base, 2·base, 4·base… up to `cap`; each is drawn from [d/2, d] ("equal jitter")."""

    def __init__(self, base: float = 1.0, cap: float = 60.0, rng: Callable[[], float] = random.random):
        self.base = base
        self.cap = cap
        self._rng = rng
        self.failures = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * (2 ** min(self.failures, 30)))
        self.failures += 1
        return ceiling / 2 + self._rng() * ceiling / 2

    def reset(self) -> None:
        self.failures = 0
