"""Each service figure on hand-computed cases, including the edges the platforms' rules turn on."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tests.helpers.history_chat import Chat, cn
from workstation.domain.messages import EventKind, MessageType, Rating
from workstation.domain.platforms import Platform
from workstation.history.figures import FIGURE_HELP, compute_report, response_histogram

NOV = (date(2026, 11, 1), date(2026, 11, 30))
LONG_AGO = 0  # `now` far in the past: nothing is "still within its deadline"
LATER = int(datetime(2027, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)


def report(db, since=NOV[0], until=NOV[1], **kw):
    kw.setdefault("now_ms", LATER)
    return compute_report(db, since, until, **kw)


def shop_of(result, shop_id="s1"):
    return next(s for s in result.shops if s.shop_id == shop_id)


# ---- Kuaishou 3-minute reply rate --------------------------------------------------

def test_three_minutes_exactly_is_answered_one_second_more_is_not(db):
    chat = Chat(db, Platform.KUAISHOU)
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.agent("b1", "2026-11-03 10:03:00")
    chat.buyer("b2", "2026-11-03 10:00:00")
    chat.agent("b2", "2026-11-03 10:03:01")
    shop = shop_of(report(db))
    assert (shop.consulting_buyers_3min, shop.missed_3min) == (2, 1)
    assert shop.reply_rate_3min == 0.5


def test_time_in_the_queue_does_not_count(db):
    chat = Chat(db, Platform.KUAISHOU)
    # Waited 7 minutes in all, but only 2 after reaching the reception list: answered.
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.event("b1", "2026-11-03 10:05:00", EventKind.ENTERED_RECEPTION, agent="a1")
    chat.agent("b1", "2026-11-03 10:07:00")
    # Reached reception at 10:01, answered 3.5 minutes later: missed.
    chat.buyer("b2", "2026-11-03 10:00:00")
    chat.event("b2", "2026-11-03 10:01:00", EventKind.ENTERED_RECEPTION, agent="a1")
    chat.agent("b2", "2026-11-03 10:04:30")
    # Never left the queue: not a consulting buyer at all.
    chat.buyer("b3", "2026-11-03 11:00:00")
    chat.event("b3", "2026-11-03 11:30:00", EventKind.CLOSED)
    chat.event("b3", "2026-11-02 09:00:00", EventKind.ENTERED_RECEPTION)  # an earlier session
    chat.event("b3", "2026-11-02 09:10:00", EventKind.CLOSED)
    shop = shop_of(report(db))
    assert (shop.consulting_buyers_3min, shop.missed_3min) == (2, 1)
    assert shop.reply_rate_3min == 0.5


def test_buyer_messages_after_reception_start_their_own_clock(db):
    chat = Chat(db, Platform.KUAISHOU)
    chat.event("b1", "2026-11-03 09:59:00", EventKind.ENTERED_RECEPTION, agent="a1")
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.agent("b1", "2026-11-03 10:02:00")
    chat.buyer("b1", "2026-11-03 10:10:00")
    chat.agent("b1", "2026-11-03 10:13:30")  # the second question waited 3.5 minutes
    shop = shop_of(report(db))
    assert (shop.consulting_buyers_3min, shop.missed_3min) == (1, 1)


def test_only_messages_from_eight_to_midnight_count(db):
    chat = Chat(db, Platform.KUAISHOU)
    chat.buyer("early", "2026-11-03 07:59:59")          # never answered, but outside hours
    chat.buyer("on-time", "2026-11-03 08:00:00")        # never answered, counted
    chat.buyer("late", "2026-11-03 23:59:59")
    chat.agent("late", "2026-11-04 00:01:00")           # 61 s, across midnight: answered
    shop = shop_of(report(db))
    assert (shop.consulting_buyers_3min, shop.missed_3min) == (2, 1)


def test_days_are_china_days_and_months_end_at_china_midnight(db):
    chat = Chat(db, Platform.KUAISHOU)
    # 2026-10-31 16:30 UTC is 2026-11-01 00:30 in China: November, but outside 8–24.
    chat.buyer("b1", datetime(2026, 10, 31, 16, 30, tzinfo=timezone.utc))
    # 2026-10-31 23:59 China time belongs to October even though it is answered in November.
    chat.buyer("b2", "2026-10-31 23:59:00")
    chat.agent("b2", "2026-11-01 00:04:00")
    # 2026-11-30 16:00 UTC is 2026-12-01 00:00 China time: December.
    chat.buyer("b3", datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc))
    # 2026-11-30 15:59:59 UTC is 23:59:59 on November 30 in China: counted, unanswered.
    chat.buyer("b4", datetime(2026, 11, 30, 15, 59, 59, tzinfo=timezone.utc))
    shop = shop_of(report(db))
    assert (shop.consulting_buyers_3min, shop.missed_3min) == (1, 1)
    october = shop_of(report(db, date(2026, 10, 1), date(2026, 10, 31)))
    assert (october.consulting_buyers_3min, october.missed_3min) == (1, 1)
    both = shop_of(report(db, date(2026, 10, 1), date(2026, 11, 30)))
    assert both.monthly_reply_rate_3min() == [("2026-10", 0.0), ("2026-11", 0.0)]  # b2 waited 5 minutes
    assert (both.consulting_buyers_3min, both.missed_3min) == (2, 2)


def test_one_buyer_on_two_days_counts_twice(db):
    chat = Chat(db, Platform.KUAISHOU)
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.agent("b1", "2026-11-03 10:01:00")
    chat.buyer("b1", "2026-11-04 10:00:00")
    chat.buyer("b1", "2026-11-04 10:00:30")
    chat.agent("b1", "2026-11-04 10:05:00")
    shop = shop_of(report(db))
    assert (shop.consulting_buyers_3min, shop.missed_3min) == (2, 1)


def test_bot_replies_count_for_the_reply_rate_but_not_the_response_time(db):
    chat = Chat(db, Platform.KUAISHOU)
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.bot("b1", "2026-11-03 10:00:02")
    chat.agent("b1", "2026-11-03 10:05:00")
    shop = shop_of(report(db))
    assert shop.reply_rate_3min == 1.0
    assert shop.avg_response_s == 300.0


def test_an_unanswered_message_still_inside_its_deadline_is_not_a_miss(db):
    chat = Chat(db, Platform.KUAISHOU)
    sent = chat.buyer("b1", "2026-11-03 10:00:00")
    now = int(sent.sent_at.timestamp() * 1000) + 60_000
    assert shop_of(report(db, now_ms=now)).missed_3min == 0
    assert shop_of(report(db, now_ms=now + 180_000)).missed_3min == 1


# ---- Kuaishou ratings ----------------------------------------------------------------

def test_good_rating_and_bad_attitude_rates(db):
    chat = Chat(db, Platform.KUAISHOU)
    for index in range(3):
        chat.rating(f"s{index}", "2026-11-05 12:00:00", Rating.SATISFIED)
    chat.rating("n1", "2026-11-05 12:00:00", Rating.NEUTRAL, ["服务态度差"])
    chat.rating("d1", "2026-11-05 12:00:00", Rating.DISAPPOINTED, ["回复慢"])
    chat.rating("d2", "2026-11-05 12:00:00", Rating.DISAPPOINTED, ["商品问题", "服务态度差"])
    chat.rating("old", "2026-10-31 23:00:00", Rating.DISAPPOINTED, ["服务态度差"])  # October
    shop = shop_of(report(db))
    assert shop.good_rating_rate == pytest.approx(3 / 6)
    assert shop.bad_attitude_rate == pytest.approx(2 / 3)


def test_no_neutral_or_disappointed_ratings_means_no_bad_attitude_rate(db):
    chat = Chat(db, Platform.KUAISHOU)
    chat.rating("s", "2026-11-05 12:00:00", Rating.SATISFIED)
    shop = shop_of(report(db))
    assert shop.good_rating_rate == 1.0
    assert shop.bad_attitude_rate is None


# ---- PDD effective reply rate --------------------------------------------------------

def test_exactly_one_hour_is_effective_one_second_more_is_not(db):
    chat = Chat(db, Platform.PDD)
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.agent("b1", "2026-11-03 11:00:00")
    chat.buyer("b2", "2026-11-03 10:00:00")
    chat.agent("b2", "2026-11-03 11:00:01")
    day = shop_of(report(db)).effective_reply_daily[2]
    assert day.date == date(2026, 11, 3)
    assert (day.consulting_buyers, day.effective_buyers, day.rate, day.penalty) == (2, 1, 0.5, False)


def test_every_message_from_eight_to_eleven_must_be_answered(db):
    chat = Chat(db, Platform.PDD)
    chat.buyer("b1", "2026-11-03 09:00:00")
    chat.agent("b1", "2026-11-03 09:01:00")
    chat.buyer("b1", "2026-11-03 15:00:00")  # never answered: b1 is not effectively answered
    chat.buyer("b2", "2026-11-03 07:59:59")  # outside hours, never answered
    chat.buyer("b3", "2026-11-03 23:00:00")  # 23:00 is outside hours
    chat.buyer("b4", "2026-11-03 22:59:59")  # inside, answered next day within the hour
    chat.agent("b4", "2026-11-03 23:59:59")
    day = shop_of(report(db)).effective_reply_daily[2]
    assert (day.consulting_buyers, day.effective_buyers) == (2, 1)


def test_penalty_day_needs_a_hundred_buyers_and_a_rate_below_half(db):
    chat = Chat(db, Platform.PDD)
    for index in range(100):  # Nov 3: 100 buyers, 49 answered -> penalty
        chat.buyer(f"x{index}", "2026-11-03 10:00:00")
        if index < 49:
            chat.agent(f"x{index}", "2026-11-03 10:10:00")
    for index in range(100):  # Nov 4: 100 buyers, exactly 50 % -> no penalty
        chat.buyer(f"y{index}", "2026-11-04 10:00:00")
        if index < 50:
            chat.agent(f"y{index}", "2026-11-04 10:10:00")
    for index in range(99):  # Nov 5: 99 buyers, none answered -> no penalty
        chat.buyer(f"z{index}", "2026-11-05 10:00:00")
    days = {d.date.day: d for d in shop_of(report(db)).effective_reply_daily}
    assert (days[3].rate, days[3].penalty) == (0.49, True)
    assert (days[4].rate, days[4].penalty) == (0.5, False)
    assert (days[5].rate, days[5].penalty) == (0.0, False)
    assert days[6].consulting_buyers == 0 and days[6].rate is None and not days[6].penalty
    assert len(days) == 30


def test_pdd_ignores_the_queue_rule(db):
    chat = Chat(db, Platform.PDD)
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.event("b1", "2026-11-03 10:30:00", EventKind.ENTERED_RECEPTION)
    chat.agent("b1", "2026-11-03 11:00:30")
    day = shop_of(report(db)).effective_reply_daily[2]
    assert (day.consulting_buyers, day.effective_buyers) == (1, 0)


# ---- response times ------------------------------------------------------------------

def test_response_time_runs_from_the_first_unanswered_buyer_message(db):
    chat = Chat(db, Platform.TAOBAO)
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.buyer("b1", "2026-11-03 10:00:20")
    chat.agent("b1", "2026-11-03 10:00:30")   # 30 s from the first unanswered
    chat.agent("b1", "2026-11-03 10:01:00")   # nothing was waiting
    chat.buyer("b1", "2026-11-03 10:02:00")
    chat.bot("b1", "2026-11-03 10:02:01")
    chat.agent("b1", "2026-11-03 10:02:40")   # 40 s: the bot did not end the wait
    chat.buyer("b2", "2026-11-03 11:00:00")
    chat.agent("b2", "2026-11-03 11:00:10", agent="a2")  # 10 s
    shop = shop_of(report(db))
    assert shop.avg_response_s == pytest.approx((30 + 40 + 10) / 3)
    assert shop.avg_first_response_s == pytest.approx((30 + 10) / 2)
    assert shop.reply_rate_3min is None and shop.good_rating_rate is None
    assert shop.effective_reply_daily is None
    agents = {a.agent_id: a for a in report(db).agents}
    assert agents["a1"].avg_response_s == 35.0 and agents["a2"].avg_response_s == 10.0


def test_a_closed_conversation_ends_the_wait(db):
    chat = Chat(db, Platform.JD)
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.event("b1", "2026-11-03 12:00:00", EventKind.CLOSED)
    chat.buyer("b1", "2026-11-04 10:00:00")
    chat.agent("b1", "2026-11-04 10:00:20")
    assert shop_of(report(db)).avg_response_s == 20.0


def test_response_histogram_buckets():
    values = [5_000, 10_000, 10_001, 45_000, 3_600_000, 3_600_001]
    counts = dict(response_histogram(values))
    assert list(counts.values()) == [2, 1, 1, 0, 0, 0, 1, 1]


# ---- per agent -------------------------------------------------------------------------

def test_agents_consulting_buyers_reply_rate_and_sales(db):
    chat = Chat(db, Platform.PDD)
    chat.event("b1", "2026-11-03 09:00:00", EventKind.ENTERED_RECEPTION, agent="a1")
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.agent("b1", "2026-11-03 10:00:30", agent="a1")
    chat._add("b1", "2026-11-03 10:05:00", chat.agent("b1", "2026-11-03 10:04:00").sender,
              type=MessageType.ORDER_CARD, agent="a1",
              payload={"order_id": "o1", "amount_fen": 12_800, "status": "paid"})
    chat.buyer("b2", "2026-11-03 11:00:00")
    chat.agent("b2", "2026-11-03 11:00:40", agent="a2")
    chat.buyer("b2", "2026-11-03 11:01:00", type=MessageType.ORDER_CARD,
               payload={"order_id": "o2", "amount_fen": 5_000, "status": "unpaid"})
    # As the side panel sends them: the card under payload["card"], the state as status_text.
    chat.agent("b2", "2026-11-03 11:02:00", agent="a2", type=MessageType.ORDER_CARD,
               payload={"card": {"type": "order_card", "order_id": "o3", "amount_fen": 9_900,
                                 "status_text": "待付款"}, "idempotency_key": "k"})
    chat.buyer("b3", "2026-11-03 12:00:00")  # nobody received or answered
    agents = {a.agent_id: a for a in report(db).agents}
    assert (agents["a1"].consulting_buyers, agents["a1"].reply_rate) == (1, 1.0)
    assert (agents["a1"].sales_fen, agents["a1"].conversion, agents["a1"].avg_order_value_fen) == (12_800, 1.0, 12_800)
    assert (agents["a2"].consulting_buyers, agents["a2"].sales_fen, agents["a2"].conversion) == (1, 0, 0.0)
    assert agents["a2"].avg_order_value_fen is None
    assert (agents[""].consulting_buyers, agents[""].reply_rate) == (1, 0.0)


def test_without_order_cards_sales_figures_are_null(db):
    chat = Chat(db, Platform.DOUYIN)
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.agent("b1", "2026-11-03 10:00:30")
    agent = report(db).to_json()["agents"][0]
    assert agent["sales_fen"] is None and agent["conversion"] is None and agent["avg_order_value_fen"] is None


def test_report_json_shape_and_shop_filter(db):
    Chat(db, Platform.KUAISHOU, "k1").buyer("b", "2026-11-03 10:00:00")
    Chat(db, Platform.PDD, "p1").buyer("b", "2026-11-03 10:00:00")
    result = report(db).to_json()
    assert [s["shop_id"] for s in result["shops"]] == ["k1", "p1"]
    kpis = result["shops"][0]["kpis"]
    assert set(kpis) == {"reply_rate_3min", "good_rating_rate", "bad_attitude_rate", "effective_reply_daily",
                         "avg_response_s", "avg_first_response_s"}
    assert kpis["effective_reply_daily"] is None and kpis["reply_rate_3min"] == 0.0
    assert kpis["good_rating_rate"] is None  # no ratings: nothing to divide
    pdd = result["shops"][1]["kpis"]
    assert pdd["reply_rate_3min"] is None
    assert set(pdd["effective_reply_daily"][0]) == {"date", "consulting_buyers", "effective_buyers", "rate", "penalty"}
    only = report(db, shop_id="p1").to_json()
    assert [s["shop_id"] for s in only["shops"]] == ["p1"]


def test_every_figure_has_help_text():
    for key in ("reply_rate_3min", "good_rating_rate", "bad_attitude_rate", "effective_reply_daily",
                "avg_response_s", "avg_first_response_s", "agents"):
        assert len(FIGURE_HELP[key]) > 40


def test_until_before_since_is_refused(db):
    with pytest.raises(ValueError):
        compute_report(db, date(2026, 11, 2), date(2026, 11, 1))


def test_order_cards_sent_from_the_side_panel_count_as_sales_once(db):
    chat = Chat(db, Platform.PDD)
    chat.buyer("b1", "2026-11-03 10:00:00")
    chat.agent("b1", "2026-11-03 10:00:30", agent="a1")
    card = {"type": "order_card", "order_id": "o9", "amount_fen": 25_000, "status_text": "待发货"}
    for minute in ("01", "02"):  # the same order shown twice is one sale
        chat.agent("b1", f"2026-11-03 10:{minute}:00", agent="a1", type=MessageType.ORDER_CARD,
                   payload={"card": card, "idempotency_key": minute})
    agent = {a.agent_id: a for a in report(db).agents}["a1"]
    assert (agent.sales_fen, agent.paying_buyers, agent.conversion, agent.avg_order_value_fen) == (25_000, 1, 1.0, 25_000)


def test_reading_by_row_id_run_or_by_time_index_gives_the_same_figures(db, monkeypatch):
    from workstation.history import figures

    chat = Chat(db, Platform.KUAISHOU)
    for index in range(40):  # stored in time order...
        chat.buyer(f"b{index % 7}", f"2026-11-{3 + index % 5:02d} 10:{index:02d}:00")
        chat.agent(f"b{index % 7}", f"2026-11-{3 + index % 5:02d} 10:{index:02d}:{index % 4 * 19:02d}")
    chat.buyer("late", "2026-11-02 10:00:00")  # ...but for one archive imported later
    chat.event("late", "2026-11-02 10:01:00", EventKind.ENTERED_RECEPTION)
    chat.agent("late", "2026-11-02 10:05:00")
    fast = report(db).to_json()
    monkeypatch.setattr(figures, "READ_BY_ROWID_RUN", False)
    assert report(db).to_json() == fast
