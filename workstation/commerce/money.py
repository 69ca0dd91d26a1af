"""Money in fen shown as agents and buyers read it: ¥12.50, 满199减20."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))  # platforms state validity in Beijing time


def yuan(fen: int) -> str:
    """12050 → "120.50", 19900 → "199"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}" if cents == 0 else f"{sign}{whole}.{cents:02d}"


def price(fen: int) -> str:
    return f"¥{yuan(fen)}"


def threshold_text(threshold_fen: int, discount_fen: int) -> str:
    if threshold_fen <= 0:
        return f"无门槛减{yuan(discount_fen)}元"
    return f"满{yuan(threshold_fen)}元减{yuan(discount_fen)}元"


def china_time(moment: datetime, now: datetime | None = None, *, with_time: bool = True) -> str:
    """11月27日 23:59 (the year only when it is not the current one), in Beijing time."""
    local = moment.astimezone(CHINA)
    current = (now or datetime.now(timezone.utc)).astimezone(CHINA)
    date = f"{local.month}月{local.day}日" if local.year == current.year else f"{local.year}年{local.month}月{local.day}日"
    return f"{date} {local:%H:%M}" if with_time else date
