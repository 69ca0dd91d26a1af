"""Conversations and messages as every platform's chat reduces to them.

The field names follow the archive format (README, "Archive format") so that a
stored row, an exported line and a connector event all read the same way.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from workstation.domain.platforms import Platform


class Sender(enum.StrEnum):
    BUYER = "buyer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class MessageType(enum.StrEnum):
    TEXT = "text"
    IMAGE = "image"
    COUPON = "coupon"
    ORDER_CARD = "order_card"
    PRODUCT_CARD = "product_card"
    EVENT = "event"


class EventKind(enum.StrEnum):
    ENTERED_RECEPTION = "entered_reception"
    TRANSFER = "transfer"
    RATING = "rating"
    CLOSED = "closed"
    READ = "read"


class Rating(enum.StrEnum):
    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    DISAPPOINTED = "disappointed"


class SendState(enum.StrEnum):
    """Where an agent's outgoing message stands; the UI shows it on the bubble."""

    QUEUED = "queued"        # written to the outbox, not yet on the wire
    SENDING = "sending"      # request left; no answer yet
    UNCERTAIN = "uncertain"  # request left and the answer was lost: reconcile before any retry
    SENT = "sent"
    FAILED = "failed"        # the platform refused it, or the agent must retry


@dataclass(frozen=True, slots=True)
class Message:
    """One message or event in a conversation, as stored and as archived."""

    platform: Platform
    shop_id: str
    conversation_id: str
    message_id: str
    sender: Sender
    sent_at: datetime  # always timezone-aware
    type: MessageType = MessageType.TEXT
    text: str = ""
    buyer_id: str = ""
    buyer_nick: str = ""
    shop_name: str = ""
    agent_id: str = ""
    event: EventKind | None = None
    rating: Rating | None = None
    rating_reasons: tuple[str, ...] = ()
    payload: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if self.sent_at.tzinfo is None:
            raise ValueError("sent_at must carry a UTC offset")


@dataclass(slots=True)
class Conversation:
    """A buyer's thread with one shop, as the inbox lists it."""

    platform: Platform
    shop_id: str
    conversation_id: str
    buyer_id: str
    buyer_nick: str
    account_id: int | None = None
    shop_name: str = ""
    last_text: str = ""
    last_at: datetime | None = None
    unread: int = 0
    waiting_since: datetime | None = None  # first unanswered buyer message, None when answered
    entered_reception_at: datetime | None = None
    tags: tuple[str, ...] = ()
    id: int | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.platform.value, self.shop_id, self.conversation_id)
