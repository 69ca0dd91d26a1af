"""What platforms put on the wire, read and written one way: money, times, key case, parameters.

Money arrives as yuan strings ("12.50", TOP and JOS), yuan numbers (PDD) or fen
integers (抖店, 快手); it always leaves here as integer fen. Times arrive as GMT+8 text
or Unix seconds/milliseconds and always leave timezone-aware.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from workstation.domain.commerce import LogisticsEvent, Order, OrderItem
from workstation.domain.platforms import Platform
from workstation.shops.base import PlatformError

CST = timezone(timedelta(hours=8))


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def fen_from_yuan(value: Any) -> int:
    """"12.50" or 12.5 yuan → 1250 fen, without float rounding."""
    try:
        return int((Decimal(str(value)) * 100).quantize(Decimal(1)))
    except (InvalidOperation, ValueError):
        raise PlatformError("平台返回的金额格式不正确", platform_message=str(value)) from None


def wire_value(value: Any) -> str:
    """A business parameter as form-encoded gateways (PDD, TOP) carry it: objects as compact JSON."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def cst_time(text: Any) -> datetime:
    return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)


def unix_time(value: Any, *, millis: bool = False) -> datetime:
    number = int(value)
    return datetime.fromtimestamp(number / 1000 if millis else number, timezone.utc)


def snake_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


def camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            head, *rest = k.split("_")
            out[head + "".join(p[:1].upper() + p[1:] for p in rest)] = camel_keys(v)
        return out
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def order_from(platform: Platform, *, order_id: Any, buyer_id: Any, status: Any, status_text: str, amount_fen: int,
               created_at: datetime, items: list[OrderItem], receiver: str = "", phone: str = "", address: str = "",
               carrier: str = "", tracking_no: str = "", logistics: list[LogisticsEvent] | None = None) -> Order:
    return Order(order_id=str(order_id), buyer_id=str(buyer_id), status=str(status), status_text=status_text,
                 amount_fen=amount_fen, created_at=created_at, items=tuple(items), receiver_masked=receiver,
                 phone_masked=phone, address_masked=address, carrier=carrier, tracking_no=tracking_no,
                 logistics=tuple(sorted(logistics or [], key=lambda e: e.at)))
