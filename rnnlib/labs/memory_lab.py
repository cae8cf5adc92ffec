"""The memory lab: how far back can each cell remember one value, when trained for a few seconds?

For each delay k, RNN, LSTM and GRU are trained on ``memory_task`` (the label is the sign of the
input k steps before the end; everything after it is noise) and scored on fresh samples. Accuracy
0.5 is chance: the cell has not carried the value k steps. Every run uses the same window length,
so only k changes along the curve.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from torch import nn

from rnnlib.classification import memory_task
from rnnlib.errors import check_real, check_whole
from rnnlib.labs.inside import InsideError, check_cells
from rnnlib.models import build_model
from rnnlib.spec import CELLS, ModelSpec
from rnnlib.training import TrainSpec, fit, predict

LEAD = 5  # steps of noise before the earliest cue, so even the longest delay has a history
MAX_DELAY = 200


@dataclass(frozen=True)
class QuickTrain:
    """Settings for training a small classifier in about a second on a laptop CPU."""

    hidden_size: int = 16  # enough units to hold one bit; few enough to train in a second
    n_train: int = 512  # samples per task: 16 batches of 32 per epoch
    epochs: int = 12  # where an LSTM or GRU has usually found a short delay
    lr: float = 0.01  # Adam's step for a tiny model trained briefly
    seed: int = 0  # initial weights, data and shuffling

    def replace(self, **changes) -> QuickTrain:
        return dataclasses.replace(self, **changes)

    def __post_init__(self) -> None:
        check_whole("hidden_size", self.hidden_size, 1, 256, error=InsideError)
        check_whole("n_train", self.n_train, 8, 100_000, error=InsideError)
        check_whole("epochs", self.epochs, 1, 1_000, error=InsideError)
        check_whole("seed", self.seed, 0, 2**31 - 1, error=InsideError)
        check_real("lr", self.lr, "a number > 0", lambda v: v > 0, error=InsideError)


def small_model(cell: str, quick: QuickTrain, input_size: int = 1) -> nn.Module:
    """A fresh one-output classifier or forecaster of `cell` (torch impl), seeded by quick.seed."""
    spec = ModelSpec(cell=cell, hidden_size=quick.hidden_size, input_size=input_size)
    return build_model(spec, seed=quick.seed)


def train_quickly(model: nn.Module, X: np.ndarray, y: np.ndarray, quick: QuickTrain, loss: str):
    """Train `model` in place on X (N, T, I), y (N,) with Adam; returns fit's FitResult.

    On the CPU: for models this small a GPU only adds transfer time.
    """
    train = TrainSpec(lr=quick.lr, epochs=quick.epochs, loss=loss, seed=quick.seed, device="cpu")
    return fit(model, (X, y), None, train)


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """Share of samples whose logit has the label's sign (logit > 0 means class 1)."""
    logits = predict(model, X)[:, 0].numpy()
    return float(np.mean((logits > 0) == (y > 0.5)))


@dataclass(frozen=True)
class LabSpec:
    delays: tuple[int, ...] = (1, 5, 10, 20)  # k: from trivial to beyond a plain RNN's reach
    cells: tuple[str, ...] = CELLS
    n_test: int = 512  # fresh samples scoring each model: accuracy to about ±0.02
    train: QuickTrain = field(default_factory=QuickTrain)

    def __post_init__(self) -> None:
        delays = tuple(self.delays)
        if not 1 <= len(delays) <= 12:
            raise InsideError(f"Give 1 to 12 delays, got {len(delays)}.")
        for k in delays:
            check_whole("Every delay", k, 0, MAX_DELAY, error=InsideError)
        if len(set(delays)) != len(delays):
            raise InsideError(f"The delays must differ from each other, got {list(delays)}.")
        object.__setattr__(self, "delays", tuple(sorted(int(k) for k in delays)))
        object.__setattr__(self, "cells", check_cells(self.cells))
        check_whole("n_test", self.n_test, 2, 100_000, error=InsideError)

    @property
    def length(self) -> int:
        """One window length for every delay: the longest delay plus LEAD steps of noise."""
        return max(self.delays) + LEAD + 1


@dataclass(frozen=True)
class LabResult:
    delays: tuple[int, ...]
    accuracy: dict[str, list[float]]  # cell -> accuracy per delay, in delay order (may be partial)
    length: int  # steps per window
    seconds: float  # wall time so far


def memory_lab(
    spec: LabSpec = LabSpec(),
    on_progress: Callable[[int, int, LabResult], None] | None = None,
) -> LabResult:
    """Accuracy vs delay for each cell; on_progress(done, total, partial result) after each model."""
    start = time.perf_counter()
    acc: dict[str, list[float]] = {cell: [] for cell in spec.cells}
    total, done = len(spec.delays) * len(spec.cells), 0
    q = spec.train
    for k in spec.delays:
        X, y = memory_task(q.n_train, spec.length, k, seed=q.seed)
        # the test set has its own seed: accuracy on fresh samples, not on the ones trained on
        Xt, yt = memory_task(spec.n_test, spec.length, k, seed=q.seed + 1)
        for cell in spec.cells:
            model = small_model(cell, q, input_size=X.shape[2])
            train_quickly(model, X, y, q, loss="bce")
            acc[cell].append(accuracy(model, Xt, yt))
            done += 1
            if on_progress is not None:
                so_far = {c: list(v) for c, v in acc.items()}
                partial = LabResult(spec.delays, so_far, spec.length, time.perf_counter() - start)
                on_progress(done, total, partial)
    return LabResult(spec.delays, acc, spec.length, time.perf_counter() - start)
