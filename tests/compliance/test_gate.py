"""Every outgoing kind passes `gate_outgoing`; it fails closed."""

import pytest

from tests.compliance import qrimages as q
from workstation.compliance import gate
from workstation.compliance.gate import gate_outgoing
from workstation.domain.verdict import DraftKind, OutgoingDraft


@pytest.mark.parametrize("kind", ["text", "quick_reply", "coupon_note", DraftKind.TEXT])
def test_text_kinds_are_checked(kind):
    assert gate_outgoing(OutgoingDraft(kind=kind, text="加我微信 abc12345", platform="pdd")).blocked
    assert gate_outgoing(OutgoingDraft(kind=kind, text="亲，已经发货了", platform="pdd")).passed


def test_image_with_qr_is_blocked_and_caption_is_checked():
    qr = q.encode(q.qr_gray())
    assert gate_outgoing(OutgoingDraft(kind="image", image_bytes=qr, platform="pdd")).blocked
    clean = q.encode(q.screenshot(800, 600))
    assert gate_outgoing(OutgoingDraft(kind="image", image_bytes=clean, platform="pdd")).passed
    verdict = gate_outgoing(OutgoingDraft(kind="image", text="高仿款", image_bytes=clean, platform="pdd"))
    assert verdict.blocked and verdict.hits[0].category == "counterfeit"


def test_file_that_is_an_image_is_checked_for_qr():
    qr = q.encode(q.qr_gray())
    assert gate_outgoing(OutgoingDraft(kind="file", text="收款码.png", image_bytes=qr)).blocked
    assert gate_outgoing(OutgoingDraft(kind="file", text="说明书.pdf")).passed


def test_image_without_bytes_is_blocked():
    assert gate_outgoing(OutgoingDraft(kind="image", image_bytes=None)).blocked


def test_unknown_kind_and_unknown_platform_fail_closed():
    assert gate_outgoing(OutgoingDraft(kind="voice", text="你好")).blocked
    assert gate_outgoing(OutgoingDraft(kind="text", text="你好", platform="ebay")).blocked


def test_internal_error_blocks(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(gate, "check_text", broken)
    verdict = gate_outgoing(OutgoingDraft(kind="text", text="你好"))
    assert verdict.blocked and verdict.hits[0].rule == "gate.error"


def test_recent_sent_reaches_the_repetition_warning():
    text = "亲，在的"
    draft = OutgoingDraft(kind="quick_reply", text=text, recent_sent=(text, text))
    assert gate_outgoing(draft).warned
