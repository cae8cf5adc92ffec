"""The hand-written backward through time (rnnlib/bptt) against autograd.

Two independent checks: ``torch.autograd.gradcheck`` compares the hand-written gradients with finite
differences (float64), and hypothesis draws random models and inputs on which every gradient (input,
initial state, each parameter) must equal the autograd path's (``backward="autograd"``, the step
functions of cells.py) to 1e-10. Sizes are tiny: the point is the chain rule, not scale.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.func import functional_call

from rnnlib.scratch import ScratchRecurrent
from rnnlib.spec import ModelSpec, SpecError

# (cell, nonlinearity, proj_size, layer_norm): every cell variant the scratch path supports
VARIANTS = {
    "rnn-tanh": ("rnn", "tanh", 0, False),
    "rnn-relu": ("rnn", "relu", 0, False),
    "lstm": ("lstm", "tanh", 0, False),
    "lstm-ln": ("lstm", "tanh", 0, True),
    "lstm-proj": ("lstm", "tanh", 2, False),
    "gru": ("gru", "tanh", 0, False),
}
# (layers, bidirectional, batch_first, bias, hx): each option both ways within four cases
OPTIONS = [
    (1, False, False, True, False),
    (2, True, True, True, True),
    (1, True, False, False, True),
    (2, False, True, False, False),
]


def _spec(variant: str, layers=1, bi=False, bf=False, bias=True, n_in=2, H=3, dropout=0.0):
    cell, act, proj, ln = VARIANTS[variant]
    return ModelSpec(
        cell=cell, input_size=n_in, hidden_size=H, num_layers=layers, nonlinearity=act, bias=bias,
        batch_first=bf, bidirectional=bi, proj_size=proj, layer_norm=ln, dropout=dropout,
        impl="scratch",
    )  # fmt: skip


def _inputs(spec: ModelSpec, B: int, T: int, with_hx: bool, gen: torch.Generator):
    """x, and hx as a tuple of tensors (empty, (h0,) or (h0, c0)), float64."""
    shape = (B, T, spec.input_size) if spec.batch_first else (T, B, spec.input_size)
    x = torch.randn(*shape, generator=gen, dtype=torch.float64)
    LD = spec.num_layers * spec.num_directions
    if not with_hx:
        return x, ()
    h0 = torch.randn(LD, B, spec.state_size, generator=gen, dtype=torch.float64)
    if spec.cell != "lstm":
        return x, (h0,)
    return x, (h0, torch.randn(LD, B, spec.hidden_size, generator=gen, dtype=torch.float64))


def _module(spec: ModelSpec, backward: str, seed: int) -> ScratchRecurrent:
    torch.manual_seed(seed)
    module = ScratchRecurrent(spec, backward=backward).double()
    with torch.no_grad():  # LayerNorm starts as identity: move it, so its gradients matter
        for name, p in module.named_parameters():
            if name.startswith("ln_"):
                p.add_(0.3 * torch.randn_like(p))
    return module


def _loss_fn(module: ScratchRecurrent, names: list[str], weights):
    """(x, *hx, *params) -> a random weighting of output, h_n and c_n: every output is used."""

    def loss(x, *rest):
        hx_parts, params = rest[: len(rest) - len(names)], rest[len(rest) - len(names) :]
        hx = None if not hx_parts else hx_parts if len(hx_parts) == 2 else hx_parts[0]
        out, state = functional_call(module, dict(zip(names, params, strict=True)), (x, hx))
        states = state if isinstance(state, tuple) else (state,)
        total = (out * weights[0]).sum()
        return total + sum((s * w).sum() for s, w in zip(states, weights[1:], strict=True))

    return loss


def _weights(module, x, hx, gen):
    with torch.no_grad():
        out, state = module(x, None if not hx else hx if len(hx) == 2 else hx[0])
    states = state if isinstance(state, tuple) else (state,)
    return [torch.randn(t.shape, generator=gen, dtype=torch.float64) for t in (out, *states)]


def _cases():
    for variant in VARIANTS:
        for layers, bi, bf, bias, hx in OPTIONS:
            parts = [variant, f"L{layers}", "bi" if bi else "uni", "bf" if bf else "tbf"]
            parts += ["bias" if bias else "nobias", "hx" if hx else "nohx"]
            yield pytest.param(variant, layers, bi, bf, bias, hx, id="-".join(parts))


@pytest.mark.parametrize(("variant", "layers", "bi", "bf", "bias", "with_hx"), list(_cases()))
def test_gradcheck(variant, layers, bi, bf, bias, with_hx) -> None:
    """Finite differences agree with the hand-written backward, for x, hx and every parameter."""
    spec = _spec(variant, layers, bi, bf, bias)
    module = _module(spec, "manual", seed=3)
    gen = torch.Generator().manual_seed(4)
    x, hx = _inputs(spec, B=2, T=3, with_hx=with_hx, gen=gen)
    names = [n for n, _ in module.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for _, p in module.named_parameters()]
    loss = _loss_fn(module, names, _weights(module, x, hx, gen))
    inputs = (x.requires_grad_(True), *(s.requires_grad_(True) for s in hx), *params)
    # the single-layer cases compare the full Jacobian; the rest a random projection of it
    assert torch.autograd.gradcheck(loss, inputs, eps=1e-6, atol=1e-7, fast_mode=layers > 1)


def _grads(module: ScratchRecurrent, x, hx, weights):
    x = x.clone().requires_grad_(True)
    hx = tuple(s.clone().requires_grad_(True) for s in hx)
    names = [n for n, _ in module.named_parameters()]
    params = [p for _, p in module.named_parameters()]
    loss = _loss_fn(module, names, weights)(x, *hx, *params)
    return torch.autograd.grad(loss, (x, *hx, *params))


@settings(max_examples=100, deadline=None)
@given(
    variant=st.sampled_from(sorted(VARIANTS)),
    layers=st.integers(1, 2),
    bi=st.booleans(),
    bf=st.booleans(),
    bias=st.booleans(),
    with_hx=st.booleans(),
    B=st.integers(1, 3),
    T=st.integers(1, 5),
    H=st.integers(3, 4),
    n_in=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_gradients_equal_autograd(variant, layers, bi, bf, bias, with_hx, B, T, H, n_in, seed):
    spec = _spec(variant, layers, bi, bf, bias, n_in=n_in, H=H)
    manual, reference = _module(spec, "manual", seed), _module(spec, "autograd", seed)
    gen = torch.Generator().manual_seed(seed)
    x, hx = _inputs(spec, B, T, with_hx, gen)
    weights = _weights(reference, x, hx, gen)
    names = ["x", *(f"hx{k}" for k in range(len(hx))), *(n for n, _ in manual.named_parameters())]
    got, want = _grads(manual, x, hx, weights), _grads(reference, x, hx, weights)
    for name, g, w in zip(names, got, want, strict=True):
        torch.testing.assert_close(g, w, atol=1e-10, rtol=0, msg=name)


@pytest.mark.parametrize("variant", ["lstm", "lstm-proj"])
def test_lstm_input_side_in_chunks(variant: str, monkeypatch) -> None:
    """The LSTM forward computes its input side K steps at a time and the backward sums its
    gradients chunk by chunk: with K = 2, one-step backward chunks and T = 5 (a short last chunk),
    both directions, outputs and every gradient still equal the autograd path's."""
    from rnnlib.bptt import lstm

    B, T, H = 2, 5, 3
    monkeypatch.setattr(lstm, "CHUNK", B * 4 * H * 2)
    spec = _spec(variant, layers=1, bi=True, H=H)
    manual, reference = _module(spec, "manual", 5), _module(spec, "autograd", 5)
    gen = torch.Generator().manual_seed(6)
    x, hx = _inputs(spec, B, T, True, gen)
    with torch.no_grad():
        (out_m, _), (out_r, _) = manual(x, hx), reference(x, hx)
    torch.testing.assert_close(out_m, out_r, atol=1e-12, rtol=0)
    weights = _weights(reference, x, hx, gen)
    for g, w in zip(_grads(manual, x, hx, weights), _grads(reference, x, hx, weights), strict=True):
        torch.testing.assert_close(g, w, atol=1e-10, rtol=0)


def test_dropout_between_layers_is_the_same_in_training() -> None:
    """Dropout stays outside the Functions: with the same seed both paths draw the same masks."""
    spec = _spec("lstm", layers=2, bi=True, dropout=0.5)
    gen = torch.Generator().manual_seed(0)
    x, hx = _inputs(spec, 3, 4, False, gen)
    manual, reference = _module(spec, "manual", 1).train(), _module(spec, "autograd", 1).train()
    weights = _weights(reference.eval(), x, hx, gen)
    reference.train()
    torch.manual_seed(7)
    got = _grads(manual, x, hx, weights)
    torch.manual_seed(7)
    want = _grads(reference, x, hx, weights)
    for g, w in zip(got, want, strict=True):
        torch.testing.assert_close(g, w, atol=1e-10, rtol=0)


@pytest.mark.parametrize("variant", ["rnn-tanh", "lstm", "lstm-ln", "gru"])
def test_recorded_gradients_give_the_input_gradient(variant: str) -> None:
    """record_grads keeps ∂L/∂(pre-activation) per step; times W_ih they are ∂L/∂x_t (layer 0)."""
    spec = _spec(variant, bi=True, bf=True, H=4)
    module = _module(spec, "manual", 2)
    module.record_grads = True
    x = torch.randn(2, 5, spec.input_size, dtype=torch.float64, requires_grad=True)
    out, _ = module(x)
    (out * torch.randn_like(out)).sum().backward()
    names = {"rnn": ("pre",), "lstm": tuple("ifgo"), "gru": tuple("rzn")}[spec.cell]
    expected = torch.zeros_like(x)
    for d, sfx in enumerate(("_l0", "_l0_reverse")):
        rec = module.recorded_grads[(0, d)]
        assert rec["h"].shape == (2, 5, 4)
        d_pre = torch.cat([rec[n] for n in names], dim=2)  # (B, T, G*H), PyTorch's gate order
        if spec.layer_norm:  # the input side went through LN: only the shape is checked here
            assert d_pre.shape == (2, 5, 4 * 4)
            continue
        expected += d_pre @ getattr(module, f"weight_ih{sfx}")
    if not spec.layer_norm:
        torch.testing.assert_close(x.grad, expected, atol=1e-12, rtol=0)


def test_recording_gates_takes_the_autograd_path() -> None:
    spec = _spec("gru")
    module = ScratchRecurrent(spec)
    assert module.backward == "manual"
    module.record, module.record_grads = True, True
    out, _ = module(torch.randn(4, 2, 2))
    out.sum().backward()
    assert module.recorded and not module.recorded_grads


def test_second_derivative_needs_the_autograd_path() -> None:
    module = ScratchRecurrent(_spec("rnn-tanh")).double()
    x = torch.randn(3, 2, 2, dtype=torch.float64, requires_grad=True)
    (gx,) = torch.autograd.grad(module(x)[0].pow(2).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="twice|once"):
        gx.sum().backward()
    module.backward = "autograd"
    (gx,) = torch.autograd.grad(module(x)[0].pow(2).sum(), x, create_graph=True)
    gx.sum().backward()  # fine on the reference path


def test_unknown_backward_is_refused() -> None:
    with pytest.raises(SpecError, match="backward must be one of manual, autograd; got 'fast'"):
        ScratchRecurrent(_spec("lstm"), backward="fast")
