"""Bank cards (62… UnionPay and other BINs, grouped or not) and Alipay accounts; order numbers pass."""

import pytest

from tests.compliance.helpers import assert_case

PAYMENT = [
    ("银行卡号 6222021234567890123", "block"),
    ("6222 0212 3456 7890 123", "block"),
    ("6228-4804-0256-4890-018", "block"),
    ("4367 4212 3456 7890", "block"),
    ("转账到 6217001234567890", "block"),
    ("62220212345678901", "block"),
    ("支付宝：abc@163.com", "block"),
    ("支付宝账号 13812345678", "block"),
    ("zfb 13812345678", "block"),
    # benign
    ("订单号：6222021234567890123", "pass"),
    ("您的订单 3456789012345678901 已发货", "pass"),
    ("订单 231125-587960412345678", "pass"),
    ("快递单号 773012345678901", "pass"),
    ("支付宝付款就可以，在平台下单即可", "pass"),
]


@pytest.mark.parametrize(("text", "expected"), PAYMENT)
def test_payment(text, expected):
    assert_case(text, expected, category="payment")
