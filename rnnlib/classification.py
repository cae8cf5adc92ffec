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
    """X (N, T, 2) float32; y (N,) float32, 1 where the value at the marked step is positive.

    Channel 0 is noise uniform in [-1, 1] at every step; channel 1 is a marker, 1 at step
    T-1-delay and 0 elsewhere. The label is the sign of channel 0 at the marked step, so the
    network must write that value into its state when the marker says so, then keep it through
    `delay` steps of noise of the same size. That is what gates are for: an LSTM or GRU can close
    its input to the noise, a plain RNN adds every input into its state and loses the cue as the
    delay grows (measured: with 12 quick epochs an RNN falls to chance by delay 15-20 while a GRU
    stays near 100%). Without the marker, the cue's position would have to be counted, which no
    small cell learns in seconds.
    """
    n_samples, length = _check_task(n_samples, length)
    cue = length - 1 - whole_in("delay", delay, 0, length - 1)
    rng = seeded_rng(seed)
    want = _balanced_labels(rng, n_samples)
    x = np.zeros((n_samples, length, 2), dtype=np.float32)
    x[:, :, 0] = rng.uniform(-1.0, 1.0, size=(n_samples, length))
    x[:, cue, 0] = np.abs(x[:, cue, 0]) * np.where(want, 1.0, -1.0).astype(np.float32)
    x[:, cue, 1] = 1.0
    y = x[:, cue, 0] > 0
    return x, y.astype(np.float32)


CLASSIFICATION: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "sum_sign": sum_sign,
    "memory": memory_task,
}


def make_classification(name: str, **params) -> tuple[np.ndarray, np.ndarray]:
    """CLASSIFICATION[name](**params) -> (X (N, T, F), y (N,)), DataError for unknown names."""
    return call_registry(CLASSIFICATION, "classification task", name, params)
