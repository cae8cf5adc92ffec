"""The landing demo's numpy network equals torch.nn's: outputs, gradients and forecasts."""

import numpy as np
import pytest
import torch
from torch import nn

from rnnlib.demo import tiny

CELLS = ["rnn", "lstm", "gru"]
TORCH = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def torch_twin(cell: str, p: dict) -> tuple[nn.Module, nn.Linear]:
    """nn.RNN/LSTM/GRU and nn.Linear in float64 holding the numpy parameters."""
    H = p["weight_hh"].shape[1]
    core = TORCH[cell](1, H, batch_first=True).double()
    head = nn.Linear(H, 1).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(core, f"{name}_l0").copy_(torch.from_numpy(p[name]))
        head.weight.copy_(torch.from_numpy(p["head_weight"]))
        head.bias.copy_(torch.from_numpy(p["head_bias"]))
    return core, head


def last_h(state):
    return (state[0] if isinstance(state, tuple) else state)[-1]


@pytest.fixture
def batch():
    rng = np.random.default_rng(1)
    return rng.standard_normal((5, 7, 1)), rng.standard_normal((5, 1))


@pytest.mark.parametrize("cell", CELLS)
def test_loss_and_every_gradient_equal_torch(cell, batch):
    x, y = batch
    p = tiny.init_params(cell, 6, seed=3)
    loss, grads = tiny.loss_and_grads(cell, p, x, y)
    core, head = torch_twin(cell, p)
    _, state = core(torch.from_numpy(x))
    expected = torch.mean((head(last_h(state)) - torch.from_numpy(y)) ** 2)
    expected.backward()
    assert loss == pytest.approx(expected.item(), abs=1e-12)
    torch_grads = {
        **{name: getattr(core, f"{name}_l0").grad for name in tiny.NAMES[:4]},
        "head_weight": head.weight.grad,
        "head_bias": head.bias.grad,
    }
    assert set(grads) == set(torch_grads)
    for name, g in torch_grads.items():
        np.testing.assert_allclose(grads[name], g.numpy(), rtol=0, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("cell", CELLS)
def test_recursive_forecast_equals_torch_fed_its_own_outputs(cell):
    p = tiny.init_params(cell, 5, seed=0)
    context = np.sin(np.arange(12) / 2)
    got = tiny.recursive_forecast(cell, p, context, horizon=4)
    core, head = torch_twin(cell, p)
    with torch.no_grad():
        _, state = core(torch.from_numpy(context).view(1, -1, 1))
        want = []
        for _ in range(4):
            nxt = head(last_h(state)).view(1, 1, 1)
            want.append(nxt.item())
            _, state = core(nxt, state)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_init_follows_torch_bounds_and_layout():
    p = tiny.init_params("gru", 16, seed=0)
    core, head = TORCH["gru"](1, 16), nn.Linear(16, 1)
    for name in tiny.NAMES[:4]:
        assert p[name].shape == tuple(getattr(core, f"{name}_l0").shape)
    assert p["head_weight"].shape == tuple(head.weight.shape)
    assert all(np.abs(v).max() <= 1 / 4 for v in p.values())


def test_adam_matches_torch_optim():
    rng = np.random.default_rng(0)
    w = rng.standard_normal(3)
    p, tw = {"w": w.copy()}, torch.tensor(w, requires_grad=True)
    ours, theirs = tiny.Adam(p, lr=0.1), torch.optim.Adam([tw], lr=0.1)
    for _ in range(5):
        g = rng.standard_normal(3)
        ours.step({"w": g})
        tw.grad = torch.from_numpy(g.copy())
        theirs.step()
    np.testing.assert_allclose(p["w"], tw.detach().numpy(), rtol=0, atol=1e-12)
