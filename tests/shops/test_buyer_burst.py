"""Simulated buyers write like people: several messages in a row, never the same line twice in one burst."""

import random

from workstation.shops.emulator.seed import buyer_burst


def test_a_burst_never_repeats_a_line():
    for seed in range(300):
        texts = [part["text"] for part in buyer_burst(random.Random(seed), "65W氮化镓快充头") if part["type"] == "text"]
        assert texts, seed
        assert len(texts) == len(set(texts)), (seed, texts)
