"""Word-list categories: evasions block, benign look-alikes pass."""

import pytest

from tests.compliance.helpers import assert_case

COUNTERFEIT = [
    ("这款是高仿的，质量很好", "block"),
    ("高 仿", "block"),
    ("高\u200b仿", "block"),
    ("高。仿", "block"),
    ("ＧＡＯ仿", "block"),
    ("gao仿包包", "block"),
    ("GaoFang", "block"),
    ("gao fang 的", "block"),
    ("高fang", "block"),
    ("髙倣", "block"),
    ("高倣貨", "block"),
    ("精仿款", "block"),
    ("jing仿", "block"),
    ("這是非正品", "block"),
    ("复 印 版", "block"),
    ("扫描版说明书", "block"),
    ("莆田鞋", "block"),
    ("A货", "block"),
    ("我们不卖高仿", "block"),      # the platforms' rule is about the words themselves
    # benign look-alikes
    ("仿佛昨天才下的单", "pass"),
    ("这款是仿古家具", "pass"),
    ("仿真花不会凋谢", "pass"),
    ("高仿真绿植摆件", "pass"),
    ("仿皮材质，好打理", "pass"),
    ("正品保证，假一赔十", "pass"),
    ("高房价", "pass"),
    ("质量很高，仿佛专柜货", "pass"),
    ("DATA货架", "pass"),
    ("这款是复刻版配色", "pass"),  # disabled in the shipped list (!复刻版)
]
INSULT = [
    ("傻逼", "block"),
    ("傻@逼", "block"),
    ("傻 逼", "block"),
    ("煞笔", "block"),
    ("SB", "block"),
    ("你就是个sb吧", "block"),
    ("ѕв", "block"),
    ("shabi", "block"),
    ("脑残", "block"),
    ("滚蛋", "block"),
    ("你是垃圾", "block"),
    ("去死吧", "block"),
    ("USB接口是标配", "pass"),
    ("滚筒洗衣机", "pass"),
    ("去死皮膏很好用", "pass"),
    ("垃圾袋加厚款", "pass"),
    ("卫星导航", "pass"),
    ("她是你妈妈吗", "pass"),
]
THREAT = [
    ("信不信我弄死你", "block"),
    ("你给我等着", "block"),
    ("我知道你住哪", "block"),
    ("我们会在等待中给您答复", "pass"),
    ("出门小心路滑", "pass"),
]
ILLEGAL = [
    ("代开发票，联系我", "block"),
    ("好评返现5元", "block"),
    ("网赌", "block"),
    ("可以开发票的，下单备注抬头", "pass"),
    ("好评有礼哦", "pass"),
]
STORE = [
    ("欢迎来我们实体店看看", "block"),
    ("私下交易更便宜", "block"),
    ("微信转账也可以", "block"),
    ("我们没有实体店，只在网上卖", "pass"),
    ("平台不支持线下交易，请在平台下单", "pass"),
]
CONTACT = [
    ("加我微信", "block"),
    ("加 我 微 信", "block"),
    ("加vx吧", "block"),
    ("不能加微信哦，平台内沟通就好", "pass"),
    ("亲，请勿私下转账，平台交易有保障", "pass"),
    ("加vip会员有折扣", "pass"),
    ("可以用微信支付的", "pass"),
]


@pytest.mark.parametrize(("text", "expected"), COUNTERFEIT)
def test_counterfeit(text, expected):
    assert_case(text, expected, category="counterfeit")


@pytest.mark.parametrize(("text", "expected"), INSULT)
def test_insult(text, expected):
    assert_case(text, expected, category="insult")


@pytest.mark.parametrize(("text", "expected"), THREAT)
def test_threat(text, expected):
    assert_case(text, expected, category="threat")


@pytest.mark.parametrize(("text", "expected"), ILLEGAL)
def test_illegal(text, expected):
    assert_case(text, expected, category="illegal")


@pytest.mark.parametrize(("text", "expected"), STORE)
def test_store_words(text, expected):
    assert_case(text, expected, category="store")


@pytest.mark.parametrize(("text", "expected"), CONTACT)
def test_contact_words(text, expected):
    assert_case(text, expected, category="contact")


def test_hit_reports_the_listed_word_and_original_span():
    from tests.compliance.helpers import shipped_filter

    text = "亲，这是 高\u200b仿 的哦"
    (hit,) = shipped_filter().check_text(text).hits
    assert hit.rule == "counterfeit:高仿"
    assert hit.match == "高\u200b仿"
    assert text[hit.start:hit.end] == hit.match
    assert "高仿" in hit.reason
