"""rnnlib.labs.inside: the recording twin holds the model's own weights, the recorded gates are what the
cell equations give, and the step arithmetic's numbers are the recording's."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from rnnlib.labs.inside import (
    InsideError,
    core_spec,
    mirror,
    record,
    sine_windows,
    step_arithmetic,
    step_latex,
    step_values,
)
from rnnlib.models import build_model
from rnnlib.seq2seq import Seq2SeqModel
from rnnlib.spec import ModelSpec

T, H = 7, 3
TOL = dict(atol=1e-6, rtol=1e-5)
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections:UserWarning")

# One id per variant; each differs in a way the arithmetic must follow.
VARIANTS = {
    "rnn-tanh": dict(cell="rnn"),
    "rnn-relu": dict(cell="rnn", nonlinearity="relu"),
    "lstm": dict(cell="lstm"),
    "lstm-nobias": dict(cell="lstm", bias=False),
    "lstm-proj2": dict(cell="lstm", proj_size=2),
    "lstm-layernorm": dict(cell="lstm", impl="scratch", layer_norm=True),
    "gru": dict(cell="gru"),
    "gru-L2-bi-tbf": dict(cell="gru", num_layers=2, bidirectional=True, batch_first=False),
    "lstm-L2-bi-scratch": dict(cell="lstm", num_layers=2, bidirectional=True, impl="scratch"),
    "rnn-L2-bi-nobias": dict(cell="rnn", num_layers=2, bidirectional=True, bias=False),
}


def _model(**kw):
    return build_model(ModelSpec(hidden_size=H, **kw), seed=3)


def _window(features: int = 1, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (T, features)).astype(np.float32)


@pytest.mark.parametrize("kw", VARIANTS.values(), ids=VARIANTS.keys())
def test_mirror_gives_the_cores_outputs(kw):
    model = _model(**kw).eval()
    x = torch.from_numpy(np.stack([_window(seed=s) for s in range(4)]))  # (B, T, 1)
    twin = mirror(model)
    assert twin.spec.impl == "scratch" and twin.spec.batch_first and not twin.training
    out, state = model.rnn(x if model.spec.batch_first else x.transpose(0, 1))
    out_twin, state_twin = twin(x)
    out = out if model.spec.batch_first else out.transpose(0, 1)
    torch.testing.assert_close(out_twin, out, **TOL)
    for a, b in zip(
        state_twin if isinstance(state, tuple) else [state_twin],
        state if isinstance(state, tuple) else [state],
        strict=True,
    ):
        torch.testing.assert_close(a, b, **TOL)


def test_mirror_copies_and_leaves_the_original_alone():
    model = _model(cell="lstm", impl="scratch").train()
    twin = mirror(model)
    assert twin is not model.rnn
    with torch.no_grad():
        twin.weight_hh_l0.zero_()
    assert model.rnn.weight_hh_l0.abs().sum() > 0  # a copy, not shared storage
    record(model, _window())
    assert model.training and model.rnn.record is False


def test_core_spec_reads_a_bare_torch_core():
    core = torch.nn.LSTM(2, 5, num_layers=2, bidirectional=True, proj_size=3, bias=False)
    spec = core_spec(core)
    assert (spec.cell, spec.input_size, spec.hidden_size, spec.num_layers) == ("lstm", 2, 5, 2)
    assert (spec.bidirectional, spec.proj_size, spec.bias, spec.batch_first) == (
        True,
        3,
        False,
        False,
    )
    assert core_spec(torch.nn.RNN(1, 4, nonlinearity="relu")).nonlinearity == "relu"


def test_recorded_lstm_gates_equal_the_equations_by_hand():
    model = _model(cell="lstm")
    x = _window()
    rec = record(model, x)
    sd = {k: v.double().numpy() for k, v in model.rnn.state_dict().items()}
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    h, c = np.zeros(H), np.zeros(H)
    got = rec.at(0, 0)
    for t in range(T):
        # [i f g o] = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh, written out once more from the weights
        a = sd["weight_ih_l0"] @ x[t] + sd["bias_ih_l0"] + sd["weight_hh_l0"] @ h + sd["bias_hh_l0"]
        i, f, g, o = sig(a[:H]), sig(a[H : 2 * H]), np.tanh(a[2 * H : 3 * H]), sig(a[3 * H :])
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, want in dict(i=i, f=f, g=g, o=o, c=c, h=h).items():
            np.testing.assert_allclose(got[name][t], want, **TOL, err_msg=f"{name} at t={t}")


def test_recorded_gru_gates_equal_the_equations_by_hand():
    model = _model(cell="gru")
    x = _window()
    rec = record(model, x)
    sd = {k: v.double().numpy() for k, v in model.rnn.state_dict().items()}
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    h = np.zeros(H)
    for t in range(T):
        gx = sd["weight_ih_l0"] @ x[t] + sd["bias_ih_l0"]
        gh = sd["weight_hh_l0"] @ h + sd["bias_hh_l0"]
        r, z = sig(gx[:H] + gh[:H]), sig(gx[H : 2 * H] + gh[H : 2 * H])
        n = np.tanh(gx[2 * H :] + r * gh[2 * H :])
        h = (1 - z) * n + z * h
        for name, want in dict(r=r, z=z, n=n, h=h).items():
            np.testing.assert_allclose(rec.at(0, 0)[name][t], want, **TOL)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_torch_and_scratch_models_record_the_same(cell):
    torch_model = _model(cell=cell, num_layers=2, bidirectional=True)
    scratch_model = _model(cell=cell, num_layers=2, bidirectional=True, impl="scratch")
    scratch_model.load_state_dict(torch_model.state_dict())
    a, b = record(torch_model, _window()), record(scratch_model, _window())
    assert set(a.states) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    for key in a.states:
        assert list(a.states[key]) == list(a.names)
        for name in a.names:
            assert a.states[key][name].shape == (T, H)
            np.testing.assert_allclose(a.states[key][name], b.states[key][name], **TOL)
    np.testing.assert_allclose(a.prediction, b.prediction, **TOL)


def test_directions_are_in_input_time_order():
    # forward h after the last step and backward h after reading x_0 are the core's h_n
    model = _model(cell="gru", bidirectional=True)
    x = _window()
    rec = record(model, x)
    _, h_n = model.rnn(torch.from_numpy(x)[None])
    np.testing.assert_allclose(rec.at(0, 0)["h"][-1], h_n[0, 0].detach().numpy(), **TOL)
    np.testing.assert_allclose(rec.at(0, 1)["h"][0], h_n[1, 0].detach().numpy(), **TOL)
    assert not np.allclose(rec.at(0, 1)["h"][-1], h_n[1, 0].detach().numpy())


def test_prediction_is_the_models_output():
    model = _model(cell="lstm", batch_first=False).eval()
    x = _window()
    rec = record(model, x)
    want = model(torch.from_numpy(x)[:, None])[0].detach().numpy()
    np.testing.assert_allclose(rec.prediction, want, **TOL)
    assert rec.x.shape == (T, 1) and rec.steps == T


def test_seq2seq_is_looked_at_through_its_encoder():
    model = Seq2SeqModel(ModelSpec(cell="gru", hidden_size=H, input_size=2), horizon=3)
    rec = record(model, _window(features=2))
    assert rec.spec.input_size == 2 and rec.prediction.shape == (3,)
    assert rec.at(0, 0)["z"].shape == (T, H)


@pytest.mark.parametrize("kw", VARIANTS.values(), ids=VARIANTS.keys())
def test_step_arithmetic_numbers_are_the_recordings(kw):
    model = _model(**kw)
    x = _window()
    rec = record(model, x)
    spec = model.spec
    for layer in range(spec.num_layers):
        for d in range(spec.num_directions):
            for t in (0, T // 2, T - 1):  # both edges: one of them starts from the zero state
                for unit in range(H):
                    lines = step_arithmetic(model, x, layer, d, t, unit, recording=rec)
                    names = [line.name for line in lines]
                    wanted = list(rec.names)
                    if spec.proj_size and unit >= spec.proj_size:
                        wanted.remove("h")  # h has proj_size units only
                    assert names == wanted
                    for line in lines:
                        got = rec.at(layer, d)[line.name][t, unit]
                        assert line.value == pytest.approx(got, abs=1e-6), (line.name, t, unit)


@pytest.mark.parametrize("kw", VARIANTS.values(), ids=VARIANTS.keys())
def test_step_values_are_what_the_cell_computed(kw):
    model, x = _model(**kw), _window()
    rec, spec = record(model, x), model.spec
    act = {"i": _sigmoid, "f": _sigmoid, "o": _sigmoid, "r": _sigmoid, "z": _sigmoid}
    act |= {"g": np.tanh, "h": np.tanh if spec.nonlinearity == "tanh" else _relu}
    places = (range(spec.num_layers), range(spec.num_directions), (0, T // 2, T - 1), range(H))
    for at in itertools.product(*places):  # (layer, direction, t, unit)
        step = step_values(model, x, *at, recording=rec)
        layer, d, t, unit = at
        assert (step.direction, step.unit) == (d, unit)
        got = {k: rec.at(layer, d)[k][t, unit] for k in step.results}
        assert step.results == pytest.approx(got, abs=1e-6)
        for name, terms in step.terms.items():  # each gate: its activation of the terms it lists
            if name in act:
                assert step.values[name] == pytest.approx(act[name](sum(terms)))
        assert step_latex(step) == step_arithmetic(model, x, *at, recording=rec)


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def _relu(v):
    return max(v, 0.0)


def test_step_arithmetic_spells_out_the_terms():
    model = _model(cell="rnn")
    x = _window()
    (line,) = step_arithmetic(model, x, 0, 0, 2, 1)
    sd = {k: v.double().numpy() for k, v in model.rnn.state_dict().items()}
    h_prev = record(model, x).at(0, 0)["h"][1]
    terms = [
        sd["weight_ih_l0"][1] @ x[2],
        sd["bias_ih_l0"][1],
        sd["weight_hh_l0"][1] @ h_prev,
        sd["bias_hh_l0"][1],
    ]
    fmt = lambda v: f"({v:.4g})" if v < 0 else f"{v:.4g}"  # noqa: E731
    assert line.latex.startswith(r"\begin{aligned}h_t &= \tanh(W_{ih} x_t + b_{ih}")
    assert rf"\tanh({' + '.join(fmt(v) for v in terms)})" in line.latex
    assert line.latex.endswith(f"= {line.value:.4g}" + r"\end{aligned}")
    assert line.value == pytest.approx(np.tanh(sum(terms)))


def test_step_arithmetic_backward_direction_reads_the_next_step():
    model = _model(cell="lstm", bidirectional=True)
    lines = step_arithmetic(model, _window(), 0, 1, 3, 0)
    assert "h_{t+1}" in lines[0].latex and "c_{t+1}" in lines[4].latex
    assert "_{t-1}" not in "".join(line.latex for line in lines)


@pytest.mark.parametrize(
    "args, message",
    [
        ((1, 0, 0, 0), "layer must be a whole number from 0 to 0, got 1."),
        ((0, 1, 0, 0), "direction must be a whole number from 0 to 0, got 1."),
        ((0, 0, T, 0), f"time step t must be a whole number from 0 to {T - 1}, got {T}."),
        ((0, 0, 0, H), f"unit must be a whole number from 0 to {H - 1}, got {H}."),
        ((0, 0, True, 0), "time step t must be a whole number from 0 to 6, got True."),
    ],
)
def test_step_arithmetic_rejects_indices_out_of_range(args, message):
    with pytest.raises(InsideError) as e:
        step_arithmetic(_model(cell="gru"), _window(), *args)
    assert str(e.value) == message


@pytest.mark.parametrize(
    "window, message",
    [
        (np.zeros((T, 2)), "The window must have shape (steps, 1) for this model, got (7, 2)."),
        (np.zeros(T), "The window must have shape (steps, 1) for this model, got (7,)."),
        (np.full((T, 1), np.nan), "The window contains NaN or infinite values."),
        (np.zeros((0, 1)), "The window must have 1 to 2000 steps, got 0."),
    ],
)
def test_record_rejects_bad_windows(window, message):
    with pytest.raises(InsideError) as e:
        record(_model(cell="rnn"), window)
    assert str(e.value) == message


def test_a_model_without_a_recurrent_core_is_refused():
    with pytest.raises(InsideError, match="Linear has no recurrent core"):
        record(torch.nn.Linear(1, 1), _window())


def test_sine_windows_are_shifted_slices_of_one_sine():
    w = sine_windows(length=10, count=4)
    assert w.shape == (4, 10, 1) and w.dtype == np.float32
    np.testing.assert_array_equal(w[1, :-3], w[0, 3:])
    assert w.min() < -0.5 < 0.5 < w.max()
