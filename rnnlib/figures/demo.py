"""Figures for the landing page's live demo: the loss falling, and the forecast bending to the wave."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rnnlib.demo import DemoFrame  # torch-free: the charts can be drawn before torch loads
from rnnlib.figures.train import PART_COLOURS, _layout

HEIGHT = 300


def demo_loss_chart(frame: DemoFrame) -> go.Figure:
    """Training MSE per Adam step so far (one point per step), on a log scale, x fixed to all steps."""
    steps = np.arange(1, len(frame.losses) + 1)
    fig = go.Figure()
    fig.add_scatter(
        x=steps, y=list(frame.losses), mode="lines", name="training loss",
        line=dict(color=PART_COLOURS["train"]),
    )  # fmt: skip
    fig = _layout(fig, "Loss, step by step", "Adam step", "mean squared error (scaled)", HEIGHT)
    # Fixed axes: the curve grows into the frame instead of the frame rescaling under it.
    fig.update_xaxes(range=[0, frame.steps])
    fig.update_yaxes(type="log")
    fig.update_layout(showlegend=False)
    return fig


def demo_forecast_chart(frame: DemoFrame) -> go.Figure:
    """The series the model trains on, the held-out tail, and the model's recursive forecast of it."""
    n, horizon, cut = len(frame.series), frame.horizon, frame.cut
    t = np.arange(n)
    fig = go.Figure()
    fig.add_scatter(
        x=t[:cut], y=frame.series[:cut], mode="lines", name="seen by the model",
        line=dict(color=PART_COLOURS["train"]),
    )  # fmt: skip
    fig.add_scatter(
        x=t[cut:], y=frame.series[cut:], mode="lines", name="held out",
        line=dict(color="#9ca3af", dash="dot"),
    )  # fmt: skip
    fig.add_scatter(
        x=t[cut:] if frame.forecast is not None else [],
        y=frame.forecast if frame.forecast is not None else [], mode="lines", name="forecast",
        line=dict(color="#E45756", width=3),
    )  # fmt: skip
    fig = _layout(fig, f"Forecast of the last {horizon} points", "time step", "value", HEIGHT)
    lo, hi = float(frame.series.min()), float(frame.series.max())
    pad = 0.25 * (hi - lo)
    # y fixed around the series: an untrained forecast far off the wave cannot squash the chart
    fig.update_yaxes(range=[lo - pad, hi + pad])
    fig.update_xaxes(range=[0, n - 1])
    return fig
