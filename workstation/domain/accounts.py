"""Shop accounts an agent signs into, and the rules a new or edited account must meet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from workstation.domain.platforms import Platform

# A calm palette that stays distinguishable beside the platform marks.
SHOP_COLOURS = (
    "#3b82f6", "#10b981", "#f59e0b", "#8b5cf6", "#ec4899",
    "#14b8a6", "#ef4444", "#6366f1", "#84cc16", "#0ea5e9",
)
_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_NAME_LENGTH = 60


@dataclass(frozen=True, slots=True)
class ShopAccount:
    """One shop sub-account. Its secrets live in the keyring, never here."""

    platform: Platform
    shop_id: str
    display_name: str
    login: str
    colour: str = SHOP_COLOURS[0]
    enabled: bool = True
    id: int | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        """Stable key used for keyring entries and sync cursors."""
        return f"{self.platform.value}:{self.shop_id}:{self.login}"

    def with_changes(self, **changes) -> "ShopAccount":
        return replace(self, **changes)


class AccountInvalid(ValueError):
    """A new or edited account breaks a rule; `problems` maps field name to a Chinese message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("；".join(problems.values()))


def validate_account(candidate: ShopAccount, existing: list[ShopAccount]) -> None:
    """Raise AccountInvalid when the account cannot be saved as it is."""
    problems: dict[str, str] = {}
    if not isinstance(candidate.platform, Platform):
        problems["platform"] = "请选择平台。"
    for name, label, value in (
        ("shop_id", "店铺ID", candidate.shop_id),
        ("display_name", "店铺名称", candidate.display_name),
        ("login", "登录账号", candidate.login),
    ):
        if not value.strip():
            problems[name] = f"{label}不能为空。"
        elif len(value) > MAX_NAME_LENGTH:
            problems[name] = f"{label}最长 {MAX_NAME_LENGTH} 个字符。"
        elif any(ch.isspace() for ch in value) and name != "display_name":
            problems[name] = f"{label}不能包含空格。"
        elif any(ord(ch) < 32 for ch in value):
            problems[name] = f"{label}包含不可见的控制字符。"
    if not _COLOUR_RE.match(candidate.colour or ""):
        problems["colour"] = "颜色格式应为 #RRGGBB。"
    if not problems:
        for other in existing:
            if other.id == candidate.id and candidate.id is not None:
                continue
            if other.platform == candidate.platform and other.shop_id == candidate.shop_id.strip() and other.login == candidate.login.strip():
                problems["login"] = f"{candidate.platform.label}店铺 {candidate.shop_id} 的账号 {candidate.login} 已经添加过了。"
                break
    if problems:
        raise AccountInvalid(problems)


def normalised(candidate: ShopAccount) -> ShopAccount:
    """Trim what the agent typed so stored accounts compare as they read."""
    return candidate.with_changes(
        shop_id=candidate.shop_id.strip(),
        display_name=candidate.display_name.strip(),
        login=candidate.login.strip(),
        colour=candidate.colour.lower(),
    )
