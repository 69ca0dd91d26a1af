"""Errors the sync engine raises to the UI; `str()` is a Chinese message for the agent."""

from __future__ import annotations


class SyncError(Exception):
    pass


class MessageBlocked(SyncError):
    """The compliance gate blocked the message: nothing was written to the outbox.

    `verdict.hits` says which words broke which rule, for the composer to highlight.
    """

    def __init__(self, verdict):
        self.verdict = verdict
        reasons = "；".join(dict.fromkeys(getattr(hit, "reason", "") for hit in getattr(verdict, "hits", ()) if getattr(hit, "reason", "")))
        super().__init__(f"消息未发送：{reasons}" if reasons else "消息未发送：内容不符合平台规则。")


class MessageNeedsConfirmation(SyncError):
    """The gate warned: send again with `confirmed_warning=True` once the agent has confirmed."""

    def __init__(self, verdict):
        self.verdict = verdict
        reasons = "；".join(dict.fromkeys(getattr(hit, "reason", "") for hit in getattr(verdict, "hits", ()) if getattr(hit, "reason", "")))
        super().__init__(f"请确认后再发送：{reasons}" if reasons else "请确认后再发送。")


class UnknownConversation(SyncError):
    def __init__(self, key):
        self.key = tuple(key)
        super().__init__("找不到这个会话，可能它所属的店铺账号已被删除。")


class AccountUnavailable(SyncError):
    """The conversation's account is not running (removed, disabled)."""


class CannotRetry(SyncError):
    pass
