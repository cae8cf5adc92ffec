"""Figures for the Build page: where the parameters live, and the unrolled architecture."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from rnnlib.spec import ModelSpec

GROUP_COLOURS = {
    "input weights": "#4C78A8",
    "recurrent weights": "#F58518",
    "biases": "#54A24B",
    "projection": "#B279A2",
    "layer norm": "#9D755D",
    "head": "#E45756",
}


def _where(row) -> str:
    if row.group == "head":
        return "head"
    return f"layer {row.layer}" + (" ←" if row.direction else " →")


def param_breakdown(rows: Sequence) -> go.Figure:
    """Stacked bars: one bar per layer and direction (plus the head), one colour per tensor group.

    ``rows`` are ``rnnlib.params.ParamRow``s (name, shape, count, formula, layer, direction, group).
    """
    places = list(dict.fromkeys(_where(r) for r in rows))
    fig = go.Figure()
    for group, colour in GROUP_COLOURS.items():
        counts = {p: 0 for p in places}
        names = {p: [] for p in places}
        for r in rows:
            if r.group == group:
                counts[_where(r)] += r.count
                names[_where(r)].append(f"{r.name} {tuple(r.shape)} = {r.formula}")
        if not any(counts.values()):
            continue
        fig.add_bar(
            name=group,
            x=places,
            y=[counts[p] for p in places],
            marker_color=colour,
            customdata=["<br>".join(names[p]) for p in places],
            hovertemplate="%{x}: %{y:,} parameters<br>%{customdata}<extra>" + group + "</extra>",
        )
    fig.update_layout(
        barmode="stack",
        title="Where the parameters live",
        xaxis_title="layer (→ forward, ← backward direction)",
        yaxis_title="parameters",
        legend_title="tensor group",
        height=360,
        margin=dict(l=10, r=10, t=50, b=10),
    )
    return fig


def architecture(spec: ModelSpec, steps: int = 4) -> go.Figure:
    """The model unrolled over a few time steps: inputs at the bottom, one row per layer and
    direction, the head on top reading the final state of each direction of the last layer."""
    cell = spec.cell.upper()
    D, L = spec.num_directions, spec.num_layers
    fig = go.Figure()
    rows = [(layer, d) for layer in range(L) for d in range(D)]
    y_of = {key: 1 + i for i, key in enumerate(rows)}
    top = len(rows) + 1
    xs = list(range(steps))
    labels = [f"x<sub>{t + 1}</sub>" for t in range(steps - 1)] + ["x<sub>T</sub>"]
    fig.add_scatter(
        x=xs, y=[0] * steps, mode="markers+text", text=labels, textposition="bottom center",
        marker=dict(size=26, color="#DDDDDD", line=dict(color="#666", width=1)),
        name="input x_t", hoverinfo="text", textfont=dict(size=14),
        hovertext=[f"input at step {lab}: {spec.input_size} feature(s)" for lab in labels],
    )  # fmt: skip
    # Rows are named at the left margin instead of in a legend (one entry per row would repeat
    # the same two colours); the traces keep their names for hovering and tests.
    row_labels = [(0, "input")]
    arrows = []
    for (layer, d), y in y_of.items():
        colour = "#4C78A8" if d == 0 else "#F58518"
        name = f"layer {layer} {'backward ←' if d else 'forward →'}"
        row_labels.append((y, f"layer {layer} {'←' if d else '→'}"))
        size = f"H={spec.hidden_size}" + (f", P={spec.proj_size}" if spec.proj_size else "")
        fig.add_scatter(
            x=xs, y=[y] * steps, mode="markers", name=name,
            marker=dict(size=34, symbol="square", color=colour, line=dict(color="#333", width=1)),
            hoverinfo="text", hovertext=[f"{cell} cell, {name}, step {t + 1} ({size})" for t in xs],
        )  # fmt: skip
        for t in xs[:-1]:  # the recurrence: h_{t-1} -> h_t, in the direction of reading
            a, b = (t, t + 1) if d == 0 else (t + 1, t)
            arrows.append((a, y, b, y, colour))
        below = [0] if layer == 0 else [y_of[(layer - 1, dd)] for dd in range(D)]
        for t in xs:  # the layer below (or the input) feeds every step
            arrows += [(t, yb, t, y, "#999999") for yb in below]
    # The head reads h_n: the forward direction after the last step, the backward after the first.
    head_x = (steps - 1) / 2
    fig.add_scatter(
        x=[head_x], y=[top], mode="markers+text", textposition="middle right",
        text=[f"  head: Linear({spec.readout_size} → {spec.output_size})"], name="head",
        textfont=dict(size=13, color="#333"),
        marker=dict(size=30, symbol="diamond", color="#E45756"),
        hoverinfo="text", hovertext=[f"Linear({spec.readout_size} → {spec.output_size})"],
    )  # fmt: skip
    for d in range(D):
        t = steps - 1 if d == 0 else 0
        arrows.append((t, y_of[(L - 1, d)], head_x, top, "#E45756"))
    for y, text in row_labels:
        fig.add_annotation(
            x=-0.45, y=y, xref="x", yref="y", text=text, showarrow=False, xanchor="right",
            font=dict(size=13, color="#333"),
        )  # fmt: skip
    for x0, y0, x1, y1, colour in arrows:
        fig.add_annotation(
            x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
            showarrow=True, arrowhead=2, arrowsize=1, arrowwidth=1.5, arrowcolor=colour,
            standoff=14, startstandoff=14,
        )  # fmt: skip
    fig.update_layout(
        title=f"{cell}: {L} layer(s){', bidirectional' if D == 2 else ''}, unrolled over time",
        xaxis=dict(visible=False, range=[-1.5, steps - 0.4], fixedrange=True),
        yaxis=dict(visible=False, range=[-0.8, top + 0.6], fixedrange=True),
        height=120 + 70 * top,
        showlegend=False,
        margin=dict(l=10, r=10, t=50, b=10),
        plot_bgcolor="white",
    )
    return fig
