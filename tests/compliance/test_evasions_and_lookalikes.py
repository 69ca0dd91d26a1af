"""Mixed evasions across detectors, and honest sentences that resemble violations."""

import pytest

from tests.compliance.helpers import assert_case

EVASIONS = [
    "+v abc12345", "➕V：abc_12345", "加薇 abc12345", "V❤信 abc12345", "🅥🅧 abc12345", "wei xin abc12345",
    "1️⃣3️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣", "幺叁捌-壹贰叁肆-伍陆柒捌", "13８ 1234 5678",
    "ｗｗｗ．ｘｘ．ｃｏｍ", "xx。com", "tb.cn/abcd",
    "6 2 2 2 0 2 1 2 3 4 5 6 7 8 9 0 1 2 3", "卡号：陆贰贰贰零贰壹贰叁肆伍陆柒捌玖零壹贰叁",
    "fei正品", "非 正 品", "gāofǎng", "这边是京东客服", "我是快手客服", "加我微信群",
]
LOOKALIKES = [
    "亲，这款支持微信支付哦", "您可以在拼多多搜索店铺名找到我们", "请提供您的手机号，方便快递联系",
    "订单号后四位是5678", "这个是 2.4GHz 无线", "规格：1.5m*2.0m", "尺寸 S.M.L", "iPhone15.Pro.Max",
    "版本号 v1.2.3", "A.O.史密斯热水器", "No.123456", "亲，不能提供微信号哦", "微信搜不到我们的",
    "请不要相信任何自称平台客服的人", "我们是拼多多的商家", "我这边是售后客服", "我是平台认证的品牌商",
    "我们是天猫官方旗舰店", "我们是京东物流配送", "我是快手小店客服", "多多关照", "送您多多垃圾袋",
    "欢迎常来店里逛逛", "欢迎到店铺首页领券", "您收到店铺的包裹了吗？地址是文三路100号",
    "这件衣服会让你好看很多", "SB200型号", "耐克SB系列", "Nike SB Dunk", "请出示你有病历吗", "用滚开的水冲泡",
    "您好，SB-300 有货", "发货时间 2026年11月25日 15:30", "快递员电话请看物流详情", "QQ糖 有货",
]


@pytest.mark.parametrize("text", EVASIONS)
def test_evasion_blocks(text):
    assert_case(text, "block")


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalike_passes(text):
    assert_case(text, "pass")
