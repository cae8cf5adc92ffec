"""The one-step cells and what ScratchRecurrent records from them for the Inside page.

Recorded values are checked against the cell equations themselves (c_t = f ⊙ c_{t-1} + i ⊙ g, ...),
against the module's own output and final state, and against the raw weights, so a mislabelled
gate or a reverse direction left in processing order fails here.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from rnnlib.cells import RECORDED, gru_step, lstm_step, rnn_step
from rnnlib.models import build_core
from rnnlib.scratch import ScratchRecurrent
from rnnlib.spec import ModelSpec

# batch, steps, input features, hidden units
B, T, IN, H = 3, 5, 3, 5
TOL = dict(atol=1e-5, rtol=1e-5)

SPECS = {
    "rnn": dict(cell="rnn"),
    "rnn-relu": dict(cell="rnn", nonlinearity="relu"),
    "lstm": dict(cell="lstm"),
    "lstm-proj3": dict(cell="lstm", proj_size=3),
    "gru": dict(cell="gru"),
}


def _spec(name: str, **changes) -> ModelSpec:
    fields = dict(input_size=IN, hidden_size=H, num_layers=2, bidirectional=True, impl="scratch")
    return ModelSpec(**(fields | SPECS[name] | changes))


def _recorded_run(spec: ModelSpec, seed: int = 0):
    """Run once with record=True and a random initial state; return module, x, hx, output, state."""
    torch.manual_seed(seed)
    scr = build_core(spec).eval()
    assert isinstance(scr, ScratchRecurrent)
    scr.record = True
    x = torch.randn(B, T, IN)
    L, D = spec.num_layers, spec.num_directions
    h0 = torch.randn(L * D, B, spec.state_size)
    hx = (h0, torch.randn(L * D, B, H)) if spec.cell == "lstm" else h0
    out, state = scr(x, hx)
    return scr, x, hx, out, state


def _previous(seq: torch.Tensor, init: torch.Tensor, d: int) -> torch.Tensor:
    """The state each step started from, in input time order: (B, T, W).

    Forward: step t follows t-1 and step 0 follows init. Reverse: step t follows t+1 and the
    last step follows init.
    """
    if d == 0:
        return torch.cat([init.unsqueeze(1), seq[:, :-1]], dim=1)
    return torch.cat([seq[:, 1:], init.unsqueeze(1)], dim=1)


@pytest.mark.parametrize("name", list(SPECS))
def test_recorded_names_and_shapes(name: str) -> None:
    spec = _spec(name)
    scr, *_ = _recorded_run(spec)
    D = spec.num_directions
    assert set(scr.recorded) == {(layer, d) for layer in range(spec.num_layers) for d in range(D)}
    for key, values in scr.recorded.items():
        assert tuple(values) == RECORDED[spec.cell], key  # the documented names, display order
        for k, v in values.items():
            width = spec.state_size if k == "h" else H
            assert v.shape == (B, T, width), (key, k)
            assert not v.requires_grad, "recordings are for display and must not hold the graph"


@pytest.mark.parametrize("name", list(SPECS))
def test_recorded_values_lie_in_their_activation_ranges(name: str) -> None:
    spec = _spec(name)
    scr, *_ = _recorded_run(spec)
    sigmoid = {"lstm": ("i", "f", "o"), "gru": ("r", "z")}.get(spec.cell, ())
    tanh = {"lstm": ("g",), "gru": ("n",)}.get(spec.cell, ())
    for values in scr.recorded.values():
        for k in sigmoid:
            assert ((values[k] > 0) & (values[k] < 1)).all(), k
        for k in tanh:
            assert (values[k].abs() < 1).all(), k
        if name == "rnn":
            assert (values["h"].abs() < 1).all()
        if name == "rnn-relu":
            assert (values["h"] >= 0).all() and (values["h"] > 0).any()


@pytest.mark.parametrize("name", list(SPECS))
def test_recorded_h_is_the_output_in_input_time_order(name: str) -> None:
    spec = _spec(name)
    scr, _, _, out, state = _recorded_run(spec)
    P, D, L = spec.state_size, spec.num_directions, spec.num_layers
    h_n = state[0] if isinstance(state, tuple) else state
    for d in range(D):
        # The last layer's h is the output; the reverse direction sits in output[..., P:].
        torch.testing.assert_close(scr.recorded[(L - 1, d)]["h"], out[..., d * P : (d + 1) * P])
    for (layer, d), values in scr.recorded.items():
        # Every layer ends where h_n says: the forward direction at t = T-1, the reverse at t = 0.
        last = values["h"][:, -1] if d == 0 else values["h"][:, 0]
        torch.testing.assert_close(last, h_n[layer * D + d])
    if spec.cell == "lstm":
        c_n = state[1]
        for (layer, d), values in scr.recorded.items():
            last = values["c"][:, -1] if d == 0 else values["c"][:, 0]
            torch.testing.assert_close(last, c_n[layer * D + d])


@pytest.mark.parametrize("name", ["lstm", "lstm-proj3"])
def test_recorded_lstm_satisfies_its_equations(name: str) -> None:
    spec = _spec(name)
    scr, _, (h0, c0), _, _ = _recorded_run(spec)
    D = spec.num_directions
    for (layer, d), v in scr.recorded.items():
        c_prev = _previous(v["c"], c0[layer * D + d], d)
        # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
        torch.testing.assert_close(v["c"], v["f"] * c_prev + v["i"] * v["g"], **TOL)
        # h_t = o_t ⊙ tanh(c_t), then W_hr when projecting
        h = v["o"] * torch.tanh(v["c"])
        if spec.proj_size:
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            h = h @ getattr(scr, f"weight_hr{sfx}").detach().t()
        torch.testing.assert_close(v["h"], h, **TOL)


def test_recorded_gru_satisfies_its_equations() -> None:
    spec = _spec("gru")
    scr, _, h0, _, _ = _recorded_run(spec)
    D = spec.num_directions
    for (layer, d), v in scr.recorded.items():
        h_prev = _previous(v["h"], h0[layer * D + d], d)
        # h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
        torch.testing.assert_close(v["h"], (1 - v["z"]) * v["n"] + v["z"] * h_prev, **TOL)


@pytest.mark.parametrize("name", list(SPECS))
@pytest.mark.parametrize("d", [0, 1], ids=["fwd", "rev"])
def test_recorded_gates_follow_from_the_weights(name: str, d: int) -> None:
    """Layer 0's gates recomputed from x, h_{t-1} and the named weights: a swapped label fails."""
    spec = _spec(name)
    scr, x, hx, _, _ = _recorded_run(spec)
    v = scr.recorded[(0, d)]
    h0 = hx[0] if isinstance(hx, tuple) else hx
    h_prev = _previous(v["h"], h0[d], d)
    sfx = "_l0" + ("_reverse" if d else "")
    w_ih, w_hh, b_ih, b_hh = (
        getattr(scr, f"{n}{sfx}").detach() for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    )
    xi = F.linear(x, w_ih, b_ih)  # (B, T, G*H)
    hh = F.linear(h_prev, w_hh, b_hh)
    if spec.cell == "rnn":
        act = torch.relu if spec.nonlinearity == "relu" else torch.tanh
        torch.testing.assert_close(v["h"], act(xi + hh), **TOL)
    elif spec.cell == "lstm":
        i, f, g, o = (xi + hh).chunk(4, dim=-1)
        gates = {"i": i.sigmoid(), "f": f.sigmoid(), "g": g.tanh(), "o": o.sigmoid()}
        for k, expected in gates.items():
            torch.testing.assert_close(v[k], expected, **TOL, msg=k)
    else:
        x_r, x_z, x_n = xi.chunk(3, dim=-1)
        h_r, h_z, h_n = hh.chunk(3, dim=-1)
        torch.testing.assert_close(v["r"], (x_r + h_r).sigmoid(), **TOL)
        torch.testing.assert_close(v["z"], (x_z + h_z).sigmoid(), **TOL)
        # n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
        torch.testing.assert_close(v["n"], torch.tanh(x_n + v["r"] * h_n), **TOL)


@pytest.mark.parametrize("name", list(SPECS))
def test_recording_off_stores_nothing_and_changes_nothing(name: str) -> None:
    spec = _spec(name)
    torch.manual_seed(5)
    scr = build_core(spec).eval()
    # Recording runs the step functions, differentiated by autograd: compare with that path, whose
    # numbers must not move by a bit. (The default hand-written backward is checked in test_bptt.)
    scr.backward = "autograd"
    x = torch.randn(B, T, IN, requires_grad=True)

    def run(record: bool):
        scr.record = record
        scr.zero_grad(set_to_none=True)
        x.grad = None
        out, state = scr(x)
        states = state if isinstance(state, tuple) else (state,)
        (out.sum() + sum(s.sum() for s in states)).backward()
        return out, states, x.grad.clone(), [p.grad.clone() for p in scr.parameters()]

    out_on, states_on, gx_on, gp_on = run(True)
    assert scr.recorded
    out_off, states_off, gx_off, gp_off = run(False)
    assert scr.recorded == {}, "a later forward with record=False must clear old recordings"
    assert torch.equal(out_on, out_off)
    for a, b in zip(states_on, states_off, strict=True):
        assert torch.equal(a, b)
    assert torch.equal(gx_on, gx_off)
    for a, b in zip(gp_on, gp_off, strict=True):
        assert torch.equal(a, b)


def test_recording_starts_off() -> None:
    scr = build_core(_spec("lstm"))
    scr(torch.randn(B, T, IN))
    assert scr.record is False and scr.recorded == {}


# One step of each cell against torch's own *Cell modules, weights shared.


def _cell_pair(kind: str, bias: bool, **kwargs):
    torch.manual_seed(6)
    ref = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[kind](IN, H, bias, **kwargs)
    x, h, c = torch.randn(B, IN), torch.randn(B, H), torch.randn(B, H)
    w_ih, w_hh = ref.weight_ih.detach(), ref.weight_hh.detach()
    b_ih = ref.bias_ih.detach() if bias else None
    b_hh = ref.bias_hh.detach() if bias else None
    return ref, x, h, c, w_ih, w_hh, b_ih, b_hh


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("relu", [False, True], ids=["tanh", "relu"])
def test_rnn_step_matches_rnncell(relu: bool, bias: bool) -> None:
    act = "relu" if relu else "tanh"
    ref, x, h, _, w_ih, w_hh, b_ih, b_hh = _cell_pair("rnn", bias, nonlinearity=act)
    xw = F.linear(x, w_ih, None if b_ih is None else b_ih + b_hh)
    rec: dict = {"h": []}
    got = rnn_step(xw, h, w_hh.t(), relu, rec)
    torch.testing.assert_close(got, ref(x, h).detach(), **TOL)
    assert rec["h"][0] is got


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_lstm_step_matches_lstmcell(bias: bool) -> None:
    ref, x, h, c, w_ih, w_hh, b_ih, b_hh = _cell_pair("lstm", bias)
    xw = F.linear(x, w_ih, None if b_ih is None else b_ih + b_hh)
    got_h, got_c = lstm_step(xw, h, c, w_hh.t(), None, None, None)
    want_h, want_c = ref(x, (h, c))
    torch.testing.assert_close(got_h, want_h.detach(), **TOL)
    torch.testing.assert_close(got_c, want_c.detach(), **TOL)


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_gru_step_matches_grucell(bias: bool) -> None:
    ref, x, h, _, w_ih, w_hh, b_ih, b_hh = _cell_pair("gru", bias)
    # The GRU keeps b_hh out of the input side: b_hn sits inside r ⊙ (W_hn h + b_hn).
    got = gru_step(F.linear(x, w_ih, b_ih), h, w_hh.t(), b_hh, None)
    torch.testing.assert_close(got, ref(x, h).detach(), **TOL)
