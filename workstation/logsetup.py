"""Logging to a rotating file in the data dir, and the last-resort handler for unexpected errors."""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from pathlib import Path

log = logging.getLogger(__name__)

# Belt and braces: even if a caller logs something it should not, tokens, secrets
# and full mainland phone numbers never reach the file.
_REDACTIONS = (
    (re.compile(r"(?i)((?:access_token|refresh_token|session|app_secret|client_secret|password|sign_secret)[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+"), r"\1***"),
    (re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\1****\2"),
)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for pattern, replacement in _REDACTIONS:
            text = pattern.sub(replacement, text)
        return text


def configure_logging(log_file: Path, *, verbose: bool = False) -> Path | None:
    """Log to `log_file` (rotating, 5 × 2 MB). Returns the path, or None if it cannot be written."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in list(root.handlers):
        if getattr(handler, "_workstation", False):
            root.removeHandler(handler)
            handler.close()
    written: Path | None = log_file
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler(sys.stderr)
        written = None
    handler.setFormatter(formatter)
    handler._workstation = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    for noisy in ("httpx", "httpcore", "uvicorn.access", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return written
