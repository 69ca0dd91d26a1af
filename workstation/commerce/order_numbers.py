"""Order numbers as agents paste them, checked per platform before any call is made.

Shapes follow what each platform's seller back office shows (modelled, not a
published specification): 拼多多 `yyMMdd-` + 15 digits; 淘宝/天猫 16–20 digits;
抖店 19 digits; 快手 16–19 digits; 京东 10–14 digits.
"""

from __future__ import annotations

import re
import unicodedata

from workstation.commerce.errors import InvalidOrderNumber
from workstation.domain.platforms import Platform

_SHAPES: dict[Platform, tuple[re.Pattern, str]] = {
    Platform.PDD: (re.compile(r"\d{6}-\d{15}"), "拼多多订单号是“6位日期-15位数字”，例如 231125-123456789012345"),
    Platform.TAOBAO: (re.compile(r"\d{16,20}"), "淘宝/天猫订单号是16到20位数字"),
    Platform.DOUYIN: (re.compile(r"\d{19}"), "抖店订单号是19位数字"),
    Platform.KUAISHOU: (re.compile(r"\d{16,19}"), "快手订单号是16到19位数字"),
    Platform.JD: (re.compile(r"\d{10,14}"), "京东订单号是10到14位数字"),
}
_LABEL = re.compile(r"^(订单号|订单编号|订单|单号|order(?:\s*id|_sn|\s*no)?)\s*[:：#]?\s*", re.IGNORECASE)
_DASHES = dict.fromkeys(map(ord, "－—–‐‑−"), "-")


def normalize_order_number(text: str) -> str:
    """Full-width digits to ASCII, labels (订单号：) and spaces removed, dashes unified."""
    value = unicodedata.normalize("NFKC", text or "").translate(_DASHES).strip()
    value = _LABEL.sub("", value)
    return re.sub(r"\s+", "", value)


def validate_order_number(platform: Platform, text: str) -> str:
    """Return the normalised number or raise InvalidOrderNumber with a Chinese explanation."""
    value = normalize_order_number(text)
    if not value:
        raise InvalidOrderNumber("请输入订单号。")
    shape, hint = _SHAPES[Platform(platform)]
    if not shape.fullmatch(value):
        raise InvalidOrderNumber(f"“{value[:40]}”不是有效的{Platform(platform).label}订单号：{hint}。请检查后重新输入。")
    return value


def looks_like_order_number(platform: Platform, text: str) -> bool:
    shape, _ = _SHAPES[Platform(platform)]
    return bool(shape.fullmatch(normalize_order_number(text)))
