"""What every side-panel tab shares: the conversation it shows, lazy loading, task spawning.

A tab's work is a plain `async def` (tests await it); buttons connect thin wrappers
that spawn it through the panel's TaskKeeper. After every await a tab checks that
the conversation is still the one it started for, so a slow answer never paints
over the next buyer's data.
"""

from __future__ import annotations

from typing import Callable, Coroutine

from PySide6.QtWidgets import QWidget

from workstation.commerce.session import ConversationCommerce


class PanelTab(QWidget):
    def __init__(self, spawn: Callable[[Coroutine], object], load_image: Callable | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._spawn = spawn
        self._load_image = load_image
        self.commerce: ConversationCommerce | None = None
        self._loaded_for: ConversationCommerce | None = None

    def spawn(self, coro: Coroutine):
        return self._spawn(coro)

    def image(self, thumbnail) -> None:
        if self._load_image is not None and thumbnail.url:
            self._load_image(thumbnail)

    def set_commerce(self, commerce: ConversationCommerce | None) -> None:
        """Show another conversation; its data loads when the tab is visible (ensure_loaded)."""
        if commerce is self.commerce:
            return
        self.commerce = commerce
        self._loaded_for = None
        self.reset()

    def is_current(self, commerce: ConversationCommerce | None) -> bool:
        return commerce is not None and commerce is self.commerce

    def ensure_loaded(self) -> None:
        """Load once per conversation; a tab left showing an error tries again when shown again."""
        failed = getattr(getattr(self, "stack", None), "state", "") == "error"
        if self.commerce is not None and (self._loaded_for is not self.commerce or failed):
            self._loaded_for = self.commerce
            self.spawn(self.load())

    def reset(self) -> None:
        """Clear what belonged to the previous conversation."""

    async def load(self, *, refresh: bool = False) -> None:
        raise NotImplementedError
