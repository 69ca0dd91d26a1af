import json

from workstation.quickreply.fileformat import dump_library, parse_library
from workstation.quickreply.model import Group, Library, Phrase, Scope
from workstation.quickreply.store import LibraryStore, UsageCounts
from tests.quickreply.samples import personal_library, team_library


def test_library_file_round_trip_with_images():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    library = team_library().upsert("图", Phrase("img", "看图", images=("x.png",))).with_changes(images={"x.png": png})
    again = parse_library(dump_library(library))
    assert again.content_equals(library) and again.images["x.png"] == png


def test_personal_library_saves_atomically_and_keeps_a_backup(data_dir):
    store = LibraryStore(data_dir)
    assert len(store.load_personal()) == 0
    first = store.save_personal(personal_library())
    second = store.save_personal(first.upsert("我的", Phrase("new", "新短语")))
    assert second.revision == first.revision + 1
    folder = data_dir / "quickreply"
    assert sorted(p.name for p in folder.iterdir()) == ["personal.json", "personal.json.bak"]
    assert store.load_personal().find("new") is not None
    assert parse_library((folder / "personal.json.bak").read_bytes()).find("new") is None


def test_corrupt_personal_file_is_moved_aside_and_backup_used(data_dir):
    store = LibraryStore(data_dir)
    store.save_personal(personal_library())
    store.save_personal(personal_library().upsert("我的", Phrase("new", "新短语")))
    path = data_dir / "quickreply" / "personal.json"
    path.write_bytes(b'{"format": "workstation.quickreply", "version": 1, "groups": [')  # torn write
    fresh = LibraryStore(data_dir)
    library = fresh.load_personal()
    assert library.find("xx") is not None  # from the .bak
    aside = [p for p in path.parent.iterdir() if ".broken-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b'{"format"')
    assert "已另存为" in fresh.notices[0]


def test_garbage_files_are_refused_with_chinese_messages():
    import pytest

    from workstation.quickreply.fileformat import LibraryFileError

    for raw, words in [(b"\xff\xfe", "不是有效的 JSON"), (b"[]", "不是工作台的话术库"),
                       (json.dumps({"format": "workstation.quickreply", "version": 99}).encode(), "版本"),
                       (json.dumps({"format": "workstation.quickreply", "version": 1, "groups": [{"name": 1}]}).encode(),
                        "已损坏")]:
        with pytest.raises(LibraryFileError, match=words):
            parse_library(raw)


def test_usage_counts_persist_and_survive_garbage(data_dir):
    counts = UsageCounts.in_data_dir(data_dir)
    counts.record("team:fh")
    counts.record("team:fh")
    counts.flush()
    assert UsageCounts.in_data_dir(data_dir).counts == {"team:fh": 2}
    counts.path.write_text("garbage")
    assert UsageCounts.in_data_dir(data_dir).counts == {}


def test_team_cache_round_trip(data_dir):
    from datetime import datetime, timezone

    from workstation.quickreply.store import TeamCache

    store = LibraryStore(data_dir)
    cache = TeamCache(team_library(), '"e1"|sha256:ab', datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc), "dav")
    store.save_team_cache(cache)
    loaded = store.load_team_cache()
    assert loaded.library.content_equals(cache.library) and loaded.etag == cache.etag
    assert loaded.synced_at == cache.synced_at
    assert Library(Scope.TEAM, (Group("x"),)).scope is Scope.TEAM


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_any_bytes_as_a_library_file_fail_with_a_chinese_message(raw):
    from workstation.quickreply.fileformat import LibraryFileError

    try:
        parse_library(raw)
    except LibraryFileError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
                        ["format", "version", "groups", "phrases", "name", "code", "text", "images", "platforms",
                         "shops", "revision", "updated_at"]), inner, max_size=5), max_leaves=12))
def test_any_json_shape_is_a_library_or_a_clear_error(shape):
    from workstation.quickreply.fileformat import LibraryFileError, library_from_dict

    if isinstance(shape, dict):
        shape = {**shape, "format": "workstation.quickreply", "version": 1}
    try:
        library_from_dict(shape)
    except LibraryFileError:
        pass
