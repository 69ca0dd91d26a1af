"""The same phrase sent to the same buyer a third time in one conversation — a warning.

Platforms' service guidance: 相同的话术不要重复使用，会使消费者感到敷衍. Messages are compared
in the words view, so a changed space or emoji does not make them different.
"""

from __future__ import annotations

from workstation.compliance.context import CheckContext
from workstation.compliance.normalize import Normalized, fold_words
from workstation.domain.verdict import Action, Category, Hit

REPEAT_LIMIT = 3   # this send would be the third identical one
MIN_LENGTH = 2

REASON = "这句话已经对这位买家发过{n}次了，重复同一句话术会让买家觉得敷衍，建议换个说法。"


def detect(doc: Normalized, ctx: CheckContext) -> list[Hit]:
    if not ctx.recent_sent or len(doc.words) < MIN_LENGTH:
        return []
    previous = sum(1 for sent in ctx.recent_sent if sent and fold_words(sent) == doc.words)
    if previous + 1 < REPEAT_LIMIT:
        return []
    start, end = doc.words_span(0, len(doc.words))
    return [Hit(Category.REPETITION, "repetition.same_phrase", start, end, doc.original[start:end],
                REASON.format(n=previous), Action.WARN)]
