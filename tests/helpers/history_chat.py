"""Write conversations into a store compactly, for history and reports tests: chat.buyer('b1', '2026-11-03 10:00', '在吗')."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from workstation.domain.messages import EventKind, Message, MessageType, Rating, Sender
from workstation.domain.platforms import Platform
from workstation.store.messages import insert_events

CN = timezone(timedelta(hours=8))


def cn(text: str) -> datetime:
    """'2026-11-03 10:00:05' in China time."""
    return datetime.fromisoformat(text).replace(tzinfo=CN)


class Chat:
    """Writes one shop's messages: chat.buyer('b1', '2026-11-03 10:00', '在吗')."""

    def __init__(self, db, platform: Platform = Platform.PDD, shop_id: str = "s1", shop_name: str = "测试店"):
        self.db = db
        self.platform = platform
        self.shop_id = shop_id
        self.shop_name = shop_name
        self.counter = 0
        self.pending: list[Message] = []

    def _add(self, buyer, when, sender, text="", *, conversation=None, agent="", type=MessageType.TEXT,
             event=None, rating=None, reasons=(), payload=None):
        self.counter += 1
        moment = when if isinstance(when, datetime) else cn(when)
        message = Message(
            platform=self.platform, shop_id=self.shop_id, shop_name=self.shop_name,
            conversation_id=conversation or f"c-{buyer}", message_id=f"{self.shop_id}-{self.counter}",
            sender=sender, sent_at=moment, type=type, text=text, buyer_id=buyer, buyer_nick=f"昵称{buyer}",
            agent_id=agent, event=event, rating=rating, rating_reasons=tuple(reasons), payload=payload or {},
        )
        insert_events(self.db, None, [message])
        return message

    def buyer(self, buyer, when, text="你好", **kw):
        return self._add(buyer, when, Sender.BUYER, text, **kw)

    def agent(self, buyer, when, text="您好", agent="a1", **kw):
        return self._add(buyer, when, Sender.AGENT, text, agent=agent, **kw)

    def bot(self, buyer, when, text="自动回复", **kw):
        return self._add(buyer, when, Sender.BOT, text, **kw)

    def event(self, buyer, when, event: EventKind, agent="", **kw):
        return self._add(buyer, when, Sender.SYSTEM, "", type=MessageType.EVENT, event=event, agent=agent, **kw)

    def rating(self, buyer, when, rating: Rating, reasons=()):
        return self._add(buyer, when, Sender.BUYER, "", type=MessageType.EVENT, event=EventKind.RATING,
                         rating=rating, reasons=reasons)
