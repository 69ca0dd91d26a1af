"""Where Workstation keeps its files: platformdirs by default, one `--data-dir` to override."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

from workstation.store.db import DATABASE_NAME

APP_NAME = "Workstation"


def default_data_dir(demo: bool = False) -> Path:
    base = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return base / "demo" if demo else base


@dataclass(frozen=True)
class DataPaths:
    """Every file lives under `root`, so a test or a second profile never touches another's."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / DATABASE_NAME

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "workstation.log"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def settings_file(self) -> Path:
        return self.root / "window.ini"
