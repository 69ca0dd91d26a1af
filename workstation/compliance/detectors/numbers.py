"""Runs of digits with the separators agents put inside them (138 1234-5678, 壹叁捌…).

Shared by the phone and bank-card detectors; a run glued to a Latin letter is an
identifier (SF1234567890123, VX2479), not a number a buyer could dial or pay into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workstation.compliance.normalize import Normalized

# A run takes up to three separator characters between digits (138，1234 😀 5678). Inside a
# run, windows of whole digit groups are read too, so two numbers side by side, or a phone
# number followed by "2件", are each seen; a window's separators must all be alike, as in a
# number written out (138 1234 5678), not a list of prices (¥13.9 ¥15.9).
_RUN = re.compile(r"[0-9](?:[\W_]{0,3}[0-9])*")
_GROUP = re.compile(r"[0-9]+")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
MIN_DIGITS = 10   # nothing the detectors look for is shorter (landlines with area code, mobiles, cards)
MAX_DIGITS = 19   # nor longer (cards)
MAX_GROUPS = 40


@dataclass(frozen=True, slots=True)
class DigitRun:
    start: int      # in the light view
    end: int
    raw: str        # as it appears in the light view, separators included
    digits: str
    glued: bool     # touches a Latin letter: part of an identifier


def _windows(light: str, start: int, end: int) -> list[tuple[int, int]]:
    """The run itself plus every window of whole digit groups with uniform separators."""
    groups = [m.span() for m in _GROUP.finditer(light, start, end)]
    spans = [(start, end)]
    if len(groups) < 2:
        return spans
    if len(groups) > MAX_GROUPS:  # a wall of digits: its long groups on their own, no windows
        return spans + [g for g in groups if g[1] - g[0] >= MIN_DIGITS]
    seps = [light[groups[k][1]:groups[k + 1][0]] for k in range(len(groups) - 1)]
    for i in range(len(groups)):
        total = 0
        for j in range(i, len(groups)):
            total += groups[j][1] - groups[j][0]
            if total > MAX_DIGITS:
                break
            if total >= MIN_DIGITS and (i, j) != (0, len(groups) - 1) and len(set(seps[i:j])) <= 1:
                spans.append((groups[i][0], groups[j][1]))
    return spans


def digit_runs(doc: Normalized) -> list[DigitRun]:
    """Runs and windows with MIN_DIGITS to MAX_DIGITS digits (a whole run may have more)."""
    runs = doc.memo.get("digit_runs")
    if runs is None:
        light = doc.light
        runs = []
        # Most messages hold fewer digits than any number we look for; counting is C-fast.
        if sum(map(light.count, "0123456789")) < MIN_DIGITS:
            doc.memo["digit_runs"] = runs
            return runs
        for m in _RUN.finditer(light):
            if m.end() - m.start() < MIN_DIGITS:
                continue
            for start, end in _windows(light, m.start(), m.end()):
                raw = light[start:end]
                digits = "".join(_GROUP.findall(raw))
                if len(digits) < MIN_DIGITS:
                    continue
                before = light[start - 1] if start else ""
                after = light[end] if end < len(light) else ""
                runs.append(DigitRun(start, end, raw, digits, before in _LETTERS or after in _LETTERS))
        doc.memo["digit_runs"] = runs
    return runs


def context_before(doc: Normalized, start: int, width: int = 12) -> str:
    return doc.light[max(0, start - width):start]
