"""What can go wrong in the side panel's work, each with a Chinese message for the agent.

Connector errors (`workstation.shops.base`) are translated here once, so every tab
says the same thing for the same trouble; the technical detail goes to the log.
"""

from __future__ import annotations

import asyncio

from workstation.shops.base import AuthExpired, NetworkDown, PlatformError, RateLimited, ShopError


class CommerceError(Exception):
    """`str()` is a complete Chinese sentence for the agent."""


class InvalidOrderNumber(CommerceError):
    pass


class OrderNotFound(CommerceError):
    pass


class CouponRefused(CommerceError):
    """The coupon cannot go to this buyer; `reason` is expired | limit | stock | not_found | other."""

    def __init__(self, message: str, reason: str = "other"):
        super().__init__(message)
        self.reason = reason


class CouponOutcomeUnknown(CommerceError):
    """The request left but no answer came, and the platform could not be asked yet."""


class ProductUnavailable(CommerceError):
    pass


class RatingNotAllowed(CommerceError):
    pass


class NoteNotPushed(CommerceError):
    """Saved locally, but the platform's buyer-remark endpoint refused or could not be reached."""


# Platform refusals, recognised by the emulator's kind names (in sub_code / en_desc) and
# by the Chinese words the platforms use in their messages.
_REFUSALS = {
    "expired": ("coupon_expired", "有效期", "已过期", "已失效", "expired"),
    "limit": ("coupon_limit", "限领", "超过每人", "已领取", "limit"),
    "stock": ("coupon_out_of_stock", "已发完", "库存不足", "已领完", "out_of_stock"),
    "not_found": ("not_found", "不存在", "not found", "not exist"),
}


def refusal_kind(error: PlatformError) -> str | None:
    text = " ".join(str(part) for part in (error.code, error.sub_code, error.platform_message, error)).lower()
    for kind, needles in _REFUSALS.items():
        if any(needle.lower() in text for needle in needles):
            return kind
    return None


def explain(error: BaseException, doing: str) -> str:
    """One sentence: what failed while `doing` (e.g. "查询订单") and what the agent can do."""
    if isinstance(error, CommerceError):
        return str(error)
    if isinstance(error, AuthExpired):
        return f"{doing}失败：店铺账号登录已失效，请重新登录该店铺后再试。"
    if isinstance(error, RateLimited):
        wait = max(1, int(error.retry_after + 0.999))
        return f"{doing}失败：平台接口调用太频繁，请约 {wait} 秒后再试。"
    if isinstance(error, (NetworkDown, asyncio.TimeoutError, TimeoutError, ConnectionError)):
        return f"{doing}失败：网络连接中断或平台没有响应，请检查网络后重试。"
    if isinstance(error, PlatformError):
        detail = error.platform_message or str(error)
        return f"{doing}失败：平台返回“{detail}”。"
    if isinstance(error, ShopError):
        return f"{doing}失败：{error}"
    return f"{doing}失败：发生了意外错误，详情已写入日志。"
