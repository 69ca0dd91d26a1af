"""A stand-in for workstation.compliance.check_text with a fixed word list, for deterministic tests."""

from __future__ import annotations

from workstation.domain.verdict import Action, Category, Hit, Verdict

_RULES = (
    ("高仿", Category.COUNTERFEIT, "kuaishou-2.8", "假货用语", Action.BLOCK),
    ("加微信", Category.CONTACT, "contact", "引导站外联系", Action.BLOCK),
    ("不知道", Category.SHIRKING, "shirking", "推诿用语", Action.WARN),
)


def fake_check_text(text: str, *, platform=None) -> Verdict:
    hits = []
    for word, category, rule, reason, severity in _RULES:
        start = text.find(word)
        if start != -1:
            hits.append(Hit(category, rule, start, start + len(word), word, reason, severity))
    return Verdict.from_hits(hits)
