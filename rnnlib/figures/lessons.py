"""Figures of the lessons that no other page draws; the rest reuse the pages' own builders."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from rnnlib.figures.train import _layout
from rnnlib.lessons.tries import ScratchResult


def accuracy_bars(accuracy: Mapping[str, float], majority: float) -> go.Figure:
    """Test accuracy per model (one bar each) beside the majority class (a dotted line)."""
    names = list(accuracy)
    fig = go.Figure()
    fig.add_bar(
        x=names, y=[accuracy[n] for n in names], name="test accuracy",
        marker_color=["#4C78A8", "#F58518", "#54A24B"][: len(names)],
        text=[f"{accuracy[n]:.0%}" for n in names], textposition="outside",
    )  # fmt: skip
    fig.add_scatter(
        x=names, y=[majority] * len(names), mode="lines", name="majority class",
        line=dict(color="#9E9E9E", dash="dot"),
    )  # fmt: skip
    fig = _layout(fig, "Test accuracy", "model", "accuracy", 320)
    fig.update_yaxes(range=[0, 1.1], tickformat=".0%")
    return fig


def same_outputs(result: ScratchResult) -> go.Figure:
    """Every output of the scratch LSTM against nn.LSTM's (one point each) on the line y = x."""
    a, b = result.torch_out, result.scratch_out
    lo, hi = float(min(a.min(), b.min())), float(max(a.max(), b.max()))
    fig = go.Figure()
    fig.add_scatter(
        x=[lo, hi], y=[lo, hi], mode="lines", name="y = x", line=dict(color="#9E9E9E", dash="dot")
    )
    fig.add_scatter(
        x=a, y=b, mode="markers", name="outputs", marker=dict(color="#4C78A8", size=5, opacity=0.6)
    )
    title = f"Scratch vs nn.LSTM: largest difference {result.max_diff:.2g}"
    return _layout(fig, title, "nn.LSTM output", "scratch LSTM output", 360)
