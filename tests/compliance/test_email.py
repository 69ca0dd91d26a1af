"""E-mail addresses, including 艾特 / at / ＠ and 点 / dot."""

import pytest

from tests.compliance.helpers import assert_case

EMAIL = [
    ("邮箱 abc123@163.com", "block"),
    ("abc123＠qq.com", "block"),
    ("abc123 艾特 qq点com", "block"),
    ("abc123 at qq dot com", "block"),
    ("ABC.DEF@GMAIL.COM", "block"),
    ("@小王 您好", "pass"),
    ("我们at 9点上班", "pass"),
]


@pytest.mark.parametrize(("text", "expected"), EMAIL)
def test_email(text, expected):
    assert_case(text, expected, category="contact")
