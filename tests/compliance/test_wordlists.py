"""Word-list files: format, round trip, disabled words, reload without restart."""

import shutil

from workstation.compliance import ComplianceFilter, filter as filter_module
from workstation.compliance.filter import default_word_dir
from workstation.compliance.wordlists import (
    WordEntry,
    WordList,
    all_list_names,
    format_list,
    load_list,
    parse_list,
    save_list,
)


def test_every_shipped_list_exists_and_parses():
    for name in all_list_names():
        path = default_word_dir() / f"{name}.txt"
        assert path.exists(), name
        assert load_list(default_word_dir(), name).entries, name


def test_parse_and_format_round_trip():
    words = parse_list("# 注释\n高仿\n!复刻版\n\n高仿\n  精仿  \n", "counterfeit")
    assert [(e.word, e.enabled) for e in words.entries] == [("高仿", True), ("复刻版", False), ("精仿", True)]
    assert parse_list(format_list(words), "counterfeit").entries == words.entries


def _copy_lists(tmp_path):
    target = tmp_path / "lists"
    shutil.copytree(default_word_dir(), target)
    return target


def test_reload_picks_up_added_and_disabled_words(tmp_path):
    word_dir = _copy_lists(tmp_path)
    flt = ComplianceFilter(word_dir, auto_reload=False)
    assert flt.check_text("这是原厂尾货").passed
    words = load_list(word_dir, "counterfeit")
    words.entries.append(WordEntry("尾货"))
    for entry in words.entries:
        if entry.word == "高仿":
            entry.enabled = False
    save_list(word_dir, words)
    assert flt.check_text("这是原厂尾货").passed   # not yet reloaded
    flt.reload()
    assert flt.check_text("这是原厂尾货").blocked
    assert flt.check_text("高仿").passed


def test_edited_files_are_noticed_without_calling_reload(tmp_path, monkeypatch):
    word_dir = _copy_lists(tmp_path)
    monkeypatch.setattr(filter_module, "RELOAD_CHECK_SECONDS", 0.0)
    flt = ComplianceFilter(word_dir)
    assert flt.check_text("特价清仓").passed
    save_list(word_dir, WordList("illegal", [WordEntry("特价清仓")]))
    assert flt.check_text("特价清仓").blocked


def test_missing_directory_gives_an_empty_but_working_filter(tmp_path):
    flt = ComplianceFilter(tmp_path / "none", auto_reload=False)
    assert flt.check_text("高仿").passed
    assert flt.check_text("加我微信 abc12345").blocked   # built-in detectors still run


def test_a_broken_file_keeps_the_previous_lists_on_auto_reload(tmp_path, monkeypatch):
    import pytest

    from workstation.compliance.wordlists import WordListError

    word_dir = _copy_lists(tmp_path)
    monkeypatch.setattr(filter_module, "RELOAD_CHECK_SECONDS", 0.0)
    flt = ComplianceFilter(word_dir)
    (word_dir / "counterfeit.txt").write_bytes("高仿\n尾货\n".encode("gbk"))
    assert flt.check_text("高仿").blocked          # still the old list, not an error
    with pytest.raises(WordListError, match="UTF-8"):
        flt.reload()                                # an explicit reload says what is wrong
