"""The backward view: one window's gradients through time, one step's chain rule, and its tie to
gradient reach. Each number is checked against an independent computation (autograd's reach, the
chain rule recomputed from the step's own values), so a mislabelled gate or step fails here."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlib.figures.inside import bptt_heatmaps
from rnnlib.labs.bptt_view import GRADIENTS, backward_latex, backward_record, backward_step
from rnnlib.labs.inside import InsideError, sine_windows
from rnnlib.labs.reach import gradient_reach
from rnnlib.models import build_model
from rnnlib.spec import ModelSpec

pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections:UserWarning")
SPECS = {
    "rnn": dict(cell="rnn"),
    "lstm": dict(cell="lstm"),
    "lstm-proj": dict(cell="lstm", proj_size=2),
    "lstm-ln": dict(cell="lstm", impl="scratch", layer_norm=True),
    "gru-L2-bi": dict(cell="gru", num_layers=2, bidirectional=True),
}


def _model(name: str):
    return build_model(ModelSpec(input_size=1, hidden_size=4, **SPECS[name]), seed=1)


WINDOW = sine_windows(9, 4)[2]


@pytest.mark.parametrize("name", list(SPECS))
def test_reach_is_the_input_gradient_of_the_same_output(name):
    model = _model(name)
    back = backward_record(model, WINDOW)
    reach = gradient_reach(model, WINDOW)  # float32, by autograd on the model itself
    np.testing.assert_allclose(back.reach, reach, rtol=1e-2, atol=1e-3 * reach.max())
    spec = back.spec
    for layer in range(spec.num_layers):
        for d in range(spec.num_directions):
            grads = back.at(layer, d)
            assert tuple(grads) == GRADIENTS[spec.cell]
            assert grads["h"].shape == (9, spec.state_size)


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru-L2-bi"])
def test_the_head_feeds_only_the_step_it_reads(name):
    """The head reads the last layer's h_n: ∂L/∂h_t from above is 0 except at that final step."""
    model = _model(name)
    back = backward_record(model, WINDOW)
    top = back.spec.num_layers - 1
    for d in range(back.spec.num_directions):
        last = 8 if d == 0 else 0
        above = [backward_step(model, back, top, d, t, 1).values["dh_above"] for t in range(9)]
        assert above[last] != 0
        assert all(a == 0 for t, a in enumerate(above) if t != last)


@pytest.mark.parametrize("t", [0, 4, 8])
def test_lstm_chain_rule_from_the_step_values(t):
    model = _model("lstm")
    v = backward_step(model, backward_record(model, WINDOW), 0, 0, t, 2).values
    tc = np.tanh(v["c"])
    close = lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-15)  # noqa: E731
    close(v["dh"], v["dh_above"] + v["dh_next"])
    close(v["dc"], v["dc_next"] * v["f_next"] + v["dh"] * v["o"] * (1 - tc**2))
    close(v["do"], v["dh"] * tc * v["o"] * (1 - v["o"]))
    close(v["di"], v["dc"] * v["g"] * v["i"] * (1 - v["i"]))
    close(v["df"], v["dc"] * v["c_prev"] * v["f"] * (1 - v["f"]))
    close(v["dg"], v["dc"] * v["i"] * (1 - v["g"] ** 2))


def test_gru_and_rnn_chain_rule_from_the_step_values():
    model = _model("gru-L2-bi")
    v = backward_step(model, backward_record(model, WINDOW), 1, 1, 3, 0).values
    close = lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-15)  # noqa: E731
    close(v["dn"], v["dh"] * (1 - v["z"]) * (1 - v["n"] ** 2))
    close(v["dz"], v["dh"] * (v["h_prev"] - v["n"]) * v["z"] * (1 - v["z"]))
    close(v["dr"], v["dn"] * v["hn"] * v["r"] * (1 - v["r"]))
    model = _model("rnn")
    v = backward_step(model, backward_record(model, WINDOW), 0, 0, 5, 3).values
    close(v["dpre"], v["dh"] * (1 - v["h"] ** 2))


@pytest.mark.parametrize("name, names", [("rnn", "h pre"), ("lstm", "h c o i f g")])
def test_latex_lines_carry_the_recorded_numbers(name, names):
    model = _model(name)
    back = backward_record(model, WINDOW)
    step = backward_step(model, back, 0, 0, 4, 1)
    lines = backward_latex(step)
    assert [line.name for line in lines] == names.split()
    for line in lines:
        assert line.value == step.values["d" + line.name]
        assert f"{line.value:.4g}".split("e")[0] in line.latex


def test_projection_and_layer_norm_lines():
    model = _model("lstm-proj")
    back = backward_record(model, WINDOW)
    assert [ln.name for ln in backward_latex(backward_step(model, back, 0, 0, 4, 3))][0] == "m"
    model = _model("lstm-ln")
    lines = backward_latex(backward_step(model, backward_record(model, WINDOW), 0, 0, 4, 1))
    assert [ln.name for ln in lines] == ["c", "o", "i", "f", "g"]  # no plain sum through LN


def test_out_of_range_is_an_inside_error():
    model = _model("lstm")
    back = backward_record(model, WINDOW)
    with pytest.raises(InsideError, match="unit must be a whole number from 0 to 3, got 4"):
        backward_step(model, back, 0, 0, 2, 4)
    with pytest.raises(InsideError, match="direction must be a whole number from 0 to 0"):
        back.at(0, 1)


@pytest.mark.parametrize("name", ["lstm", "gru-L2-bi"])
def test_bptt_heatmaps(name):
    back = backward_record(_model(name), WINDOW)
    fig = bptt_heatmaps(back, back.spec.num_layers - 1, 0, t=3)
    assert fig.data[0].name == "‖∂L/∂x_t‖" and len(fig.data) == 1 + len(back.names)
    assert [tr.type for tr in fig.data[1:]] == ["heatmap"] * len(back.names)
    assert fig.data[1].name == "∂L/∂h_t" and all(len(tr.x) == 9 for tr in fig.data)
    assert np.array_equal(fig.data[1].z, back.at(back.spec.num_layers - 1, 0)["h"].T)
    assert [a.text for a in fig.layout.annotations][1] == "∂L/∂h_t"
    assert fig.layout.shapes  # the dotted line at t
