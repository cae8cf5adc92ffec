"""The lessons' try-its: each one call into the machinery the other pages use, sized to take a
few seconds on one CPU core. Each returns a result that a figure builder draws."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from rnnlib.forecasting import Experiment, ForecastResult, ForecastSpec, run
from rnnlib.labs.inside import Recording, StepLine, record, sine_windows, step_arithmetic
from rnnlib.labs.memory_lab import QuickTrain
from rnnlib.labs.race import ClassificationTask, RaceResult, race
from rnnlib.labs.reach import ReachResult, reach_experiment
from rnnlib.models import build_core, build_model
from rnnlib.params import ParamRow, param_table
from rnnlib.series import random_walk, seasonal
from rnnlib.shapes import check_shapes
from rnnlib.spec import ModelSpec
from rnnlib.training import TrainSpec
from rnnlib.windows import WindowSpec

Progress = Callable[[object], None] | None

# --- 1. shapes ---------------------------------------------------------------------------------


def shapes_try(spec: ModelSpec, batch: int = 8, seq_len: int = 5) -> dict[str, tuple[int, ...]]:
    """{name: shape} of input, output, h_n (and c_n), measured on a forward pass and checked
    against the closed-form prediction (rnnlib.shapes); SpecError for a spec that cannot build."""
    return check_shapes(spec, batch, seq_len)


# --- 2. a sequence classifier ------------------------------------------------------------------

SUM_SIGN = ClassificationTask("sum_sign", n_samples=600, length=20)


def classifier_try(
    cell: str = "lstm", epochs: int = 15, on_progress: Progress = None
) -> RaceResult:
    """Train one cell on the sum-sign task (BCE on one logit); accuracy beside the majority class."""
    return race(
        SUM_SIGN, ModelSpec(cell=cell, hidden_size=16), cells=(cell,),
        train=TrainSpec(epochs=epochs, lr=0.01, report_every_s=0.2), on_progress=on_progress,
    )  # fmt: skip


# --- 3. the gates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GatesResult:
    recording: Recording  # every gate and state at every step
    lines: list[StepLine]  # step t's equations with the numbers, for one unit
    t: int
    unit: int


def gates_try(t: int = 10, unit: int = 0, seed: int = 0) -> GatesResult:
    """A fresh LSTM (hidden 8, seeded) reading one sine window of 20 steps; step t spelled out."""
    model = build_model(ModelSpec(cell="lstm", hidden_size=8), seed=seed)
    window = sine_windows(length=20, count=1)[0]
    rec = record(model, window)
    lines = step_arithmetic(model, None, 0, 0, t, unit, recording=rec)
    return GatesResult(rec, lines, t, unit)


# --- 4. vanishing gradients --------------------------------------------------------------------

REACH_QUICK = QuickTrain(hidden_size=16, n_train=256, epochs=6)


def reach_try(trained: bool, on_progress: Progress = None) -> ReachResult:
    """Gradient reach of RNN, LSTM and GRU over 30 steps of the memory task (cue 20 steps back)."""
    return reach_experiment(
        "memory", trained=trained, length=30, delay=20, quick=REACH_QUICK, on_progress=on_progress
    )


# --- 5. bidirectional --------------------------------------------------------------------------

START_TASK = ClassificationTask("memory", n_samples=600, length=30, delay=27)


@dataclass(frozen=True)
class BidirectionalResult:
    one_way: RaceResult
    both_ways: RaceResult

    def accuracy(self) -> dict[str, float]:
        """{"one direction": test accuracy, "both directions": ...}."""
        return {
            "one direction": self.one_way.runs[0].metrics["accuracy"],
            "both directions": self.both_ways.runs[0].metrics["accuracy"],
        }

    @property
    def majority(self) -> float:
        return self.one_way.baselines["majority"]["accuracy"]


def bidirectional_try(cell: str = "rnn", epochs: int = 10) -> BidirectionalResult:
    """The same cell, one-way and bidirectional, on a cue 27 steps before the end of 30."""
    train = TrainSpec(epochs=epochs, lr=0.01, report_every_s=1e9)
    results = [
        race(START_TASK, ModelSpec(cell=cell, hidden_size=16, bidirectional=bi), cells=(cell,),
             train=train)
        for bi in (False, True)
    ]  # fmt: skip
    return BidirectionalResult(*results)


# --- 6. seq2seq and 7. the stock price ---------------------------------------------------------

# Fixed preprocessing and one model: a lesson compares strategies, not the auto search.
LESSON_WINDOWS = dict(val_fraction=0.15, test_fraction=0.15, normalize="window", transform="none")


def seq2seq_try(strategy: str, epochs: int = 15) -> ForecastResult:
    """A 12-step forecast of a seasonal series (period 12) with `strategy` ("direct" | "seq2seq")."""
    series = seasonal(n=240, periods=(12,), trend=0.0, noise=0.1)
    exp = Experiment(
        model=ModelSpec(hidden_size=16),
        windows=WindowSpec(lookback=24, horizon=12, stride=1, **LESSON_WINDOWS),
        train=TrainSpec(epochs=epochs, report_every_s=1e9),
        forecast=ForecastSpec(strategy=strategy, ensemble=1, refit=False),
    )
    return run(series, exp)


def stock_try(seed: int = 0, epochs: int = 15) -> tuple[ForecastResult, object]:
    """An LSTM forecasting a random-walk "price" one step ahead; (result, the series)."""
    series = random_walk(n=400, volatility=0.015, seed=seed)
    exp = Experiment(
        model=ModelSpec(hidden_size=16),
        windows=WindowSpec(lookback=20, horizon=1, **LESSON_WINDOWS | {"normalize": "last"}),
        train=TrainSpec(epochs=epochs, report_every_s=1e9, seed=seed),
        forecast=ForecastSpec(ensemble=1, refit=False),
    )
    return run(series, exp), series


# --- 8. an LSTM from scratch -------------------------------------------------------------------


@dataclass(frozen=True)
class ScratchResult:
    torch_out: np.ndarray  # (B*T*H,) nn.LSTM's outputs, flattened
    scratch_out: np.ndarray  # the scratch LSTM's, same weights and input
    max_diff: float
    layer_norm: bool
    torch_rows: list[ParamRow]  # parameter table of nn.LSTM (+ head)
    scratch_rows: list[ParamRow]  # of the scratch LSTM as built (LayerNorm adds ln_* tensors)


def scratch_try(layer_norm: bool = False, hidden: int = 8, seed: int = 0) -> ScratchResult:
    """nn.LSTM and rnnlib's scratch LSTM with the same weights on one random batch (B=4, T=12).

    With layer_norm the scratch cell gets LayerNorm (identity gains, zero shifts, as initialised):
    the shared weights are copied and the ln_* ones stay as they start."""
    spec = ModelSpec(cell="lstm", input_size=3, hidden_size=hidden)
    scratch_spec = spec.replace(impl="scratch", layer_norm=layer_norm)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        ref, mine = build_core(spec), build_core(scratch_spec)
        x = torch.randn(4, 12, 3)
    mine.load_state_dict(ref.state_dict(), strict=not layer_norm)
    with torch.no_grad():
        a, b = ref(x)[0].reshape(-1).numpy(), mine(x)[0].reshape(-1).numpy()
    return ScratchResult(
        a, b, float(np.abs(a - b).max()), layer_norm, param_table(spec), param_table(scratch_spec)
    )
