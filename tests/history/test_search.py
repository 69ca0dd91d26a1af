"""Search: substrings of every length (2-character Chinese words above all), filters, paging, context."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.history_chat import Chat
from workstation.domain.messages import EventKind, Rating
from workstation.domain.platforms import Platform
from workstation.history.search import HistoryQuery, conversation_context, iter_search, search, shops


def texts(db, **kw):
    return [hit.text for hit in search(db, HistoryQuery(**kw)).hits]


def test_two_character_words_are_found_anywhere(db):
    chat = Chat(db)
    chat.buyer("b1", "2026-11-03 10:00", "退款")                 # the whole text
    chat.buyer("b1", "2026-11-03 10:01", "我要退款")              # at the end
    chat.buyer("b1", "2026-11-03 10:02", "退款多久到账？")         # at the start
    chat.buyer("b1", "2026-11-03 10:03", "请问退货怎么办")         # shares a character only
    chat.buyer("b1", "2026-11-03 10:04", "款退")
    assert texts(db, text="退款") == ["退款多久到账？", "我要退款", "退款"]


def test_one_character_and_long_queries(db):
    chat = Chat(db)
    chat.buyer("b1", "2026-11-03 10:00", "好")
    chat.buyer("b1", "2026-11-03 10:01", "你好，在吗")
    chat.buyer("b1", "2026-11-03 10:02", "在吗")
    assert texts(db, text="好") == ["你好，在吗", "好"]
    assert texts(db, text="好，在") == ["你好，在吗"]          # punctuation inside, trigram index
    assert texts(db, text="你好，在吗") == ["你好，在吗"]
    assert texts(db, text="好，") == ["你好，在吗"]            # 2 characters with punctuation: a scan
    assert texts(db, text="在吗吗") == []


def test_latin_text_is_case_insensitive_and_like_wildcards_are_literal(db):
    chat = Chat(db)
    chat.buyer("b1", "2026-11-03 10:00", "iPhone 15 有货吗")
    chat.buyer("b1", "2026-11-03 10:01", "打 9% 折")
    chat.buyer("b1", "2026-11-03 10:02", "打 95 折")
    assert texts(db, text="IPHONE") == ["iPhone 15 有货吗"]
    assert texts(db, text="ip") == ["iPhone 15 有货吗"]
    assert texts(db, text="9%") == ["打 9% 折"]
    assert texts(db, text='"') == []


def test_messages_written_later_by_anyone_are_found_and_edits_follow(db):
    chat = Chat(db)
    chat.buyer("b1", "2026-11-03 10:00", "发货了吗")
    assert texts(db, text="发货") == ["发货了吗"]
    db.execute("UPDATE messages SET text = '已经签收' WHERE text = '发货了吗'")
    assert texts(db, text="发货") == [] and texts(db, text="签收") == ["已经签收"]
    assert texts(db, text="已经签") == ["已经签收"]
    db.execute("DELETE FROM messages")
    assert texts(db, text="签收") == [] and texts(db, text="已经签") == []
    db.execute("INSERT INTO history_bigram(history_bigram) VALUES ('integrity-check')")
    db.execute("INSERT INTO history_trigram(history_trigram) VALUES ('integrity-check')")


def test_filters(db):
    pdd = Chat(db, Platform.PDD, "p1", "拼店")
    ks = Chat(db, Platform.KUAISHOU, "k1", "快店")
    pdd.buyer("alice", "2026-11-03 10:00", "退款申请")
    pdd.agent("alice", "2026-11-03 10:01", "退款已处理", agent="a1")
    ks.buyer("bob", "2026-11-04 10:00", "退款呢")
    ks.agent("bob", "2026-11-04 10:01", "退款马上", agent="a2")
    ks.rating("bob", "2026-11-04 10:05", Rating.DISAPPOINTED, ["服务态度差"])
    pdd.buyer("carol", "2026-10-31 23:59", "退款十月")
    assert texts(db, text="退款", platform=Platform.KUAISHOU) == ["退款马上", "退款呢"]
    assert texts(db, text="退款", shop_id="p1") == ["退款十月", "退款已处理", "退款申请"]
    assert texts(db, text="退款", agent_id="a1") == ["退款已处理"]
    assert texts(db, text="退款", buyer="alice") == ["退款已处理", "退款申请"]
    assert texts(db, text="退款", buyer="昵称bo") == ["退款马上", "退款呢"]  # nickname substring
    assert texts(db, text="退款", since=date(2026, 11, 1), until=date(2026, 11, 3)) == ["退款已处理", "退款申请"]
    assert texts(db, text="退款", until=date(2026, 10, 31)) == ["退款十月"]
    assert texts(db, text="退款", rating=Rating.DISAPPOINTED) == ["退款马上", "退款呢"]
    assert texts(db, buyer="carol") == ["退款十月"]  # no text: filters alone


def test_had_a_blocked_attempt_joins_the_compliance_audit(db):
    chat = Chat(db, Platform.PDD, "p1")
    chat.buyer("b1", "2026-11-03 10:00", "加个微信吧")
    chat.buyer("b2", "2026-11-03 10:00", "加个好友吧")
    assert texts(db, text="加个", blocked_only=True) == []
    db.execute(
        "INSERT INTO compliance_audit (at_ms, at, platform, shop_id, conversation_id, verdict, rules, text)"
        " VALUES (0, '', 'pdd', 'p1', 'c-b1', 'block', 'contact', '我的微信 abc')"
    )
    assert texts(db, text="加个", blocked_only=True) == ["加个微信吧"]


def test_pages_stream_every_hit_once(db):
    chat = Chat(db)
    for index in range(25):
        chat.buyer(f"b{index}", "2026-11-03 10:00", f"第{index}次问发货")
    pages = list(iter_search(db, HistoryQuery(text="发货"), page_size=10))
    assert [len(p) for p in pages] == [10, 10, 5]
    ids = [hit.row_id for page in pages for hit in page]
    assert len(set(ids)) == 25 and ids == sorted(ids, reverse=True)


def test_context_around_a_hit(db):
    chat = Chat(db)
    for minute in range(10):
        chat.buyer("b1", f"2026-11-03 10:{minute:02d}", f"消息{minute}")
    chat.buyer("b2", "2026-11-03 10:05", "另一个会话")
    hit = search(db, HistoryQuery(text="消息5")).hits[0]
    context = conversation_context(db, hit.row_id, before=2, after=2)
    assert [m.text for m in context.messages] == ["消息3", "消息4", "消息5", "消息6", "消息7"]
    assert context.hit_index == 2 and context.more_before and context.more_after
    whole = conversation_context(db, hit.row_id)
    assert len(whole.messages) == 10 and not whole.more_before and not whole.more_after
    assert conversation_context(db, 10_000).hit_index == -1


def test_shops_lists_every_shop_with_its_name(db):
    Chat(db, Platform.PDD, "p1", "拼店").buyer("b", "2026-11-03 10:00")
    Chat(db, Platform.JD, "j1", "京店").buyer("b", "2026-11-03 10:00")
    assert shops(db) == [("jd", "j1", "京店"), ("pdd", "p1", "拼店")]


def test_reception_events_are_not_text_hits(db):
    chat = Chat(db)
    chat.event("b1", "2026-11-03 10:00", EventKind.ENTERED_RECEPTION)
    assert search(db, HistoryQuery(text="进入")).hits == []


ALPHABET = "退款发货好的你在吗，。! aBb1"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(ALPHABET, max_size=12), min_size=1, max_size=12),
       needle=st.text(ALPHABET, min_size=1, max_size=5))
def test_search_finds_exactly_the_messages_containing_the_text(db, texts, needle):
    """Whatever the length and characters, index-backed search agrees with a plain substring test."""
    db.execute("DELETE FROM messages")
    chat = Chat(db)
    for index, text in enumerate(texts):
        chat.buyer(f"b{index}", "2026-11-03 10:00", text)
    if not needle.strip():
        return
    expected = sorted(t for t in texts if needle.strip().lower() in t.lower())
    found = sorted(hit.text for hit in search(db, HistoryQuery(text=needle)).hits)
    assert found == expected


def test_date_ranges_find_rows_inserted_out_of_time_order(db, monkeypatch):
    """The rowid bounds taken from a date range stay exact when an old archive is imported late."""
    from workstation.history import search as search_module

    chat = Chat(db)
    chat.buyer("b1", "2026-11-03 10:00", "退款一")
    chat.buyer("b1", "2026-11-20 10:00", "退款二")
    chat.buyer("b1", "2026-11-03 12:00", "退款三")  # stored last, sent early
    chat.buyer("b1", "2026-11-04 12:00", "退款四")
    day = dict(since=date(2026, 11, 3), until=date(2026, 11, 3))
    assert texts(db, text="退款", **day) == ["退款三", "退款一"]
    assert texts(db, text="退款", since=date(2026, 11, 21)) == []
    assert texts(db, text="退款", until=date(2026, 11, 2)) == []
    monkeypatch.setattr(search_module, "ROWID_BOUND_SCAN_LIMIT", 1)  # too many to bound: same answer
    assert texts(db, text="退款", **day) == ["退款三", "退款一"]
    assert texts(db, text="退款二", since=date(2026, 11, 4)) == ["退款二"]
