"""ModelSpec: every rule gives a SpecError a person can act on, and serialisation is lossless."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlib.models import build_model
from rnnlib.spec import (
    CELLS,
    IMPLS,
    MAX_HIDDEN,
    MAX_INPUT,
    MAX_LAYERS,
    MAX_OUTPUT,
    ModelSpec,
    SpecError,
)


def test_defaults_build() -> None:
    spec = ModelSpec()
    assert spec.warnings() == ()
    assert (spec.gates, spec.num_directions, spec.state_size, spec.readout_size) == (4, 1, 32, 32)
    model = build_model(spec, seed=0)
    assert model.head.in_features == spec.readout_size


def test_spec_is_frozen_and_replace_validates_again() -> None:
    spec = ModelSpec()
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.hidden_size = 8  # type: ignore[misc]
    assert spec.replace(hidden_size=8).hidden_size == 8
    with pytest.raises(SpecError, match="hidden_size must be between 1 and"):
        spec.replace(hidden_size=0)


def test_derived_sizes() -> None:
    spec = ModelSpec(cell="lstm", hidden_size=8, proj_size=3, bidirectional=True)
    assert (spec.state_size, spec.num_directions, spec.readout_size) == (3, 2, 6)
    assert ModelSpec(cell="gru").gates == 3 and ModelSpec(cell="rnn").gates == 1


# (fields, words the message must contain): one row per validation rule.
INVALID = {
    "bad cell": (
        dict(cell="transformer"),
        ["cell must be one of", "rnn, lstm, gru", "transformer"],
    ),
    "bad impl": (dict(impl="cuda"), ["impl must be one of", "torch, scratch"]),
    "bad nonlinearity": (dict(cell="rnn", nonlinearity="gelu"), ["nonlinearity", "tanh, relu"]),
    "hidden_size 0": (dict(hidden_size=0), ["hidden_size must be between 1 and 1024", "got 0"]),
    "hidden_size too big": (dict(hidden_size=MAX_HIDDEN + 1), ["hidden_size", "between 1 and"]),
    "hidden_size float": (dict(hidden_size=8.0), ["hidden_size must be a whole number", "8.0"]),
    "hidden_size bool": (dict(hidden_size=True), ["hidden_size must be a whole number", "True"]),
    "num_layers bool": (dict(num_layers=True), ["num_layers must be a whole number", "True"]),
    "num_layers 0": (dict(num_layers=0), ["num_layers must be between 1 and"]),
    "input_size 0": (dict(input_size=0), ["input_size must be between 1 and"]),
    "output_size 0": (dict(output_size=0), ["output_size must be between 1 and"]),
    "proj_size negative": (dict(proj_size=-1), ["proj_size must be between 0 and"]),
    "bias given as int": (dict(bias=1), ["bias must be true or false", "got 1"]),
    "batch_first as str": (dict(batch_first="yes"), ["batch_first must be true or false"]),
    "bidirectional as int": (dict(bidirectional=0), ["bidirectional must be true or false"]),
    "layer_norm as int": (dict(layer_norm=1), ["layer_norm must be true or false"]),
    "proj_size == hidden_size": (
        dict(hidden_size=4, proj_size=4),
        ["proj_size (4) must be smaller than hidden_size (4)"],
    ),
    "proj_size > hidden_size": (
        dict(hidden_size=4, proj_size=9),
        ["proj_size (9) must be smaller than hidden_size (4)"],
    ),
    "proj_size on GRU": (
        dict(cell="gru", hidden_size=8, proj_size=2),
        ["proj_size is an LSTM option", "set it to 0 for GRU"],
    ),
    "proj_size on RNN": (dict(cell="rnn", hidden_size=8, proj_size=2), ["0 for RNN"]),
    "relu on LSTM": (
        dict(cell="lstm", nonlinearity="relu"),
        ["nonlinearity applies to the plain RNN only", "LSTM", "cell='rnn'"],
    ),
    "relu on GRU": (dict(cell="gru", nonlinearity="relu"), ["plain RNN only", "GRU"]),
    "layer_norm on torch impl": (
        dict(cell="lstm", impl="torch", layer_norm=True),
        ["layer_norm is available for the scratch LSTM only", "impl='scratch'"],
    ),
    "layer_norm on GRU": (
        dict(cell="gru", impl="scratch", layer_norm=True),
        ["layer_norm is available for the scratch LSTM only", "cell='lstm'"],
    ),
    "layer_norm with proj_size": (
        dict(cell="lstm", impl="scratch", layer_norm=True, hidden_size=8, proj_size=2),
        ["layer_norm and proj_size cannot be combined"],
    ),
    "dropout negative": (dict(dropout=-0.1), ["dropout", "must be in [0, 1)", "-0.1"]),
    "dropout 1": (dict(dropout=1.0), ["dropout", "must be in [0, 1)", "1.0"]),
    "dropout above 1": (dict(dropout=1.5), ["must be in [0, 1)"]),
    "dropout as str": (dict(dropout="0.2"), ["dropout must be a number between 0 and 1", "'0.2'"]),
    "dropout as bool": (dict(dropout=True), ["dropout must be a number"]),
}


@pytest.mark.parametrize(("fields", "words"), list(INVALID.values()), ids=list(INVALID))
def test_invalid_spec_says_what_to_change(fields: dict, words: list[str]) -> None:
    with pytest.raises(SpecError) as info:
        ModelSpec(**fields)
    message = str(info.value)
    for word in words:
        assert word in message
    # The same rule holds at every boundary a spec can come in through.
    with pytest.raises(SpecError):
        ModelSpec.from_dict(fields)
    with pytest.raises(SpecError):
        ModelSpec.from_json(json.dumps(fields))


def test_spec_error_is_a_value_error() -> None:
    assert issubclass(SpecError, ValueError)


def test_unknown_field_in_from_dict() -> None:
    with pytest.raises(SpecError) as info:
        ModelSpec.from_dict({"hiden_size": 8, "cell": "gru"})
    message = str(info.value)
    assert "Unknown spec field(s) hiden_size" in message
    assert "known fields:" in message and "hidden_size" in message


@pytest.mark.parametrize("data", [[1, 2], "lstm", None, 3], ids=["list", "str", "None", "int"])
def test_from_dict_needs_a_mapping(data) -> None:
    with pytest.raises(SpecError, match="must be a mapping of field names to values, not "):
        ModelSpec.from_dict(data)


def test_from_json_errors() -> None:
    with pytest.raises(SpecError, match="not valid JSON"):
        ModelSpec.from_json("{cell: lstm")
    with pytest.raises(SpecError, match="must be a mapping.*not list"):
        ModelSpec.from_json("[1, 2]")
    with pytest.raises(SpecError, match="Unknown spec field"):
        ModelSpec.from_json('{"cells": "lstm"}')


def test_dropout_with_one_layer_is_a_warning_not_an_error() -> None:
    spec = ModelSpec(dropout=0.3, num_layers=1)
    (warning,) = spec.warnings()
    assert "dropout" in warning and "num_layers=1" in warning
    assert spec.replace(num_layers=2).warnings() == ()
    assert spec.replace(dropout=0.0).warnings() == ()


def test_deep_relu_rnn_is_a_warning() -> None:
    spec = ModelSpec(cell="rnn", nonlinearity="relu", num_layers=3)
    (warning,) = spec.warnings()
    assert "ReLU" in warning and "clipping" in warning
    assert spec.replace(num_layers=2).warnings() == ()


SWEEP = [
    ModelSpec(),
    ModelSpec(cell="rnn", nonlinearity="relu", num_layers=3, dropout=0.25, bias=False),
    ModelSpec(cell="gru", batch_first=False, bidirectional=True, output_size=7),
    ModelSpec(cell="lstm", hidden_size=16, proj_size=15, bidirectional=True, impl="scratch"),
    ModelSpec(cell="lstm", impl="scratch", layer_norm=True, input_size=MAX_INPUT),
    ModelSpec(hidden_size=MAX_HIDDEN, num_layers=MAX_LAYERS, output_size=MAX_OUTPUT),
    ModelSpec(hidden_size=1, dropout=0.1 + 0.2),  # 0.30000000000000004 must survive JSON
]


def _assert_round_trips(spec: ModelSpec) -> None:
    d = spec.to_dict()
    assert ModelSpec.from_dict(d) == spec
    assert json.loads(spec.to_json()) == d
    again = ModelSpec.from_json(spec.to_json())
    assert again == spec
    assert again.to_json() == spec.to_json()
    # Lossless means types too: a float dropout must not come back as an int, nor a bool as 0/1.
    for f in dataclasses.fields(ModelSpec):
        assert type(getattr(again, f.name)) is type(getattr(spec, f.name)), f.name


@pytest.mark.parametrize("spec", SWEEP, ids=lambda s: s.to_json())
def test_round_trip_sweep(spec: ModelSpec) -> None:
    _assert_round_trips(spec)


def test_to_dict_has_every_field_and_json_is_canonical() -> None:
    spec = ModelSpec()
    assert list(spec.to_dict()) == [f.name for f in dataclasses.fields(ModelSpec)]
    text = spec.to_json()
    assert text == json.dumps(json.loads(text), sort_keys=True)


@st.composite
def valid_specs(draw) -> ModelSpec:
    """Any combination the rules accept, drawn field by field so that few draws are rejected."""
    cell = draw(st.sampled_from(CELLS))
    impl = draw(st.sampled_from(IMPLS))
    hidden = draw(st.integers(1, MAX_HIDDEN))
    proj = draw(st.integers(0, hidden - 1)) if cell == "lstm" else 0
    return ModelSpec(
        cell=cell,
        input_size=draw(st.integers(1, MAX_INPUT)),
        hidden_size=hidden,
        num_layers=draw(st.integers(1, MAX_LAYERS)),
        nonlinearity=draw(st.sampled_from(("tanh", "relu"))) if cell == "rnn" else "tanh",
        bias=draw(st.booleans()),
        batch_first=draw(st.booleans()),
        dropout=draw(st.floats(0.0, 1.0, exclude_max=True, allow_nan=False)),
        bidirectional=draw(st.booleans()),
        proj_size=proj,
        impl=impl,
        layer_norm=draw(st.booleans()) if (cell, impl, proj) == ("lstm", "scratch", 0) else False,
        output_size=draw(st.integers(1, MAX_OUTPUT)),
    )


@settings(max_examples=100, deadline=None)
@given(valid_specs())
def test_round_trip_any_valid_spec(spec: ModelSpec) -> None:
    _assert_round_trips(spec)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["input_size", "hidden_size", "num_layers", "output_size"]),
    st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_HIDDEN + 1)),
)
def test_out_of_range_sizes_are_rejected(name: str, value: int) -> None:
    with pytest.raises(SpecError, match=f"{name} must be between 1 and"):
        ModelSpec(**{name: value})
