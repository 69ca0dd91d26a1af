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
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True, slots=True)
class DigitRun:
    start: int      # in the light view
    end: int
    raw: str        # as it appears in the light view, separators included
    digits: str
    glued: bool     # touches a Latin letter: part of an identifier


def digit_runs(doc: Normalized) -> list[DigitRun]:
    runs = doc.memo.get("digit_runs")
    if runs is None:
        light = doc.light
        runs = []
        spans = [m.span() for m in _RUN.finditer(light)]
        if any(c in light for c in ",;!?、:"):
            spans = sorted(set(spans) | {m.span() for m in _FINE_RUN.finditer(light)})
        for start, end in spans:
            raw = light[start:end]
            before = light[start - 1] if start else ""
            after = light[end] if end < len(light) else ""
            runs.append(DigitRun(start, end, raw, re.sub(r"\D", "", raw),
                                 before in _ASCII_ALNUM or after in _ASCII_ALNUM))
        doc.memo["digit_runs"] = runs
    return runs


def context_before(doc: Normalized, start: int, width: int = 12) -> str:
    return doc.light[max(0, start - width):start]
