"""Orders, coupons and products as the side panel shows them, whatever the platform.

Money is in fen (integer cents of a yuan) so no figure ever rounds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class CouponKind(enum.StrEnum):
    SHOP = "shop"        # 店铺满减券
    PRODUCT = "product"  # 商品满减券

    @property
    def label(self) -> str:
        return "店铺满减券" if self is CouponKind.SHOP else "商品满减券"


@dataclass(frozen=True, slots=True)
class OrderItem:
    product_id: str
    title: str
    quantity: int
    price_fen: int
    image_url: str = ""
    sku: str = ""


@dataclass(frozen=True, slots=True)
class LogisticsEvent:
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    buyer_id: str
    status: str        # the platform's own status code
    status_text: str   # what the agent reads: 待发货, 已发货, 已签收, 退款中…
    amount_fen: int
    created_at: datetime
    items: tuple[OrderItem, ...] = ()
    receiver_masked: str = ""   # 张*
    phone_masked: str = ""      # 138****8000
    address_masked: str = ""
    carrier: str = ""
    tracking_no: str = ""
    logistics: tuple[LogisticsEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class Coupon:
    """A coupon created for the customer-service channel (客服发券)."""

    coupon_id: str
    kind: CouponKind
    title: str
    threshold_fen: int
    discount_fen: int
    valid_from: datetime
    valid_to: datetime
    stock_left: int
    per_buyer_limit: int
    buyer_received: int = 0  # how many this buyer already holds, when asked for a buyer
    product_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Product:
    product_id: str
    title: str
    price_fen: int
    stock: int
    image_url: str = ""
    on_sale: bool = True
    extra: dict = field(default_factory=dict, compare=False)
