"""The false-block rate on ordinary replies must be zero (issue 6: never block honest text)."""

from tests.compliance.corpus import benign_replies
from tests.compliance.helpers import shipped_filter


def test_no_ordinary_reply_is_blocked(record_property):
    replies = benign_replies(2400)
    assert len(replies) >= 2000
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
