"""Third-party links: URLs, bare and obfuscated domains (www点xx点com), short links, 淘口令.

The platform's own domains, and any the team lead approved, pass (allowed_domains.txt).
"""

from __future__ import annotations

import re

from workstation.compliance.context import CheckContext, light_hit, view_hit
from workstation.compliance.domains import COMMON_TLDS, clean_host, is_allowed, registrable
from workstation.compliance.normalize import Normalized
from workstation.domain.verdict import Action, Category, Hit

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOT = r"(?:[ \t]*(?:\.|\(dot\)|\[dot\]|\{dot\}|\[\.\]|\(\.\)|\{\.\}|(?<=[ \t])dot(?=[ \t]))[ \t]*)"
_DOMAIN = re.compile(
    rf"(?<![a-z0-9@_%+-])(?P<scheme>(?:https?|ftp)[ \t]*[:：][ \t]*/[ \t]*/[ \t]*)?"
    rf"(?P<host>(?:{_LABEL}{_DOT})+(?:[a-z]{{2,24}}|xn--[a-z0-9-]{{2,59}}|\d{{1,3}}))"
    # a path ends on a character URLs end on, so "(https://x.cn/)" leaves the bracket out
    rf"(?![a-z0-9-])(?P<port>:\d{{2,5}})?(?P<path>/(?:[!-~]*[a-z0-9/=_#&%~+-])?)?"
)
# "www xxshop com": spaces for every dot, recognisable by the www and a common ending
_SPACED = re.compile(r"(?<![a-z0-9])www[ \t]+[a-z0-9-]{2,63}[ \t]+(?:com|cn|net|cc|top|vip|xyz)(?![a-z0-9])")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_SCHEME_ONLY = re.compile(r"(?:https?|ftp)[ \t]*[:：][ \t]*/[ \t]*/")
_CURRENCY = "¥$€£¢₴₳₰₵₸₹₽₿₤₲₱₭₮"
_TOKEN = re.compile(rf"[{_CURRENCY}](?=[a-z0-9]*[a-z])([a-z0-9]{{8,14}})[{_CURRENCY}]")
# Something host-like (x.y with a letter after the dot), a scheme, or a currency-wrapped token.
_QUICK = re.compile(rf"[a-z0-9-][ \t]*[(\[{{]?(?:\.|dot)[ \t)\]}}]*[a-z0-9-]*[a-z]|[{_CURRENCY}][a-z0-9]*[a-z]|https?|ftp|www")

_HAS_CURRENCY = re.compile(rf"[{_CURRENCY}]")

LINK_REASON = "“{m}”是站外链接或域名，平台只允许发本平台的购物链接，请删除。"
TOKEN_REASON = "“{m}”是淘口令一类的分享口令，会把买家引到站外，平台禁止。"
TOKEN_WARN = "“{m}”像淘口令，发给买家前请确认它指向本店商品。"


def _link_hits(doc: Normalized, ctx: CheckContext, view: str) -> tuple[list[Hit], list[tuple[int, int]]]:
    """Hits, and the spans of every real host read (allowed or not) in that view."""
    hits = []
    hosts = []
    for m in _DOMAIN.finditer(getattr(doc, view)):
        host = clean_host(m.group("host"))
        labels = host.split(".")
        strong = bool(m.group("scheme")) or labels[0] == "www" or bool(m.group("path") and len(m.group("path")) > 1)
        if _IPV4.match(host):
            if not m.group("scheme") and not m.group("path"):
                continue
        else:
            if labels[-1].isdigit():
                continue
            if not strong and labels[-1] not in COMMON_TLDS:
                continue
            if registrable(host) is None:
                continue
            if is_allowed(host, ctx.allowed_domains):
                hosts.append(m.span())
                continue
        hosts.append(m.span())
        hits.append(view_hit(doc, view, m.start(), m.end(), Category.LINK, "link.domain", LINK_REASON))
    return hits, hosts


def _only_new(hits: list[Hit], seen: list[tuple[int, int]]) -> list[Hit]:
    """Hits from the space-free view that do not overlap anything the light view already read."""
    return [h for h in hits if not any(h.start < end and start < h.end for start, end in seen)]


def detect(doc: Normalized, ctx: CheckContext) -> list[Hit]:
    light = doc.light
    if not ("." in light or "dot" in light or "//" in light or "www" in light or _HAS_CURRENCY.search(light)) \
            or not _QUICK.search(light):
        return []
    hits, hosts = _link_hits(doc, ctx, "light")
    if " " in light:  # 163.c om, www .xx. com: read once more with the spaces gone
        hits += _only_new(_link_hits(doc, ctx, "compact")[0], [doc.light_span(*span) for span in hosts])
    if "www" in light:
        for m in _SPACED.finditer(light):
            hits.append(light_hit(doc, m.start(), m.end(), Category.LINK, "link.domain", LINK_REASON))
    for m in _SCHEME_ONLY.finditer(light):
        if not any(start <= m.start() < end for start, end in hosts):  # http:// and no host we could read
            hits.append(light_hit(doc, m.start(), m.end(), Category.LINK, "link.url", LINK_REASON))
    for m in _TOKEN.finditer(light):
        token = m.group(1)
        if not any(c.isdigit() for c in token) and len(set(token)) < 5:
            continue
        own_platform = ctx.platform == "taobao"
        hits.append(light_hit(doc, m.start(), m.end(), Category.LINK, "link.taokouling",
                              TOKEN_WARN if own_platform else TOKEN_REASON,
                              Action.WARN if own_platform else Action.BLOCK))
    return hits
