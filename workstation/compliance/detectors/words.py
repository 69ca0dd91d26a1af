"""Words from the team's lists (counterfeit, insults, threats…) found in the words view.

A benign word overlapping a hit vetoes it (高仿佛 → 仿佛, 高仿真花 → 仿真) unless the benign
word is itself split by noise in the original (高仿 佛 is an evasion, not 仿佛). A contact or
off-platform phrase right after a negation is the agent refusing (不能加微信哦), not asking.
"""

from __future__ import annotations

import re

from workstation.compliance.context import CheckContext, words_hit
from workstation.compliance.lexicon import WordMatch
from workstation.compliance.normalize import WORDS_TABLE, Normalized, fold_words
from workstation.domain.verdict import Category, Hit

REASONS = {
    Category.COUNTERFEIT: "“{w}”明示或暗示商品是假货（快手规则2.8，各平台同样禁止），否定句里也不能用，请改说“正品”。",
    Category.INSULT: "“{w}”属于辱骂或不文明用语，平台禁止，请删除。",
    Category.THREAT: "“{w}”带有威胁恐吓的意思，平台禁止，请删除。",
    Category.ILLEGAL: "“{w}”涉及违法违规内容（反动、色情、赌博、毒品、传销等），平台禁止发送。",
    Category.IMPERSONATION: "“{w}”会让买家以为您代表平台，平台禁止冒充官方或以平台名义承诺。",
    Category.DISPARAGE: "“{w}”诋毁平台或其他店铺，平台禁止。",
    Category.STORE: "“{w}”涉及实体店或站外交易，平台禁止引导买家离开平台交易。",
    Category.CONTACT: "“{w}”在引导买家添加站外联系方式，平台禁止。",
    Category.CONFRONTATIONAL: "“{w}”是对抗式语气，容易引起买家不满，建议换一种说法。",
    Category.SHIRKING: "“{w}”听起来像在推诿，建议告诉买家您会怎样帮他解决。",
}

# Refusing is honest: 不能加微信, 不支持线下交易, 我们不做好评返现. Counterfeit words are not
# negatable: rule 2.8 forbids the words themselves, and 不是高仿 still puts 高仿 before the buyer.
_NEGATABLE = {Category.CONTACT, Category.STORE, Category.ILLEGAL}
_NEGATIONS = (
    "不能", "不可以", "不可", "不允许", "禁止", "无法", "不方便", "没法", "不让", "不支持", "不用",
    "不要", "不会", "不提供", "请勿", "切勿", "勿", "别", "严禁", "不得", "不建议", "没有", "不接受",
    "不做", "不卖", "不搞", "不参与", "拒绝", "谨防", "小心",
)
_NEGATION_WINDOW = 5
_CLAUSE_END = re.compile(r"[，,。.！!？?；;：:\n]")


def _contiguous(doc: Normalized, match: WordMatch) -> bool:
    """True when the original characters of a words-view span carry no noise between them."""
    start, end = doc.words_span(match.start, match.end)
    return all(WORDS_TABLE[ord(c)] for c in doc.original[start:end])


def _vetoed(doc: Normalized, hit: WordMatch, benign: list[WordMatch]) -> bool:
    for b in benign:
        overlaps = b.start < hit.end and hit.start < b.end
        strictly_inside = hit.start <= b.start and b.end <= hit.end and (b.end - b.start) < (hit.end - hit.start)
        if overlaps and not strictly_inside and _contiguous(doc, b):
            return True
    return False


def _negated(doc: Normalized, match: WordMatch) -> bool:
    """A negation in the same clause right before the match (不能加微信; not 不用，加我微信)."""
    start, _ = doc.words_span(match.start, match.end)
    before = doc.original[max(0, start - 3 * _NEGATION_WINDOW):start]
    clause = _CLAUSE_END.split(before)[-1]
    folded = fold_words(clause)[-_NEGATION_WINDOW:]
    return any(neg in folded for neg in _NEGATIONS)


def detect(doc: Normalized, ctx: CheckContext) -> list[Hit]:
    forbidden, benign = ctx.lexicon.scan(doc.words)
    if not forbidden:
        return []
    hits = []
    for match in forbidden:
        entry = match.entry
        if benign and _vetoed(doc, match, benign):
            continue
        if entry.category in _NEGATABLE and _negated(doc, match):
            continue
        reason = REASONS.get(entry.category, "“{w}”违反平台规则。").format(w=entry.word)
        hits.append(words_hit(doc, match.start, match.end, entry.category,
                              f"{entry.list_name}:{entry.word}", reason, entry.severity))
    return hits
