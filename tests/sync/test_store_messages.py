"""The message store: idempotent inserts, conversation rows that survive reordering, paging, outbox, drafts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from workstation.domain.messages import EventKind, Message, MessageType, Sender, SendState
from workstation.domain.platforms import Platform
from workstation.store import open_store
from workstation.store import messages as store

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 25, 10, 0, tzinfo=CST)
KEY = ("pdd", "s1", "c1")


def msg(mid: str, seconds: int, sender=Sender.BUYER, text="在吗", conversation="c1", **kw) -> Message:
    return Message(
        platform=Platform.PDD, shop_id="s1", conversation_id=conversation, message_id=mid, sender=sender,
        sent_at=T0 + timedelta(seconds=seconds), text=text, buyer_id="b1", buyer_nick="小王", **kw,
    )


@pytest.fixture
def db(data_dir):
    database = open_store(data_dir / "w.sqlite3")
    yield database
    database.conn.close()


def test_insert_is_idempotent_and_reports_only_new(db):
    first = store.insert_events(db, 1, [msg("m1", 0), msg("m2", 5)], cursor="2")
    again = store.insert_events(db, 1, [msg("m2", 5), msg("m1", 0), msg("m3", 9)], cursor="3")
    assert [m.message_id for m in first.new_messages] == ["m1", "m2"]
    assert [m.message_id for m in again.new_messages] == ["m3"]
    assert store.count_messages(db) == 3
    assert store.get_cursor(db, 1) == "3"
    conversation = store.get_conversation(db, KEY)
    assert conversation.unread == 3
    assert conversation.waiting_since == T0
    assert conversation.account_id == 1
    assert conversation.last_text == "在吗"


def test_wait_cleared_by_agent_reply_and_restarted_by_next_buyer_message_even_out_of_order(db):
    store.insert_events(db, 1, [msg("b2", 30, text="快点")])
    store.insert_events(db, 1, [msg("a1", 20, sender=Sender.AGENT, text="您好")])  # late, older than b2
    store.insert_events(db, 1, [msg("b1", 10, text="在吗")])  # later still, older than the reply
    conversation = store.get_conversation(db, KEY)
    assert conversation.waiting_since == T0 + timedelta(seconds=30)
    assert conversation.last_text == "快点"
    store.insert_events(db, 1, [msg("a2", 40, sender=Sender.AGENT, text="马上发货")])
    conversation = store.get_conversation(db, KEY)
    assert conversation.waiting_since is None
    assert conversation.last_text == "马上发货"
    assert store.list_conversations(db, waiting_only=True) == []


def test_reception_event_and_read(db):
    store.insert_events(db, 1, [
        msg("e1", 5, sender=Sender.SYSTEM, type=MessageType.EVENT, event=EventKind.ENTERED_RECEPTION, text=""),
        msg("b1", 6),
    ])
    conversation = store.get_conversation(db, KEY)
    assert conversation.entered_reception_at == T0 + timedelta(seconds=5)
    assert conversation.last_text == "在吗"  # events do not replace the preview
    assert store.mark_conversation_read(db, KEY).unread == 0


def test_image_preview_and_paging_newest_first(db):
    store.insert_events(db, 1, [msg(f"m{i}", i, text=f"第{i}条") for i in range(7)])
    store.insert_events(db, 1, [msg("img", 100, type=MessageType.IMAGE, text="", payload={"url": "x"})])
    assert store.get_conversation(db, KEY).last_text == "[图片]"
    page = store.page_messages(db, KEY, limit=3)
    assert [p.message.message_id for p in page] == ["img", "m6", "m5"]
    page2 = store.page_messages(db, KEY, before_row_id=page[-1].row_id, limit=3)
    assert [p.message.message_id for p in page2] == ["m4", "m3", "m2"]
    assert page[0].message.payload == {"url": "x"}
    assert page[0].message.sent_at == T0 + timedelta(seconds=100)


def test_outbox_lifecycle_and_sent_message_joins_its_row(db):
    row = store.create_outbox(db, account_id=1, key=KEY, idempotency_key="k1", text="您好", payload={"buyer_id": "b1"})
    assert row["state"] == "queued" and row["payload"] == {"buyer_id": "b1"}
    row = store.update_outbox(db, row["id"], SendState.SENDING, count_attempt=True)
    assert row["attempts"] == 1
    row, ingested = store.record_sent(db, row["id"], msg("p1", 50, sender=Sender.AGENT, text="您好"))
    assert row["state"] == "sent" and row["message_id"] == "p1"
    assert [m.message_id for m in ingested.new_messages] == ["p1"]
    page = store.page_messages(db, KEY)
    assert page[0].outbox_id == row["id"] and page[0].send_state is SendState.SENT
    # the platform echoing the same message later is a duplicate
    assert store.insert_events(db, 1, [msg("p1", 50, sender=Sender.AGENT, text="您好")]).new_messages == []
    assert store.list_outbox(db, states=[SendState.QUEUED]) == []
    assert len(store.list_outbox(db, key=KEY)) == 1


def test_drafts_and_buyer_notes(db):
    assert store.get_draft(db, KEY) == ""
    store.set_draft(db, KEY, "亲，")
    assert store.get_draft(db, KEY) == "亲，"
    store.set_draft(db, KEY, "")
    assert store.get_draft(db, KEY) == ""
    store.insert_events(db, 1, [msg("b1", 1)])
    note = store.set_buyer_note(db, "pdd", "s1", "b1", tags=["老客户", " 老客户", "急"], note="要发顺丰")
    assert note.tags == ("老客户", "急") and note.note == "要发顺丰"
    assert store.set_buyer_note(db, "pdd", "s1", "b1", note="改了").tags == ("老客户", "急")
    assert store.get_conversation(db, KEY).tags == ("老客户", "急")


def test_list_conversations_filters_and_order(db):
    store.insert_events(db, 1, [msg("x1", 50, conversation="c2", text="退款")])
    store.insert_events(db, 1, [msg("y1", 10, conversation="c3", text="尺码")])
    store.insert_events(db, 1, [msg("z1", 5, conversation="c4"), msg("z2", 6, conversation="c4", sender=Sender.AGENT)])
    keys = [c.conversation_id for c in store.list_conversations(db)]
    assert keys == ["c3", "c2", "c4"]
    assert [c.conversation_id for c in store.list_conversations(db, search="退")] == ["c2"]
    assert [c.conversation_id for c in store.list_conversations(db, search="%")] == []
    assert store.list_conversations(db, platform="jd") == []
    assert len(store.list_conversations(db, account_ids=[1])) == 3
    assert store.recent_agent_texts(db, ("pdd", "s1", "c4")) == ["在吗"]


def test_a_late_read_event_does_not_hide_newer_buyer_messages(db):
    store.insert_events(db, 1, [msg("b1", 10), msg("b2", 30, text="还在吗")])
    store.insert_events(db, 1, [msg("r1", 20, sender=Sender.AGENT, type=MessageType.EVENT, event=EventKind.READ, text="")])
    assert store.get_conversation(db, KEY).unread == 1
    store.insert_events(db, 1, [msg("r2", 40, sender=Sender.AGENT, type=MessageType.EVENT, event=EventKind.READ, text="")])
    assert store.get_conversation(db, KEY).unread == 0
