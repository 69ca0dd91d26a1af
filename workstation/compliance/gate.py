"""The one function every outgoing message passes before the outbox (issue 6, "The gate").

Text, quick replies and coupon notes are checked as text; images (pasted, dropped, or a file
that is an image) are checked for QR codes and their caption as text. The gate fails closed:
a draft it cannot judge — an image without bytes, an unknown kind, an internal error — is
blocked with a reason, never let through.
"""

from __future__ import annotations

import logging

from workstation.compliance import check_image, check_text
from workstation.domain.verdict import Action, Category, DraftKind, Hit, OutgoingDraft, Verdict

log = logging.getLogger(__name__)

ERROR_REASON = "合规检查出错，为安全起见消息没有发送；请稍后重试，或联系主管。"
NO_IMAGE_REASON = "图片内容为空，无法检查是否含二维码，没有发送。"
UNKNOWN_KIND_REASON = "无法识别的消息类型，没有发送。"


def _blocked(rule: str, reason: str) -> Verdict:
    return Verdict(Action.BLOCK, (Hit(Category.UNCHECKABLE, rule, 0, 0, "", reason),))


def gate_outgoing(draft: OutgoingDraft) -> Verdict:
    """Judge a draft. Blocking work (image decoding): call it off the Qt thread."""
    try:
        kind = DraftKind(str(getattr(draft.kind, "value", draft.kind)))
    except ValueError:
        return _blocked("gate.unknown_kind", UNKNOWN_KIND_REASON)
    try:
        verdict = check_text(draft.text or "", platform=draft.platform, recent_sent=tuple(draft.recent_sent or ()))
        if kind is DraftKind.IMAGE and not draft.image_bytes:
            return verdict.merged(_blocked("gate.no_image", NO_IMAGE_REASON))
        if draft.image_bytes:
            verdict = verdict.merged(check_image(draft.image_bytes))
        return verdict
    except Exception:
        log.exception("compliance gate failed on a %s draft", kind)
        return _blocked("gate.error", ERROR_REASON)
