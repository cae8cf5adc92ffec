"""figures/build.py: the Build page's figures, checked as data (no Streamlit, no rendering)."""

import pytest

from rnnlib.figures.build import GROUP_COLOURS, architecture, param_breakdown
from rnnlib.params import param_table, total_params
from rnnlib.spec import ModelSpec

SPECS = [
    ModelSpec(),
    ModelSpec(cell="rnn", bias=False),
    ModelSpec(cell="gru", num_layers=3, bidirectional=True, output_size=4),
    ModelSpec(cell="lstm", hidden_size=16, proj_size=4, num_layers=2, bidirectional=True),
    ModelSpec(cell="lstm", impl="scratch", layer_norm=True, num_layers=2),
]


def names(fig) -> list[str]:
    return [t.name for t in fig.data]


# --- param_breakdown ------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=repr)
def test_stacked_bars_sum_to_the_total(spec):
    fig = param_breakdown(param_table(spec))
    assert fig.layout.barmode == "stack"
    assert sum(sum(trace.y) for trace in fig.data) == total_params(spec)
    places = list(fig.data[0].x)
    assert all(list(trace.x) == places for trace in fig.data)
    # One bar per layer and direction, plus the head; each bar is that place's own tensors.
    assert len(places) == spec.num_layers * spec.num_directions + 1
    assert places[0] == "layer 0 →" and places[-1] == "head"
    assert ("layer 0 ←" in places) == spec.bidirectional
    per_place = [sum(trace.y[i] for trace in fig.data) for i in range(len(places))]
    head = spec.output_size * (spec.readout_size + 1)
    assert per_place[-1] == head
    assert len(set(per_place[: spec.num_directions])) == 1  # both directions of a layer match


def test_one_trace_per_tensor_group_present():
    assert names(param_breakdown(param_table(ModelSpec()))) == [
        "input weights", "recurrent weights", "biases", "head",
    ]  # fmt: skip
    assert names(param_breakdown(param_table(ModelSpec(bias=False)))) == [
        "input weights", "recurrent weights", "head",
    ]  # fmt: skip
    projected = param_breakdown(param_table(ModelSpec(hidden_size=16, proj_size=4)))
    assert "projection" in names(projected)
    normed = param_breakdown(param_table(ModelSpec(impl="scratch", layer_norm=True)))
    assert "layer norm" in names(normed)
    for trace in normed.data:
        assert trace.marker.color == GROUP_COLOURS[trace.name]


def test_breakdown_titles_and_hover():
    fig = param_breakdown(param_table(ModelSpec()))
    assert fig.layout.title.text == "Where the parameters live"
    assert fig.layout.xaxis.title.text == "layer (→ forward, ← backward direction)"
    assert fig.layout.yaxis.title.text == "parameters"
    assert fig.layout.legend.title.text == "tensor group"
    recurrent = fig.data[names(fig).index("recurrent weights")]
    assert "rnn.weight_hh_l0 (128, 32) = 4H·H" in recurrent.customdata[0]


# --- architecture ---------------------------------------------------------------------------


def arrows_into(fig, x: float, y: float) -> list[tuple[float, float]]:
    """The tails (ax, ay) of the arrows whose heads point at (x, y)."""
    return [(a.ax, a.ay) for a in fig.layout.annotations if a.showarrow and (a.x, a.y) == (x, y)]


@pytest.mark.parametrize("spec", SPECS, ids=repr)
def test_one_scatter_per_layer_and_direction_plus_input_and_head(spec):
    fig = architecture(spec)
    rows = spec.num_layers * spec.num_directions
    assert [t.type for t in fig.data] == ["scatter"] * (rows + 2)
    assert names(fig)[0] == "input x_t" and names(fig)[-1] == "head"
    expected = [
        f"layer {layer} {'backward ←' if d else 'forward →'}"
        for layer in range(spec.num_layers)
        for d in range(spec.num_directions)
    ]
    assert names(fig)[1:-1] == expected
    title = fig.layout.title.text
    assert title.startswith(f"{spec.cell.upper()}: {spec.num_layers} layer(s)")
    assert ("bidirectional" in title) == spec.bidirectional
    assert f"Linear({spec.readout_size} → {spec.output_size})" in fig.data[-1].text[0]


def test_unidirectional_head_reads_the_last_step_only():
    steps = 4
    fig = architecture(ModelSpec(num_layers=2), steps=steps)
    head = fig.data[-1]
    top_row = fig.data[-2].y[0]
    assert arrows_into(fig, head.x[0], head.y[0]) == [(steps - 1, top_row)]
    # The recurrence runs left to right: every row arrow points to the next step.
    row = [(a.ax, a.x) for a in fig.layout.annotations if a.showarrow and a.ay == a.y == top_row]
    assert sorted(row) == [(t, t + 1) for t in range(steps - 1)]


def test_bidirectional_head_reads_both_directions():
    steps = 5
    fig = architecture(ModelSpec(cell="gru", num_layers=2, bidirectional=True), steps=steps)
    head = fig.data[-1]
    forward, backward = fig.data[-3], fig.data[-2]  # the last layer's two rows
    assert (forward.name, backward.name) == ("layer 1 forward →", "layer 1 backward ←")
    tails = arrows_into(fig, head.x[0], head.y[0])
    # Forward after the LAST step, backward after the FIRST: h_n of each direction.
    assert sorted(tails) == [(0, backward.y[0]), (steps - 1, forward.y[0])]
    back = [
        (a.ax, a.x) for a in fig.layout.annotations if a.showarrow and a.ay == a.y == backward.y[0]
    ]
    assert sorted(back) == [(t + 1, t) for t in range(steps - 1)]  # right to left


def test_upper_layers_read_both_directions_below():
    fig = architecture(ModelSpec(num_layers=2, bidirectional=True), steps=3)
    rows = {t.name: t.y[0] for t in fig.data}
    up = {(a.ay, a.y) for a in fig.layout.annotations if a.showarrow and a.ax == a.x == 0}
    below = {rows["layer 0 forward →"], rows["layer 0 backward ←"]}
    for upper in ("layer 1 forward →", "layer 1 backward ←"):
        assert {(b, rows[upper]) for b in below} <= up
    assert (rows["input x_t"], rows["layer 0 forward →"]) in up


def test_rows_are_labelled_and_nothing_overlaps():
    spec = ModelSpec(num_layers=3, bidirectional=True)
    fig = architecture(spec)
    labels = {a.text: a.y for a in fig.layout.annotations if not a.showarrow}
    assert labels["input"] == 0
    assert labels["layer 2 ←"] == spec.num_layers * spec.num_directions
    ys = [t.y[0] for t in fig.data]
    assert len(set(ys)) == len(ys)  # every row has its own height
    lo, hi = fig.layout.yaxis.range
    assert lo < min(ys) and max(ys) < hi
    assert fig.layout.xaxis.range[0] < -0.45  # room for the row labels at the left
    assert fig.layout.showlegend is False  # the row labels replace the legend
