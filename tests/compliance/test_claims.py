"""Impersonating the platform and disparaging it or other shops."""

import pytest

from tests.compliance.helpers import assert_case

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


@pytest.mark.parametrize(("text", "expected"), IMPERSONATION)
def test_impersonation(text, expected):
    assert_case(text, expected, category="impersonation")


@pytest.mark.parametrize(("text", "expected"), DISPARAGE)
def test_disparage(text, expected):
    assert_case(text, expected, category="disparage")
