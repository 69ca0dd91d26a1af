"""Which files under resources/ ship with the app: all of them, minus editor, OS and build leftovers.

Shared by the PyInstaller spec (what to bundle) and the smoke test (what must be in the bundle), so
a new word list, sound or icon is shipped without anyone editing a file list.
"""

from __future__ import annotations

from pathlib import Path

_JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep", ".gitignore"}
_JUNK_DIRS = {"__pycache__", ".git"}
# Scripts that *generate* resources (resources/sounds/generate.py) are tools, not resources.
_JUNK_SUFFIXES = ("~", ".py", ".pyc", ".swp", ".tmp", ".orig", ".rej")


def is_resource(relative: Path) -> bool:
    if _JUNK_DIRS & set(relative.parts[:-1]):
        return False
    return relative.name not in _JUNK_NAMES and not relative.name.endswith(_JUNK_SUFFIXES)


def resource_files(resources: Path) -> list[Path]:
    """Paths relative to `resources`, sorted."""
    if not resources.is_dir():
        return []
    return sorted(p.relative_to(resources) for p in resources.rglob("*")
                  if p.is_file() and is_resource(p.relative_to(resources)))
