"""The local compliance filter: text or image bytes in, a verdict out. Qt-free.

    from workstation.compliance import check_text, check_image, ComplianceFilter

    check_text(text, platform="pdd", recent_sent=(...))  -> Verdict (block / warn / pass + hits)
    check_image(png_or_jpeg_bytes)                        -> Verdict (blocking: call it off the Qt thread)
    gate.gate_outgoing(OutgoingDraft(...))                -> Verdict, the one check before the outbox

Hits carry spans into the text as the agent typed it and one Chinese reason each. The word lists
live in resources/compliance/ (one file per category) and reload without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from workstation.compliance.filter import ComplianceFilter, default_word_dir
from workstation.domain.verdict import Verdict

__all__ = ["ComplianceFilter", "check_image", "check_text", "default_filter", "default_word_dir"]

_default: ComplianceFilter | None = None
_default_lock = threading.Lock()


def default_filter() -> ComplianceFilter:
    """The shared filter over resources/compliance/, built on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = ComplianceFilter()
    return _default


def check_image(data: bytes) -> Verdict:
    """Block any image with a QR code (blocking: run it off the Qt thread). OpenCV and zxing-cpp
    load on the first image, so importing this package stays cheap for the app's start-up."""
    from workstation.compliance.image import check_image as check

    return check(data)


def check_text(text: str, *, platform: str | None = None, recent_sent: Sequence[str] = ()) -> Verdict:
    return default_filter().check_text(text, platform=platform, recent_sent=recent_sent)
