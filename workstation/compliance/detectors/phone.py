"""Phone numbers: mainland mobiles (+86, separators, Chinese digits), landlines, 400/800 lines."""

from __future__ import annotations

import re

from workstation.compliance.context import CheckContext, light_hit
from workstation.compliance.detectors.numbers import context_before, digit_runs
from workstation.compliance.normalize import Normalized
from workstation.domain.verdict import Category, Hit

_MOBILE = re.compile(r"(?:0086|86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"^[(（]?0(?:10|2\d|[3-9]\d{2})[)）]?[ \t\-—–]*(?:\d{7,8}|\d{3,4}[ \t\-—–]\d{4})$")
_LANDLINE_DIGITS = re.compile(r"0(?:10|2\d|[3-9]\d{2})\d{7,8}")
_PHONE_CUE = re.compile(r"电话|座机|热线|致电|拨打|来电|tel|call|手机")
_SERVICE = re.compile(r"^[48]00[ \t\-—–]?\d{3}[ \t\-—–]?\d{4}$")

REASON = "“{m}”是电话号码，平台禁止发送联系方式，请删除。"


def detect(doc: Normalized, ctx: CheckContext) -> list[Hit]:
    hits = []
    for run in digit_runs(doc):
        n = len(run.digits)
        if n < 10 or n > 15 or run.glued:
            continue
        if _MOBILE.fullmatch(run.digits):
            rule = "contact.mobile"
        elif (_LANDLINE.match(run.raw.strip()) and not run.raw.strip().isdigit()) or (
                _LANDLINE_DIGITS.fullmatch(run.digits) and _PHONE_CUE.search(context_before(doc, run.start))):
            rule = "contact.landline"  # separated as a landline is written, or introduced as a phone
        elif _SERVICE.match(run.raw.strip()):
            rule = "contact.service_line"
        else:
            continue
        start = run.start - 1 if run.start and doc.light[run.start - 1] == "+" else run.start
        hits.append(light_hit(doc, start, run.end, Category.CONTACT, rule, REASON))
    return hits
