"""WeChat and QQ ids after a trigger word; Alipay accounts are in test_bankcard.py with payments."""

import pytest

from tests.compliance.helpers import assert_case

WECHAT_QQ = [
    ("加我V信 abc12345", "block"),
    ("微信号：shop_888888", "block"),
    ("薇信 abc_123456", "block"),
    ("威信 13812345678", "block"),
    ("vx: wxabc123", "block"),
    ("VX13812345678", "block"),
    ("wxid_abcdef123", "block"),
    ("v：kefu2024", "block"),
    ("扣扣 123456789", "block"),
    ("企鹅 12345678", "block"),
    ("QQ号：987654321", "block"),
    ("微 信 号 abc12345", "block"),
    ("型号VX2479", "pass"),
    ("支持微信支付", "pass"),
    ("企鹅玩偶 有货", "pass"),
    ("QQ音乐会员", "pass"),
]


@pytest.mark.parametrize(("text", "expected"), WECHAT_QQ)
def test_wechat_qq(text, expected):
    assert_case(text, expected, category="contact")
