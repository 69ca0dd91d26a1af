"""Mask buyer phone numbers and street addresses in text that leaves the workstation.

Exports mask by default (SPEC: buyer personal data is masked in exports unless the
reviewer opts in). Phones keep the first 3 and last 4 digits, as platforms show them
(138****8000); addresses keep the province/city part and hide the street and number.
"""

from __future__ import annotations

import re

# Mainland mobile numbers, optionally +86 / 86 prefixed, with spaces or dashes as
# people type them; not when embedded in a longer digit run (order numbers).
_MOBILE = re.compile(r"(?<![\d])(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![\d])")
# Landlines: 0xx(x)-xxxxxxx(x).
_LANDLINE = re.compile(r"(?<![\d])(0\d{2,3})[ -](\d{7,8})(?![\d])")

_REGION = r"(?:[\u4e00-\u9fff]{2,8}?(?:省|自治区|特别行政区|市|自治州|地区|盟))"
_DISTRICT = r"(?:[\u4e00-\u9fff]{1,8}?(?:区|县|旗|镇|乡|街道))"
_STREET = (
    r"[\u4e00-\u9fff\w\-－#＃]{0,24}?"
    r"(?:路|街|巷|弄|道|村|里|小区|大厦|花园|公寓|苑|号|栋|幢|座|单元|室|楼|层)"
    r"[\w\-－#＃]*"
    r"(?:[\u4e00-\u9fff\w\-－#＃]{0,12}?(?:号|栋|幢|座|单元|室|楼|层)[\w\-－#＃]*)*"
)
_ADDRESS = re.compile(rf"({_REGION}{{1,3}}){_DISTRICT}?{_STREET}|({_REGION}{{0,3}}{_DISTRICT}){_STREET}")


def mask_phones(text: str) -> str:
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-4:]}", text)


def mask_addresses(text: str) -> str:
    def replace(match: re.Match) -> str:
        kept = match.group(1) or match.group(2) or ""
        return f"{kept}****"

    return _ADDRESS.sub(replace, text)


def mask_personal_data(text: str) -> str:
    """Both masks; cheap when the text has neither (one scan each)."""
    if not text:
        return text
    return mask_addresses(mask_phones(text))
