"""Impersonation, disparagement, store addresses, and the warning categories."""

import pytest

from tests.compliance.helpers import assert_case, shipped_filter

IMPERSONATION = [
    ("我是拼多多官方客服", "block"),
    ("我 是 拼 多 多 官 方 客 服", "block"),
    ("我們是淘寶小二", "block"),
    ("我是平台工作人员", "block"),
    ("我代表平台向您保证", "block"),
    ("您可以联系平台客服介入", "pass"),
    ("我是这家店的客服小美", "pass"),
    ("我们是官方旗舰店", "pass"),
]
DISPARAGE = [
    ("拼多多就是垃圾", "block"),
    ("别家都是假货，只有我们是正品", "block"),
    ("其他店卖的都是次品", "block"),
    ("我们和别家是一样的品质", "pass"),
]
STORE_ADDRESS = [
    ("我们实体店在北京市朝阳区建国路88号", "block"),
    ("门店：杭州市西湖区文三路100号", "block"),
    ("您的地址是杭州市西湖区文三路100号对吗", "pass"),
    ("我们仓库在广州，发货很快", "pass"),
]
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


@pytest.mark.parametrize(("text", "expected"), IMPERSONATION)
def test_impersonation(text, expected):
    assert_case(text, expected, category="impersonation")


@pytest.mark.parametrize(("text", "expected"), DISPARAGE)
def test_disparage(text, expected):
    assert_case(text, expected, category="disparage")


@pytest.mark.parametrize(("text", "expected"), STORE_ADDRESS)
def test_store_address(text, expected):
    assert_case(text, expected, category="store")


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
