"""equations.py: one LaTeX line per update equation, in PyTorch's notation."""

import pytest

from rnnlib.equations import EXPLAIN, equations
from rnnlib.spec import CELLS, ModelSpec

LINES = {"rnn": 1, "gru": 4, "lstm": 6}
# Every spec shape the equations change with, for the structural checks below.
SPECS = [
    ModelSpec(cell="rnn"),
    ModelSpec(cell="rnn", nonlinearity="relu", bias=False),
    ModelSpec(cell="gru"),
    ModelSpec(cell="gru", bias=False),
    ModelSpec(cell="lstm"),
    ModelSpec(cell="lstm", bias=False, proj_size=8),
    ModelSpec(cell="lstm", impl="scratch", layer_norm=True),
    ModelSpec(cell="lstm", impl="scratch", layer_norm=True, bias=False),
]


@pytest.mark.parametrize("cell", CELLS)
def test_one_line_per_equation(cell):
    assert len(equations(ModelSpec(cell=cell))) == LINES[cell]
    assert len(equations(ModelSpec(cell=cell, bias=False))) == LINES[cell]


def test_lines_name_the_state_they_define():
    assert [e.split(" =")[0] for e in equations(ModelSpec(cell="lstm"))] == [
        "i_t", "f_t", "g_t", "o_t", "c_t", "h_t",
    ]  # fmt: skip
    assert [e.split(" =")[0] for e in equations(ModelSpec(cell="gru"))] == [
        "r_t", "z_t", "n_t", "h_t",
    ]  # fmt: skip
    assert equations(ModelSpec(cell="rnn"))[0].startswith("h_t = ")


@pytest.mark.parametrize("spec", SPECS, ids=repr)
def test_braces_and_brackets_balance(spec):
    for line in equations(spec):
        assert line.count("{") == line.count("}"), line
        assert line.count("(") == line.count(")"), line
        assert line.count(r"\left") == line.count(r"\right"), line


@pytest.mark.parametrize("cell", CELLS)
def test_two_biases_per_gate_block_with_bias(cell):
    lines = equations(ModelSpec(cell=cell))
    for line in lines:
        if "W_" in line:  # every line with a weight product carries b_ih-style and b_hh-style terms
            assert line.count("b_{i") == line.count("b_{h") >= 1, line


@pytest.mark.parametrize("cell", CELLS)
def test_bias_terms_dropped_without_bias(cell):
    with_bias = equations(ModelSpec(cell=cell))
    without = equations(ModelSpec(cell=cell, bias=False))
    assert not any("b_{" in line for line in without)
    # Only the bias terms go: the weights stay exactly as they were.
    assert [line.count("W_") for line in without] == [line.count("W_") for line in with_bias]


def test_gru_reset_gate_keeps_its_bracket_without_bias():
    assert r"r_t \odot (W_{hn} h_{t-1})" in equations(ModelSpec(cell="gru", bias=False))[2]


def test_rnn_nonlinearity():
    assert equations(ModelSpec(cell="rnn"))[0].startswith(r"h_t = \tanh(")
    relu = equations(ModelSpec(cell="rnn", nonlinearity="relu"))[0]
    assert relu.startswith(r"h_t = \operatorname{ReLU}(") and r"\tanh" not in relu


def test_projection_line():
    plain = equations(ModelSpec(cell="lstm"))
    projected = equations(ModelSpec(cell="lstm", proj_size=8))
    assert plain[-1] == r"h_t = o_t \odot \tanh(c_t)"
    assert projected[-1] == r"h_t = W_{hr} \left(o_t \odot \tanh(c_t)\right)"
    assert projected[:-1] == plain[:-1]


def test_layer_norm_lines():
    lines = equations(ModelSpec(cell="lstm", impl="scratch", layer_norm=True))
    # LN normalises the stacked 4H sums (rnnlib.cells), so each gate takes its block afterwards;
    # the biases come after the norm.
    for gate_line, g in zip(lines[:4], "ifgo", strict=True):
        assert gate_line.count(r"\mathrm{LN}") == 2, gate_line
        assert (
            r"\mathrm{LN}(W_{ih} x_t) + \mathrm{LN}(W_{hh} h_{t-1})\right]_{" + g + "}" in gate_line
        )
        assert gate_line.endswith(f"+ b_{{i{g}}} + b_{{h{g}}})")
        assert r"\ast" not in gate_line
    assert r"\mathrm{LN}" not in lines[4]  # the cell update itself is unchanged
    assert lines[5] == r"h_t = o_t \odot \tanh(\mathrm{LN}(c_t))"
    no_bias = equations(ModelSpec(cell="lstm", impl="scratch", layer_norm=True, bias=False))
    assert no_bias[0] == (
        r"i_t = \sigma(\left[\mathrm{LN}(W_{ih} x_t) + \mathrm{LN}(W_{hh} h_{t-1})\right]_{i})"
    )


def test_every_cell_is_explained():
    assert set(EXPLAIN) == set(CELLS)
    assert all(EXPLAIN[c].strip() for c in CELLS)
