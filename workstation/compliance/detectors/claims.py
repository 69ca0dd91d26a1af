"""Claiming to be the platform (我是拼多多官方客服) and running down the platform or other shops.

Patterns run over the words view, so spaces and punctuation inside them do not help.
Advising a buyer to contact the platform (联系平台客服介入) is not a claim and passes.
"""

from __future__ import annotations

import functools
import re

from workstation.compliance.context import CheckContext, words_hit
from workstation.compliance.normalize import Normalized
from workstation.domain.verdict import Category, Hit

_PLATFORMS = r"(?:拼多多|多多|淘宝|天猫|抖音|抖店|快手|京东|平台|阿里)"
_CLAIM_SOURCE = (
    rf"(?:我|我们|本人|这边|这里|咱们)(?:就|也|可)?(?:是|为|代表)(?:{_PLATFORMS})+(?:的)?"
    # not 官方 alone: 我们是天猫官方旗舰店 is a true statement about a shop
    r"(?:官方)?(?:客服|工作人员|小二|人员|审核员?|专员|员工|总部)"
    rf"|代表(?:{_PLATFORMS})+(?:承诺|保证|通知|向您)"
    rf"|以(?:{_PLATFORMS})+(?:的)?名义"
    rf"|(?:{_PLATFORMS})+官方(?:承诺|担保)"
)
_DISPARAGE_SOURCE = (
    rf"{_PLATFORMS}(?:就是|真是|真的|太|真|都是|很|特别|也)?(?:垃圾(?!袋|桶|分类|处理|清理|篓|箱)|坑人|坑爹|黑心|骗子|骗人|烂透|恶心|辣鸡)"
    r"|(?:别家|别的店|别的家|其他店|其它店|其他家|其它家|别人家|隔壁店?|同行|他们家|那家店?)"
    r"(?:的|卖的)?(?:东西|货|产品|商品)?(?:都是|全是|就是|是|都)?"
    r"(?:假货|假的|骗子|垃圾|次品|劣质|山寨|骗人的|翻新|黑心)"
)
# Cheap checks first: a claim names a platform, a put-down has a bad word (in characters or pinyin).
_PLATFORM_HINT = re.compile(r"[拼多淘天抖快京平阿]")
_CLAIM_HINT = re.compile(r"[是为表名官]")
_BAD_HINT = re.compile(r"[垃坑黑骗烂恶辣假次劣山翻]")
_LATIN = re.compile(r"[a-z]")
_PLATFORM_PINYIN = re.compile(r"pin|duo|tao|tian|dou|kuai|jing|ping|ali")
_CLAIM_PINYIN = re.compile(r"shi|wei|biao|ming|guan")
_BAD_PINYIN = re.compile(r"laji|keng|heixin|pian|lan|exin|jia|ci|lie|shan|fan")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _with_pinyin(source: str) -> re.Pattern:
    """Each character may also be typed as its pinyin (wo是pin多多guan方kefu); a homophone typed
    in characters is still no match, since only the listed characters or Latin letters match."""
    from pypinyin import Style, lazy_pinyin

    return re.compile(_CJK.sub(lambda m: f"(?:{m.group()}|{lazy_pinyin(m.group(), style=Style.NORMAL)[0]})", source))


@functools.cache
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    return _with_pinyin(_CLAIM_SOURCE), _with_pinyin(_DISPARAGE_SOURCE)

CLAIM_REASON = "“{m}”会让买家以为您代表平台，平台禁止冒充平台或以平台名义承诺。"
DISPARAGE_REASON = "“{m}”诋毁平台或其他店铺，平台禁止。"


def detect(doc: Normalized, ctx: CheckContext) -> list[Hit]:
    words = doc.words
    hits = []
    latin = _LATIN.search(words) is not None
    if ((_PLATFORM_HINT.search(words) or latin and _PLATFORM_PINYIN.search(words))
            and (_CLAIM_HINT.search(words) or latin and _CLAIM_PINYIN.search(words))):
        claim = _patterns()[0]
        hits += [
            words_hit(doc, m.start(), m.end(), Category.IMPERSONATION, "impersonation.claim", CLAIM_REASON)
            for m in claim.finditer(words)
        ]
    if _BAD_HINT.search(words) or latin and _BAD_PINYIN.search(words):
        disparage = _patterns()[1]
        hits += [
            words_hit(doc, m.start(), m.end(), Category.DISPARAGE, "disparage.phrase", DISPARAGE_REASON)
            for m in disparage.finditer(words)
        ]
    return hits
