"""Money and times as the platforms write them, read back exactly."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings, strategies as st

from workstation.shops.base import PlatformError
from workstation.shops.emulator.gateway import cst_text, yuan
from workstation.shops.wire import camel_keys, cst_time, fen_from_yuan, snake_keys, unix_time


@settings(deadline=None, max_examples=60)
@given(st.integers(min_value=0, max_value=10**9))
def test_yuan_text_and_yuan_numbers_come_back_as_the_same_fen(fen):
    assert fen_from_yuan(yuan(fen)) == fen          # TOP / JOS: "12.50"
    assert fen_from_yuan(fen / 100) == fen          # PDD: 12.5


def test_unreadable_amount_is_a_platform_error():
    with pytest.raises(PlatformError):
        fen_from_yuan("十二块")


@settings(deadline=None, max_examples=60)
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(timezone.utc)))
def test_gmt8_text_and_unix_times_are_timezone_aware(moment):
    moment = moment.replace(microsecond=0)
    assert cst_time(cst_text(moment)) == moment
    assert unix_time(int(moment.timestamp())) == moment
    assert unix_time(int(moment.timestamp() * 1000), millis=True) == moment


def test_key_case_round_trip():
    data = {"conversation_id": "c", "payload": {"image_url": "u"}, "events": [{"rating_reasons": ["a"]}]}
    assert camel_keys(data) == {"conversationId": "c", "payload": {"imageUrl": "u"}, "events": [{"ratingReasons": ["a"]}]}
    assert snake_keys(camel_keys(data)) == data


json_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.lists(st.text(max_size=4), max_size=3),
    st.dictionaries(st.sampled_from(["image_url", "card", "x"]), st.text(max_size=6) | st.integers(), max_size=3))
_CONNECTORS = {}


@settings(deadline=None, max_examples=40)
@given(st.dictionaries(st.sampled_from(["kind", "message_id", "conversation_id", "sender", "type", "sent_at", "cursor",
                                        "rating", "payload", "text", "buyer_id"]), json_values))
def test_any_event_a_platform_sends_is_either_read_or_skipped_never_an_exception(data):
    from workstation.shops.registry import connector_for

    for platform in ("pdd", "kuaishou"):
        if platform not in _CONNECTORS:
            _CONNECTORS[platform] = connector_for(platform)
        connector = _CONNECTORS[platform]
        event = connector._shop_event(data)
        assert event is None or event.message.sent_at.tzinfo is not None
