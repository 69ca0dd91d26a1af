"""Physical store addresses (a street address with a store cue); a buyer's own address passes."""

import pytest

from tests.compliance.helpers import assert_case

STORE_ADDRESS = [
    ("我们实体店在北京市朝阳区建国路88号", "block"),
    ("门店：杭州市西湖区文三路100号", "block"),
    ("您的地址是杭州市西湖区文三路100号对吗", "pass"),
    ("我们仓库在广州，发货很快", "pass"),
]


@pytest.mark.parametrize(("text", "expected"), STORE_ADDRESS)
def test_store_address(text, expected):
    assert_case(text, expected, category="store")
