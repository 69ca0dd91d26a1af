import pytest

from workstation.compliance.normalize import Normalized, fold_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("高 仿", "高仿"),
        ("高\u200b仿", "高仿"),               # zero-width space
        ("高\u2060\ufe0f仿", "高仿"),          # word joiner, variation selector
        ("高\u3164仿", "高仿"),               # Hangul filler
        ("高\u0336仿\u0301", "高仿"),          # combining marks
        ("髙倣", "高仿"),                     # variants OpenCC misses
        ("復印版", "复印版"),                 # traditional → simplified
        ("ＧａｏＦａｎｇ", "gaofang"),         # full width, case
        ("gāo fǎng", "gaofang"),             # tone marks
        ("𝐆𝐚𝐨", "gao"),                      # mathematical alphanumerics
        ("ѕв", "sb"),                        # Cyrillic homoglyphs
        ("🅢🅑", "sb"),
        ("傻😀逼", "傻逼"),                   # emoji as noise
        ("①③⑧", "138"),
        ("❶❸❽", "138"),
    ],
)
def test_words_view(text, words):
    assert fold_words(text) == words


@pytest.mark.parametrize(
    ("text", "light"),
    [
        ("壹叁捌", "138"),
        ("幺三八洞拐勾", "138079"),
        ("www点xx。com", "www.xx.com"),
        ("１３８　１２３４", "138 1234"),
        ("a＠b．cn", "a@b.cn"),
    ],
)
def test_light_view(text, light):
    assert Normalized(text).light == light


def test_spans_map_back_to_the_original():
    doc = Normalized("看这个：髙 \u200b倣包")
    start = doc.words.index("高仿")
    o_start, o_end = doc.words_span(start, start + 2)
    assert doc.original[o_start:o_end] == "髙 \u200b倣"
    lstart = doc.light.index("包")
    assert doc.original[slice(*doc.light_span(lstart, lstart + 1))] == "包"


def test_expanding_characters_keep_offsets():
    doc = Normalized("㈱高仿")      # NFKC turns ㈱ into (株): three characters from one
    start = doc.words.index("高仿")
    assert doc.words_span(start, start + 2) == (1, 3)
