"""What a detector gets besides the message: the platform, the compiled lists, recent messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workstation.compliance.lexicon import Lexicon
from workstation.compliance.normalize import Normalized
from workstation.domain.verdict import Action, Category, Hit


@dataclass(frozen=True, slots=True)
class CheckContext:
    platform: str | None
    recent_sent: Sequence[str]
    lexicon: Lexicon
    allowed_domains: frozenset[str]  # registrable domains this platform (or the team) allows


def light_hit(doc: Normalized, start: int, end: int, category: Category, rule: str, reason: str,
              severity: Action = Action.BLOCK) -> Hit:
    """A hit found at [start, end) of the light view, reported on the original text."""
    o_start, o_end = doc.light_span(start, end)
    return _hit(doc, o_start, o_end, category, rule, reason, severity)


def view_hit(doc: Normalized, view: str, start: int, end: int, category: Category, rule: str, reason: str,
             severity: Action = Action.BLOCK) -> Hit:
    o_start, o_end = doc.span(view, start, end)
    return _hit(doc, o_start, o_end, category, rule, reason, severity)


def words_hit(doc: Normalized, start: int, end: int, category: Category, rule: str, reason: str,
              severity: Action = Action.BLOCK) -> Hit:
    o_start, o_end = doc.words_span(start, end)
    return _hit(doc, o_start, o_end, category, rule, reason, severity)


def _hit(doc: Normalized, start: int, end: int, category: Category, rule: str, reason: str,
         severity: Action) -> Hit:
    """`{m}` in the reason becomes the offending text as the agent typed it."""
    match = doc.original[start:end]
    if "{m}" in reason:
        reason = reason.replace("{m}", " ".join(match.split()))
    return Hit(category, rule, start, end, match, reason, severity)
