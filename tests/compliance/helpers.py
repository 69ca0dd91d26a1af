"""Shared fixtures for the compliance tests: a filter over the shipped lists, and a case runner."""

from __future__ import annotations

from workstation.compliance import ComplianceFilter
from workstation.domain.verdict import Action

_FILTER = ComplianceFilter(auto_reload=False)


def shipped_filter() -> ComplianceFilter:
    return _FILTER


def assert_case(text: str, expected: str, *, category: str | None = None, platform: str | None = "pdd",
                recent_sent=()) -> None:
    verdict = _FILTER.check_text(text, platform=platform, recent_sent=recent_sent)
    assert verdict.action == Action(expected), (text, verdict)
    if category is not None and expected != "pass":
        assert any(str(h.category) == category for h in verdict.hits), (text, verdict.hits)
    for hit in verdict.hits:
        assert 0 <= hit.start <= hit.end <= len(text)
        assert text[hit.start:hit.end] == hit.match
        assert hit.reason
