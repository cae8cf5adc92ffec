"""Shared timing helper: two callables measured in one process, interleaved, medians.

Interleaving (and alternating which of the two goes first) spreads slow drifts of the machine
(thermal throttling, a neighbour process, allocator warm-up) over both sides instead of charging
them to whichever ran second. Medians ignore the odd preempted run.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path


def median_ratio(
    candidate: Callable[[], object],
    reference: Callable[[], object],
    warmup: int = 5,
    repeats: int = 30,
) -> tuple[float, float, float]:
    """Time both callables ``repeats`` times each, interleaved, after ``warmup`` untimed calls each.

    Returns (t_candidate, t_reference, ratio): median seconds per call and t_candidate / t_reference.
    """
    for _ in range(warmup):
        candidate()
        reference()
    t_cand: list[float] = []
    t_ref: list[float] = []
    for i in range(repeats):
        pair = ((candidate, t_cand), (reference, t_ref))
        for fn, times in pair if i % 2 == 0 else pair[::-1]:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    med_cand, med_ref = statistics.median(t_cand), statistics.median(t_ref)
    return med_cand, med_ref, med_cand / med_ref


def add_repo_to_path() -> None:
    """Let ``python benchmarks/<script>.py`` import rnnlib from the checkout without installing it."""
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
