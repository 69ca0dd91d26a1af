"""The five platforms Workstation serves, with the facts every part needs about them."""

from __future__ import annotations

import enum


class Platform(enum.StrEnum):
    """A platform, by the code used in archives, the CLI and the database."""

    PDD = "pdd"
    TAOBAO = "taobao"
    DOUYIN = "douyin"
    KUAISHOU = "kuaishou"
    JD = "jd"

    @property
    def label(self) -> str:
        """The name agents know the platform by."""
        return _LABELS[self]

    @property
    def short_mark(self) -> str:
        """One character shown as the platform's mark in dense lists."""
        return _MARKS[self]

    @property
    def brand_colour(self) -> str:
        return _COLOURS[self]

    @classmethod
    def parse(cls, value: str) -> "Platform":
        """Accept a code (`pdd`) or a label (`拼多多`); raise ValueError with a Chinese message."""
        text = (value or "").strip()
        for platform in cls:
            if text.lower() == platform.value or text == platform.label or text in _ALIASES[platform]:
                return platform
        codes = "、".join(p.value for p in cls)
        raise ValueError(f"未知平台“{value}”，可选：{codes}")


_LABELS = {
    Platform.PDD: "拼多多",
    Platform.TAOBAO: "淘宝/天猫",
    Platform.DOUYIN: "抖店",
    Platform.KUAISHOU: "快手",
    Platform.JD: "京东",
}
_ALIASES = {
    Platform.PDD: ("拼多多",),
    Platform.TAOBAO: ("淘宝", "天猫", "淘宝天猫"),
    Platform.DOUYIN: ("抖音", "抖店"),
    Platform.KUAISHOU: ("快手", "快手小店"),
    Platform.JD: ("京东",),
}
_MARKS = {
    Platform.PDD: "拼",
    Platform.TAOBAO: "淘",
    Platform.DOUYIN: "抖",
    Platform.KUAISHOU: "快",
    Platform.JD: "京",
}
_COLOURS = {
    Platform.PDD: "#e02e24",
    Platform.TAOBAO: "#ff5000",
    Platform.DOUYIN: "#161823",
    Platform.KUAISHOU: "#ff4906",
    Platform.JD: "#e1251b",
}
