"""The engine's timings in one place, so tests can run the same code fast."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SyncPolicy:
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 60.0
    refresh_margin_s: float = 300.0     # refresh this long before the access token expires…
    refresh_margin_share: float = 0.2   # …or this share of its lifetime, whichever is shorter
    sweep_interval_s: float = 10.0      # catch-up while connected, for events the push lost silently
    post_connect_catch_up_s: float = 1.0  # one more catch-up this long after each (re)connect
    call_timeout_s: float = 20.0
    send_timeout_s: float = 15.0
    reconcile_delay_s: float = 1.0      # let a request still in flight land before asking the platform
    sends_in_parallel: int = 4          # per account; messages of one conversation always go one by one
    max_send_attempts: int = 5
    max_reconcile_attempts: int = 8
    max_rate_limited_wait_s: float = 300.0
    catch_up_page: int = 200
    stop_timeout_s: float = 5.0
