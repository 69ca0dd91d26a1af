"""The text filter: normalise once, run every detector, turn the hits into a verdict."""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workstation.compliance import wordlists
from workstation.compliance.context import CheckContext
from workstation.compliance.detectors import TEXT_DETECTORS
from workstation.compliance.lexicon import Lexicon
from workstation.compliance.normalize import Normalized
from workstation.domain.verdict import PASS, Action, Category, Hit, Verdict

log = logging.getLogger(__name__)

PLATFORMS = ("pdd", "taobao", "douyin", "kuaishou", "jd")
_CODES = frozenset(PLATFORMS)
RELOAD_CHECK_SECONDS = 2.0
_DETECTS = tuple(module.detect for module in TEXT_DETECTORS)
_ACCOUNT_LIKE = {Category.LINK, Category.CONTACT, Category.PAYMENT}
_RANK = {Action.BLOCK: 2, Action.WARN: 1, Action.PASS: 0}


def default_word_dir() -> Path:
    """resources/compliance/ of this checkout or bundle; WORKSTATION_COMPLIANCE_DIR overrides it."""
    override = os.environ.get("WORKSTATION_COMPLIANCE_DIR")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)  # a PyInstaller build unpacks resources/ here
    if bundle and (Path(bundle) / "resources" / "compliance").is_dir():
        return Path(bundle) / "resources" / "compliance"
    return Path(__file__).resolve().parents[2] / "resources" / "compliance"


@dataclass(frozen=True, slots=True)
class _Compiled:
    lexicon: Lexicon
    allowed: dict[str, frozenset[str]]
    signature: tuple
    contexts: dict[str, CheckContext]  # per platform code, for checks without recent messages


def _compile(word_dir: Path) -> _Compiled:
    signature = wordlists.lists_signature(word_dir)
    lists = {}
    for name, (category, severity) in wordlists.WORD_CATEGORIES.items():
        lists[name] = (wordlists.load_list(word_dir, name).enabled_words, category, severity)
    lists[wordlists.BENIGN_LIST] = (wordlists.load_list(word_dir, wordlists.BENIGN_LIST).enabled_words, None, Action.PASS)
    domains = wordlists.parse_allowed_domains(wordlists.load_list(word_dir, wordlists.ALLOWED_DOMAINS_LIST))
    everywhere = domains.get("*", set())
    allowed = {p: frozenset(domains.get(p, set()) | everywhere) for p in PLATFORMS}
    allowed[""] = frozenset(everywhere)
    lexicon = Lexicon(lists)
    contexts = {code: CheckContext(code or None, (), lexicon, domains) for code, domains in allowed.items()}
    return _Compiled(lexicon, allowed, signature, contexts)


def _platform_code(platform) -> str:
    if platform is None:
        return ""
    if platform in _CODES:
        return platform
    code = str(getattr(platform, "value", platform)).strip().lower()
    if code not in PLATFORMS:
        raise ValueError(f"未知平台“{platform}”，可选：{'、'.join(PLATFORMS)}")
    return code


def _drop_covered(hits: list[Hit]) -> list[Hit]:
    """One report per offence: a hit inside a same-kind hit at least as severe adds nothing.

    A sweep in start order keeps it O(n log n) even for a message repeating a word thousands of times.
    """
    def kind(h: Hit):
        return "account" if h.category in _ACCOUNT_LIKE else h.category

    order = sorted(range(len(hits)), key=lambda i: (hits[i].start, -hits[i].end, -_RANK[hits[i].severity], i))
    reach: dict[object, list[int]] = {}   # kind → furthest end seen, per severity rank (index 0..2)
    keep = [False] * len(hits)
    for i in order:
        h = hits[i]
        rank = _RANK[h.severity]
        ends = reach.setdefault(kind(h), [-1, -1, -1])
        if max(ends[rank:]) >= h.end:
            continue
        keep[i] = True
        ends[rank] = max(ends[rank], h.end)
    return [h for h, k in zip(hits, keep) if k]


class ComplianceFilter:
    """Word lists from `word_dir` plus the built-in detectors. Lists reload without restart:
    call `reload()`, or just edit the files — the filter notices within a few seconds."""

    def __init__(self, word_dir: Path | None = None, *, auto_reload: bool = True):
        self.word_dir = Path(word_dir) if word_dir is not None else default_word_dir()
        self._auto_reload = auto_reload
        self._lock = threading.Lock()
        self._compiled = _compile(self.word_dir)
        self._next_reload_check = time.monotonic() + RELOAD_CHECK_SECONDS

    def reload(self) -> None:
        compiled = _compile(self.word_dir)
        with self._lock:
            self._compiled = compiled
        log.info("compliance word lists reloaded from %s (%d words)", self.word_dir, compiled.lexicon.word_count)

    def _current(self) -> _Compiled:
        if self._auto_reload:
            now = time.monotonic()
            if now >= self._next_reload_check:
                self._next_reload_check = now + RELOAD_CHECK_SECONDS
                if wordlists.lists_signature(self.word_dir) != self._compiled.signature:
                    try:
                        self.reload()
                    except wordlists.WordListError as exc:
                        # keep checking with the lists we have rather than stop every message
                        log.warning("word lists not reloaded: %s", exc)
                        self._compiled = dataclasses.replace(
                            self._compiled, signature=wordlists.lists_signature(self.word_dir))
        return self._compiled

    @property
    def lexicon(self) -> Lexicon:
        return self._current().lexicon

    def check_text(self, text: str, *, platform: str | None = None, recent_sent: Sequence[str] = ()) -> Verdict:
        if not isinstance(text, str):
            raise TypeError("text must be str")
        code = _platform_code(platform)
        if not text:
            return PASS
        compiled = self._current()
        if recent_sent:
            ctx = CheckContext(code or None, tuple(recent_sent), compiled.lexicon, compiled.allowed[code])
        else:
            ctx = compiled.contexts[code]
        doc = Normalized(text)
        hits: list[Hit] = []
        for detect in _DETECTS:
            found = detect(doc, ctx)
            if found:
                hits += found
        if not hits:
            return PASS
        return Verdict.from_hits(_drop_covered(hits))
