"""Domain facts for the link and e-mail detectors, from the public suffix list shipped offline.

The publicsuffixlist package bundles a copy of the list, so no network is needed; a host is
the platform's own only if it is, or ends in, an allowed registrable domain
(`yangkeduo.com.evil.cn` ends in `evil.cn`, so it is not PDD's).
"""

from __future__ import annotations

import re
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

# A bare `word.tld` with no scheme, no www and no path counts as a link only for these TLDs,
# so that Mr.Li, video.mov or iphone13.pro do not; spam domains overwhelmingly use them.
COMMON_TLDS = frozenset("""
    com cn net org cc top vip xyz info me io co shop store link club site online tv biz asia
    hk tw mo us uk jp kr la ws ly im gl gd to sh tech website space pub cloud app icu cyou
    buzz tk ml ga cf gq pw ru de in su ai gg mobi name pro
""".split()) - {"pro", "name", "in", "me"}

_DOT_WORD = re.compile(r"\s*(?:\(dot\)|\[dot\]|\{dot\}|\[\.\]|\(\.\)|\{\.\}|dot|\.)\s*")


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList(accept_unknown=False)


def clean_host(raw: str) -> str:
    """`www dot xx . com` → `www.xx.com`."""
    return _DOT_WORD.sub(".", raw).strip(". ").lower()


@lru_cache(maxsize=4096)
def registrable(host: str) -> str | None:
    """The registrable domain (example.com.cn), or None when the suffix is not a real one."""
    try:
        return _psl().privatesuffix(host)
    except Exception:  # the list raises on malformed labels; such a host is no domain
        return None


def is_allowed(host: str, allowed: frozenset[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in allowed)
