"""The landing page's live demo: a tiny recurrent network learning a sine-like series in seconds.

    from rnnlib.demo import DemoSpec
    from rnnlib.demo.train import demo_frames

    for frame in demo_frames(DemoSpec(cell="gru")):
        draw(frame)  # frame.losses so far, frame.forecast of the held-out tail

This module is free of torch (its import costs about 1 s on a cold server): the landing page draws
the series and empty charts from it first, while the browser loads the chart code, and imports the
trainer (``train.py``) after that.

Training is deliberately small (hidden 24, one-step-ahead windows, 300 Adam steps): it must start
drawing within a second or so of a visitor opening the page and cost a hosted server little,
while still showing a forecast that visibly goes from a guess to following the wave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib.errors import RnnlibError, check_choice
from rnnlib.spec import CELLS


class DemoError(RnnlibError):
    """Demo settings that cannot run; the message says which."""


@dataclass(frozen=True)
class DemoSpec:
    cell: str = "lstm"  # the learner's choice on the landing page
    hidden_size: int = 24  # enough to follow two tones; trains in a few hundred steps
    # a full slow period and a third: with 24, LSTM forecasts drifted off on 2 seeds of 5
    lookback: int = 32
    # points of the series; the last `horizon` are held out and forecast recursively
    length: int = 240
    horizon: int = 48  # two slow periods
    steps: int = 300  # Adam steps in all: about 0.5 s of one core for an LSTM 24
    frames: int = 20  # progress reports (the page draws each), the first after two steps
    batch_size: int = 32
    lr: float = 0.01  # high for Adam, right for 300 steps of a tiny model; decays to lr/10
    seed: int = 0

    def __post_init__(self) -> None:
        check_choice("cell", self.cell, CELLS, error=DemoError)
        for name in ("hidden_size", "lookback", "horizon", "steps", "frames", "batch_size"):
            if int(getattr(self, name)) < 1:
                raise DemoError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.length < self.lookback + self.horizon + 2:
            raise DemoError(
                f"length {self.length} is too short for lookback {self.lookback} + horizon "
                f"{self.horizon}: make it at least {self.lookback + self.horizon + 2}"
            )


@dataclass(frozen=True)
class DemoFrame:
    """Where training is after `step` of `steps` Adam steps (step 0: before the first)."""

    step: int
    steps: int
    losses: tuple[float, ...]  # training MSE of every step so far (scaled units)
    series: np.ndarray  # (length,) the whole series, for the chart
    horizon: int  # the last `horizon` points are held out
    forecast: np.ndarray | None  # (horizon,) the recursive forecast of the held-out tail
    forecast_mae: float | None  # against the held-out tail
    naive_mae: float  # repeating the last seen value, the bar the forecast has to clear
    elapsed_s: float

    @property
    def cut(self) -> int:
        """Where the held-out tail starts."""
        return len(self.series) - self.horizon

    @property
    def done(self) -> bool:
        return self.step >= self.steps


def naive_mae(series: np.ndarray, horizon: int) -> float:
    """MAE of repeating the last seen value over the held-out tail."""
    cut = len(series) - horizon
    return float(np.abs(series[cut:] - series[cut - 1]).mean())


def first_frame(spec: DemoSpec) -> DemoFrame:
    """The demo before its first step: the series and nothing learnt, drawable without torch."""
    series = demo_series(spec.length, spec.seed)
    return DemoFrame(
        0, spec.steps, (), series, spec.horizon, None, None, naive_mae(series, spec.horizon), 0.0
    )


def demo_series(length: int, seed: int = 0) -> np.ndarray:
    """sin(2πt/24) + 0.4 sin(2πt/8) + N(0, 0.05²): a slow wave with a faster one riding on it."""
    t = np.arange(length)
    noise = 0.05 * np.random.default_rng(seed).standard_normal(length)
    return np.sin(2 * np.pi * t / 24) + 0.4 * np.sin(2 * np.pi * t / 8) + noise
