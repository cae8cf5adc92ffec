"""Sequence classification tasks for a sigmoid head: each returns (X, y) ready for BCE training.

Both are built so that the answer is a known function of the input (the sign of a sum, the sign of
one remembered value), which makes a wrong accuracy a bug rather than a modelling question.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlib.series import call_registry, seeded_rng, whole_in

MAX_SAMPLES = 100_000  # (N, T) float32 arrays stay in the tens of megabytes


def _check_task(n_samples, length) -> tuple[int, int]:
    return whole_in("n_samples", n_samples, 2, MAX_SAMPLES), whole_in("length", length, 2, 10_000)


def _balanced_labels(rng: np.random.Generator, n_samples: int) -> np.ndarray:
    """(n_samples,) bool, half True, shuffled, so accuracy 0.5 is exactly chance."""
    return rng.permutation(np.arange(n_samples) < (n_samples + 1) // 2)


def sum_sign(
    n_samples: int = 1000, length: int = 20, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """X (N, T, 1) float32 standard normal; y (N,) float32, 1 where X[i].sum() > 0."""
    n_samples, length = _check_task(n_samples, length)
    rng = seeded_rng(seed)
    want = _balanced_labels(rng, n_samples)
    x = rng.standard_normal((n_samples, length, 1)).astype(np.float32)
    # Negating a whole sequence keeps its distribution and flips its label: that balances classes.
    flip = (x.astype(np.float64).sum(axis=(1, 2)) > 0) != want
    x[flip] = -x[flip]
    y = x.astype(np.float64).sum(axis=(1, 2)) > 0
    return x, y.astype(np.float32)


def memory_task(
    n_samples: int = 1000, length: int = 30, delay: int = 10, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """X (N, T, 1) float32 uniform in [-1, 1]; y (N,) float32, 1 where X[i, T-1-delay, 0] > 0.

    Only the value `delay` steps before the end decides the label, so the network must carry it
    that far through its state while ignoring everything after it.
    """
    n_samples, length = _check_task(n_samples, length)
    cue = length - 1 - whole_in("delay", delay, 0, length - 1)
    rng = seeded_rng(seed)
    want = _balanced_labels(rng, n_samples)
    x = rng.uniform(-1.0, 1.0, size=(n_samples, length, 1)).astype(np.float32)
    x[:, cue, 0] = np.abs(x[:, cue, 0]) * np.where(want, 1.0, -1.0).astype(np.float32)
    y = x[:, cue, 0] > 0
    return x, y.astype(np.float32)


CLASSIFICATION: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "sum_sign": sum_sign,
    "memory": memory_task,
}


def make_classification(name: str, **params) -> tuple[np.ndarray, np.ndarray]:
    """CLASSIFICATION[name](**params) -> (X (N, T, 1), y (N,)), DataError for unknown names."""
    return call_registry(CLASSIFICATION, "classification task", name, params)
