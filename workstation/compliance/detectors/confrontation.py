"""Rhetorical one-word questions (哪个？什么？) that buyers read as hostile — a warning only.

The platforms' service guidance (快手客服评价考核) lists 反问词 哪个?什么?你想怎样?; the
longer phrases are in confrontational.txt, the bare question words need their punctuation,
which only the light view keeps.
"""

from __future__ import annotations

import re

from workstation.compliance.context import CheckContext, light_hit
from workstation.compliance.normalize import Normalized
from workstation.domain.verdict import Action, Category, Hit

_RHETORICAL = re.compile(
    r"(?:^|(?<=[,.!?;，！？；\s]))(?:哪个|什么|啥|干嘛|干什么|怎么了|又怎么了|所以呢|然后呢)[ \t]*[?？]+"
)

REASON = "“{m}”是反问语气，容易让买家觉得被质问，建议换成“请问您指的是哪一款呢”这样的说法。"


def detect(doc: Normalized, ctx: CheckContext) -> list[Hit]:
    light = doc.light
    if "?" not in light:
        return []
    return [
        light_hit(doc, m.start(), m.end(), Category.CONFRONTATIONAL, "confrontational.rhetorical", REASON, Action.WARN)
        for m in _RHETORICAL.finditer(light)
    ]
