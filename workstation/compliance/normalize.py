"""Fold what an agent typed into searchable forms, with a map back to the original offsets.

Two views of each message are built, both with `str.translate` over per-character tables
that are filled lazily and cached, so the common case (a benign message) costs a few C-level
passes; the offset map is built only when a detector has a hit to report.

* `words`: for word lists. NFKC, case folding, traditional → simplified (OpenCC) plus
  variants OpenCC misses, homoglyph letters, enclosed letters and digits; format characters,
  Hangul fillers, variation selectors, combining marks, spaces, punctuation, symbols and
  emoji are dropped, so 高 仿, 高​仿 and 髙倣 all read 高仿.
* `light`: for numbers, links and ids. The same folding, but Chinese and financial numerals
  become digits (壹叁捌 → 138), 点/。/． become ".", spaces become " ", and other
  punctuation is kept so detectors can see separators.

Pinyin (gao仿, GaoFang → 高仿) is handled by the word lexicon, which compiles pinyin forms of
each listed word, so that a benign homophone typed in characters (高房) never matches.
"""

from __future__ import annotations

import unicodedata
from functools import cached_property

import opencc

_T2S = opencc.OpenCC("t2s")

# Invisible characters that evaders slip between letters; most are category Cf or Mn and
# are caught generically, these are the letter-category ones that render as nothing.
_INVISIBLE = {
    0x115F, 0x1160, 0x3164, 0xFFA0,  # Hangul fillers
    0x2800,                          # braille blank
    0x180E,                          # Mongolian vowel separator
}

# Variant and look-alike forms OpenCC's t2s leaves alone.
_VARIANTS = {
    "倣": "仿", "髙": "高", "彷": "仿", "眞": "真", "衞": "卫", "僞": "伪", "爲": "为",
    "卋": "世", "僊": "仙", "冐": "冒", "敎": "教",
}

# Homoglyph letters (after case folding): Cyrillic, Greek, Latin small capitals.
_HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԛ": "q",
    "ԝ": "w", "ь": "b", "ӏ": "l", "ɡ": "g", "ν": "v", "α": "a", "β": "b", "ε": "e", "η": "n",
    "ι": "i", "κ": "k", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "μ": "u",
    "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k",
    "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u",
    "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
}


def _enclosed() -> dict[int, str]:
    """Enclosed digits and letters NFKC does not unfold (❶, ➀, ⓵, 🅰, regional indicators)."""
    table: dict[int, str] = {}
    for base in (0x2776, 0x2780, 0x278A):        # ❶ ➀ ➊ … 10
        for i in range(10):
            table[base + i] = str(i + 1)
    for i in range(10):                           # ⓵ … ⓾
        table[0x24F5 + i] = str(i + 1)
    for i in range(10):                           # ⓫ … ⓴
        table[0x24EB + i] = str(i + 11)
    table[0x24FF] = "0"                           # ⓿
    table[0x1F10B] = table[0x1F10C] = "0"          # 🄋 🄌
    for base in (0x1F150, 0x1F170, 0x1F1E6):      # 🅐 🅰 🇦
        for i in range(26):
            table[base + i] = chr(ord("a") + i)
    return table


_ENCLOSED = _enclosed()

# Chinese, financial and radio-speak numerals (幺 1, 洞 0, 拐 7, 勾 9) as agents read out numbers.
CHINESE_DIGITS = {
    "〇": "0", "零": "0", "洞": "0",
    "一": "1", "壹": "1", "幺": "1",
    "二": "2", "贰": "2", "两": "2",
    "三": "3", "叁": "3",
    "四": "4", "肆": "4",
    "五": "5", "伍": "5",
    "六": "6", "陆": "6",
    "七": "7", "柒": "7", "拐": "7",
    "八": "8", "捌": "8",
    "九": "9", "玖": "9", "勾": "9",
}
_DOTS = {"点": ".", "。": ".", "．": ".", "｡": ".", "·": ".", "•": "."}


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed
    return "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Mn")


def fold_char(ch: str) -> str:
    """The folded form of one character: '' for invisible ones, else one or more characters."""
    code = ord(ch)
    if code in _ENCLOSED:
        return _ENCLOSED[code]
    if code in _INVISIBLE:
        return ""
    category = unicodedata.category(ch)
    if category in ("Cf", "Mn", "Me"):
        return ""
    text = unicodedata.normalize("NFKC", ch)
    # NFKD after NFKC drops the accents of Latin letters (gāo → gao) without touching CJK.
    text = _strip_marks(text).casefold()
    out = []
    for c in text:
        if ord(c) in _ENCLOSED:
            out.append(_ENCLOSED[ord(c)])
            continue
        if ord(c) in _INVISIBLE:
            continue
        c = _HOMOGLYPHS.get(c, c)
        c = _VARIANTS.get(c, c)
        if "\u3400" <= c <= "\u9fff" or "\U00020000" <= c <= "\U0003134f":
            c = _T2S.convert(c)
            c = _VARIANTS.get(c, c)
        out.append(c)
    return "".join(out)


def _is_noise(c: str) -> bool:
    return unicodedata.category(c)[0] in "ZPSC"


def _words_fold(code: int) -> str:
    """ord → folded text with noise dropped."""
    return "".join(c for c in fold_char(chr(code)) if not _is_noise(c))


def _light_fold(code: int) -> str:
    """ord → folded text with numerals as digits, dots as '.', spaces as ' '."""
    out = []
    for c in fold_char(chr(code)):
        if c in CHINESE_DIGITS:
            c = CHINESE_DIGITS[c]
        elif c in _DOTS:
            c = _DOTS[c]
        elif unicodedata.category(c)[0] in "ZC":
            c = " "
        out.append(c)
    return "".join(out)


# Plain dicts (str.translate is twice as fast on them as on a dict subclass with __missing__);
# characters are added the first time a message contains them, so the tables hold exactly
# the characters seen so far. `_KNOWN` is the same set as characters, for a C-level check.
WORDS_TABLE: dict[int, str] = {}
LIGHT_TABLE: dict[int, str] = {}
_KNOWN: set[str] = set()
# Characters that do not map to exactly one character; without them the offset maps are simple.
_EXPANDING_WORDS: set[str] = set()   # fold to two or more characters (㈱ → 株, ⑩ → 10)
_IRREGULAR_LIGHT: set[str] = set()   # fold to none or several


def _learn(text: str) -> None:
    unknown = set(text) - _KNOWN
    for ch in unknown:
        code = ord(ch)
        WORDS_TABLE[code] = words = _words_fold(code)
        LIGHT_TABLE[code] = light = _light_fold(code)
        if len(words) > 1:
            _EXPANDING_WORDS.add(ch)
        if len(light) != 1:
            _IRREGULAR_LIGHT.add(ch)
    _KNOWN.update(unknown)


for _code in range(128):
    _learn(chr(_code))


def fold_words(text: str) -> str:
    """The `words` view of any text (used to compile word lists the same way messages are read)."""
    if not _KNOWN.issuperset(text):
        _learn(text)
    return text.translate(WORDS_TABLE)


def fold_light(text: str) -> str:
    if not _KNOWN.issuperset(text):
        _learn(text)
    return text.translate(LIGHT_TABLE)


def _origins(text: str, table: dict) -> list[int]:
    """For each character of the view, the index of the original character it came from."""
    origins: list[int] = []
    for index, ch in enumerate(text):
        n = len(table[ord(ch)])
        if n:
            origins.extend([index] * n)
    return origins


class Normalized:
    """One message and its views; spans found in a view map back with `*_span`."""

    def __init__(self, original: str):
        self.original = original
        self.memo: dict = {}  # detectors share intermediate results (digit runs) here
        if not _KNOWN.issuperset(original):
            _learn(original)
        self.words = original.translate(WORDS_TABLE)
        self.light = original.translate(LIGHT_TABLE)

    @cached_property
    def _words_origins(self) -> list[int]:
        text = self.original
        if _EXPANDING_WORDS.isdisjoint(text):  # each character gives one or none: skip the noise
            return [i for i, c in enumerate(text) if WORDS_TABLE[ord(c)]]
        return _origins(text, WORDS_TABLE)

    @cached_property
    def _light_origins(self) -> list[int] | range:
        if _IRREGULAR_LIGHT.isdisjoint(self.original):  # one character for one: positions agree
            return range(len(self.original))
        return _origins(self.original, LIGHT_TABLE)

    @cached_property
    def compact(self) -> str:
        """The light view without spaces, for links and e-mails split by spaces (163.c om)."""
        return self.light.replace(" ", "")

    @cached_property
    def _compact_origins(self) -> list[int]:
        light, origins = self.light, self._light_origins
        return [origins[i] for i, c in enumerate(light) if c != " "]

    def compact_span(self, start: int, end: int) -> tuple[int, int]:
        origins = self._compact_origins
        return origins[start], origins[end - 1] + 1

    def span(self, view: str, start: int, end: int) -> tuple[int, int]:
        """Original span of [start, end) in the named view ("words", "light" or "compact")."""
        return getattr(self, f"{view}_span")(start, end)

    def words_span(self, start: int, end: int) -> tuple[int, int]:
        origins = self._words_origins
        return origins[start], origins[end - 1] + 1

    def light_span(self, start: int, end: int) -> tuple[int, int]:
        origins = self._light_origins
        return origins[start], origins[end - 1] + 1

    def light_index_of(self, original_index: int) -> int:
        """The first light-view position at or after an original index (len(light) past the end)."""
        origins = self._light_origins
        lo, hi = 0, len(origins)
        while lo < hi:
            mid = (lo + hi) // 2
            if origins[mid] < original_index:
                lo = mid + 1
            else:
                hi = mid
        return lo
