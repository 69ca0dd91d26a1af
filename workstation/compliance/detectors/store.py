"""A physical store's address: a street address in a message that speaks of a store.

A buyer's own shipping address read back to them has no store cue and passes; the phrases
that invite buyers to a store or to trade off the platform are in store.txt.
"""

from __future__ import annotations

import re

from workstation.compliance.context import CheckContext, light_hit
from workstation.compliance.normalize import Normalized
from workstation.domain.verdict import Category, Hit

# Words for a shop you can walk into; 店铺/店里 alone mean the online shop and are no cue.
_CUE = re.compile(r"实体店|门店|店面|专卖店|线下店|体验店|总店|分店|自提点|店址|档口|铺面")
_ADDRESS = re.compile(
    r"[\u4e00-\u9fff][\u4e00-\u9fff0-9]{1,12}(?:路|街|大道|巷|弄|胡同)[ \t]*\d{1,5}[ \t]*号"
    r"|[\u4e00-\u9fff][\u4e00-\u9fff0-9]{1,12}(?:大厦|广场|商场|市场|商城|中心)[ \t]*[a-z]?\d{1,4}[ \t]*(?:楼|层|号|室|档)"
)

REASON = "“{m}”是实体店地址，平台禁止发送实体店地址或引导买家到店，请删除。"


def detect(doc: Normalized, ctx: CheckContext) -> list[Hit]:
    if not _CUE.search(doc.words):
        return []
    return [
        light_hit(doc, m.start(), m.end(), Category.STORE, "store.address", REASON)
        for m in _ADDRESS.finditer(doc.light)
    ]
