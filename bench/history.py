"""Benchmark the history search, the month report and archive import on 1 000 000 messages.

Builds a store with 1 000 000 messages across 20 shops (5 platforms × 4) over six months,
through the real schema (migrations and index triggers included), then prints ONE JSON line:

  {"search_p95_ms", "raw_fts_p95_ms", "ratio", "report_month_s", "import_msgs_per_s"}

- search_p95_ms: `workstation.history.search.search()` for the first page (200 hits) of a
  mix of 2-character words and longer phrases, through the public API (SQL, join, rows
  to HistoryHit objects).
- raw_fts_p95_ms: the same FTS query — the exact SQL search() issues (MATCH joined to
  messages, ORDER BY rowid DESC LIMIT 200) — run directly on the sqlite3 connection
  for the same queries in the same run; ratio = search / raw. The bare MATCH returning
  rowids only is printed to stderr for comparison.
- report_month_s: compute_report() for November (every shop and agent, ~170 000 messages).
- import_msgs_per_s: import_archive() of a 100 000-message archive into the full store.

Details (database size, build time, per-kind p95s) go to stderr.
Usage: python bench/history.py [--messages N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workstation.history.figures import compute_report  # noqa: E402
from workstation.history.importer import import_archive, insert_rows  # noqa: E402
from workstation.history.search import HistoryQuery, build_sql, search, text_match  # noqa: E402
from workstation.store.db import DATABASE_NAME, open_store  # noqa: E402

CN = timezone(timedelta(hours=8))
PLATFORMS = ("pdd", "taobao", "douyin", "kuaishou", "jd")
START = datetime(2026, 6, 1, tzinfo=CN)
DAYS = 183  # June to November

PRODUCTS = ["明前龙井", "碧螺春", "铁观音", "大红袍", "普洱茶饼", "白毫银针", "茉莉花茶", "紫砂壶", "玻璃茶杯",
            "羽绒服", "连衣裙", "运动鞋", "蓝牙耳机", "充电宝", "保温杯", "面膜", "洗发水", "儿童书包", "电饭煲"]
BUYER_LINES = [
    "你好，在吗", "请问{p}还有货吗", "{p}什么时候发货", "我要退款", "退款多久到账", "快递到哪了，物流一直没更新",
    "能便宜点吗", "有优惠券吗", "尺码偏大还是偏小", "颜色和图片一样吗", "地址填错了能改吗", "收到的{p}有破损",
    "质量怎么样", "可以开发票吗", "包邮吗", "换货怎么操作", "已经签收了，谢谢", "为什么还没发货", "发什么快递",
    "{p}和{q}哪个好", "订单号发你了，帮我查一下", "好的", "嗯嗯", "谢谢", "申请售后了，麻烦处理一下",
]
AGENT_LINES = [
    "亲，在的，请问有什么可以帮您", "{p}有现货，今天下单明天发货哦", "亲，退款申请已经同意了，1-3 个工作日到账",
    "帮您查询了，快递正在派送中", "亲，店铺有满 199 减 20 的优惠券，可以领取使用", "尺码标准，按平时穿的选就可以",
    "实物和图片一致，请放心购买", "地址已经帮您修改好了", "非常抱歉，给您补发一个{p}", "可以开发票的，下单备注抬头即可",
    "全国包邮（偏远地区除外）", "换货请在订单页申请，我们收到后马上寄出", "感谢您的支持，有问题随时联系",
    "默认发中通快递", "{p}口感更醇厚，{q}更清香", "好的亲，稍等我帮您核实一下",
]
TWO_CHAR_QUERIES = ["退款", "发货", "快递", "优惠", "尺码", "地址", "破损", "发票", "包邮", "换货", "签收", "售后",
                    "龙井", "耳机", "面膜", "质量", "颜色", "物流", "订单", "补发"]
LONG_QUERIES = ["退款多久", "什么时候发货", "优惠券", "有破损", "明前龙井", "物流一直没更新", "帮您查询",
                "开发票", "满 199 减", "售后了"]


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def generate(total: int, seed: int = 7, *, id_prefix: str = "m", start: datetime = START, days: int = DAYS):
    """Yield message rows (dicts matching the messages table) in conversation order."""
    rng = random.Random(seed)
    shops = [(PLATFORMS[i % 5], f"shop{i:02d}", f"店铺{i:02d}") for i in range(20)]
    made = 0
    conversation = 0
    # Conversations start in time order, as the live sync engine stores them; a conversation
    # averages 10 messages (1 + 0.7 reception + 2×3.5 exchanges + 1 + 0.3 rating).
    starts = sorted(
        start + timedelta(days=rng.randrange(days), seconds=rng.randrange(6 * 3600, 24 * 3600))
        for _ in range(total // 10 + 1)
    )
    while made < total:
        platform, shop_id, shop_name = rng.choice(shops)
        conversation += 1
        conv_id = f"{id_prefix}c{conversation}"
        buyer = f"buyer{rng.randrange(60_000)}"
        agent = f"{shop_id}:客服{rng.randrange(5)}"
        at = starts[min(conversation - 1, len(starts) - 1)]
        rows = []

        def add(sender, text="", type_="text", event=None, rating=None, reasons="[]", agent_id=""):
            rows.append((platform, shop_id, shop_name, conv_id, f"{id_prefix}{made + len(rows)}", buyer, f"昵称{buyer[-4:]}",
                         sender, agent_id, at.isoformat(timespec="milliseconds"), ms(at), type_, text, event, rating,
                         reasons, "{}"))

        def line(pool):
            p, q = rng.sample(PRODUCTS, 2)
            return rng.choice(pool).format(p=p, q=q)

        add("buyer", line(BUYER_LINES))
        if rng.random() < 0.7:
            at += timedelta(seconds=rng.randrange(0, 240))
            add("system", type_="event", event="entered_reception", agent_id=agent)
        for _ in range(rng.randrange(2, 6)):
            at += timedelta(seconds=int(rng.expovariate(1 / 40)) + 2)
            add("agent", line(AGENT_LINES), agent_id=agent)
            at += timedelta(seconds=rng.randrange(5, 600))
            add("buyer", line(BUYER_LINES))
        at += timedelta(seconds=int(rng.expovariate(1 / 60)) + 2)
        add("agent", line(AGENT_LINES), agent_id=agent)
        if rng.random() < 0.3:
            at += timedelta(minutes=5)
            rating = rng.choices(["satisfied", "neutral", "disappointed"], [8, 1, 1])[0]
            reasons = json.dumps(["服务态度差"] if rating != "satisfied" and rng.random() < 0.1 else [], ensure_ascii=False)
            add("buyer", type_="event", event="rating", rating=rating, reasons=reasons)
        rows = rows[: total - made]
        made += len(rows)
        yield from rows


def build(db, total: int) -> None:
    conn = db.conn
    batch = []
    started = time.perf_counter()
    for row in generate(total):
        batch.append(row)
        if len(batch) == 100_000:
            conn.execute("BEGIN")
            insert_rows(db, batch)
            conn.execute("COMMIT")
            batch = []
    if batch:
        conn.execute("BEGIN")
        insert_rows(db, batch)
        conn.execute("COMMIT")
    log(f"built {total} messages in {time.perf_counter() - started:.1f} s")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def bench_search(db, rounds: int = 5) -> tuple[float, float, dict]:
    queries = TWO_CHAR_QUERIES + LONG_QUERIES
    api, raw, bare, by_kind = [], [], [], {"2": [], "3+": []}
    limit = 200
    for text in queries:  # warm the page cache once
        search(db, HistoryQuery(text=text), limit=limit)
    for round_number in range(rounds):
        for text in queries:
            query = HistoryQuery(text=text)
            sql, params = build_sql(db, query, before=None, limit=limit)
            table, expression = text_match(text)

            def run_raw():
                started = time.perf_counter()
                rows = db.conn.execute(sql, params).fetchall()
                raw.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                db.conn.execute(
                    f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT {limit}", [expression]
                ).fetchall()
                bare.append((time.perf_counter() - started) * 1000)
                return rows

            def run_api():
                started = time.perf_counter()
                page = search(db, query, limit=limit)
                elapsed = (time.perf_counter() - started) * 1000
                api.append(elapsed)
                by_kind["2" if len(text) == 2 else "3+"].append(elapsed)
                return page

            # Alternate which goes first, so neither always finds the other's pages in the cache.
            if round_number % 2:
                page, rows = run_api(), run_raw()
            else:
                rows, page = run_raw(), run_api()
            assert len(page.hits) == len(rows), text
    detail = {kind: round(p95(values), 2) for kind, values in by_kind.items()}
    detail["bare MATCH rowids only"] = round(p95(bare), 2)
    started = time.perf_counter()
    filtered = []
    for text in TWO_CHAR_QUERIES:
        started = time.perf_counter()
        search(db, HistoryQuery(text=text, shop_id="shop07", since=date(2026, 11, 1)), limit=limit)
        filtered.append((time.perf_counter() - started) * 1000)
    detail["shop+month filter"] = round(p95(filtered), 2)
    one_day = []
    for text in TWO_CHAR_QUERIES:
        started = time.perf_counter()
        search(db, HistoryQuery(text=text, since=date(2026, 6, 15), until=date(2026, 6, 15)), limit=limit)
        one_day.append((time.perf_counter() - started) * 1000)
    detail["one old day filter"] = round(p95(one_day), 2)
    one = []
    for text in "退货款好":
        started = time.perf_counter()
        search(db, HistoryQuery(text=text), limit=limit)
        one.append((time.perf_counter() - started) * 1000)
    detail["1-char max"] = round(max(one), 2)
    return p95(api), p95(raw), detail


def bench_import(db, folder: Path, count: int = 100_000) -> float:
    path = folder / "archive.jsonl"
    keys = ("platform", "shop_id", "shop_name", "conversation_id", "message_id", "buyer_id", "buyer_nick", "sender",
            "agent_id", "sent_at", "sent_at_ms", "type", "text", "event", "rating", "rating_reasons")
    with path.open("w", encoding="utf-8") as handle:
        for row in generate(count, seed=99, id_prefix="imp", start=datetime(2026, 11, 1, tzinfo=CN), days=20):
            record = dict(zip(keys, row))
            record.pop("sent_at_ms")
            record["rating_reasons"] = json.loads(record["rating_reasons"])
            if record["type"] != "event":
                for key in ("event", "rating", "rating_reasons"):
                    record.pop(key)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    started = time.perf_counter()
    summary = import_archive(db, path)
    elapsed = time.perf_counter() - started
    assert summary.ok and summary.imported == count, summary.describe()
    log(f"imported {count} messages ({path.stat().st_size / 1e6:.0f} MB archive) in {elapsed:.1f} s")
    return count / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (reused if it exists)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="ws-history-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        db = open_store(folder / DATABASE_NAME)
        existing = db.execute("SELECT count(*) FROM messages WHERE message_id LIKE 'm%'").fetchone()[0]
        if existing < args.messages:
            db.execute("DELETE FROM messages")
            build(db, args.messages)
        if db.execute("SELECT 1 FROM messages WHERE message_id LIKE 'imp%' LIMIT 1").fetchone():
            db.execute("DELETE FROM messages WHERE message_id LIKE 'imp%'")
            for table in ("history_trigram", "history_bigram"):
                db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        size = sum(p.stat().st_size for p in folder.glob(DATABASE_NAME + "*"))
        log(f"database {size / 1e6:.0f} MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        search_p95, raw_p95, detail = bench_search(db)
        log(f"search p95 by kind (ms): {detail}")
        started, cpu = time.perf_counter(), time.process_time()
        report = compute_report(db, date(2026, 11, 1), date(2026, 11, 30))
        report_s = time.perf_counter() - started
        log(f"month report: {len(report.shops)} shops, {len(report.agents)} agents,"
            f" {time.process_time() - cpu:.2f} s CPU (wall time includes waiting for a shared core)")
        import_rate = bench_import(db, folder)
        db.conn.close()
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps({
        "search_p95_ms": round(search_p95, 2),
        "raw_fts_p95_ms": round(raw_p95, 2),
        "ratio": round(search_p95 / raw_p95, 2),
        "report_month_s": round(report_s, 2),
        "import_msgs_per_s": round(import_rate),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
