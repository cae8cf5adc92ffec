"""Figures for the Compare page: RNN, LSTM and GRU side by side, one colour per cell throughout."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from rnnlib.figures.build import GROUP_COLOURS
from rnnlib.figures.colours import CELL_COLOURS
from rnnlib.figures.train import _band, _layout
from rnnlib.history import EpochRecord
from rnnlib.labs.race import seed_band

BASELINE_COLOUR = "#9E9E9E"
REFERENCE_DASH = ["dot", "dashdot", "longdash", "dash"]


def _name(cell: str) -> str:
    return cell.upper()


def counts_bar(groups: Mapping[str, Mapping[str, int]]) -> go.Figure:
    """One stacked bar per cell, one colour per tensor group (groups every cell lacks are left out).

    groups: {cell: {group: parameters}}, e.g. budget.group_counts(spec).
    """
    cells = list(groups)
    fig = go.Figure()
    for group, colour in GROUP_COLOURS.items():
        counts = [groups[c].get(group, 0) for c in cells]
        if any(counts):
            fig.add_bar(
                name=group, x=[_name(c) for c in cells], y=counts, marker_color=colour,
                hovertemplate="%{x}: %{y:,} in " + group + "<extra></extra>",
            )  # fmt: skip
    totals = [sum(groups[c].values()) for c in cells]
    fig.add_scatter(
        x=[_name(c) for c in cells], y=totals, mode="text", text=[f"{t:,}" for t in totals],
        textposition="top center", name="total", showlegend=False, hoverinfo="skip",
    )  # fmt: skip
    fig.update_layout(barmode="stack")
    fig.update_yaxes(range=[0, 1.15 * max(totals, default=1)])  # room for the totals on top
    fig = _layout(fig, "Parameters with the same settings", "cell", "parameters", 340)
    # Beside the bars, top to bottom as they stack: a row above would run into the title.
    return fig.update_layout(
        legend=dict(orientation="v", x=1.02, y=1, xanchor="left", yanchor="top")
    )


def counts_lines(
    x: Sequence[int],
    curves: Mapping[str, Sequence[int | None]],
    x_title: str,
    log_y: bool = False,
    budget: int | None = None,
    marks: Mapping[str, int] | None = None,
) -> go.Figure:
    """Parameters against hidden size (or layers): one line per cell; None leaves a gap.

    budget draws a horizontal line; marks ({cell: x}) circles each cell's chosen size on its line.
    """
    fig = go.Figure()
    for cell, counts in curves.items():
        fig.add_scatter(
            x=list(x), y=list(counts), mode="lines+markers" if len(x) <= 12 else "lines",
            name=_name(cell), line=dict(color=CELL_COLOURS.get(cell)),
        )  # fmt: skip
    if budget is not None:
        fig.add_scatter(
            x=[min(x), max(x)], y=[budget, budget], mode="lines", name="budget",
            line=dict(color="black", dash="dot", width=1),
        )  # fmt: skip
    for cell, at in (marks or {}).items():
        if at in x:
            fig.add_scatter(
                x=[at], y=[curves[cell][list(x).index(at)]], mode="markers", showlegend=False,
                name=f"{_name(cell)} at {at}", hovertemplate=f"{_name(cell)}: {x_title} {at}<extra></extra>",
                marker=dict(color=CELL_COLOURS.get(cell), size=12, symbol="circle-open", line=dict(width=2)),
            )  # fmt: skip
    fig = _layout(fig, f"Parameters vs {x_title}", x_title, "parameters", 340)
    if log_y:
        fig.update_yaxes(type="log")
    return fig


def race_curves(
    curves: Mapping[str, Sequence[Sequence[EpochRecord]]],
    log_y: bool = False,
    reference: Mapping[str, float] | None = None,
    loss: str = "mse",
    live: dict | None = None,
) -> go.Figure:
    """Loss per epoch for each cell: train solid, validation dashed, each the mean over seeds with
    a min–max band when there are several; reference losses (a baseline on the validation part)
    as dotted horizontal lines.

    curves: {cell: [loss history of each seed]} (race.RaceResult.curves() or RaceLog.curves()); live: {"cell", "x", "loss"}, the running
    train loss of the epoch in progress at fractional epoch x.
    """
    fig = go.Figure()
    last = 1
    for cell, histories in curves.items():
        colour = CELL_COLOURS.get(cell, "#666")
        for key, part, dash in (
            ("train_loss", "train", "solid"),
            ("val_loss", "validation", "dash"),
        ):
            epochs, mean, lo, hi = seed_band(histories, key)
            if not epochs:
                continue
            last = max(last, epochs[-1])
            if sum(1 for h in histories if h) > 1:
                _band(fig, epochs, lo, hi, None, 0.15, colour)
                fig.data[-1].legendgroup = cell
            fig.add_scatter(
                x=epochs, y=mean, mode="lines+markers", name=f"{_name(cell)} {part}",
                legendgroup=cell, line=dict(color=colour, dash=dash), marker=dict(size=5),
            )  # fmt: skip
    if live is not None:
        last = max(last, live["x"])
        fig.add_scatter(
            x=[live["x"]], y=[live["loss"]], mode="markers", name=f"{_name(live['cell'])} this epoch",
            marker=dict(color=CELL_COLOURS.get(live["cell"]), symbol="circle-open", size=10),
        )  # fmt: skip
    for i, (name, value) in enumerate((reference or {}).items()):
        fig.add_scatter(
            x=[1, last], y=[value, value], mode="lines", name=f"{name.replace('_', ' ')} (validation)",
            line=dict(color=BASELINE_COLOUR, dash=REFERENCE_DASH[i % len(REFERENCE_DASH)], width=1.5),
        )  # fmt: skip
    units = "" if loss == "bce" else " (scaled units)"
    fig = _layout(fig, "Loss: train solid, validation dashed", "epoch", f"{loss}{units}", 380)
    if last <= 20:
        fig.update_xaxes(dtick=1)  # whole epochs only: 1.5 is no epoch
    if log_y:
        fig.update_yaxes(type="log")
    return fig


def epoch_times(seconds: Mapping[str, float]) -> go.Figure:
    """Median seconds per epoch, one bar per cell."""
    cells = list(seconds)
    fig = go.Figure()
    fig.add_bar(
        x=[_name(c) for c in cells], y=[seconds[c] for c in cells], name="s / epoch",
        marker_color=[CELL_COLOURS.get(c) for c in cells], text=[f"{seconds[c]:.3g} s" for c in cells],
        textposition="outside",
    )  # fmt: skip
    fig.update_layout(showlegend=False)
    fig.update_yaxes(range=[0, 1.2 * max(seconds.values(), default=1)])  # room for the labels
    return _layout(fig, "Time per epoch (median)", "cell", "seconds", 300)


def metric_bars(
    stats: Mapping[str, tuple[float, float, float]],
    baselines: Mapping[str, float],
    label: str,
) -> go.Figure:
    """A test metric per cell (mean over seeds, min–max error bar) beside the baselines' (grey).

    stats: {cell: (mean, min, max)} (RaceResult.metric_stats); baselines: {name: value}.
    """
    cells = list(stats)
    fig = go.Figure()
    fig.add_bar(
        x=[_name(c) for c in cells], y=[stats[c][0] for c in cells], name="cells",
        marker_color=[CELL_COLOURS.get(c) for c in cells],
    )  # fmt: skip
    if any(hi > lo for _, lo, hi in stats.values()):  # one seed each: no spread to draw
        fig.data[0].error_y = dict(
            type="data", symmetric=False,
            array=[stats[c][2] - stats[c][0] for c in cells],
            arrayminus=[stats[c][0] - stats[c][1] for c in cells],
        )  # fmt: skip
    names = list(baselines)
    fig.add_bar(
        x=[n.replace("_", " ") for n in names], y=[baselines[n] for n in names], name="baselines",
        marker_color=BASELINE_COLOUR,
    )  # fmt: skip
    fig.update_layout(showlegend=False)
    return _layout(fig, f"Test {label}", "", label, 300)
