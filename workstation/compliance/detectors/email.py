"""E-mail addresses, including 艾特 / (at) / ＠ for @ and 点 / dot for the dots."""

from __future__ import annotations

import re

from workstation.compliance.context import CheckContext, view_hit
from workstation.compliance.domains import clean_host, registrable
from workstation.compliance.normalize import Normalized
from workstation.domain.verdict import Category, Hit

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOT = r"(?:[ \t]*(?:\.|\(dot\)|\[dot\]|\{dot\}|\[\.\]|\(\.\)|\{\.\}|(?<=[ \t])dot(?=[ \t]))[ \t]*)"
_AT = r"(?:[ \t]*(?:@|艾特|爱特|圈a|\(at\)|\[at\]|\{at\}|(?<=[ \t])at(?=[ \t]))[ \t]*)"
# "abc#qq.com（#换成@）": a # only counts before a well-known mail domain
_MAIL_HOSTS = r"(?:qq|163|126|139|sina|sohu|foxmail|gmail|outlook|hotmail|yeah|aliyun|icloud|yahoo)"
_HASH_EMAIL = re.compile(
    rf"(?<![a-z0-9_%+-])[a-z0-9][a-z0-9._%+-]{{0,63}}[ \t]*[#＃][ \t]*(?P<host>{_MAIL_HOSTS}{_DOT}(?:com|net|cn)(?:{_DOT}cn)?)(?![a-z0-9-])"
)
_EMAIL = re.compile(
    rf"(?<![a-z0-9_%+-])[a-z0-9][a-z0-9._%+-]{{0,63}}{_AT}(?P<host>(?:{_LABEL}{_DOT})+[a-z]{{2,24}})(?![a-z0-9-])"
)
_QUICK = re.compile(r"@|艾特|爱特|圈a|#|(?<![a-z])at(?![a-z])|\(at\)|\[at\]|\{at\}")

REASON = "“{m}”是电子邮箱，平台禁止把买家引到站外联系，请删除。"


def detect(doc: Normalized, ctx: CheckContext) -> list[Hit]:
    light = doc.light
    if not ("@" in light or "at" in light or "艾特" in light or "爱特" in light or "#" in light or "圈" in light) \
            or not _QUICK.search(light):
        return []
    hits: list[Hit] = []
    views = ("light", "compact") if " " in doc.light else ("light",)
    for view in views:
        matches = list(_EMAIL.finditer(getattr(doc, view)))
        if "#" in light:
            matches += _HASH_EMAIL.finditer(getattr(doc, view))
        for m in matches:
            if registrable(clean_host(m.group("host"))) is None:
                continue
            hit = view_hit(doc, view, m.start(), m.end(), Category.CONTACT, "contact.email", REASON)
            # the space-free view only adds addresses the light view could not read (163.c om)
            if view == "light" or not any(h.start < hit.end and hit.start < h.end for h in hits):
                hits.append(hit)
    return hits
