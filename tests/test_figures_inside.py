"""Figures of the Inside page, checked without Streamlit: traces, names, axes, styles."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlib.figures.inside import memory_lab_chart, reach_chart, state_heatmaps
from rnnlib.labs.inside import record
from rnnlib.labs.memory_lab import LabResult
from rnnlib.labs.reach import ReachResult
from rnnlib.models import build_model
from rnnlib.spec import ModelSpec

T, H = 9, 4


def _recording(cell: str, features: int = 1, **kw):
    model = build_model(ModelSpec(cell=cell, hidden_size=H, input_size=features, **kw), seed=0)
    x = np.random.default_rng(0).normal(size=(T, features))
    return record(model, x)


@pytest.mark.parametrize(
    "cell, names", [("rnn", ["h"]), ("lstm", list("ifgoch")), ("gru", list("rznh"))]
)
def test_heatmaps_one_panel_per_recorded_quantity_under_the_input(cell, names):
    rec = _recording(cell)
    fig = state_heatmaps(rec)
    kinds = [trace.type for trace in fig.data]
    assert kinds == ["scatter"] + ["heatmap"] * len(names)
    for trace, name in zip(fig.data[1:], names, strict=True):
        np.testing.assert_array_equal(trace.z, rec.at(0, 0)[name].T)  # units × time
        assert trace.z.shape == (H, T)
        assert "unit %{y}" in trace.hovertemplate
        sigmoid = name in {"i", "f", "o", "r", "z"}
        assert trace.coloraxis == ("coloraxis" if sigmoid else "coloraxis2")
    # every panel hangs off one shared time axis; the last one carries its title
    anchors = {fig.layout[f"xaxis{k if k > 1 else ''}"].matches for k in range(1, len(names) + 2)}
    assert anchors - {None} == {f"x{len(names) + 1}"}
    assert fig.layout[f"xaxis{len(names) + 1}"].title.text == "step t"
    assert fig.layout.coloraxis.cmin == 0 and fig.layout.coloraxis.cmax == 1
    assert fig.layout.annotations[0].text == "input x_t"
    assert not fig.layout.shapes


def test_heatmaps_mark_the_step_and_show_each_input_feature():
    rec = _recording("gru", features=2, bidirectional=True)
    fig = state_heatmaps(rec, layer=0, direction=1, t=3)
    assert [t.name for t in fig.data[:2]] == ["x[0]", "x[1]"]
    np.testing.assert_array_equal(fig.data[2].z, rec.at(0, 1)["r"].T)
    assert len(fig.layout.shapes) == 5 and {s.x0 for s in fig.layout.shapes} == {3}
    assert "backward" in fig.layout.title.text


def _reach(trained: bool) -> ReachResult:
    curves = {
        cell: {"untrained": np.geomspace(1, 1e-6, 6)}
        | ({"trained": np.array([1, 0.5, 0, 0.2, 0.1, 0.1])} if trained else {})
        for cell in ("rnn", "lstm", "gru")
    }
    return ReachResult("memory", 6, 3, curves, {})


def test_reach_chart_dashed_untrained_solid_trained_on_a_log_axis():
    fig = reach_chart(_reach(trained=True))
    names = [t.name for t in fig.data]
    assert names == [f"{c} {s}" for c in ("RNN", "LSTM", "GRU") for s in ("untrained", "trained")]
    assert [t.line.dash for t in fig.data] == ["dash", "solid"] * 3
    assert fig.data[0].line.color == fig.data[1].line.color != fig.data[2].line.color
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text.startswith("lag")
    assert np.isnan(fig.data[1].y[2])  # a zero gradient cannot sit on a log axis
    assert [s.x0 for s in fig.layout.shapes] == [3]  # the cue's lag


def test_reach_chart_untrained_only():
    fig = reach_chart(_reach(trained=False))
    assert [t.name for t in fig.data] == ["RNN untrained", "LSTM untrained", "GRU untrained"]


def test_memory_lab_chart_lines_per_cell_and_a_chance_line():
    result = LabResult((1, 5, 10), {"rnn": [0.9, 0.7, 0.5], "gru": [0.95]}, 16, 1.0)
    fig = memory_lab_chart(result)
    assert [t.name for t in fig.data] == ["RNN", "GRU", "chance (0.5)"]
    assert list(fig.data[0].x) == [1, 5, 10] and list(fig.data[1].x) == [1]  # a partial result
    assert list(fig.data[2].y) == [0.5, 0.5] and list(fig.data[2].x) == [1, 10]
    assert fig.layout.xaxis.title.text.startswith("delay k")
    assert fig.layout.yaxis.title.text == "test accuracy"
