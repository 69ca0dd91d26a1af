"""The status bar's row of shop connection states: a coloured dot, the shop name and its state."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from workstation.domain.accounts import ShopAccount

STATE_LABELS = {
    "connecting": "连接中",
    "connected": "已连接",
    "reconnecting": "重连中",
    "needs_login": "需重新登录",
    "error": "错误",
    "disabled": "已停用",
    "offline": "未连接",
}
STATE_COLOURS = {
    "connecting": "#9ca3af",
    "connected": "#16a34a",
    "reconnecting": "#d97706",
    "needs_login": "#dc2626",
    "error": "#dc2626",
    "disabled": "#9ca3af",
    "offline": "#9ca3af",
}


class AccountStatusRow(QWidget):
    """One dot per account (details on hover) and a summary that names accounts needing attention.

    Twenty accounts must fit in a status bar, so healthy accounts are only dots;
    an account that needs the agent (需重新登录, 错误) is named in the summary.
    """

    ATTENTION = ("needs_login", "error")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 4, 0)
        self._layout.setSpacing(3)
        self.summary = QLabel()
        self.summary.setObjectName("accountSummary")
        self._layout.addWidget(self.summary)
        self._dots: dict[int, QLabel] = {}
        self._accounts: dict[int, ShopAccount] = {}
        self._states: dict[int, tuple[str, str]] = {}

    def set_accounts(self, accounts: list[ShopAccount]) -> None:
        previous = self._states
        for dot in self._dots.values():
            self._layout.removeWidget(dot)
            dot.deleteLater()
        self._dots.clear()
        self._accounts = {a.id: a for a in accounts}
        self._states = {}
        for account in accounts:
            dot = QLabel()
            dot.setObjectName(f"accountState{account.id}")
            self._dots[account.id] = dot
            self._layout.insertWidget(self._layout.count() - 1, dot)
            state, detail = previous.get(account.id, ("offline", ""))
            if not account.enabled:
                state, detail = "disabled", ""
            self._apply(account.id, state, detail)
        self._update_summary()

    def set_state(self, account_id: int, state: str, detail: str = "") -> None:
        if account_id in self._accounts:
            self._apply(account_id, state, detail)
            self._update_summary()

    def _apply(self, account_id: int, state: str, detail: str) -> None:
        account = self._accounts[account_id]
        self._states[account_id] = (state, detail)
        dot = self._dots[account_id]
        colour = STATE_COLOURS.get(state, "#9ca3af")
        dot.setText(f'<span style="color:{account.colour}">{account.platform.short_mark}</span>'
                    f'<span style="color:{colour}">●</span>')
        text = STATE_LABELS.get(state, state)
        tooltip = f"{account.platform.label} · {account.display_name}（{account.login}）\n状态：{text}"
        if detail:
            tooltip += f"\n最近的错误：{detail}"
        dot.setToolTip(tooltip)
        dot.setProperty("state", state)

    def _update_summary(self) -> None:
        if not self._accounts:
            self.summary.setText("")
            return
        counts: dict[str, int] = {}
        for state, _ in self._states.values():
            counts[state] = counts.get(state, 0) + 1
        parts = [f"{counts[s]} {STATE_LABELS[s]}" for s in STATE_LABELS if counts.get(s)]
        attention = [self._accounts[i].display_name for i, (s, _) in self._states.items() if s in self.ATTENTION]
        text = f"{len(self._accounts)} 个店铺：" + " · ".join(parts)
        if attention:
            text += f' <span style="color:#dc2626">需处理：{"、".join(attention[:3])}{"…" if len(attention) > 3 else ""}</span>'
        self.summary.setText(text)

    def state_of(self, account_id: int) -> str | None:
        return self._states.get(account_id, (None, ""))[0]

    def summary_text(self) -> str:
        return self.summary.text()
