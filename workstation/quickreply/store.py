"""Where libraries live on disk: `<data_dir>/quickreply/` — personal library, team cache, lead's draft, usage.

Every write is atomic (temp file + os.replace) and the previous personal library is kept as `.bak`;
a file that cannot be read is moved aside, never overwritten, so nothing an agent wrote is lost.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from workstation.quickreply.fileformat import (
    LibraryFileError, dump_library, library_from_dict, library_to_dict, write_atomic,
)
from workstation.quickreply.model import Library, LibraryInvalid, Scope, empty_library, ensure_valid

log = logging.getLogger(__name__)

PERSONAL_FILE = "personal.json"
TEAM_CACHE_FILE = "team-cache.json"
TEAM_DRAFT_FILE = "team-draft.json"
USAGE_FILE = "usage.json"


@dataclass(frozen=True, slots=True)
class TeamCache:
    """The last team library this agent received, and where and when from."""

    library: Library
    etag: str | None
    synced_at: datetime | None
    source: str


@dataclass(frozen=True, slots=True)
class TeamDraft:
    """A lead's unpublished team library and the remote version (ETag) it was based on."""

    library: Library
    base_etag: str | None


class LibraryStore:
    def __init__(self, data_dir: Path):
        self.folder = Path(data_dir) / "quickreply"
        self.notices: list[str] = []  # things the agent should be told once (a file moved aside…)

    def path(self, name: str) -> Path:
        return self.folder / name

    # --- personal ---------------------------------------------------------------------------

    def load_personal(self) -> Library:
        path = self.path(PERSONAL_FILE)
        for candidate in (path, path.with_name(path.name + ".bak")):
            if not candidate.exists():
                continue
            try:
                return self._read_library(candidate, Scope.PERSONAL)
            except (LibraryFileError, LibraryInvalid, OSError) as exc:
                self._set_aside(candidate, exc)
        return empty_library(Scope.PERSONAL)

    def save_personal(self, library: Library) -> Library:
        ensure_valid(library)
        library = library.with_changes(scope=Scope.PERSONAL, revision=library.revision + 1,
                                       updated_at=datetime.now(timezone.utc))
        path = self.path(PERSONAL_FILE)
        if path.exists():
            write_atomic(path.with_name(path.name + ".bak"), path.read_bytes())
        write_atomic(path, dump_library(library))
        return library

    # --- team cache (agents) ------------------------------------------------------------------

    def load_team_cache(self) -> TeamCache | None:
        path = self.path(TEAM_CACHE_FILE)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
            library = library_from_dict(data["library"], scope=Scope.TEAM)
            ensure_valid(library)
            synced = data.get("synced_at")
            return TeamCache(library, data.get("etag"), datetime.fromisoformat(synced) if synced else None,
                             str(data.get("source", "")))
        except (OSError, ValueError, KeyError, TypeError, LibraryFileError, LibraryInvalid) as exc:
            self._set_aside(path, exc)
            return None

    def save_team_cache(self, cache: TeamCache) -> None:
        data = {
            "etag": cache.etag,
            "synced_at": cache.synced_at.isoformat() if cache.synced_at else None,
            "source": cache.source,
            "library": library_to_dict(cache.library),
        }
        write_atomic(self.path(TEAM_CACHE_FILE), json.dumps(data, ensure_ascii=False).encode("utf-8"))

    # --- team draft (leads) -------------------------------------------------------------------

    def load_team_draft(self) -> TeamDraft | None:
        path = self.path(TEAM_DRAFT_FILE)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
            return TeamDraft(library_from_dict(data["library"], scope=Scope.TEAM), data.get("base_etag"))
        except (OSError, ValueError, KeyError, TypeError, LibraryFileError) as exc:
            self._set_aside(path, exc)
            return None

    def save_team_draft(self, draft: TeamDraft) -> None:
        data = {"base_etag": draft.base_etag, "library": library_to_dict(draft.library)}
        write_atomic(self.path(TEAM_DRAFT_FILE), json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def discard_team_draft(self) -> None:
        self.path(TEAM_DRAFT_FILE).unlink(missing_ok=True)

    # --- helpers ------------------------------------------------------------------------------

    def _read_library(self, path: Path, scope: Scope) -> Library:
        from workstation.quickreply.fileformat import parse_library

        return ensure_valid(parse_library(path.read_bytes(), scope=scope))

    def _set_aside(self, path: Path, exc: Exception) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = path.with_name(f"{path.name}.broken-{stamp}")
        log.warning("quick-reply file %s unreadable (%s); moved to %s", path, exc, aside.name)
        try:
            path.replace(aside)
        except OSError:
            log.exception("could not move %s aside", path)
        self.notices.append(f"话术文件 {path.name} 无法读取，已另存为 {aside.name}，未删除任何内容。")


# One thread writes usage counts in order (a later snapshot never lands before an earlier one);
# pending writes finish before the interpreter exits.
_USAGE_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="usage-counts")


class UsageCounts:
    """How often this agent inserted each phrase, keyed by Entry.key; drives search ranking."""

    def __init__(self, path: Path):
        self.path = path
        self.counts: dict[str, int] = {}
        self._pending: Future | None = None
        try:
            data = json.loads(path.read_text("utf-8"))
            self.counts = {str(k): int(v) for k, v in data.get("counts", {}).items() if int(v) > 0}
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # Counts only tune ranking; starting over is harmless and better than failing.
            log.warning("usage counts unreadable (%s); starting from zero", exc)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "UsageCounts":
        return cls(Path(data_dir) / "quickreply" / USAGE_FILE)

    def record(self, key: str) -> None:
        """Count a use now; the file is written on the writer thread, never on the Qt thread."""
        self.counts[key] = self.counts.get(key, 0) + 1
        snapshot = dict(self.counts)
        self._pending = _USAGE_WRITER.submit(self._write, snapshot)

    def flush(self) -> None:
        """Wait until the last recorded use is on disk."""
        if self._pending is not None:
            self._pending.result()

    def save(self) -> None:
        self._write(dict(self.counts))

    def _write(self, counts: dict[str, int]) -> None:
        try:
            write_atomic(self.path, json.dumps({"version": 1, "counts": counts}, ensure_ascii=False).encode("utf-8"))
        except OSError as exc:
            # Counts only tune ranking: a full disk must not cost the agent a phrase.
            log.warning("usage counts not saved (%s)", exc)
