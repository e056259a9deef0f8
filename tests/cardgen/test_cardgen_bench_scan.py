"""The foreign-cards benchmark's scoring: pairwise figures and the one-pass threshold scan of plain Splink.

The scan (union-find over pairs by falling probability) is checked against connected components computed
from scratch at each threshold, on random pairs.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_foreign_cards.py"


@cache
def bench() -> ModuleType:
    """bench/bench_foreign_cards.py as a module (bench/ is not a package)."""
    sys.path.insert(0, str(BENCH.parent))
    spec = importlib.util.spec_from_file_location("bench_foreign_cards", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def components(count: int, edges: list[tuple[int, int]]) -> list[int]:
    """The component of each node 0..count-1 (plain search, no cleverness)."""
    neighbours: dict[int, list[int]] = {n: [] for n in range(count)}
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    label = [-1] * count
    for start in range(count):
        if label[start] < 0:
            stack, label[start] = [start], start
            while stack:
                for nxt in neighbours[stack.pop()]:
                    if label[nxt] < 0:
                        label[nxt] = start
                        stack.append(nxt)
    return label


def test_pairwise_scores_of_a_small_clustering() -> None:
    frame = pd.DataFrame({"predicted": ["a", "a", "a", "b"], "truth": ["x", "x", "y", "y"]})
    counts = bench().pair_counts(frame)
    assert counts == (1, 3, 2)
    assert bench().scores(*counts) == pytest.approx({"precision": 1 / 3, "recall": 0.5, "f1": 0.4})


@pytest.mark.parametrize("seed", range(5))
def test_the_threshold_scan_matches_components_computed_afresh(seed: int) -> None:
    rng = random.Random(seed)
    count = 60
    truth = [f"p{rng.randrange(25)}" for _ in range(count)]
    rows = [(a + 1, b + 1, rng.random()) for a, b in (sorted(rng.sample(range(count), 2)) for _ in range(90))]
    pairs = pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])
    for threshold, figures in bench().threshold_scan(pairs, truth):
        kept = [(a - 1, b - 1) for a, b, p in rows if p >= threshold]
        frame = pd.DataFrame({"predicted": components(count, kept), "truth": truth})
        assert figures == pytest.approx(bench().scores(*bench().pair_counts(frame))), threshold
