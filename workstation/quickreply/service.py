"""The quick-reply service the app builds once: what the composer popup, side panel and editor call."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from workstation.domain.platforms import Platform
from workstation.quickreply.fileformat import LibraryFileError, parse_library
from workstation.quickreply.model import (
    Entry, Group, Library, LibraryInvalid, Phrase, Scope, ensure_valid, merged_entries,
)
from workstation.quickreply.remote import Remote
from workstation.quickreply.search import PhraseIndex, SearchHit
from workstation.quickreply.store import LibraryStore, UsageCounts
from workstation.quickreply.sync import (
    REFRESH_SECONDS, SyncStatus, TeamSync, _now, load_subscription, open_remote,
)
from workstation.quickreply.tabular import ImportResult, read_table
from workstation.quickreply.variables import ConversationContext, Rendered, render


class QuickReplies:
    """Team + personal libraries for one agent, searchable, with usage counts and team sync."""

    def __init__(self, data_dir: Path, *, remote: Remote | None = None, clock: Callable[[], datetime] = _now,
                 check_text: Callable | None = None):
        self.data_dir = Path(data_dir)
        self.store = LibraryStore(self.data_dir)
        self.personal: Library = self.store.load_personal()
        if remote is None and (subscription := load_subscription(self.data_dir)) is not None:
            self.team_sync = TeamSync(self.store, lambda: open_remote(subscription), clock=clock,
                                     check_text=check_text)
        else:
            self.team_sync = TeamSync(self.store, remote, clock=clock, check_text=check_text)
        self.usage = UsageCounts.in_data_dir(self.data_dir)
        # (personal, team, index): held by identity, so a new library object means a new index
        self._index: tuple[Library, Library, PhraseIndex] | None = None
        self._building = False
        self._lock = threading.Lock()

    # --- reading -------------------------------------------------------------------------------

    @property
    def team(self) -> Library:
        return self.team_sync.library

    @property
    def status(self) -> SyncStatus:
        return self.team_sync.status

    def notices(self) -> list[str]:
        """Messages for the agent about files that were moved aside; each is returned once."""
        notices, self.store.notices = self.store.notices, []
        return notices

    def index(self) -> PhraseIndex:
        """The search index for the current libraries. While `prepare()` builds a new one off the Qt
        thread, the previous index keeps answering, so typing never waits for pinyin."""
        built = self._index
        if built is not None and built[0] is self.personal and built[1] is self.team:
            return built[2]
        if built is not None and self._building:
            return built[2]
        return self._build(self.personal, self.team)

    def _build(self, personal: Library, team: Library) -> PhraseIndex:
        index = PhraseIndex(merged_entries(personal, team))
        with self._lock:
            self._index = (personal, team, index)
        return index

    async def prepare(self) -> None:
        """Build the index for the current libraries off the Qt thread (pinyin takes a moment)."""
        built = self._index
        if built is not None and built[0] is self.personal and built[1] is self.team:
            return
        self._building = True
        try:
            await asyncio.to_thread(self._build, self.personal, self.team)
        finally:
            self._building = False

    def search(self, query: str, *, platform: Platform | None = None, shop_id: str | None = None,
               limit: int = 20) -> list[SearchHit]:
        return self.index().search(query, usage=self.usage.counts, platform=platform, shop_id=shop_id,
                                   limit=limit)

    def browse(self, *, platform: Platform | None = None, shop_id: str | None = None
               ) -> list[tuple[Scope, str, list[Entry]]]:
        """Groups for the side panel's 快捷短语 tab: personal groups first, then the team's."""
        groups: list[tuple[Scope, str, list[Entry]]] = []
        for entry in self.index().entries:
            if not entry.phrase.applies_to(platform, shop_id):
                continue
            if not groups or groups[-1][0] is not entry.scope or groups[-1][1] != entry.group:
                groups.append((entry.scope, entry.group, []))
            groups[-1][2].append(entry)
        return groups

    def render(self, entry: Entry, context: ConversationContext) -> Rendered:
        return render(entry.phrase.text, context)

    def use(self, entry: Entry, context: ConversationContext) -> Rendered:
        """The agent picked a phrase: count it and fill its variables."""
        self.usage.record(entry.key)
        return render(entry.phrase.text, context)

    def images_for(self, entry: Entry) -> list[bytes]:
        """The images a phrase sends after its text, in order."""
        library = self.personal if entry.scope is Scope.PERSONAL else self.team
        return [library.images[ref] for ref in entry.phrase.images if ref in library.images]

    # --- changing ------------------------------------------------------------------------------

    def save_personal(self, library: Library) -> Library:
        self.personal = self.store.save_personal(library)
        return self.personal

    async def keep_team_current(self, on_status: Callable[[SyncStatus], None], *,
                                interval: float = REFRESH_SECONDS) -> None:
        """Refresh at start and every few minutes until cancelled; `on_status` gets the status line."""
        await self.team_sync.run_periodically(on_status, interval=interval, refresh=self.refresh_team)

    async def refresh_team(self) -> SyncStatus:
        """Refresh the team library; a changed library is indexed off the Qt thread before it is searched."""
        status = await self.team_sync.refresh()
        await self.prepare()
        return status


def read_library_file(path: Path, scope: Scope) -> ImportResult:
    """Read xlsx, csv or a library .json into an ImportResult (errors, not exceptions, for bad content)."""
    if path.suffix.lower() == ".json":
        try:
            library = parse_library(path.read_bytes(), scope=scope)
            ensure_valid(library)
        except LibraryFileError as exc:
            return ImportResult(Library(scope), errors=[_problem(str(exc))])
        except LibraryInvalid as exc:
            return ImportResult(Library(scope), errors=list(exc.problems))
        return ImportResult(library)
    return read_table(path, scope=scope)


def merge_import(existing: Library, imported: Library) -> tuple[Library, int, int]:
    """Add the imported phrases; one with an existing code replaces it. Returns (library, added, updated)."""
    groups: dict[str, list[Phrase | None]] = {g.name: list(g.phrases) for g in existing.groups}
    where: dict[str, tuple[str, int]] = {}
    for name, phrases in groups.items():
        for index, phrase in enumerate(phrases):
            where[phrase.code.casefold()] = (name, index)
    added = updated = 0
    for group in imported.groups:
        target = groups.setdefault(group.name, [])
        for phrase in group.phrases:
            key = phrase.code.casefold()
            if key in where:
                updated += 1
                old_group, index = where[key]
                if old_group == group.name:
                    target[index] = phrase
                    continue
                groups[old_group][index] = None  # moved to another group
            else:
                added += 1
            where[key] = (group.name, len(target))
            target.append(phrase)
    library = existing.with_changes(
        groups=tuple(Group(name, tuple(p for p in phrases if p is not None))
                     for name, phrases in groups.items()),
        images={**dict(existing.images), **dict(imported.images)})
    return library, added, updated


def _problem(message: str):
    from workstation.quickreply.model import Problem

    return Problem(message)
