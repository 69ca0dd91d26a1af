"""Whatever order and however often events arrive, the stored conversation reads the same."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from workstation.domain.messages import Message, Sender
from workstation.domain.platforms import Platform
from workstation.store import open_store
from workstation.store import messages as store

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=timezone(timedelta(hours=8)))
KEY = ("kuaishou", "s", "c")

conversations = st.lists(
    st.tuples(st.sampled_from([Sender.BUYER, Sender.AGENT]), st.integers(0, 10_000)),
    min_size=1, max_size=25, unique_by=lambda item: item[1],
)


@settings(max_examples=60, deadline=None)
@given(conversations, st.randoms(use_true_random=False), st.integers(1, 5))
def test_conversation_row_is_independent_of_arrival_order_and_duplicates(script, rng, batch):
    messages = [
        Message(platform=Platform.KUAISHOU, shop_id="s", conversation_id="c", message_id=f"m{i}", sender=sender,
                sent_at=T0 + timedelta(seconds=seconds), text=f"t{i}", buyer_id="b")
        for i, (sender, seconds) in enumerate(script)
    ]
    arrivals = messages + rng.sample(messages, k=len(messages) // 2)  # some arrive twice
    rng.shuffle(arrivals)
    db = open_store(Path(":memory:"))
    try:
        new = []
        for start in range(0, len(arrivals), batch):
            new += store.insert_events(db, 7, arrivals[start:start + batch]).new_messages
        assert sorted(m.message_id for m in new) == sorted(m.message_id for m in messages)
        conversation = store.get_conversation(db, KEY)
        last_reply = max((m.sent_at for m in messages if m.sender is Sender.AGENT), default=None)
        waiting = [m.sent_at for m in messages if m.sender is Sender.BUYER and (last_reply is None or m.sent_at > last_reply)]
        assert conversation.waiting_since == (min(waiting) if waiting else None)
        newest = max(messages, key=lambda m: m.sent_at)
        assert conversation.last_text == newest.text
        assert conversation.unread == sum(m.sender is Sender.BUYER for m in messages)
        paged = store.page_messages(db, KEY, limit=100)
        assert [p.message.message_id for p in paged] == [
            m.message_id for m in sorted(messages, key=lambda m: m.sent_at, reverse=True)]
    finally:
        db.conn.close()
