"""The contract every platform connector meets, and the errors it may raise.

The sync engine and the side panel talk only to this protocol; what a platform
calls things, how it signs requests and how its errors look stay inside its
connector module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import AsyncIterator, Protocol, runtime_checkable

from workstation.domain.commerce import Coupon, Order, Product
from workstation.domain.messages import Message, MessageType
from workstation.domain.platforms import Platform


# ---- errors -----------------------------------------------------------------

class ShopError(Exception):
    """Base of every connector error; `str()` is a short Chinese message for the agent."""


class AuthExpired(ShopError):
    """The token is invalid or revoked and refreshing did not help: the agent must sign in again."""


class RateLimited(ShopError):
    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class PlatformError(ShopError):
    """The platform refused the call; keeps the platform's own code and message."""

    def __init__(self, message: str, *, code: str = "", sub_code: str = "", platform_message: str = ""):
        super().__init__(message)
        self.code = code
        self.sub_code = sub_code
        self.platform_message = platform_message


class NetworkDown(ShopError):
    """No answer: connection refused, reset, timed out or the reply was unreadable.

    `request_sent` tells the sync engine whether the request may have reached the
    platform (an ambiguous failure that must be reconciled before any retry).
    """

    def __init__(self, message: str, *, request_sent: bool = False):
        super().__init__(message)
        self.request_sent = request_sent


# ---- values -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Credentials:
    """What signing in needs. Secrets arrive from the keyring, never from the database."""

    gateway: str          # base URL the connector calls
    app_key: str
    app_secret: str
    login: str
    password: str = ""
    sign_secret: str = ""  # Kuaishou signs with a key separate from the app secret
    shop_id: str = ""
    # How an OAuth authorization is approved: "browser" opens the platform's authorize page in
    # the agent's own browser (real shops: we never type a password into a platform's web page);
    # "password" posts the sub-account login to the page, which only the local emulator offers.
    approval: str = "browser"


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ShopEvent:
    """Something that happened in a shop's chat; `cursor` orders events for catch-up."""

    cursor: str
    message: Message  # buyer/agent text and images, or a type=EVENT message (entered_reception, transfer, rating, closed, read)


@dataclass(frozen=True, slots=True)
class EventPage:
    events: tuple[ShopEvent, ...]
    next_cursor: str
    has_more: bool


@dataclass(frozen=True, slots=True)
class Outgoing:
    """An agent's message on its way out. `idempotency_key` makes resending safe."""

    conversation_id: str
    buyer_id: str
    idempotency_key: str
    type: MessageType = MessageType.TEXT
    text: str = ""
    image: bytes | None = None
    card: dict = field(default_factory=dict)  # order_card / product_card / coupon payload


@dataclass(frozen=True, slots=True)
class SentReceipt:
    message_id: str
    sent_at: datetime
    idempotency_key: str = ""


@dataclass(frozen=True, slots=True)
class CouponGrant:
    coupon_id: str
    buyer_id: str
    grant_id: str
    valid_to: datetime


# ---- the protocol ---------------------------------------------------------------

@runtime_checkable
class ShopConnector(Protocol):
    platform: Platform

    async def sign_in(self, credentials: Credentials) -> Tokens: ...
    async def refresh(self) -> Tokens: ...
    def use_tokens(self, tokens: Tokens) -> None: ...

    def events(self, cursor: str | None) -> AsyncIterator[ShopEvent]:
        """Live push (WebSocket). Ends by raising NetworkDown when the connection drops."""
        ...

    async def catch_up(self, cursor: str | None, limit: int = 200) -> EventPage: ...

    async def send(self, outgoing: Outgoing) -> SentReceipt: ...
    async def find_sent(self, conversation_id: str, idempotency_key: str) -> SentReceipt | None:
        """Reconcile after an ambiguous failure: did a message with this key reach the platform?"""
        ...

    async def mark_read(self, conversation_id: str) -> None: ...

    async def list_orders(self, buyer_id: str) -> list[Order]: ...
    async def get_order(self, order_id: str) -> Order | None: ...
    async def reveal_order_contact(self, order_id: str) -> dict: ...

    async def list_coupons(self, buyer_id: str) -> list[Coupon]: ...
    async def send_coupon(self, conversation_id: str, buyer_id: str, coupon_id: str, idempotency_key: str) -> CouponGrant: ...
    async def find_coupon_grant(self, buyer_id: str, idempotency_key: str) -> CouponGrant | None: ...

    async def invite_rating(self, conversation_id: str) -> None: ...
    async def set_buyer_remark(self, buyer_id: str, text: str) -> None: ...
    async def list_products(self, query: str = "") -> list[Product]: ...

    async def aclose(self) -> None: ...
