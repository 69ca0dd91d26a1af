"""Publishing and subscribing through a shared folder and a real WebDAV server on loopback."""

import asyncio
from datetime import datetime, timezone

import pytest

from workstation.quickreply.merge import Difference, differences, merge
from workstation.quickreply.model import Phrase
from workstation.quickreply.remote import FolderRemote, PublishConflict, WebDavRemote
from workstation.quickreply.service import QuickReplies
from workstation.quickreply.store import LibraryStore
from workstation.quickreply.sync import PublishBlocked, Subscription, TeamSync, save_subscription
from tests.quickreply.davserver import PASSWORD, USER
from tests.quickreply.fakes import fake_check_text
from tests.quickreply.samples import team_library

NOON = datetime(2026, 11, 25, 4, 7, tzinfo=timezone.utc)
HHMM = NOON.astimezone().strftime("%H:%M")


def clock():
    return NOON


def run(coro):
    return asyncio.run(coro)


def lead_and_agent(tmp_path, remote_factory):
    lead = TeamSync(LibraryStore(tmp_path / "lead"), remote_factory(), clock=clock, check_text=fake_check_text)
    agent = TeamSync(LibraryStore(tmp_path / "agent"), remote_factory(), clock=clock)
    return lead, agent


@pytest.fixture(params=["folder", "webdav"])
def remote_factory(request, tmp_path):
    if request.param == "folder":
        shared = tmp_path / "shared"
        shared.mkdir()
        return lambda: FolderRemote(shared)
    dav = request.getfixturevalue("dav")
    return lambda: WebDavRemote(dav.url(), USER, PASSWORD)


def test_publish_then_agent_on_another_data_dir_receives_it(tmp_path, remote_factory):
    lead, agent = lead_and_agent(tmp_path, remote_factory)
    assert run(agent.refresh()).text.startswith("团队话术未同步：")
    published = run(lead.publish(team_library(), base_etag=None, published_by="主管A"))
    assert published.revision == 1 and published.updated_by == "主管A"
    status = run(agent.refresh())
    assert status.ok and status.text == f"团队话术已同步 {HHMM}"
    assert agent.library.content_equals(team_library())
    # a fresh start on the agent's data dir uses the offline cache before any network
    again = TeamSync(LibraryStore(tmp_path / "agent"), None)
    assert again.library.content_equals(team_library())


def test_second_lead_gets_a_conflict_and_can_merge(tmp_path, remote_factory):
    lead_a, _ = lead_and_agent(tmp_path, remote_factory)
    lead_b = TeamSync(LibraryStore(tmp_path / "lead-b"), remote_factory(), clock=clock, check_text=fake_check_text)
    run(lead_a.publish(team_library(), base_etag=None))
    run(lead_b.refresh())
    base = lead_b.cache.etag
    run(lead_a.publish(lead_a.library.upsert("售前", Phrase("a", "主管A加的")), base_etag=lead_a.cache.etag))
    mine = lead_b.library.upsert("售前", Phrase("b", "主管B加的"))
    with pytest.raises(PublishConflict, match="另一位主管已经发布了新版本") as caught:
        run(lead_b.publish(mine, base_etag=base))
    theirs = lead_b.conflict_library(caught.value)
    kinds = {d.code: d.kind for d in differences(mine, theirs)}
    assert kinds == {"b": Difference.ONLY_MINE, "a": Difference.ONLY_THEIRS}
    merged = merge(mine, theirs, take_theirs=["a"])
    run(lead_b.publish(merged, base_etag=caught.value.their_etag))
    _, agent = lead_and_agent(tmp_path, remote_factory)
    run(agent.refresh())
    assert agent.library.find("a") and agent.library.find("b")


def test_blocked_phrase_cannot_be_published(tmp_path, remote_factory):
    lead, agent = lead_and_agent(tmp_path, remote_factory)
    bad = team_library().upsert("售前", Phrase("gf", "高仿款，质量一样"))
    with pytest.raises(PublishBlocked) as caught:
        run(lead.publish(bad, base_etag=None))
    assert [c.code for c in caught.value.blocked] == ["gf"]
    assert "假货用语" in str(caught.value)
    assert not run(agent.refresh()).ok  # nothing reached the shared location


def test_dav_failures_keep_the_last_good_library(tmp_path, dav):
    lead = TeamSync(LibraryStore(tmp_path / "lead"), WebDavRemote(dav.url(), USER, PASSWORD), clock=clock,
                    check_text=fake_check_text)
    run(lead.publish(team_library(), base_etag=None))
    agent = TeamSync(LibraryStore(tmp_path / "agent"), WebDavRemote(dav.url(), USER, PASSWORD), clock=clock)
    assert run(agent.refresh()).ok
    cases = [
        ("500 Internal Server Error", b"oops", "服务器出错（HTTP 500）"),
        ("200 OK", b"<html>garbage</html>", "服务器上的团队话术库无法读取"),
        ("200 OK", b'{"format": "workstation.quickreply", "version": 1, "groups": 5}', "已损坏"),
        ("401 Unauthorized", b"", "用户名或密码不对"),
    ]
    for status_line, body, words in cases:
        dav.faults.status, dav.faults.body = status_line, body
        status = run(agent.refresh())
        assert not status.ok and words in status.text, status.text
        assert status.text.endswith(f"（继续使用 {HHMM} 的副本）")
        assert agent.library.content_equals(team_library())
    dav.faults.status = None
    reopened = TeamSync(LibraryStore(tmp_path / "agent"), None)
    assert reopened.library.content_equals(team_library())


def test_412_from_the_server_is_a_conflict(tmp_path, dav):
    lead = TeamSync(LibraryStore(tmp_path / "lead"), WebDavRemote(dav.url(), USER, PASSWORD), clock=clock,
                    check_text=fake_check_text)
    run(lead.publish(team_library(), base_etag=None))
    etag = lead.cache.etag
    server_etag, _, content = etag.rpartition("|")
    stale = f'"not-the-etag"|{content}'  # content matches, ETag does not: only the server can tell
    with pytest.raises(PublishConflict):
        run(lead.publish(lead.library, base_etag=stale))


def test_wrong_password_and_server_down(tmp_path, dav):
    agent = TeamSync(LibraryStore(tmp_path / "a"), WebDavRemote(dav.url(), USER, "wrong"), clock=clock)
    assert "用户名或密码不对" in run(agent.refresh()).text
    port = dav.port
    dav.stop()
    down = TeamSync(LibraryStore(tmp_path / "b"), WebDavRemote(f"http://127.0.0.1:{port}/x.json", timeout=2),
                    clock=clock)
    status = run(down.refresh())
    assert status.text == "团队话术未同步：无法连接 WebDAV 服务器（网络断开或服务器未开启）"


def test_folder_that_is_not_mounted(tmp_path):
    agent = TeamSync(LibraryStore(tmp_path / "a"), FolderRemote(tmp_path / "Z盘" / "话术"), clock=clock)
    assert "无法访问共享文件夹" in run(agent.refresh()).text


def test_subscription_password_comes_from_the_keyring(tmp_path, dav, data_dir, memory_keyring):
    lead = TeamSync(LibraryStore(tmp_path / "lead"), WebDavRemote(dav.url(), USER, PASSWORD), clock=clock,
                    check_text=fake_check_text)
    run(lead.publish(team_library(), base_etag=None))
    save_subscription(data_dir, Subscription("webdav", dav.url(), USER), password=PASSWORD)
    assert PASSWORD not in (data_dir / "quickreply" / "subscription.json").read_text("utf-8")
    service = QuickReplies(data_dir, clock=clock)
    assert run(service.refresh_team()).ok
    assert [h.entry.phrase.code for h in service.search("fahuo")][:1] == ["fh"]
    memory_keyring.refuse = True
    refused = QuickReplies(data_dir, clock=clock)
    assert "无法读取 WebDAV 密码" in run(refused.refresh_team()).text


def test_missing_password(tmp_path, dav, data_dir):
    save_subscription(data_dir, Subscription("webdav", dav.url(), USER))
    assert "还没有保存 WebDAV 密码" in run(QuickReplies(data_dir).refresh_team()).text


def test_publish_uses_the_real_compliance_filter_by_default(tmp_path):
    from workstation.compliance import check_text  # noqa: F401  (the real filter)

    shared = tmp_path / "shared"
    shared.mkdir()
    lead = TeamSync(LibraryStore(tmp_path / "lead"), FolderRemote(shared), clock=clock)
    with pytest.raises(PublishBlocked) as caught:
        run(lead.publish(team_library().upsert("售前", Phrase("vx", "有问题打电话 13812345678")), base_etag=None))
    assert [c.code for c in caught.value.blocked] == ["vx"]
    assert run(lead.publish(team_library(), base_etag=None)).revision == 1


def test_bad_addresses_become_status_text_not_exceptions(tmp_path, data_dir):
    with pytest.raises(ValueError, match="不要把用户名和密码写在"):
        WebDavRemote("https://lead:pw@dav.example.com/dav/")
    save_subscription(data_dir, Subscription("webdav", "ftp://nas/phrases"))
    status = run(QuickReplies(data_dir).refresh_team())
    assert not status.ok and "WebDAV 地址“ftp://nas/phrases”无效" in status.text


def test_two_leads_creating_the_first_library_cannot_both_win(tmp_path, remote_factory):
    lead_a = TeamSync(LibraryStore(tmp_path / "a"), remote_factory(), clock=clock, check_text=fake_check_text)
    lead_b = TeamSync(LibraryStore(tmp_path / "b"), remote_factory(), clock=clock, check_text=fake_check_text)
    run(lead_a.publish(team_library(), base_etag=None))
    with pytest.raises(PublishConflict) as caught:
        run(lead_b.publish(team_library().without(["hi"]), base_etag=None))
    assert lead_b.conflict_library(caught.value).content_equals(team_library())
