"""问题已解决 + 邀请评价, below every tab: the button is enabled only when the platform's
rules allow an invitation, and otherwise says why."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workstation.commerce.errors import CommerceError
from workstation.commerce.ratings import RatingState
from workstation.ui.side_panel.widgets import MUTED, StatusLine


class RatingBar(QWidget):
    def __init__(self, spawn, parent: QWidget | None = None):
        super().__init__(parent)
        self._spawn = spawn
        self.commerce = None
        self.solved_box = QCheckBox("问题已解决")
        self.invite_button = QPushButton("邀请评价")
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason_label.setStyleSheet(MUTED + " font-size: 11px;")
        self.status = StatusLine()
        row = QHBoxLayout()
        row.addWidget(self.solved_box)
        row.addStretch(1)
        row.addWidget(self.invite_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(row)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.status)
        self.solved_box.clicked.connect(lambda checked: self._spawn(self.set_solved(checked)))
        self.invite_button.clicked.connect(lambda: self._spawn(self.invite()))
        self.show_state(None)

    def set_commerce(self, commerce) -> None:
        self.commerce = commerce
        self.status.clear_status()
        self.show_state(None)
        if commerce is not None:
            self._spawn(self.load())

    def show_state(self, state: RatingState | None) -> None:
        if state is None:
            self.solved_box.setEnabled(False)
            self.invite_button.setEnabled(False)
            self.reason_label.setText("")
            return
        self.solved_box.setEnabled(True)
        self.solved_box.setChecked(state.solved)
        self.invite_button.setEnabled(state.allowed)
        self.invite_button.setToolTip(state.reason)
        self.reason_label.setText(state.reason if not state.allowed else f"可以邀请：{state.reason}")

    async def load(self) -> None:
        commerce = self.commerce
        try:
            state = await commerce.rating_state()
        except Exception as exc:  # noqa: BLE001 — a database error: keep the button off and say why
            if commerce is self.commerce:
                self.status.say(f"读取评价状态失败：{exc}", "error")
            return
        if commerce is self.commerce:
            self.show_state(state)

    async def set_solved(self, solved: bool) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        state = await commerce.set_solved(solved)
        if commerce is self.commerce:
            self.show_state(state)

    async def invite(self) -> None:
        commerce = self.commerce
        if commerce is None:
            return
        self.invite_button.setEnabled(False)
        try:
            state = await commerce.invite_rating()
        except CommerceError as exc:
            if commerce is self.commerce:
                self.status.say(str(exc), "error")
                await self.load()
            return
        if commerce is self.commerce:
            self.status.say("已邀请买家评价。", "ok")
            self.show_state(state)
