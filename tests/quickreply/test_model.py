from workstation.quickreply.model import (
    MAX_TEXT_LENGTH, Group, Library, Phrase, Scope, merged_entries, problems_in,
)
from tests.quickreply.samples import personal_library, team_library


def codes(library: Library) -> list[tuple[str, list[str]]]:
    return [(g.name, [p.code for p in g.phrases]) for g in library.groups]


def test_sample_library_is_valid():
    assert problems_in(team_library()) == []


def test_duplicate_empty_and_oversized_phrases_are_named():
    library = Library(Scope.TEAM, (
        Group("A", (Phrase("fh", "发货"), Phrase("", "无编码"))),
        Group("B", (Phrase("FH", "重复"), Phrase("long", "长" * 20_000))),
    ))
    messages = [p.message for p in problems_in(library)]
    assert any("快捷编码为空" in m for m in messages)
    assert any("“FH”重复" in m and "“A”" in m and "“B”" in m for m in messages)
    assert any("20000 个字符" in m and str(MAX_TEXT_LENGTH) in m for m in messages)


def test_move_reorders_within_and_across_groups():
    library = team_library()
    moved = library.move(["tk"], "售前", 0)
    assert codes(moved)[0] == ("售前", ["tk", "hi", "by"])
    assert "tk" not in codes(moved)[2][1]
    down = library.move(["hi"], "售前", 2)  # drop below the last row of its own group
    assert codes(down)[0] == ("售前", ["by", "hi"])
    bulk = library.move(["fh", "by"], "新分组")
    assert codes(bulk)[-1] == ("新分组", ["fh", "by"])
    assert len(bulk) == len(library)


def test_upsert_replaces_in_place_and_renames_code():
    library = team_library()
    edited = library.upsert("发货", Phrase("fh2", "改过的"), replacing="fh")
    assert codes(edited)[1] == ("发货", ["fh2", "dh", "wl"])
    moved = library.upsert("售后", Phrase("fh", "换组"))
    assert "fh" not in codes(moved)[1][1] and codes(moved)[2][1][-1] == "fh"


def test_without_and_group_moves():
    library = team_library().without(["hi", "by"]).move_group("售后", 0)
    assert codes(library)[0][0] == "售后"
    assert codes(library)[1] == ("售前", [])


def test_merged_entries_put_personal_first():
    entries = merged_entries(personal_library(), team_library())
    assert [e.scope for e in entries[:2]] == [Scope.PERSONAL, Scope.PERSONAL]
    assert entries[0].key == "personal:fh" and entries[0].order == 0
