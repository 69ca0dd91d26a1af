"""Small libraries shared by the quick-reply tests."""

from __future__ import annotations

from workstation.domain.platforms import Platform
from workstation.quickreply.model import Group, Library, Phrase, Scope


def team_library() -> Library:
    return Library(Scope.TEAM, (
        Group("售前", (
            Phrase("hi", "亲，您好，{客服昵称|小店客服}为您服务~"),
            Phrase("by", "亲，全场满 99 包邮哦"),
        )),
        Group("发货", (
            Phrase("fh", "亲，付款后 48 小时内发货"),
            Phrase("dh", "{买家昵称|亲}，当天下单当天发货哦"),
            Phrase("wl", "亲，订单 {订单号} 的物流已经在路上了"),
        )),
        Group("售后", (
            Phrase("tk", "亲，退款会在 1-3 个工作日原路退回"),
            Phrase("ks", "快手专享：七天无理由退货", platforms=(Platform.KUAISHOU,)),
            Phrase("s1", "本店铺专属优惠", shops=("1001",)),
        )),
    ))


def personal_library() -> Library:
    return Library(Scope.PERSONAL, (
        Group("我的", (
            Phrase("fh", "亲亲，我们 48 小时内发货的呢"),
            Phrase("xx", "谢谢亲的支持，祝您生活愉快"),
        )),
    ))
