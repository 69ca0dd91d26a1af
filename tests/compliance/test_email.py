"""E-mail addresses, including 艾特 / at / ＠ and 点 / dot."""

import pytest

from tests.compliance.helpers import assert_case

EMAIL = [
    ("邮箱 abc123@163.com", "block"),
    ("abc123＠qq.com", "block"),
    ("abc123 艾特 qq点com", "block"),
    ("abc123 at qq dot com", "block"),
    ("ABC.DEF@GMAIL.COM", "block"),
    ("abc123#qq.com（#换成@）", "block"),
    ("abc123圈a163.com", "block"),
    ("abc[at]qq[.]com", "block"),
    ("#新品上市# 欢迎选购", "pass"),
    ("第#1款和第#2款", "pass"),
    ("@小王 您好", "pass"),
    ("我们at 9点上班", "pass"),
]


@pytest.mark.parametrize(("text", "expected"), EMAIL)
def test_email(text, expected):
    assert_case(text, expected, category="contact")
