"""Masking buyers' personal data for display: 张*, 138****8000, 浙江省杭州市西湖区****.

SPEC: phone and address stay masked in the UI and in exports unless the agent opens
them deliberately. Connectors usually deliver masked values already; these helpers
mask anything that arrives in the clear, so the panel never shows it by accident.
"""

from __future__ import annotations

import re

_REGION = re.compile(
    r"^(?P<province>.+?(?:省|自治区|特别行政区|北京市|上海市|天津市|重庆市))?"
    r"(?P<city>.+?(?:市|自治州|地区|盟))?"
    r"(?P<district>.+?(?:区|县|旗|市))?"
)


def is_masked(text: str) -> bool:
    return "*" in (text or "")


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; the surname stays so the agent can address the buyer."""
    name = (name or "").strip()
    if not name or is_masked(name):
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    """13812348000 → 138****8000; anything shorter than seven digits is hidden completely."""
    phone = (phone or "").strip()
    if not phone or is_masked(phone):
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "****"
    return digits[:3] + "****" + digits[-4:]


def mask_address(address: str) -> str:
    """Keep province, city and district; hide the street and house number."""
    address = (address or "").strip()
    if not address or is_masked(address):
        return address
    match = _REGION.match(address)
    kept = match.group(0) if match else ""
    if not kept or kept == address:
        kept = address[: min(6, max(0, len(address) - 4))]
    return kept + "****"
