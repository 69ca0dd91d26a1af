"""WeChat, QQ and Alipay accounts: a trigger word (微信, V信, vx, 扣扣, 企鹅, 支付宝…) followed
by something that reads as an id. Mentioning WeChat Pay or refusing to add anyone passes; a
model number such as VX2479 passes because a Latin trigger glued to digits needs eight of them,
unless a solicitation comes right before it: 加我vx123456, 找我v123456, +我vxabc_12345 ask the
buyer to add an id (6–20 letters, digits, _ or -, or a phone number), where 型号vx2479 and
搜VX2479 name a model.
"""

from __future__ import annotations

import re

from workstation.compliance.context import CheckContext
from workstation.compliance.normalize import Normalized
from workstation.domain.verdict import Category, Hit

_TRIGGERS = re.compile(
    r"(?P<wechat>微信|威信|薇信|维信|徽信|魏信|危信|微心|喂信|v信|v芯|vx|wx|weixin|wechat|wei信|微xin|绿泡泡)"
    r"|(?P<qq>qq|扣扣|抠抠|企鹅|q号|球球|寇寇)"
    r"|(?P<alipay>支付宝|zfb|alipay|支f宝|支附宝)"
)
# a character class scans far faster than an alternation; it only has to rule messages out
_QUICK = re.compile(r"[微威薇维徽魏危喂信芯泡扣抠企球寇支vwqza]")
_V_COLON = re.compile(r"(?<![a-z0-9])v[ \t]*[:：]|(?:\+|➕|加)[ \t]*(?:v|vx|wx|v信|薇|微)(?![a-z])")
# A solicitation verb, a little filler (我, 个, 一下…), then v / vx / wx glued or spaced to an id.
_SOLICIT = re.compile(
    r"(?:\+|➕|加|联系|搜索?|私聊|私信|私我|找我)[ \t]*(?:(?:我的?|一下|下|个|你)[ \t]*)?"
    r"(?:v(?![a-z])|[vw]x)"
)
_SOLICIT_QUICK = re.compile(r"[+➕加联搜私找]")
_WXID = re.compile(r"(?<![a-z0-9])wxid_[a-z0-9_-]{4,}")
_FILLER = r"(?:[ \t:：,，=＝~\-_（）()]|号码?|账号|帐号|账户|帐户|id|是|为|名|搜|加|我的|的|我)*"
_ID = {
    "wechat": r"(?:[a-z][a-z0-9_-]{5,19}|\d{5,12}|[a-z0-9._%+-]+@[a-z0-9.-]+)",
    "qq": r"(?:\d{5,12}|[a-z0-9._%+-]+@[a-z0-9.-]+)",
    "alipay": r"(?:\d{8,12}|[a-z0-9._%+-]+@[a-z0-9.-]+|[a-z][a-z0-9_.-]{5,29})",
}
_ID_AFTER = {kind: re.compile(_FILLER + f"(?P<id>{pattern})(?![a-z0-9_-])") for kind, pattern in _ID.items()}
_GLUED_DIGITS = re.compile(r"\d{8,12}(?![a-z0-9_-])")
_SOLICITED_ID = re.compile(
    r"(?:[ \t:：=＝~\-_]|号码?|账号|帐号|是|为)*"
    r"(?P<id>[a-z][a-z0-9_-]{5,19}|\d{6,20}|[a-z0-9._%+-]+@[a-z0-9.-]+)(?![a-z0-9_-])"
)

RULES = {
    "wechat": (Category.CONTACT, "contact.wechat", "“{m}”是微信号，平台禁止引导买家加站外联系方式，请删除。"),
    "qq": (Category.CONTACT, "contact.qq", "“{m}”是QQ号，平台禁止引导买家加站外联系方式，请删除。"),
    "alipay": (Category.PAYMENT, "payment.alipay", "“{m}”是支付宝账号，平台禁止发送支付账号，请删除。"),
}


def _hit(doc: Normalized, start: int, end: int, kind: str) -> Hit:
    category, rule, reason = RULES[kind]
    match = doc.original[start:end]
    return Hit(category, rule, start, end, match, reason.replace("{m}", " ".join(match.split())))


def detect(doc: Normalized, ctx: CheckContext) -> list[Hit]:
    words, light = doc.words, doc.light
    if not _QUICK.search(words):
        return []
    hits = []
    for m in _TRIGGERS.finditer(words):
        kind = m.lastgroup
        trigger = m.group()
        latin = trigger.isascii()
        if latin and m.start() > 0 and words[m.start() - 1].isascii() and words[m.start() - 1].isalpha():
            continue
        o_start, o_end = doc.words_span(m.start(), m.end())
        at = doc.light_index_of(o_end)
        if latin and at < len(light) and light[at].isascii() and light[at].isalnum():
            found = _GLUED_DIGITS.match(light, at)   # vx13812345678 yes, VX2479 no
        else:
            found = _ID_AFTER[kind].match(light, at)
        if not found:
            continue
        _, id_end = doc.light_span(at, found.end())
        hits.append(_hit(doc, o_start, id_end, kind))
    patterns = []
    if ":" in light or "+" in light or "➕" in light or "加" in light:
        patterns.append(_V_COLON)
    if "wxid" in light:
        patterns.append(_WXID)
    if _SOLICIT_QUICK.search(light):
        patterns.append(_SOLICIT)
    for pattern in patterns:
        for m in pattern.finditer(light):
            if pattern is _WXID:
                found = m
            elif pattern is _SOLICIT:
                found = _SOLICITED_ID.match(light, m.end())
            else:
                found = _ID_AFTER["wechat"].match(light, m.end())
            if found:
                start, _ = doc.light_span(m.start(), m.start() + 1)
                _, end = doc.light_span(found.end() - 1, found.end())
                hits.append(_hit(doc, start, end, "wechat"))
    return hits
