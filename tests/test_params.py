"""params.py: the closed-form counts against the real module, tensor by tensor."""

import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rnnlib import params
from rnnlib.models import build_model
from rnnlib.spec import ModelSpec, SpecError


def spec_or_none(**fields) -> ModelSpec | None:
    try:
        return ModelSpec(**fields)
    except SpecError:
        return None


def assert_matches_module(spec: ModelSpec) -> None:
    model = build_model(spec)
    real = [(name, tuple(p.shape), p.numel()) for name, p in model.named_parameters()]
    closed = [(r.name, r.shape, r.count) for r in params.param_table(spec)]
    assert closed == real
    total = sum(p.numel() for p in model.parameters())
    assert params.total_params(spec) == total
    assert params.total_formula(spec).endswith(f"= {total}")
    assert params.total_formula_latex(spec).endswith(
        f"&= {total:,}".replace(",", "{,}") + r" \end{aligned}"
    )
    assert sum(n for _, n in params.per_layer_counts(spec)) == total


# A grid over the structural choices, both implementations, sizes down to 1.
GRID = [
    s
    for cell, layers, bidir, bias, proj, impl, ln, sizes in itertools.product(
        ("rnn", "lstm", "gru"),
        (1, 2, 3),
        (False, True),
        (True, False),
        (0, 2),
        ("torch", "scratch"),
        (False, True),
        ((1, 1, 1), (4, 5, 3)),  # (input_size, hidden_size, output_size)
    )
    if (
        s := spec_or_none(
            cell=cell,
            num_layers=layers,
            bidirectional=bidir,
            bias=bias,
            proj_size=proj,
            impl=impl,
            layer_norm=ln,
            input_size=sizes[0],
            hidden_size=sizes[1],
            output_size=sizes[2],
        )
    )
    is not None
]


def test_grid_covers_every_feature():
    assert {s.cell for s in GRID} == {"rnn", "lstm", "gru"}
    assert any(s.layer_norm and s.num_layers == 3 and s.bidirectional for s in GRID)
    assert any(
        s.proj_size and s.bidirectional and s.num_layers > 1 and s.impl == "scratch" for s in GRID
    )
    assert any(s.hidden_size == 1 and s.input_size == 1 and s.output_size == 1 for s in GRID)


@pytest.mark.parametrize("spec", GRID, ids=lambda s: s.to_json())
def test_table_matches_module_on_grid(spec):
    assert_matches_module(spec)


@st.composite
def spec_fields(draw) -> dict:
    """Spec fields, mostly valid: the cell decides which options are drawn at all."""
    cell = draw(st.sampled_from(["rnn", "lstm", "gru"]))
    hidden_size = draw(st.integers(1, 8))
    lstm = cell == "lstm"
    return dict(
        cell=cell,
        input_size=draw(st.integers(1, 6)),
        hidden_size=hidden_size,
        num_layers=draw(st.integers(1, 3)),
        bidirectional=draw(st.booleans()),
        bias=draw(st.booleans()),
        batch_first=draw(st.booleans()),
        proj_size=draw(st.integers(0, hidden_size)) if lstm else 0,
        impl=draw(st.sampled_from(["torch", "scratch"])),
        layer_norm=draw(st.booleans()) if lstm else False,
        nonlinearity=draw(st.sampled_from(["tanh", "relu"])) if cell == "rnn" else "tanh",
        output_size=draw(st.integers(1, 4)),
    )


@settings(max_examples=60, deadline=None)
@given(fields=spec_fields())
def test_table_matches_module_property(fields):
    spec = spec_or_none(**fields)
    assume(spec is not None)  # proj_size == hidden_size, layer_norm with torch or with proj
    assert_matches_module(spec)


def test_formula_of_a_small_lstm_reads_as_documented():
    assert params.total_formula(ModelSpec(cell="lstm", input_size=1, hidden_size=32)) == (
        "L=1, D=1: 4·32·(1 + 32) + 2·4·32 + 1·32 + 1 = 4513"
    )


def test_formula_groups_layers_and_directions():
    spec = ModelSpec(
        cell="lstm", input_size=3, hidden_size=20, num_layers=2, bidirectional=True, proj_size=10
    )
    assert params.total_formula(spec) == (
        "L=2, D=2: 2·[4·20·(3 + 10) + 2·4·20 + 10·20] + 2·[4·20·(2·10 + 10) + 2·4·20 + 10·20]"
        " + 1·2·10 + 1 = 8341"
    )
    latex = params.total_formula_latex(spec)
    # One term per line, so a stacked model's sum does not overflow a narrow column.
    assert (
        r"N &= D\left[GH(I + P) + 2GH + PH\right] \\ &\quad + (L - 1)D\left[GH(DP + P) + 2GH + PH\right]"
        r" \\ &\quad + ODP + O \\ &= " in latex
    )


def test_row_formulas_and_groups():
    spec = ModelSpec(
        cell="lstm", input_size=3, hidden_size=20, num_layers=2, bidirectional=True, proj_size=10
    )
    rows = {r.name: r for r in params.param_table(spec)}
    assert rows["rnn.weight_ih_l0"].formula == "4H·I"
    assert rows["rnn.weight_ih_l1_reverse"].formula == "4H·2P"
    assert (rows["rnn.weight_ih_l1_reverse"].layer, rows["rnn.weight_ih_l1_reverse"].direction) == (
        1,
        1,
    )
    assert rows["rnn.weight_hh_l1"].formula == "4H·P"
    assert rows["rnn.weight_hr_l0"].formula == "P·H"
    assert rows["rnn.weight_hr_l0"].group == "projection"
    assert rows["head.weight"].formula == "O·2P"
    assert (rows["head.weight"].layer, rows["head.weight"].direction) == (None, None)
    assert {r.group for r in rows.values()} <= set(params.GROUPS)
    gru = {
        r.name: r
        for r in params.param_table(ModelSpec(cell="gru", num_layers=2, bidirectional=True))
    }
    assert gru["rnn.weight_ih_l1"].formula == "3H·2H"
    assert gru["head.weight"].formula == "O·2H"
    rnn = {r.name: r for r in params.param_table(ModelSpec(cell="rnn"))}
    assert [rnn["rnn.weight_hh_l0"].formula, rnn["rnn.bias_ih_l0"].formula] == ["H·H", "H"]
    ln = params.param_table(ModelSpec(cell="lstm", impl="scratch", layer_norm=True))
    assert [r.formula for r in ln if r.group == "layer norm"] == ["4H"] * 4 + ["H"] * 2


@pytest.mark.parametrize("spec", GRID[::7], ids=lambda s: s.to_json())
def test_single_bias_total_drops_one_bias_per_gate_block(spec):
    blocks = spec.num_layers * spec.num_directions
    expected = params.total_params(spec) - (
        spec.gates * spec.hidden_size * blocks if spec.bias else 0
    )
    assert params.single_bias_total(spec) == expected
    assert "b_ih" in params.BIAS_NOTE and "b_hh" in params.BIAS_NOTE


def test_macs_by_hand():
    # 2-layer bidirectional LSTM, I=3, H=20, P=10:
    # layer 0: 2 directions × (4·20·(3 + 10) + 10·20) = 2 × (1040 + 200) = 2480
    # layer 1: 2 directions × (4·20·(20 + 10) + 10·20) = 2 × (2400 + 200) = 5200
    spec = ModelSpec(
        cell="lstm", input_size=3, hidden_size=20, num_layers=2, bidirectional=True, proj_size=10
    )
    assert params.macs_per_step(spec) == 2480 + 5200
    assert params.head_macs(spec) == 1 * 20
    # a plain GRU: 3·8·(2 + 8)
    assert params.macs_per_step(ModelSpec(cell="gru", input_size=2, hidden_size=8)) == 240


def test_memory():
    spec = ModelSpec()
    assert params.memory_bytes(spec) == 4 * 4513
    assert params.memory_bytes(spec, dtype_bytes=2) == 2 * 4513
    assert params.training_memory_bytes(spec) == 4 * 4 * 4513


def test_per_layer_counts():
    spec = ModelSpec(
        cell="lstm", input_size=3, hidden_size=20, num_layers=2, bidirectional=True, proj_size=10
    )
    assert params.per_layer_counts(spec) == [("layer 0", 2800), ("layer 1", 5520), ("head", 21)]


def test_param_table_builds_no_module(monkeypatch):
    import torch

    def refuse(*args, **kwargs):
        raise AssertionError("param_table must not build a module")

    monkeypatch.setattr(torch.nn.Module, "__init__", refuse)
    assert params.total_params(ModelSpec(num_layers=3)) > 0
