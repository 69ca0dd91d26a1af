"""The facade the composer and side panel call: browse, search, use, images, periodic refresh."""

import asyncio

from workstation.domain.platforms import Platform
from workstation.quickreply.model import Scope
from workstation.quickreply.remote import FolderRemote
from workstation.quickreply.service import QuickReplies, merge_import
from workstation.quickreply.store import LibraryStore, TeamCache
from workstation.quickreply.sync import TeamSync
from workstation.quickreply.variables import ConversationContext
from tests.quickreply.fakes import fake_check_text
from tests.quickreply.samples import personal_library, team_library


def service_with_libraries(data_dir) -> QuickReplies:
    store = LibraryStore(data_dir)
    store.save_team_cache(TeamCache(team_library(), None, None, "test"))
    store.save_personal(personal_library())
    return QuickReplies(data_dir)


def test_browse_lists_personal_groups_first_and_respects_scope(data_dir):
    service = service_with_libraries(data_dir)
    groups = service.browse(platform=Platform.PDD, shop_id="2002")
    assert [(scope, name) for scope, name, _ in groups] == [
        (Scope.PERSONAL, "我的"), (Scope.TEAM, "售前"), (Scope.TEAM, "发货"), (Scope.TEAM, "售后")]
    assert [e.phrase.code for e in groups[-1][2]] == ["tk"]


def test_use_counts_and_ranks_next_time(data_dir):
    service = service_with_libraries(data_dir)
    first = [h.entry.phrase.code for h in service.search("fahuo")]
    assert first[0] == "fh"
    dh = next(h.entry for h in service.search("dh") if h.entry.phrase.code == "dh")
    for _ in range(20):
        rendered = service.use(dh, ConversationContext(buyer_nick="阿花"))
    assert rendered.text.startswith("阿花，")
    service.usage.flush()  # counts are written on their own thread
    again = QuickReplies(data_dir)  # counts persist per agent data dir
    assert again.search("fahuo")[0].entry.phrase.code == "dh"


def test_unreadable_team_cache_is_set_aside_not_lost(data_dir):
    service_with_libraries(data_dir)
    cache = data_dir / "quickreply" / "team-cache.json"
    cache.write_text("{broken", encoding="utf-8")
    service = QuickReplies(data_dir)
    assert len(service.team) == 0 and len(service.personal) == len(personal_library())
    assert any("已另存为" in n for n in service.notices())
    assert [p for p in cache.parent.iterdir() if p.name.startswith("team-cache.json.broken-")]


def test_periodic_refresh_reports_each_status_until_cancelled(tmp_path, data_dir):
    shared = tmp_path / "shared"
    shared.mkdir()
    lead = TeamSync(LibraryStore(tmp_path / "lead"), FolderRemote(shared), check_text=fake_check_text)
    statuses = []

    async def scenario():
        service = QuickReplies(data_dir, remote=FolderRemote(shared))
        task = asyncio.create_task(service.keep_team_current(statuses.append, interval=0.05))
        await asyncio.sleep(0.02)
        await lead.publish(team_library(), base_etag=None)
        await asyncio.sleep(0.12)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        return service

    service = asyncio.run(scenario())
    assert not statuses[0].ok and statuses[-1].ok
    assert service.team.content_equals(team_library())
    assert service.search("fahuo")[0].entry.phrase.code == "fh"


def test_merge_import_updates_in_place_and_moves_between_groups():
    base = team_library()
    incoming = personal_library().with_changes(scope=Scope.TEAM)
    merged, added, updated = merge_import(base, incoming)
    assert (added, updated) == (1, 1)
    assert merged.find("fh") == ("我的", incoming.find("fh")[1])
    assert [g.name for g in merged.groups][-1] == "我的"
    assert len(merged) == len(base) + 1


def test_index_follows_library_changes_and_prepare_builds_off_thread(data_dir):
    from workstation.quickreply.model import Phrase

    service = service_with_libraries(data_dir)
    first = service.index()
    assert service.index() is first
    service.save_personal(service.personal.upsert("我的", Phrase("nn", "新加的短语")))
    asyncio.run(service.prepare())
    assert service.index() is not first
    assert service.search("nn")[0].entry.phrase.code == "nn"
