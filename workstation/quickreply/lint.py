"""Every phrase through the compliance filter: before a lead publishes, and for `workstation quickreply lint`.

The filter itself lives in `workstation.compliance`; this module only applies it to a library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workstation.domain.platforms import Platform
from workstation.quickreply.model import Library


@dataclass(frozen=True, slots=True)
class PhraseCheck:
    group: str
    code: str
    text: str
    verdict: object  # workstation.domain.verdict.Verdict

    @property
    def blocked(self) -> bool:
        return bool(self.verdict.blocked)

    @property
    def action(self) -> str:
        action = self.verdict.action
        return str(getattr(action, "value", action))

    def reasons(self) -> str:
        """The hits as one Chinese line, e.g. “高仿”：假冒商品用语（快手 2.8）."""
        return "；".join(f"“{hit.match}”：{hit.reason}" for hit in self.verdict.hits)

    def as_json(self) -> dict:
        return {
            "group": self.group,
            "code": self.code,
            "verdict": self.action,
            "hits": [
                {
                    "category": str(getattr(hit.category, "value", hit.category)),
                    "rule": hit.rule,
                    "start": hit.start,
                    "end": hit.end,
                    "match": hit.match,
                    "reason": hit.reason,
                }
                for hit in self.verdict.hits
            ],
        }


def check_library(library: Library, *, platform: Platform | None = None,
                  check_text: Callable | None = None,
                  check_image: Callable | None = None) -> list[PhraseCheck]:
    """One check per phrase, in library order. Offsets in hits refer to the phrase text as written.

    Without `platform`, a phrase limited to some platforms is checked against each of them (their rules
    differ, e.g. Kuaishou 2.8 on counterfeit wording) and the strictest verdict is kept. A phrase's
    images go through the image check (QR codes are banned on every platform).
    """
    if check_text is None:
        check_text = _default_check_text()
    checks = []
    for group, phrase in library.entries():
        platforms = (platform,) if platform else phrase.platforms or (None,)
        verdicts = [check_text(phrase.text, platform=p) for p in platforms]
        worst = max(verdicts, key=_severity)
        for ref in phrase.images:
            if check_image is None:
                check_image = _default_check_image()
            worst = worst.merged(check_image(library.images.get(ref, b"")))
        checks.append(PhraseCheck(group, phrase.code, phrase.text, worst))
    return checks


def _default_check_text() -> Callable:
    from workstation.compliance import check_text

    return check_text


def _default_check_image() -> Callable:
    from workstation.compliance import check_image

    return check_image


def _severity(verdict) -> int:
    if verdict.blocked:
        return 2
    return 0 if str(getattr(verdict.action, "value", verdict.action)) == "pass" else 1


def publish_blockers(library: Library, *, platform: Platform | None = None,
                     check_text: Callable | None = None) -> list[PhraseCheck]:
    """The phrases that must not be published, each with its reason."""
    return [c for c in check_library(library, platform=platform, check_text=check_text) if c.blocked]
