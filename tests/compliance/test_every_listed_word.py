"""Every enabled word of every shipped blocking list blocks on its own, and still blocks with noise inside."""

import random

import pytest

from tests.compliance.helpers import shipped_filter
from workstation.compliance.filter import default_word_dir
from workstation.compliance.wordlists import WORD_CATEGORIES, load_list
from workstation.domain.verdict import Action

NOISE = ["\u200b", " ", "\u3000", "\ufe0f", "·", "😀", "\u2060", "-"]
CASES = [
    (name, word)
    for name, (_, severity) in WORD_CATEGORIES.items()
    for word in load_list(default_word_dir(), name).enabled_words
]


def _noisy(word: str, rng: random.Random) -> str:
    return "".join(ch + (rng.choice(NOISE) if i < len(word) - 1 else "") for i, ch in enumerate(word))


@pytest.mark.parametrize(("name", "word"), CASES, ids=[f"{n}:{w}" for n, w in CASES])
def test_listed_word_is_caught_plain_and_noisy(name, word):
    expected = WORD_CATEGORIES[name][1]
    rng = random.Random(word)
    for text in (word, f"亲，{word}。", _noisy(word, rng), word.upper()):
        verdict = shipped_filter().check_text(text)
        if expected is Action.BLOCK:
            assert verdict.blocked, (text, verdict)
        else:
            assert not verdict.passed, (text, verdict)
        assert any(h.rule == f"{name}:{word}" for h in verdict.hits), (text, verdict.hits)
