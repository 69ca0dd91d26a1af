"""Phone numbers: mobiles with separators, +86, Chinese and enclosed digits; landlines; 400 lines."""

import pytest

from tests.compliance.helpers import assert_case

PHONE = [
    ("我的电话13812345678", "block"),
    ("138 1234 5678", "block"),
    ("138-1234-5678", "block"),
    ("+86 138 1234 5678", "block"),
    ("0086-13812345678", "block"),
    ("１３８１２３４５６７８", "block"),
    ("壹叁捌壹贰叁肆伍陆柒捌", "block"),
    ("幺三八幺二三四五六七八", "block"),
    ("①③⑧①②③④⑤⑥⑦⑧", "block"),
    ("1 3 8 1 2 3 4 5 6 7 8", "block"),
    ("1\u200b38\u200b1234\u200b5678", "block"),
    ("138😀1234😀5678", "block"),
    ("座机 0571-88888888", "block"),
    ("400-123-4567", "block"),
    ("电话：0571 8888 8888", "block"),
    ("(0571)88888888", "block"),
    ("座机057188888888", "block"),
    ("订单号 057188888888", "pass"),
    # benign
    ("订单号 240512345678901234", "pass"),
    ("快递单号 SF1381234567890", "pass"),
    ("运单号YT13812345678", "pass"),
    ("2026-11-25 13:45 发货", "pass"),
    ("价格138元，重量1.2kg", "pass"),
    ("型号VX2479", "pass"),
    ("尺码 155 160 165 170", "pass"),
]


@pytest.mark.parametrize(("text", "expected"), PHONE)
def test_phone(text, expected):
    assert_case(text, expected, category="contact")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678 2件", "block"),              # a number followed by another number
        ("13812345678 13912345678", "block"),
        ("138 1234 5678 139 1234 5678", "block"),
        ("6222021234567890123，0", "block"),
        ("¥13.9 ¥15.9 ¥18.9 ¥19.9", "pass"),           # a list of prices is no phone number
        ("13.9 15.9 18.9 19.9", "pass"),
        ("2026-11-25 13:45:20 已签收", "pass"),
    ],
)
def test_numbers_side_by_side(text, expected):
    assert_case(text, expected)


def test_pathological_inputs_stay_fast():
    import time

    from tests.compliance.helpers import shipped_filter

    flt = shipped_filter()
    for text in ("高仿" * 2000, "13812345678 " * 500, "www.evil.com " * 500, "1." * 20000, "亲，" * 5000):
        start = time.perf_counter()
        verdict = flt.check_text(text, platform="pdd")
        assert time.perf_counter() - start < 2.0
        assert verdict.blocked == (not text.startswith(("1.", "亲")))
