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
    # a solicitation verb before vx / v glued to an id (issue: 加我vx123456 passed)
    ("加我vx123456", "block"),
    ("加我v123456", "block"),
    ("加我VX 123456", "block"),
    ("加vx：ab_12345", "block"),
    ("＋V：abc12345", "block"),
    ("wx号 abc12345", "block"),
    ("+我vx123456", "block"),
    ("找我vx123456", "block"),
    ("私聊vx123456", "block"),
    ("搜vx123456", "block"),
    ("联系我vx abc12345", "block"),
    ("加个vx13812345678", "block"),
    ("加我vxabc_12345", "block"),
    ("有问题加我vx123456哦", "block"),
    ("型号VX2479", "pass"),
    ("显示器型号VX2479", "pass"),
    ("VX2479显示器", "pass"),
    ("型号vx2479", "pass"),
    ("规格 VX-2479", "pass"),
    ("店铺里搜VX2479就能找到", "pass"),
    ("加购VX2479显示器送挂架", "pass"),
    ("订单号 230415123456，快递单号 SF1234567890123", "pass"),
    ("加VIP会员享9折", "pass"),
    ("联系vivo官方售后", "pass"),
    ("支持微信支付", "pass"),
    ("企鹅玩偶 有货", "pass"),
    ("QQ音乐会员", "pass"),
]


@pytest.mark.parametrize(("text", "expected"), WECHAT_QQ)
def test_wechat_qq(text, expected):
    assert_case(text, expected, category="contact")
