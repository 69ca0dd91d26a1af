"""Hypothesis properties from issue 6."""

import functools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.compliance.helpers import shipped_filter

BLOCKED_PHRASES = [
    "高仿", "精仿", "非正品", "复印版", "扫描版", "傻逼", "加我微信", "13812345678", "www.evil.com",
    "我是拼多多官方客服", "弄死你", "代开发票", "abc123@163.com", "6222021234567890123",
]
NOISE = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", " ", "\u3000", "\u00ad", "\ufe0f", "\u3164"])


@st.composite
def noisy(draw, phrase: str) -> str:
    out = []
    for ch in phrase:
        out.append(ch)
        out.extend(draw(st.lists(NOISE, max_size=2)))
    return "".join(out).rstrip("".join(["\u200b"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), phrase=st.sampled_from(BLOCKED_PHRASES),
       prefix=st.sampled_from(["", "亲，", "您好 ", "好的。"]), suffix=st.sampled_from(["", "哦", "！", " 谢谢"]))
def test_noise_inside_a_blocked_phrase_never_makes_it_pass(data, phrase, prefix, suffix):
    flt = shipped_filter()
    assert flt.check_text(prefix + phrase + suffix, platform="pdd").blocked
    text = prefix + data.draw(noisy(phrase)) + suffix
    assert flt.check_text(text, platform="pdd").blocked, text


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
       | st.lists(st.sampled_from(BLOCKED_PHRASES + ["，", " ", "\u200b", "仿佛", "订单", "1", "a", "😀", "㈱"]),
                  max_size=8).map("".join))
def test_every_hit_lies_inside_the_original_and_covers_its_match(text):
    verdict = shipped_filter().check_text(text, platform="pdd", recent_sent=(text, text))
    for hit in verdict.hits:
        assert 0 <= hit.start <= hit.end <= len(text)
        assert text[hit.start:hit.end] == hit.match
        if hit.end > hit.start:
            # The span starts and ends on characters that carry meaning, not on noise.
            assert hit.match.strip() == hit.match or hit.match.strip() == ""


@settings(max_examples=200, deadline=None)
@given(phrase=st.sampled_from(BLOCKED_PHRASES), before=st.text(max_size=10), after=st.text(max_size=10))
def test_a_blocked_phrase_is_reported_where_it_was_typed(phrase, before, after):
    text = f"{before}，{phrase}，{after}"
    verdict = shipped_filter().check_text(text, platform="pdd")
    assert verdict.blocked
    lo, hi = len(before) + 1, len(before) + 1 + len(phrase)
    assert any(h.start < hi and lo < h.end for h in verdict.hits if str(h.severity) == "block"), (text, verdict.hits)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), phrase=st.sampled_from(["高仿", "精仿", "非正品", "傻逼", "加我微信", "弄死你", "代开发票"]),
       before=st.sampled_from(["", "亲，", "这是"]), after=st.sampled_from(["", "的", "！"]))
def test_a_word_hit_covers_exactly_the_listed_word(data, phrase, before, after):
    """The span of a word-list hit, folded, is the listed word (or one of its pinyin spellings)."""
    from workstation.compliance.lexicon import pinyin_forms
    from workstation.compliance.normalize import fold_words

    text = before + data.draw(noisy(phrase)) + after
    hits = [h for h in shipped_filter().check_text(text).hits if ":" in h.rule]
    assert hits
    for hit in hits:
        word = hit.rule.split(":", 1)[1]
        canonical = fold_words(word)
        assert fold_words(hit.match) in {canonical, *pinyin_forms(canonical)}


MIXED_PHRASES = ["高仿", "精仿", "非正品", "复印版", "扫描版", "傻逼", "脑残", "弄死你", "代开发票", "加我微信",
                 "私下交易", "我是平台客服", "我是拼多多官方客服", "你给我等着", "别家都是假货"]


@functools.cache
def _to_traditional():
    import opencc

    return opencc.OpenCC("s2t")


@st.composite
def mixed_evasion(draw, phrase: str) -> str:
    """Per character: pinyin or traditional or as is; maybe upper-case, full-width; noise between."""
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(phrase)
    to_traditional = _to_traditional()
    out = []
    for i, ch in enumerate(phrase):
        form = draw(st.sampled_from(["char", "pinyin", "traditional"]))
        piece = syllables[i] if form == "pinyin" else to_traditional.convert(ch) if form == "traditional" else ch
        if draw(st.booleans()):
            piece = piece.upper()
        if draw(st.booleans()):
            piece = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in piece)
        out.append(piece)
        if i < len(phrase) - 1:
            out.extend(draw(st.lists(NOISE, max_size=1)))
    return "".join(out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), phrase=st.sampled_from(MIXED_PHRASES))
def test_mixed_pinyin_traditional_fullwidth_evasions_still_block(data, phrase):
    text = "亲，" + data.draw(mixed_evasion(phrase)) + "哦"
    assert shipped_filter().check_text(text).blocked, text
