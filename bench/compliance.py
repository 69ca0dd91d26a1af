"""Benchmark of the compliance filter (issue 6). Prints one JSON line:

    {"checks_per_s", "raw_ac_scans_per_s", "ratio", "p99_us", "qr_ms_per_1600x1000"}

A 10 000-word list (the shipped lists plus generated words) and 100 000 realistic messages
(tests/compliance/corpus.py, 5 % violations). `raw_ac_scans_per_s` is a bare ahocorasick-rs
scan of the same texts for the same words in the same run — the ceiling no filter can beat;
ratio = raw / checks. Run: .venv/bin/python bench/compliance.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ahocorasick_rs  # noqa: E402

from tests.compliance import qrimages  # noqa: E402
from tests.compliance.corpus import realistic_messages  # noqa: E402
from workstation.compliance import ComplianceFilter, check_image  # noqa: E402
from workstation.compliance.filter import default_word_dir  # noqa: E402
from workstation.compliance.wordlists import WORD_CATEGORIES, WordEntry, load_list, save_list  # noqa: E402

# Frequent characters of spam and abuse vocabulary; generated words are 2–4 of them.
_CHARS = ("代办刷单返现兼职赌博彩票贷款套现发票假证枪药迷幻催情偷拍窃听黑客外挂破解私服代练"
          "色情裸聊约会援交嫖娼赌场棋牌下注博彩六合时时百家乐赛车飞艇快三老虎机捕鱼转盘"
          "诈骗洗钱传销拉人头层级返利资金盘虚拟币挖矿空气币杀猪盘跑分卡农收卡出租")
WORDS = 10_000


def build_word_dir(tmp: Path) -> tuple[Path, list[str]]:
    word_dir = tmp / "lists"
    shutil.copytree(default_word_dir(), word_dir)
    existing = [w for name in WORD_CATEGORIES for w in load_list(word_dir, name).enabled_words]
    rng = random.Random(10)
    generated: set[str] = set()
    while len(existing) + len(generated) < WORDS:
        word = "".join(rng.choice(_CHARS) for _ in range(rng.randint(3, 5)))
        if rng.random() < 0.05:
            word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 7)))
        generated.add(word)
    words = load_list(word_dir, "illegal")
    words.entries += [WordEntry(w) for w in sorted(generated)]
    save_list(word_dir, words)
    return word_dir, existing + sorted(generated)


def bench_text(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        word_dir, words = build_word_dir(Path(tmp))
        flt = ComplianceFilter(word_dir, auto_reload=False)
        messages = realistic_messages(n)
        texts = [t for t, _ in messages]

        for text, platform in messages[:2000]:   # warm the per-character tables
            flt.check_text(text, platform=platform)

        check = flt.check_text
        perf = time.perf_counter_ns
        latencies = []
        blocked = 0
        cpu_start = time.process_time()
        start = time.perf_counter()
        for text, platform in messages:
            t0 = perf()
            verdict = check(text, platform=platform)
            latencies.append(perf() - t0)
            blocked += verdict.blocked
        checks_elapsed = time.perf_counter() - start
        checks_cpu = time.process_time() - cpu_start

        automaton = ahocorasick_rs.AhoCorasick(words)
        find = automaton.find_matches_as_indexes
        start = time.perf_counter()
        for text in texts:
            find(text)
        raw_elapsed = time.perf_counter() - start

        try:  # the other library, for the record (stderr)
            import ahocorasick

            other = ahocorasick.Automaton()
            for i, w in enumerate(words):
                other.add_word(w, i)
            other.make_automaton()
            start = time.perf_counter()
            for text in texts:
                for _ in other.iter(text):
                    pass
            py_rate = len(texts) / (time.perf_counter() - start)
        except ImportError:
            py_rate = None

    latencies.sort()
    checks_per_s = len(messages) / checks_elapsed
    raw_per_s = len(texts) / raw_elapsed
    print(
        f"# {len(words)} words, {len(messages)} messages ({blocked} blocked); mean {statistics.fmean(latencies) / 1000:.1f} µs;"
        f" CPU-time rate {len(messages) / checks_cpu:,.0f} checks/s (wall-clock figures suffer when other jobs share the cores);"
        f" pyahocorasick iter {py_rate and round(py_rate):,}/s vs ahocorasick-rs {raw_per_s:,.0f}/s",
        file=sys.stderr,
    )
    return {
        "checks_per_s": round(checks_per_s),
        "raw_ac_scans_per_s": round(raw_per_s),
        "ratio": round(raw_per_s / checks_per_s, 2),
        "p99_us": round(latencies[int(len(latencies) * 0.99)] / 1000, 1),
    }


def bench_qr(runs: int = 20) -> float:
    """Mean ms for check_image on a 1600×1000 PNG screenshot without a QR code (every step runs)."""
    data = qrimages.encode(qrimages.screenshot(1600, 1000))
    check_image(data)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        verdict = check_image(data)
        times.append((time.perf_counter() - start) * 1000)
        assert verdict.passed
    return round(statistics.fmean(times), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    result = bench_text(args.messages)
    result["qr_ms_per_1600x1000"] = bench_qr()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
