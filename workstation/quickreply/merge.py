"""After a publish conflict: what differs between my version and the one another lead published, merged."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from workstation.quickreply.model import Library, Phrase


class Difference(enum.StrEnum):
    ONLY_MINE = "only_mine"
    ONLY_THEIRS = "only_theirs"
    CHANGED = "changed"

    @property
    def label(self) -> str:
        return {"only_mine": "仅我的版本有", "only_theirs": "仅对方版本有", "changed": "两边内容不同"}[self.value]


@dataclass(frozen=True, slots=True)
class PhraseDifference:
    code: str
    kind: Difference
    mine: tuple[str, Phrase] | None  # (group, phrase)
    theirs: tuple[str, Phrase] | None


def differences(mine: Library, theirs: Library) -> list[PhraseDifference]:
    """Phrases keyed by shortcut code; order follows my library, then theirs."""
    mine_by = {p.code.casefold(): (g, p) for g, p in mine.entries()}
    theirs_by = {p.code.casefold(): (g, p) for g, p in theirs.entries()}
    found = []
    for key, (group, phrase) in mine_by.items():
        other = theirs_by.get(key)
        if other is None:
            found.append(PhraseDifference(phrase.code, Difference.ONLY_MINE, (group, phrase), None))
        elif other != (group, phrase):
            found.append(PhraseDifference(phrase.code, Difference.CHANGED, (group, phrase), other))
    for key, (group, phrase) in theirs_by.items():
        if key not in mine_by:
            found.append(PhraseDifference(phrase.code, Difference.ONLY_THEIRS, None, (group, phrase)))
    return found


def merge(mine: Library, theirs: Library, take_theirs: Iterable[str]) -> Library:
    """My library with the other version's side taken for the codes in `take_theirs`
    (adding, replacing, or — for a phrase only I have — removing)."""
    chosen = {c.casefold() for c in take_theirs}
    result = mine.with_changes(images={**dict(theirs.images), **dict(mine.images)})
    for diff in differences(mine, theirs):
        if diff.code.casefold() not in chosen:
            continue
        if diff.theirs is None:
            result = result.without([diff.code])
        else:
            group, phrase = diff.theirs
            result = result.upsert(group, phrase, replacing=diff.code)
    return result.without([])  # prunes images nobody uses
