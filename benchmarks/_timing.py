"""Shared timing helper: two callables measured in one process, interleaved, medians.

Interleaving (and alternating which of the two goes first) spreads slow drifts of the machine
(thermal throttling, a neighbour process, allocator warm-up) over both sides instead of charging
them to whichever ran second. Medians ignore the odd preempted run.

On a machine that other work keeps busy, wall-clock ratios swing widely (a preempted side loses
whole time slices). ``clock=time.thread_time`` with ``torch.set_num_threads(1)`` counts only the
CPU time of the calling thread, which other processes cannot inflate: see ``setup``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch


def median_ratio(
    candidate: Callable[[], object],
    reference: Callable[[], object],
    warmup: int = 5,
    repeats: int = 30,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[float, float, float]:
    """Time both callables ``repeats`` times each, interleaved, after ``warmup`` untimed calls each.

    Returns (t_candidate, t_reference, ratio): median seconds per call (by ``clock``) and
    t_candidate / t_reference.
    """
    for _ in range(warmup):
        candidate()
        reference()
    t_cand: list[float] = []
    t_ref: list[float] = []
    for i in range(repeats):
        pair = ((candidate, t_cand), (reference, t_ref))
        for fn, times in pair if i % 2 == 0 else pair[::-1]:
            start = clock()
            fn()
            times.append(clock() - start)
    med_cand, med_ref = statistics.median(t_cand), statistics.median(t_ref)
    return med_cand, med_ref, med_cand / med_ref


def setup(threads: int | None, cpu_time: bool) -> tuple[Callable[[], float], str]:
    """Apply the scripts' shared --threads / --cpu-time options; return (clock, description).

    CPU time is measured on the calling thread only, so it needs torch on one thread.
    """
    if cpu_time:
        threads = 1
    if threads:
        torch.set_num_threads(threads)
    clock = time.thread_time if cpu_time else time.perf_counter
    what = "thread CPU time" if cpu_time else "wall clock"
    return clock, f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {what}"


def add_options(parser: argparse.ArgumentParser, repeats: int) -> None:
    """The options every benchmark script takes."""
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time by this thread's CPU time on 1 torch thread: steadier on a busy machine",
    )


def add_repo_to_path() -> None:
    """Let ``python benchmarks/<script>.py`` import rnnlib from the checkout without installing it."""
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
