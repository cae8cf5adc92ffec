"""shapes.py: the predicted shapes equal those of a real forward pass."""

import itertools

import pytest

from rnnlib.shapes import check_shapes, shapes
from rnnlib.spec import ModelSpec

SPECS = (
    [
        ModelSpec(
            cell=cell,
            num_layers=layers,
            bidirectional=bidir,
            batch_first=bf,
            impl=impl,
            input_size=2,
            hidden_size=4,
            output_size=3,
        )
        for cell, layers, bidir, bf, impl in itertools.product(
            ("rnn", "lstm", "gru"), (1, 2), (False, True), (True, False), ("torch", "scratch")
        )
    ]
    + [
        ModelSpec(
            cell="lstm",
            hidden_size=5,
            proj_size=2,
            num_layers=2,
            bidirectional=True,
            batch_first=bf,
            impl=impl,
        )
        for bf, impl in itertools.product((True, False), ("torch", "scratch"))
    ]
    + [ModelSpec(cell="lstm", impl="scratch", layer_norm=True, hidden_size=3, batch_first=False)]
)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.to_json())
def test_predicted_shapes_match_forward_pass(spec):
    assert shapes(spec, batch=3, seq_len=5) == check_shapes(spec, batch=3, seq_len=5)


def test_batch_first_moves_batch_in_input_and_output_only():
    spec = ModelSpec(
        cell="lstm",
        input_size=2,
        hidden_size=6,
        proj_size=4,
        num_layers=3,
        bidirectional=True,
        output_size=2,
    )
    assert shapes(spec, batch=7, seq_len=11) == {
        "input": (7, 11, 2),
        "output": (7, 11, 8),
        "h_n": (6, 7, 4),
        "c_n": (6, 7, 6),
        "prediction": (7, 2),
    }
    assert shapes(spec.replace(batch_first=False), batch=7, seq_len=11) == {
        "input": (11, 7, 2),
        "output": (11, 7, 8),
        "h_n": (6, 7, 4),
        "c_n": (6, 7, 6),
        "prediction": (7, 2),
    }


def test_only_lstm_has_a_cell_state():
    assert "c_n" not in shapes(ModelSpec(cell="gru"), batch=1, seq_len=1)
    assert "c_n" not in check_shapes(ModelSpec(cell="rnn"), batch=1, seq_len=1)
