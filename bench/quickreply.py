"""Quick-reply benchmark: 5 000 phrases; popup search p95, variable rendering p95, and a publish + fetch
round trip through a WebDAV server (wsgidav) on loopback. Prints one JSON line.

    .venv/bin/python bench/quickreply.py
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation.quickreply.model import Group, Library, Phrase, Scope, merged_entries  # noqa: E402
from workstation.quickreply.remote import WebDavRemote  # noqa: E402
from workstation.quickreply.search import PhraseIndex  # noqa: E402
from workstation.quickreply.store import LibraryStore  # noqa: E402
from workstation.quickreply.sync import TeamSync  # noqa: E402
from workstation.quickreply.variables import ConversationContext, render  # noqa: E402

WORDS = ("您好 亲 发货 快递 退款 退货 尺码 颜色 优惠券 包邮 物流 签收 售后 质量 耐心 等待 仓库 今天 明天 小时 客服 "
         "为您 查询 订单 地址 修改 补发 换货 好评 赠品 活动 库存 预售 定金 尾款 发票 保修 安装 说明书 面料").split()
VARIABLES = ("{买家昵称|亲}", "{订单号}", "{商品名|宝贝}", "{店铺名}", "{客服昵称|小美}")
QUERIES = ("fh", "fahuo", "tk", "退款", "wl", "kuaidi", "dh", "c123", "亲", "yhq", "shouhou", "bf", "物流 签收",
           "zz", "d", "g12", "发票", "kc", "tuihuo", "q")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def build_library(rnd: random.Random, size: int = 5000) -> tuple[Library, Library]:
    groups = []
    count = 0
    for g in range(50):
        phrases = []
        for _ in range(size // 50):
            words = [rnd.choice(WORDS) for _ in range(rnd.randint(6, 18))]
            if rnd.random() < 0.5:
                words.insert(rnd.randint(0, len(words)), rnd.choice(VARIABLES))
            phrases.append(Phrase(f"c{count}", "".join(words) + "~"))
            count += 1
        groups.append(Group(f"分组{g}", tuple(phrases)))
    team = Library(Scope.TEAM, tuple(groups))
    personal = Library(Scope.PERSONAL, (Group("我的", tuple(
        Phrase(f"p{i}", "".join(rnd.choice(WORDS) for _ in range(8))) for i in range(50))),))
    return personal, team


def start_dav(root: Path):
    from cheroot import wsgi
    from wsgidav.wsgidav_app import WsgiDAVApp

    app = WsgiDAVApp({
        "host": "127.0.0.1", "port": 0, "provider_mapping": {"/": str(root)},
        "simple_dc": {"user_mapping": {"*": {"lead": {"password": "bench"}}}},
        "http_authenticator": {"accept_basic": True, "accept_digest": False, "default_to_digest": False},
        "verbose": 0, "logging": {"enable": False},
    })
    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=4)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    return server, thread


async def sync_roundtrip(team: Library, workdir: Path, url: str) -> float:
    lead = TeamSync(LibraryStore(workdir / "lead"), WebDavRemote(url, "lead", "bench"),
                    check_text=lambda text, platform=None: _pass())
    agent = TeamSync(LibraryStore(workdir / "agent"), WebDavRemote(url, "lead", "bench"))
    await lead.publish(team, base_etag=None)
    await agent.refresh()
    start = time.perf_counter()
    await lead.publish(team.upsert("分组0", Phrase("new", "亲，新的话术")), base_etag=lead.cache.etag)
    status = await agent.refresh()
    elapsed = time.perf_counter() - start
    if not status.ok or agent.library.find("new") is None:
        raise SystemExit(f"sync failed: {status.text}")
    return elapsed * 1000


def _pass():
    from workstation.domain.verdict import PASS

    return PASS


def main() -> None:
    rnd = random.Random(20261125)
    personal, team = build_library(rnd)
    index = PhraseIndex(merged_entries(personal, team))
    usage = {f"team:c{rnd.randrange(5000)}": rnd.randint(1, 200) for _ in range(300)}
    search_times = []
    for _ in range(10):
        for query in QUERIES:
            # typing: every prefix of the query, as the popup refilters per keystroke
            for end in range(1, len(query) + 1):
                start = time.perf_counter()
                index.search(query[:end], usage=usage, limit=30)
                search_times.append(time.perf_counter() - start)
    context = ConversationContext(buyer_nick="小米粥", shop_name="山野茶铺", agent_nick="小美")
    texts = [p.text for _, p in team.entries()]
    render_times = []
    for text in texts:
        start = time.perf_counter()
        render(text, context)
        render_times.append(time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "dav"
        root.mkdir()
        server, thread = start_dav(root)
        try:
            url = f"http://127.0.0.1:{server.bind_addr[1]}/team/team-library.json"
            roundtrip = asyncio.run(sync_roundtrip(team, Path(tmp), url))
        finally:
            server.stop()
            thread.join(timeout=5)
    print(json.dumps({"search_p95_ms": round(p95(search_times), 3),
                      "render_p95_ms": round(p95(render_times), 4),
                      "sync_roundtrip_ms": round(roundtrip, 1)}))


if __name__ == "__main__":
    main()
