"""Reply deadlines by platform rule and the urgency colours they give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workstation.domain.deadlines import (
    DeadlineSettings,
    Urgency,
    describe,
    format_wait,
    reply_deadline,
    urgency,
)
from workstation.domain.messages import Conversation
from workstation.domain.platforms import Platform

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def conv(platform: Platform, waiting=T0, reception=None, shop="s1") -> Conversation:
    return Conversation(platform, shop, "c1", "b1", "买家", waiting_since=waiting, entered_reception_at=reception)


def test_nobody_waiting_has_no_deadline():
    assert reply_deadline(conv(Platform.PDD, waiting=None)) is None
    assert urgency(None, T0) is Urgency.NONE


def test_kuaishou_clock_starts_when_the_buyer_reaches_reception():
    deadline = reply_deadline(conv(Platform.KUAISHOU, reception=T0 + timedelta(minutes=2)))
    assert deadline.started_at == T0 + timedelta(minutes=2)
    assert deadline.due_at == T0 + timedelta(minutes=5)
    # A reception event older than the message does not move the clock back.
    deadline = reply_deadline(conv(Platform.KUAISHOU, reception=T0 - timedelta(minutes=9)))
    assert deadline.due_at == T0 + timedelta(minutes=3)


def test_pdd_sorts_by_the_shop_target_and_keeps_the_one_hour_rule():
    deadline = reply_deadline(conv(Platform.PDD))
    assert deadline.due_at == T0 + timedelta(minutes=5)
    assert deadline.hard_due_at == T0 + timedelta(hours=1)
    text = describe(deadline, T0 + timedelta(minutes=6))
    assert "已超时 1:00" in text and "1小时有效回复：还剩 54:00" in text


@pytest.mark.parametrize("platform", [Platform.TAOBAO, Platform.DOUYIN, Platform.JD])
def test_other_platforms_use_the_shop_setting_with_a_three_minute_default(platform):
    assert reply_deadline(conv(platform)).span == timedelta(minutes=3)
    settings = DeadlineSettings(shop_reply={(platform.value, "s1"): timedelta(seconds=90)})
    assert reply_deadline(conv(platform), settings).span == timedelta(seconds=90)
    assert reply_deadline(conv(platform, shop="other"), settings).span == timedelta(minutes=3)


def test_urgency_thresholds_default_and_configured():
    deadline = reply_deadline(conv(Platform.TAOBAO))
    assert urgency(deadline, T0 + timedelta(seconds=10)) is Urgency.CALM
    assert urgency(deadline, T0 + timedelta(seconds=90)) is Urgency.AMBER
    assert urgency(deadline, T0 + timedelta(seconds=180)) is Urgency.RED
    early = DeadlineSettings(amber_share=0.25, red_share=0.75)
    assert urgency(deadline, T0 + timedelta(seconds=50), early) is Urgency.AMBER
    assert urgency(deadline, T0 + timedelta(seconds=140), early) is Urgency.RED


def test_bad_thresholds_are_refused():
    with pytest.raises(ValueError):
        DeadlineSettings(amber_share=0.9, red_share=0.5)


def test_the_most_urgent_buyer_sorts_first_across_platforms():
    kuaishou = reply_deadline(conv(Platform.KUAISHOU, waiting=T0))            # due 08:03
    pdd = reply_deadline(conv(Platform.PDD, waiting=T0 - timedelta(minutes=1)))  # due 08:04
    taobao = reply_deadline(conv(Platform.TAOBAO, waiting=T0 - timedelta(seconds=30)))  # due 08:02:30
    ordered = sorted([kuaishou, pdd, taobao], key=lambda d: d.due_at)
    assert ordered == [taobao, kuaishou, pdd]


def test_format_wait():
    assert format_wait(timedelta(seconds=42)) == "0:42"
    assert format_wait(timedelta(minutes=12, seconds=5)) == "12:05"
    assert format_wait(timedelta(hours=1, seconds=129)) == "1:02:09"
    assert format_wait(timedelta(seconds=-5)) == "0:00"
