"""The false-block rate on ordinary replies must be zero (issue 6: never block honest text).

tests/compliance/data/benign_replies.tsv holds 2 400 replies generated from the templates in
corpus.py (regenerate with `python -m tests.compliance.corpus`), each with the platform it is sent on.
"""

from pathlib import Path

from tests.compliance.corpus import benign_replies, load_corpus
from tests.compliance.helpers import shipped_filter

CORPUS = Path(__file__).with_name("data") / "benign_replies.tsv"


def test_corpus_file_is_current_and_large_enough():
    rows = load_corpus(CORPUS)
    assert len(set(rows)) >= 2000
    assert rows == benign_replies(), "corpus.py changed: run `python -m tests.compliance.corpus`"


def test_no_ordinary_reply_is_blocked(record_property):
    replies = load_corpus(CORPUS)
    flt = shipped_filter()
    blocked = []
    warned = 0
    for text, platform in replies:
        verdict = flt.check_text(text, platform=platform)
        if verdict.blocked:
            blocked.append((text, platform, [h.rule for h in verdict.hits]))
        warned += verdict.warned
    record_property("benign_replies", len(replies))
    record_property("false_block_rate", len(blocked) / len(replies))
    record_property("warn_rate", warned / len(replies))
    assert blocked == []
    assert warned / len(replies) < 0.01
