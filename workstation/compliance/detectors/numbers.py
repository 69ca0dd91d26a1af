"""Runs of digits with the separators agents put inside them (138 1234-5678, 壹叁捌…).

Shared by the phone and bank-card detectors; a run glued to a Latin letter is an
identifier (SF1234567890123, VX2479), not a number a buyer could dial or pay into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workstation.compliance.normalize import Normalized

# Coarse runs take any separator (138，1234，5678); fine runs stop at sentence punctuation, so a
# card number followed by "，0" is still read on its own.
_RUN = re.compile(r"[0-9](?:[\W_]{0,3}[0-9])*")
_FINE_RUN = re.compile(r"[0-9](?:[^\w,;!?、:]{0,3}[0-9])*")
_STRONG = re.compile(r"[,;!?、:]")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_NON_DIGIT = re.compile(r"[^0-9]")
MIN_DIGITS = 10   # nothing the detectors look for is shorter (landlines with area code, mobiles, cards)


@dataclass(frozen=True, slots=True)
class DigitRun:
    start: int      # in the light view
    end: int
    raw: str        # as it appears in the light view, separators included
    digits: str
    glued: bool     # touches a Latin letter: part of an identifier


def digit_runs(doc: Normalized) -> list[DigitRun]:
    """Runs with at least MIN_DIGITS digits, coarse and fine."""
    runs = doc.memo.get("digit_runs")
    if runs is None:
        light = doc.light
        runs = []
        spans = []
        # Most messages hold fewer digits than any number we look for; counting is C-fast.
        if sum(map(light.count, "0123456789")) < MIN_DIGITS:
            doc.memo["digit_runs"] = runs
            return runs
        for m in _RUN.finditer(light):
            start, end = m.span()
            if end - start < MIN_DIGITS:
                continue
            spans.append((start, end))
            if _STRONG.search(light, start, end):
                spans += [(f.start() + start, f.end() + start) for f in _FINE_RUN.finditer(light[start:end])
                          if f.end() - f.start() >= MIN_DIGITS and (f.start(), f.end()) != (0, end - start)]
        for start, end in spans:
            raw = light[start:end]
            before = light[start - 1] if start else ""
            after = light[end] if end < len(light) else ""
            digits = _NON_DIGIT.sub("", raw)
            if len(digits) >= MIN_DIGITS:
                runs.append(DigitRun(start, end, raw, digits, before in _LETTERS or after in _LETTERS))
        doc.memo["digit_runs"] = runs
    return runs


def context_before(doc: Normalized, start: int, width: int = 12) -> str:
    return doc.light[max(0, start - width):start]
