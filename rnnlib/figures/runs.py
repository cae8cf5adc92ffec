"""Figures for the Runs page: several runs' loss curves, and their test forecasts, on one chart each."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.colors import qualitative

from rnnlib.figures.train import _layout
from rnnlib.history import EpochRecord

# Ten distinct colours; run k of the selection keeps colour k on both charts.
RUN_COLOURS = qualitative.D3
ACTUAL_COLOUR = "#444444"
LOSS_NAMES = {"val_loss": "validation", "train_loss": "train"}


def run_colour(i: int) -> str:
    return RUN_COLOURS[i % len(RUN_COLOURS)]


def loss_overlay(
    runs: Sequence[tuple[str, Sequence[EpochRecord]]], which: str = "val_loss", log_y: bool = False
) -> go.Figure:
    """One line per run: its `which` loss per epoch ("val_loss" or "train_loss").

    runs: [(label, loss history), ...]. A run without a validation part falls back to its train
    loss, drawn dotted and named so.
    """
    fig = go.Figure()
    for i, (label, history) in enumerate(runs):
        key, dash, name = which, "solid", label
        if all(getattr(h, key) is None for h in history):
            key, dash, name = "train_loss", "dot", f"{label} (train)"
        fig.add_scatter(
            x=[h.epoch for h in history], y=[getattr(h, key) for h in history], name=name,
            mode="lines+markers", line=dict(color=run_colour(i), dash=dash), marker=dict(size=5),
        )  # fmt: skip
    title = f"{LOSS_NAMES.get(which, which).capitalize()} loss of the selected runs"
    fig = _runs_layout(fig, title, "epoch", "loss (each run's scaled units)")
    if 0 < max((len(h) for _, h in runs), default=0) <= 12:
        fig.update_xaxes(dtick=1)  # whole epochs: no 1.5 between two points
    if log_y:
        fig.update_yaxes(type="log")
    return fig


def forecast_overlay(
    actual: tuple[Sequence, Sequence], runs: Sequence[tuple[str, Sequence, Sequence]]
) -> go.Figure:
    """The test part's actual values and each run's forecast one step ahead, on one time axis.

    actual: (times, values); runs: [(label, times, forecasts), ...], in original units.
    """
    fig = go.Figure()
    fig.add_scatter(
        x=list(actual[0]), y=list(actual[1]), name="actual", mode="lines",
        line=dict(color=ACTUAL_COLOUR, width=2.5),
    )  # fmt: skip
    for i, (label, times, values) in enumerate(runs):
        fig.add_scatter(
            x=list(times), y=list(values), name=label, mode="lines",
            line=dict(color=run_colour(i), width=1.5),
        )  # fmt: skip
    return _runs_layout(fig, "Test forecasts of the selected runs (1 step ahead)", "time", "value")


def _runs_layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    # The legend beside the chart, one run per line: run labels are long, and a row above the
    # plot would run into the title once a few runs are selected.
    fig = _layout(fig, title, x, y, 360)
    legend = dict(orientation="v", x=1.02, y=1, xanchor="left", yanchor="top")
    return fig.update_layout(legend=legend)
