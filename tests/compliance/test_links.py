import pytest

from tests.compliance.helpers import assert_case

CASES = [
    ("看这里 https://evil.example.com/item?id=1", "block", "pdd"),
    ("http：//evil.cn", "block", "pdd"),
    ("www.xxshop.com", "block", "pdd"),
    ("WWW.XXSHOP.COM", "block", "pdd"),
    ("www点xx点com", "block", "pdd"),
    ("www 。xx 。com", "block", "pdd"),
    ("xx dot com", "block", "pdd"),
    ("xxshop.cn", "block", "pdd"),
    ("t.cn/A6xYz12", "block", "pdd"),
    ("xx[.]com", "block", "pdd"),
    ("shop(.)cn/abc", "block", "pdd"),
    ("www xxshop com", "block", "pdd"),
    ("h t t p s : / / x x . c o m", "block", "pdd"),
    ("www 是什么意思", "pass", "pdd"),
    ("bit.ly/3abc", "block", "pdd"),
    ("https://yangkeduo.com.evil.cn/goods", "block", "pdd"),
    ("https://mobile.yangkeduo.com/goods.html?goods_id=123", "pass", "pdd"),
    ("https://mobile.yangkeduo.com/goods.html?goods_id=123", "block", "taobao"),
    ("https://item.taobao.com/item.htm?id=1", "pass", "taobao"),
    ("https://m.tb.cn/h.abc", "pass", "taobao"),
    ("https://item.jd.com/100012.html", "pass", "jd"),
    ("https://v.douyin.com/abc/", "pass", "douyin"),
    ("https://item.jd.com/100012.html", "block", None),
    ("http://192.168.1.10/pay", "block", "pdd"),
    ("复制￥AbCd1234Ef￥打开手机淘宝", "block", "pdd"),
    ("复制￥AbCd1234Ef￥打开手机淘宝", "warn", "taobao"),
    # benign look-alikes
    ("价格¥138.00元，重量1.5kg", "pass", "pdd"),
    ("尺寸3.5cm，版本v2.0", "pass", "pdd"),
    ("Mr.Li 您好", "pass", "pdd"),
    ("视频文件是 video.mov", "pass", "pdd"),
    ("说明书.pdf 已发送", "pass", "pdd"),
    ("¥99，¥128 两个价位", "pass", "pdd"),
    ("型号iPhone15.Pro", "pass", "pdd"),
]


@pytest.mark.parametrize(("text", "expected", "platform"), CASES)
def test_links(text, expected, platform):
    assert_case(text, expected, category="link", platform=platform)


def test_team_lead_can_approve_a_domain(tmp_path):
    import shutil

    from workstation.compliance import ComplianceFilter
    from workstation.compliance.filter import default_word_dir

    shutil.copytree(default_word_dir(), tmp_path / "lists")
    flt = ComplianceFilter(tmp_path / "lists", auto_reload=False)
    assert flt.check_text("说明书在 manual.brand.com.cn", platform="pdd").blocked
    with open(tmp_path / "lists" / "allowed_domains.txt", "a", encoding="utf-8") as f:
        f.write("* brand.com.cn\n")
    flt.reload()
    assert flt.check_text("说明书在 manual.brand.com.cn", platform="pdd").passed
