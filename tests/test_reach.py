"""rnnlib.labs.reach: gradient reach by lag equals the chain rule done by hand, and autograd per sample."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlib.labs.inside import InsideError
from rnnlib.labs.memory_lab import QuickTrain, small_model
from rnnlib.labs.reach import PROBE, gradient_reach, reach_experiment, task_data
from rnnlib.models import build_model
from rnnlib.spec import ModelSpec

TINY = QuickTrain(hidden_size=3, n_train=16, epochs=1)


@pytest.mark.parametrize("impl", ["torch", "scratch"])
def test_one_unit_linear_rnn_reach_is_w_hh_to_the_lag(impl):
    # h_t = relu(w_ih x_t + w_hh h_{t-1}) stays linear for positive weights and inputs, so
    # ∂y/∂x_{T-1-lag} = w_head · w_hh^lag · w_ih exactly
    spec = ModelSpec(cell="rnn", hidden_size=1, nonlinearity="relu", bias=False, impl=impl)
    model = build_model(spec, seed=0)
    w_ih, w_hh, w_head = 0.8, 0.9, 1.5
    with torch.no_grad():
        model.rnn.weight_ih_l0.fill_(w_ih)
        model.rnn.weight_hh_l0.fill_(w_hh)
        model.head.weight.fill_(w_head)
    x = np.random.default_rng(0).uniform(0.1, 1.0, (5, 12, 1))
    want = w_head * w_hh ** np.arange(12) * w_ih
    np.testing.assert_allclose(gradient_reach(model, x), want, rtol=1e-5)


def test_reach_is_the_mean_of_per_sample_gradient_norms():
    spec = ModelSpec(cell="lstm", hidden_size=4, input_size=2, num_layers=2, bidirectional=True)
    model = build_model(spec.replace(batch_first=False, dropout=0.3), seed=1)
    x = torch.randn(3, 6, 2)
    norms = []
    for b in range(3):
        xb = x[b : b + 1].transpose(0, 1).clone().requires_grad_(True)  # (T, 1, I)
        model.eval()
        (g,) = torch.autograd.grad(model(xb)[0, 0], xb)
        norms.append(g[:, 0].norm(dim=1).flip(0))  # by lag
    model.train()
    want = torch.stack(norms).mean(0).double().numpy()
    np.testing.assert_allclose(gradient_reach(model, x), want, rtol=1e-5, atol=1e-9)
    assert model.training  # mode restored
    assert all(p.grad is None for p in model.parameters())  # nothing accumulated


def test_one_window_is_accepted_and_bad_shapes_are_refused():
    model = build_model(ModelSpec(cell="gru", hidden_size=2), seed=0)
    assert gradient_reach(model, np.zeros((9, 1))).shape == (9,)
    with pytest.raises(InsideError, match=r"shape \(samples, steps, features\), got \(0, 4, 1\)"):
        gradient_reach(model, np.zeros((0, 4, 1)))


def test_untrained_plain_rnn_reach_vanishes_with_the_lag():
    X, _, _ = task_data("memory", 30, 5, 32, seed=0)
    model = small_model("rnn", QuickTrain(hidden_size=8), input_size=X.shape[2])
    reach = gradient_reach(model, X)
    assert reach[20] < 1e-3 * reach[0]


def test_reach_experiment_curves_for_each_cell():
    reports = []
    result = reach_experiment(
        "memory", ("rnn", "gru"), True, length=6, delay=2, quick=TINY,
        on_progress=lambda *a: reports.append(a),
    )  # fmt: skip
    assert (result.task, result.length, result.delay) == ("memory", 6, 2)
    assert list(result.curves) == ["rnn", "gru"]
    for cell, curves in result.curves.items():
        assert set(curves) == {"untrained", "trained"}
        assert all(c.shape == (6,) and np.all(c >= 0) for c in curves.values())
        assert not np.allclose(curves["untrained"], curves["trained"])
        assert 0 <= result.scores[cell] <= 1  # accuracy
    assert [r[:2] for r in reports] == [(1, 2), (2, 2)]
    assert reports[-1][2].startswith("GRU: trained, test accuracy")


def test_untrained_curve_comes_from_the_seeded_initial_weights():
    result = reach_experiment("sine", ("lstm",), False, length=5, quick=TINY)
    assert (
        result.delay is None and result.scores == {} and set(result.curves["lstm"]) == {"untrained"}
    )
    X, _, _ = task_data("sine", 5, 0, 256, seed=TINY.seed + 1)
    want = gradient_reach(small_model("lstm", TINY), X[:PROBE])
    np.testing.assert_allclose(result.curves["lstm"]["untrained"], want)


def test_sine_task_targets_are_the_next_value():
    X, y, loss = task_data("sine", 8, 0, 20, seed=0)
    assert X.shape == (20, 8, 1) and y.shape == (20,) and loss == "mse"
    np.testing.assert_array_equal(X[1, -1, 0], y[0])


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(task="stock"), "task must be one of memory, sine; got 'stock'."),
        (dict(cells=("lstm", "tcn")), "cells must be some of rnn, lstm, gru; got ['lstm', 'tcn']."),
        (dict(length=1), "length must be a whole number from 2 to 500, got 1."),
        (dict(length=5, delay=5), "delay must be a whole number from 0 to 4, got 5."),
    ],
)
def test_reach_experiment_rejects_bad_settings(kw, message):
    with pytest.raises(InsideError) as e:
        reach_experiment(quick=TINY, **kw)
    assert str(e.value) == message
