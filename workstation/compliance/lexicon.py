"""The compiled word lists: one Aho–Corasick automaton over the `words` view of a message.

ahocorasick-rs was chosen by measurement (bench/compliance.py prints the raw scan rate): on
short Chinese messages it scans many times faster than pyahocorasick's Python iterator.
Each listed word is compiled with its pinyin forms (高仿 → gaofang, gao仿, 高fang), so
pinyin typed by the agent reaches the word while a homophone typed in characters (高房)
does not. Benign words (仿佛, 正品保证) are in the same automaton and veto overlapping hits.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick_rs

from workstation.compliance.normalize import fold_words
from workstation.domain.verdict import Action, Category

_CJK = re.compile(r"[\u3400-\u9fff]")
_ASCII_LETTER = frozenset("abcdefghijklmnopqrstuvwxyz")
_ASCII_ALNUM = _ASCII_LETTER | frozenset("0123456789")
_MAX_COMBO_CHARS = 6      # words up to this length get every char/pinyin mix; longer ones full pinyin only
_SHORT_LATIN_EDGE = 5     # a Latin edge shorter than this must not touch other Latin letters (sb ≠ usb)
_FREE_PINYIN = 7          # an all-Latin form this long may sit inside other letters (woshigaofang)


@dataclass(frozen=True, slots=True)
class Entry:
    """A listed word."""

    word: str                 # as the team lead wrote it
    list_name: str            # file it came from
    category: Category | None  # None for benign words
    severity: Action


# One way a word can appear in the words view: (form, is_pinyin, guard_left, guard_right); a
# guarded edge is a short Latin one whose neighbour must not be a Latin letter or digit.
Form = tuple[str, bool, bool, bool]


@dataclass(frozen=True, slots=True)
class WordMatch:
    entry: Entry
    start: int    # in the words view
    end: int


def _latin_edge(pattern: str, from_left: bool) -> int:
    seq = pattern if from_left else reversed(pattern)
    n = 0
    for c in seq:
        if c in _ASCII_LETTER:
            n += 1
        else:
            break
    return n


def _form(form: str, is_pinyin: bool) -> Form:
    left = _latin_edge(form, True)
    right = _latin_edge(form, False)
    return (form, is_pinyin,
            0 < left < _SHORT_LATIN_EDGE or (left == len(form) < _FREE_PINYIN),
            0 < right < _SHORT_LATIN_EDGE or (right == len(form) < _FREE_PINYIN))


@lru_cache(maxsize=None)
def word_forms(canonical: str, with_pinyin: bool) -> tuple[Form, ...]:
    """Cached, so reloading after a team lead adds one word only converts that word to pinyin."""
    forms = [_form(canonical, False)]
    if with_pinyin:
        forms += [_form(f, True) for f in pinyin_forms(canonical)]
    return tuple(forms)


def pinyin_forms(canonical: str) -> list[str]:
    """Pinyin spellings of a word in the words view, excluding the word itself."""
    if not _CJK.search(canonical):
        return []
    from pypinyin import Style, lazy_pinyin  # its phrase tables take a third of a second to load

    syllables = lazy_pinyin(canonical, style=Style.NORMAL, errors=lambda chars: list(chars))
    if len(syllables) != len(canonical):
        return []
    chars = list(canonical)
    cjk_positions = [i for i, c in enumerate(chars) if _CJK.match(c)]
    forms: set[str] = set()
    if len(chars) <= _MAX_COMBO_CHARS:
        for mask in itertools.product((False, True), repeat=len(cjk_positions)):
            if not any(mask):
                continue
            parts = list(chars)
            for use, pos in zip(mask, cjk_positions):
                if use:
                    parts[pos] = syllables[pos]
            forms.add("".join(parts))
    else:
        forms.add("".join(syllables[i] if i in cjk_positions else chars[i] for i in range(len(chars))))
    forms.discard(canonical)
    # ü is typed as v or u.
    forms |= {f.replace("v", "u") for f in forms if "v" in f and "v" not in canonical}
    return sorted(forms)


class Lexicon:
    """All enabled words of all lists, ready to scan a words view."""

    def __init__(self, lists: dict[str, tuple[list[str], Category | None, Action]]):
        patterns: dict[str, list[tuple[Entry, bool, bool]]] = {}
        for list_name, (words, category, severity) in lists.items():
            for word in words:
                canonical = fold_words(word)
                if not canonical:
                    continue
                entry = Entry(word, list_name, category, severity)
                for form, _pinyin, guard_left, guard_right in word_forms(canonical, category is not None):
                    patterns.setdefault(form, []).append((entry, guard_left, guard_right))
        self.patterns = list(patterns)
        self._entries = [patterns[p] for p in self.patterns]
        self.word_count = sum(len(words) for words, _, _ in lists.values())
        self._automaton = (
            ahocorasick_rs.AhoCorasick(self.patterns, matchkind=ahocorasick_rs.MATCHKIND_STANDARD)
            if self.patterns else None
        )

    def scan(self, words_view: str) -> tuple[list[WordMatch], list[WordMatch]]:
        """(forbidden matches, benign matches) in the words view, Latin-edge guards applied."""
        if self._automaton is None or not words_view:
            return [], []
        found = self._automaton.find_matches_as_indexes(words_view, overlapping=True)
        if not found:
            return [], []
        forbidden: list[WordMatch] = []
        benign: list[WordMatch] = []
        n = len(words_view)
        for index, start, end in found:
            for entry, guard_left, guard_right in self._entries[index]:
                # sb in usb or SB200 is part of a longer name, not the insult
                if guard_left and start > 0 and words_view[start - 1] in _ASCII_ALNUM:
                    continue
                if guard_right and end < n and words_view[end] in _ASCII_ALNUM:
                    continue
                (benign if entry.category is None else forbidden).append(WordMatch(entry, start, end))
        return forbidden, benign
