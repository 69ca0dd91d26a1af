"""The side panel's Qt-free rules: masking, order numbers, coupon eligibility, rating limits, ranking."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from workstation.commerce.coupons import buyer_message, eligibility, offers
from workstation.commerce.errors import InvalidOrderNumber
from workstation.commerce.masking import mask_address, mask_name, mask_phone
from workstation.commerce.money import price, threshold_text
from workstation.commerce.order_numbers import normalize_order_number, validate_order_number
from workstation.commerce.products import rank
from workstation.commerce.ratings import rating_state
from workstation.domain.commerce import Coupon, CouponKind, Product
from workstation.domain.platforms import Platform

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing


def coupon(**changes) -> Coupon:
    values = dict(coupon_id="c1", kind=CouponKind.SHOP, title="店铺满199减20", threshold_fen=19900, discount_fen=2000,
                  valid_from=NOW - timedelta(days=1), valid_to=NOW + timedelta(days=2), stock_left=5,
                  per_buyer_limit=1, buyer_received=0)
    values.update(changes)
    return Coupon(**values)


def test_masks_names_phones_and_addresses():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_phone("13812348000") == "138****8000"
    assert mask_phone("138****8000") == "138****8000"
    assert mask_phone("12345") == "****"
    assert mask_address("浙江省杭州市西湖区文三路100号3幢201室") == "浙江省杭州市西湖区****"
    assert mask_address("上海市浦东新区世纪大道1号") == "上海市浦东新区****"
    assert "100号" not in mask_address("某地文三路100号")


@pytest.mark.parametrize("platform, number", [
    (Platform.PDD, "251125-123456789012345"),
    (Platform.TAOBAO, "3123456789012345678"),
    (Platform.DOUYIN, "6912345678901234567"),
    (Platform.KUAISHOU, "2311250012345678"),
    (Platform.JD, "312345678901"),
])
def test_accepts_each_platforms_order_number_shape(platform, number):
    assert validate_order_number(platform, number) == number


def test_order_numbers_are_normalised_as_agents_paste_them():
    assert normalize_order_number(" 订单号：２５１１２５－１２３４５６７８９０１２３４５ ") == "251125-123456789012345"
    assert validate_order_number(Platform.JD, "3123 4567 8901") == "312345678901"


@pytest.mark.parametrize("platform, text, needle", [
    (Platform.PDD, "123456789012345678", "6位日期-15位数字"),
    (Platform.JD, "12345", "10到14位数字"),
    (Platform.DOUYIN, "abc", "19位数字"),
    (Platform.TAOBAO, "", "请输入订单号"),
])
def test_rejects_malformed_order_numbers_with_a_chinese_reason(platform, text, needle):
    with pytest.raises(InvalidOrderNumber) as caught:
        validate_order_number(platform, text)
    assert needle in str(caught.value)


def test_coupon_eligibility_checks_validity_stock_and_the_buyers_limit():
    assert eligibility(coupon(), NOW) == (True, "", "")
    sendable, reason, kind = eligibility(coupon(valid_to=NOW - timedelta(hours=1)), NOW)
    assert not sendable and kind == "expired" and "已过期" in reason and "11月25日 09:00" in reason
    sendable, reason, kind = eligibility(coupon(stock_left=0), NOW)
    assert (sendable, kind) == (False, "stock") and "已发完" in reason
    sendable, reason, kind = eligibility(coupon(buyer_received=1), NOW)
    assert (sendable, kind) == (False, "limit") and "每人限领 1 张" in reason
    sendable, reason, kind = eligibility(coupon(valid_from=NOW + timedelta(days=1)), NOW)
    assert (sendable, kind) == (False, "not_started")


def test_offers_list_sendable_coupons_first():
    listed = offers([coupon(coupon_id="a", stock_left=0), coupon(coupon_id="b")], NOW)
    assert [o.coupon.coupon_id for o in listed] == ["b", "a"]
    assert listed[1].reason


def test_buyer_message_says_what_the_coupon_is_and_when_it_expires():
    text = buyer_message(coupon(), now=NOW)
    assert "店铺满减券" in text and "满199元减20元" in text and "11月27日 10:00" in text
    assert "指定商品" in buyer_message(coupon(kind=CouponKind.PRODUCT), now=NOW)
    assert price(12050) == "¥120.50" and threshold_text(0, 500) == "无门槛减5元"


def test_rating_needs_solved_and_respects_the_platforms_limits():
    state = rating_state(Platform.PDD, "cv1", None, [], NOW)
    assert not state.allowed and "问题已解决" in state.reason
    state = rating_state(Platform.PDD, "cv1", NOW - timedelta(minutes=1), [], NOW)
    assert state.allowed
    invited_here = [{"conversation_id": "cv1", "invited_at": NOW - timedelta(minutes=5)}]
    state = rating_state(Platform.KUAISHOU, "cv1", NOW - timedelta(minutes=1), invited_here, NOW)
    assert not state.allowed and "已于" in state.reason
    elsewhere = [{"conversation_id": "cv0", "invited_at": NOW - timedelta(hours=3)}]
    state = rating_state(Platform.TAOBAO, "cv1", NOW - timedelta(minutes=1), elsewhere, NOW)
    assert not state.allowed and "24小时" in state.reason
    assert rating_state(Platform.DOUYIN, "cv1", NOW - timedelta(minutes=1), elsewhere, NOW).allowed


def test_products_the_buyer_asked_about_float_to_the_top():
    products = [Product("p1", "无线蓝牙耳机", 19900, 10), Product("p2", "65W氮化镓快充头", 6900, 3),
                Product("p3", "手机壳防摔透明", 1990, 0)]
    ranked = rank(products, ["你好", "65W氮化镓快充头还有货吗"], set())
    assert [o.product.product_id for o in ranked] == ["p2", "p1", "p3"]
    assert ranked[0].asked_about and not ranked[1].asked_about
    assert ranked[2].unavailable_reason == "无库存"
    assert rank(products, [], {"p3"})[0].product.product_id == "p3"
