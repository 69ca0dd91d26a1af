"""Phrase libraries: groups (分组) of phrases with shortcut codes (快捷编码), and the rules they must meet.

Libraries are immutable values; every edit returns a new library, which keeps undo, publishing and
searching simple (a search index or a published snapshot never changes under anyone's feet).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from workstation.domain.platforms import Platform

# A chat message this long is already unreadable for a buyer; longer text is almost always a paste
# accident (a whole document in one cell), so it is refused rather than silently cut.
MAX_TEXT_LENGTH = 2000
MAX_CODE_LENGTH = 20
MAX_GROUP_LENGTH = 40
MAX_PHRASES = 20_000
MAX_IMAGE_BYTES = 2 * 1024 * 1024
DEFAULT_GROUP = "未分组"


class Scope(enum.StrEnum):
    TEAM = "team"
    PERSONAL = "personal"

    @property
    def label(self) -> str:
        return "团队" if self is Scope.TEAM else "个人"


@dataclass(frozen=True, slots=True)
class Phrase:
    """One quick reply. Empty `platforms`/`shops` mean it applies everywhere."""

    code: str
    text: str
    images: tuple[str, ...] = ()  # keys into Library.images
    platforms: tuple[Platform, ...] = ()
    shops: tuple[str, ...] = ()

    def applies_to(self, platform: Platform | None, shop_id: str | None) -> bool:
        if platform is not None and self.platforms and platform not in self.platforms:
            return False
        if shop_id is not None and self.shops and shop_id not in self.shops:
            return False
        return True

    def with_changes(self, **changes) -> "Phrase":
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    phrases: tuple[Phrase, ...] = ()


@dataclass(frozen=True, slots=True)
class Library:
    """A team or personal library. `revision`/`updated_*` describe the last publish or save."""

    scope: Scope
    groups: tuple[Group, ...] = ()
    images: Mapping[str, bytes] = field(default_factory=dict, compare=False)
    name: str = ""
    revision: int = 0
    updated_at: datetime | None = None
    updated_by: str = ""

    def entries(self) -> Iterator[tuple[str, Phrase]]:
        for group in self.groups:
            for phrase in group.phrases:
                yield group.name, phrase

    def __len__(self) -> int:
        return sum(len(g.phrases) for g in self.groups)

    def group_names(self) -> list[str]:
        return [g.name for g in self.groups]

    def find(self, code: str) -> tuple[str, Phrase] | None:
        folded = code.casefold()
        for group_name, phrase in self.entries():
            if phrase.code.casefold() == folded:
                return group_name, phrase
        return None

    def with_changes(self, **changes) -> "Library":
        return replace(self, **changes)

    def content_equals(self, other: "Library") -> bool:
        """Same groups, phrases and images (ignores revision and who saved it)."""
        return self.groups == other.groups and dict(self.images) == dict(other.images)

    # --- edits; each returns a new library --------------------------------------------------

    def with_group(self, name: str) -> "Library":
        if any(g.name == name for g in self.groups):
            return self
        return replace(self, groups=self.groups + (Group(name),))

    def rename_group(self, old: str, new: str) -> "Library":
        if old == new:
            return self
        if any(g.name == new for g in self.groups):
            raise LibraryInvalid([Problem(f"分组“{new}”已经存在。")])
        return replace(self, groups=tuple(Group(new, g.phrases) if g.name == old else g for g in self.groups))

    def upsert(self, group_name: str, phrase: Phrase, *, replacing: str | None = None) -> "Library":
        """Put `phrase` in `group_name`; `replacing` (a code) names the phrase it replaces in place."""
        target = (replacing or phrase.code).casefold()
        groups = list(self.groups)
        for gi, group in enumerate(groups):
            for pi, existing in enumerate(group.phrases):
                if existing.code.casefold() == target:
                    if group.name == group_name:
                        phrases = list(group.phrases)
                        phrases[pi] = phrase
                        groups[gi] = Group(group.name, tuple(phrases))
                        return replace(self, groups=tuple(groups))
                    groups[gi] = Group(group.name, group.phrases[:pi] + group.phrases[pi + 1:])
                    break
        lib = replace(self, groups=tuple(groups)).with_group(group_name)
        return replace(lib, groups=tuple(
            Group(g.name, g.phrases + (phrase,)) if g.name == group_name else g for g in lib.groups
        ))

    def without(self, codes: Iterable[str]) -> "Library":
        drop = {c.casefold() for c in codes}
        return replace(self, groups=tuple(
            Group(g.name, tuple(p for p in g.phrases if p.code.casefold() not in drop)) for g in self.groups
        ))._pruned_images()

    def without_groups(self, names: Iterable[str]) -> "Library":
        drop = set(names)
        return replace(self, groups=tuple(g for g in self.groups if g.name not in drop))._pruned_images()

    def move(self, codes: list[str], group_name: str, row: int | None = None) -> "Library":
        """Move phrases (in the given order) into `group_name` before position `row` (None: at the end)."""
        wanted = [c.casefold() for c in codes]
        by_code = {p.code.casefold(): p for _, p in self.entries()}
        moving = [by_code[c] for c in wanted if c in by_code]
        if not moving:
            return self
        lib = self.with_group(group_name)
        target = next(g for g in lib.groups if g.name == group_name)
        if row is None:
            row = len(target.phrases)
        # Rows above the insertion point that leave the group shift the point up.
        row -= sum(1 for p in target.phrases[:row] if p.code.casefold() in wanted)
        moving_set = set(wanted)
        groups = []
        for g in lib.groups:
            kept = tuple(p for p in g.phrases if p.code.casefold() not in moving_set)
            if g.name == group_name:
                row = max(0, min(row, len(kept)))
                kept = kept[:row] + tuple(moving) + kept[row:]
            groups.append(Group(g.name, kept))
        return replace(lib, groups=tuple(groups))

    def move_group(self, name: str, row: int) -> "Library":
        groups = list(self.groups)
        index = next((i for i, g in enumerate(groups) if g.name == name), None)
        if index is None:
            return self
        group = groups.pop(index)
        if row > index:
            row -= 1
        groups.insert(max(0, min(row, len(groups))), group)
        return replace(self, groups=tuple(groups))

    def _pruned_images(self) -> "Library":
        used = {ref for _, p in self.entries() for ref in p.images}
        if set(self.images) <= used:
            return self
        return replace(self, images={k: v for k, v in self.images.items() if k in used})


def empty_library(scope: Scope) -> Library:
    return Library(scope=scope)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a library or an input file, said in Chinese; `row` is a 1-based file row."""

    message: str
    row: int | None = None
    code: str = ""

    def __str__(self) -> str:
        return f"第 {self.row} 行：{self.message}" if self.row else self.message


class LibraryInvalid(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n……另有 {len(problems) - 20} 个问题" if len(problems) > 20 else ""
        super().__init__(shown + more)


def _has_control_chars(text: str) -> bool:
    return any((ord(ch) < 32 and ch not in "\n\t") or ord(ch) == 127 for ch in text)


def check_code(code: str) -> str | None:
    """Why a shortcut code cannot be used, or None."""
    if not code:
        return "快捷编码为空，请填写一个简短的编码（如 fh）。"
    if len(code) > MAX_CODE_LENGTH:
        return f"快捷编码“{code[:MAX_CODE_LENGTH]}…”太长，最多 {MAX_CODE_LENGTH} 个字符。"
    if any(ch.isspace() for ch in code) or _has_control_chars(code) or "/" in code:
        return f"快捷编码“{code}”不能包含空格、斜杠或控制字符。"
    return None


def check_phrase_text(text: str) -> str | None:
    """Why a phrase text cannot be used, or None."""
    if not text.strip():
        return "短语内容为空。"
    if len(text) > MAX_TEXT_LENGTH:
        return f"短语内容有 {len(text)} 个字符，超过上限 {MAX_TEXT_LENGTH}，请拆成几条短语。"
    if _has_control_chars(text):
        return "短语内容包含不可见的控制字符，请删除后再试。"
    return None


def check_group_name(name: str) -> str | None:
    if not name.strip():
        return "分组名称为空。"
    if len(name) > MAX_GROUP_LENGTH:
        return f"分组名称“{name[:MAX_GROUP_LENGTH]}…”太长，最多 {MAX_GROUP_LENGTH} 个字符。"
    if _has_control_chars(name):
        return "分组名称包含控制字符。"
    return None


def problems_in(library: Library) -> list[Problem]:
    """Every rule the library breaks; an empty list means it can be saved and published."""
    problems: list[Problem] = []
    if len(library) > MAX_PHRASES:
        problems.append(Problem(f"话术库有 {len(library)} 条短语，超过上限 {MAX_PHRASES}。"))
    seen_groups: set[str] = set()
    seen_codes: dict[str, str] = {}
    for group in library.groups:
        if (why := check_group_name(group.name)) is not None:
            problems.append(Problem(why))
        if group.name in seen_groups:
            problems.append(Problem(f"分组“{group.name}”重复。"))
        seen_groups.add(group.name)
        for phrase in group.phrases:
            for why in (check_code(phrase.code), check_phrase_text(phrase.text)):
                if why is not None:
                    problems.append(Problem(f"分组“{group.name}”中的短语 {phrase.code or '(无编码)'}：{why}",
                                            code=phrase.code))
            folded = phrase.code.casefold()
            if phrase.code and folded in seen_codes:
                problems.append(Problem(
                    f"快捷编码“{phrase.code}”重复（分组“{seen_codes[folded]}”和“{group.name}”）。", code=phrase.code))
            seen_codes.setdefault(folded, group.name)
            for ref in phrase.images:
                if ref not in library.images:
                    problems.append(Problem(f"短语 {phrase.code} 引用的图片 {ref} 不在话术库中。", code=phrase.code))
    for ref, data in library.images.items():
        if len(data) > MAX_IMAGE_BYTES:
            problems.append(Problem(f"图片 {ref} 超过 {MAX_IMAGE_BYTES // 1024 // 1024} MB。"))
    return problems


def ensure_valid(library: Library) -> Library:
    problems = problems_in(library)
    if problems:
        raise LibraryInvalid(problems)
    return library


@dataclass(frozen=True, slots=True)
class Entry:
    """A phrase as an agent sees it: which library and group it comes from, and its order there."""

    scope: Scope
    group: str
    phrase: Phrase
    order: int  # position in the library, for stable ordering

    @property
    def key(self) -> str:
        """Stable across republishing: usage counts are keyed by it."""
        return f"{self.scope.value}:{self.phrase.code.casefold()}"


def merged_entries(personal: Library, team: Library) -> list[Entry]:
    """Both libraries as one list, personal first so it wins ties."""
    entries: list[Entry] = []
    for library in (personal, team):
        for group_name, phrase in library.entries():
            entries.append(Entry(library.scope, group_name, phrase, len(entries)))
    return entries


def parse_platforms(values: Iterable[str]) -> tuple[Platform, ...]:
    """Platform codes or labels to a sorted tuple; raises ValueError with a Chinese message."""
    found = {Platform.parse(v) for v in values if v.strip()}
    return tuple(p for p in Platform if p in found)
