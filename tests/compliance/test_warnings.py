"""Warnings: confrontational phrasing, shirking, and the same phrase a third time."""

import pytest

from tests.compliance.helpers import assert_case, shipped_filter

WARNINGS = [
    ("你想怎样？", "warn", "confrontational"),
    ("不是告诉你了么？", "warn", "confrontational"),
    ("什么？", "warn", "confrontational"),
    ("哪个?", "warn", "confrontational"),
    ("不知道", "warn", "shirking"),
    ("不清楚", "warn", "shirking"),
    ("不关我的事", "warn", "shirking"),
    ("你自己去问快递", "warn", "shirking"),
    ("不知道您还有什么需要帮忙的吗", "pass", None),
    ("有不清楚的地方随时问我", "pass", None),
    ("图片不清楚，麻烦重新拍一张", "pass", None),
    ("请问有什么可以帮您？", "pass", None),
    ("您说的是哪个款式呢？", "pass", None),
]


@pytest.mark.parametrize(("text", "expected", "category"), WARNINGS)
def test_warnings(text, expected, category):
    assert_case(text, expected, category=category)


def test_third_identical_message_warns():
    flt = shipped_filter()
    text = "亲，已经在加急处理了"
    assert flt.check_text(text, recent_sent=[text]).passed
    verdict = flt.check_text(text, recent_sent=[text, "好的", " 亲，已经在加急处理了！"])
    assert verdict.warned
    assert verdict.hits[0].category == "repetition"
    assert flt.check_text("好的", recent_sent=["好的"]).passed


def test_block_outranks_warning():
    verdict = shipped_filter().check_text("不知道，加我微信 abc12345 问")
    assert verdict.blocked
    assert {str(h.severity) for h in verdict.hits} == {"block", "warn"}
