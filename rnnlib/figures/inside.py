"""Figures for the Inside page: gates over time, gradient reach by lag, and the memory lab."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnlib.figures.colours import CELL_COLOURS
from rnnlib.labs.bptt_view import GRAD_LABELS, BackwardRecord
from rnnlib.labs.inside import LABELS, SIGMOID_GATES, Recording
from rnnlib.labs.memory_lab import LabResult
from rnnlib.labs.reach import ReachResult

INPUT_COLOURS = ("#333333", "#9D755D", "#B279A2", "#FF9DA6", "#BAB0AC")
LEGEND = dict(orientation="h", y=1.02, x=1, xanchor="right", yanchor="bottom")


def state_heatmaps(
    rec: Recording, layer: int = 0, direction: int = 0, t: int | None = None
) -> go.Figure:
    """The input window on top, then one units × time heatmap per recorded quantity, x shared.

    Gates (sigmoid, 0..1) share one colour scale; candidates and states (signed) share a diverging
    one centred on 0. ``t`` draws a dotted line at that step through every panel.
    """
    states = rec.at(layer, direction)
    names = rec.names
    steps = np.arange(rec.steps)
    heights = [0.7] + [1.0] * len(names)
    titles = ["input x_t"] + [LABELS[n] for n in names]
    fig = make_subplots(
        rows=1 + len(names), cols=1, shared_xaxes=True, vertical_spacing=0.035,
        row_heights=heights, subplot_titles=titles,
    )  # fmt: skip
    for k in range(rec.x.shape[1]):
        name = "x" if rec.x.shape[1] == 1 else f"x[{k}]"
        fig.add_scatter(
            x=steps, y=rec.x[:, k], mode="lines+markers", name=name, row=1, col=1,
            line=dict(color=INPUT_COLOURS[k % len(INPUT_COLOURS)], width=1.5), marker=dict(size=4),
            hovertemplate=f"{name}<br>step %{{x}}<br>%{{y:.3f}}<extra></extra>",
        )  # fmt: skip
    gated = [n for n in names if n in SIGMOID_GATES]
    for row, name in enumerate(names, start=2):
        values = states[name]  # (T, units)
        fig.add_heatmap(
            x=steps, y=np.arange(values.shape[1]), z=values.T, name=LABELS[name],
            coloraxis="coloraxis" if name in SIGMOID_GATES else "coloraxis2",
            hovertemplate=f"{LABELS[name]}<br>step %{{x}}<br>unit %{{y}}<br>%{{z:.3f}}<extra></extra>",
            row=row, col=1,
        )  # fmt: skip
        fig.update_yaxes(title_text="unit", row=row, col=1)
    signed_bar = dict(title="value", y=0.3 if gated else 0.45, len=0.55 if gated else 0.8)
    fig.update_layout(
        coloraxis=dict(colorscale="Viridis", cmin=0, cmax=1, colorbar=dict(title="gate", y=0.8, len=0.35)),
        coloraxis2=dict(colorscale="RdBu_r", cmid=0, colorbar=signed_bar),
        height=170 + 150 * len(names), margin=dict(l=10, r=10, t=60, b=10), showlegend=False,
        title=f"Layer {layer}{' · backward direction' if direction else ''}: {rec.steps} steps",
    )  # fmt: skip
    fig.update_yaxes(title_text="x_t", row=1, col=1)
    fig.update_xaxes(title_text="step t", row=1 + len(names), col=1)
    if t is not None:
        fig.add_vline(x=t, line=dict(color="#E45756", dash="dot", width=2), row="all", col=1)
    return fig


def bptt_heatmaps(
    back: BackwardRecord, layer: int = 0, direction: int = 0, t: int | None = None
) -> go.Figure:
    """‖∂L/∂x_t‖ on top (what the gradient-reach figure averages), then one units × time heatmap
    per gradient the backward kept for (layer, direction): ∂L/∂h_t, ∂L/∂c_t, each gate's ∂L/∂pre.

    Each heatmap has its own colour scale, symmetric about 0 (red positive, blue negative): the
    gradients of different gates differ by orders of magnitude. ``t`` draws a dotted line.
    """
    grads = back.at(layer, direction)
    names = back.names
    steps = np.arange(back.steps)
    titles = ["‖∂L/∂x_t‖ (log scale)"] + [GRAD_LABELS[n] for n in names]
    fig = make_subplots(
        rows=1 + len(names), cols=1, shared_xaxes=True, vertical_spacing=0.035,
        row_heights=[0.7] + [1.0] * len(names), subplot_titles=titles,
    )  # fmt: skip
    norm = np.linalg.norm(back.dx, axis=1)
    fig.add_scatter(
        x=steps, y=np.where(norm > 0, norm, np.nan), mode="lines+markers", name="‖∂L/∂x_t‖",
        line=dict(color="#333333", width=1.5), marker=dict(size=4), row=1, col=1,
        hovertemplate="‖∂L/∂x_t‖<br>step %{x}<br>%{y:.3g}<extra></extra>",
    )  # fmt: skip
    fig.update_yaxes(type="log", exponentformat="power", title_text="‖∂L/∂x‖", row=1, col=1)
    for row, name in enumerate(names, start=2):
        values = grads[name]  # (T, units)
        top = float(np.abs(values).max()) or 1.0
        fig.add_heatmap(
            x=steps, y=np.arange(values.shape[1]), z=values.T, name=GRAD_LABELS[name],
            colorscale="RdBu_r", zmin=-top, zmax=top, showscale=False,
            hovertemplate=f"{GRAD_LABELS[name]}<br>step %{{x}}<br>unit %{{y}}<br>%{{z:.3g}}<extra></extra>",
            row=row, col=1,
        )  # fmt: skip
        fig.update_yaxes(title_text="unit", row=row, col=1)
    arrow = "←" if direction == 0 else "→"
    fig.update_layout(
        height=170 + 130 * len(names), margin=dict(l=10, r=10, t=60, b=10), showlegend=False,
        title=f"Backward through time, layer {layer}{' · backward direction' if direction else ''}: "
        f"the gradient flows {arrow}",
    )  # fmt: skip
    fig.update_xaxes(title_text="step t", row=1 + len(names), col=1)
    if t is not None:
        fig.add_vline(x=t, line=dict(color="#E45756", dash="dot", width=2), row="all", col=1)
    return fig


def reach_chart(result: ReachResult) -> go.Figure:
    """Gradient reach by lag, log scale: one colour per cell, untrained dashed, trained solid."""
    fig = go.Figure()
    lags = np.arange(result.length)
    for cell, curves in result.curves.items():
        for stage, dash in (("untrained", "dash"), ("trained", "solid")):
            if stage not in curves:
                continue
            y = np.where(curves[stage] > 0, curves[stage], np.nan)  # a log axis cannot show 0
            fig.add_scatter(
                x=lags, y=y, mode="lines", name=f"{cell.upper()} {stage}",
                line=dict(color=CELL_COLOURS.get(cell), dash=dash, width=2 if stage == "trained" else 1.5),
                hovertemplate=f"{cell.upper()} {stage}<br>lag %{{x}}<br>%{{y:.3g}}<extra></extra>",
            )  # fmt: skip
    if result.delay is not None:
        fig.add_vline(
            x=result.delay, line=dict(color="#888", dash="dot"), annotation_text="the cue",
            annotation_position="top",
        )  # fmt: skip
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_layout(
        title=f"How far back the gradient reaches ({result.task} task, {result.length} steps)",
        xaxis_title="lag: steps before the last input",
        yaxis_title="‖∂y / ∂x_(T-1-lag)‖, mean over windows",
        height=420, margin=dict(l=10, r=10, t=60, b=10), legend=LEGEND,
    )  # fmt: skip
    return fig


def memory_lab_chart(result: LabResult) -> go.Figure:
    """Test accuracy vs delay k, one line per cell, with chance (0.5) dotted; partial results too."""
    fig = go.Figure()
    for cell, acc in result.accuracy.items():
        fig.add_scatter(
            x=list(result.delays[: len(acc)]), y=acc, mode="lines+markers", name=cell.upper(),
            line=dict(color=CELL_COLOURS.get(cell), width=2),
            hovertemplate=f"{cell.upper()}<br>delay %{{x}}<br>accuracy %{{y:.2f}}<extra></extra>",
        )  # fmt: skip
    fig.add_scatter(
        x=[min(result.delays), max(result.delays)], y=[0.5, 0.5], mode="lines", name="chance (0.5)",
        line=dict(color="#888", dash="dot"), hoverinfo="skip",
    )  # fmt: skip
    fig.update_layout(
        title=f"Remembering one value for k steps ({result.length}-step windows)",
        xaxis_title="delay k (steps between the cue and the end)", yaxis_title="test accuracy",
        yaxis_range=[0.4, 1.02], height=380, margin=dict(l=10, r=10, t=60, b=10), legend=LEGEND,
    )  # fmt: skip
    return fig
