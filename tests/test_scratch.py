"""ScratchRecurrent against torch.nn.RNN/LSTM/GRU: same parameters, same numbers, same gradients.

Each option combination is its own test id, e.g. ``lstm-L2-bi-bias-bf-proj3-hx``. The scratch module
takes the torch module's weights through ``load_state_dict``, so a mismatch in names, shapes, gate
order or bias placement fails here before it can reach a page.
"""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from torch import nn

from rnnlib.models import build_core
from rnnlib.scratch import ScratchRecurrent
from rnnlib.spec import ModelSpec

# Tiny on purpose: the point is agreement, not scale.
IN, H = 3, 5  # input features, hidden units
TOL = dict(atol=1e-5, rtol=1e-5)

# nn.LSTM with proj_size falls back from oneDNN and says so; the fallback is what we compare with.
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections:UserWarning")


def _combos():
    """Every option combination, one pytest.param each, with a readable id."""
    cell_variants = [("rnn", "tanh", 0), ("rnn", "relu", 0), ("lstm", "tanh", 0)]
    cell_variants += [("lstm", "tanh", 3), ("gru", "tanh", 0)]
    flags = itertools.product((1, 2), (False, True), (False, True), (False, True), (False, True))
    for (cell, act, proj), (layers, bi, bias, bf, hx) in itertools.product(cell_variants, flags):
        spec = ModelSpec(
            cell=cell,
            input_size=IN,
            hidden_size=H,
            num_layers=layers,
            nonlinearity=act,
            bias=bias,
            batch_first=bf,
            dropout=0.3 if layers == 2 else 0.0,
            bidirectional=bi,
            proj_size=proj,
        )
        parts = [cell + ("-relu" if act == "relu" else ""), f"L{layers}", "bi" if bi else "uni"]
        parts += ["bias" if bias else "nobias", "bf" if bf else "tbf"]
        parts += [f"proj{proj}"] if cell == "lstm" else []
        parts += ["hx" if hx else "nohx"]
        yield pytest.param(spec, hx, id="-".join(parts))


def _pair(spec: ModelSpec) -> tuple[nn.Module, ScratchRecurrent]:
    """A torch core and a scratch core for the same spec, both in eval mode, weights shared."""
    ref = build_core(spec)
    scr = build_core(spec.replace(impl="scratch"))
    assert isinstance(ref, nn.RNNBase) and isinstance(scr, ScratchRecurrent)
    ref_shapes = [(k, tuple(v.shape)) for k, v in ref.state_dict().items()]
    scr_shapes = [(k, tuple(v.shape)) for k, v in scr.state_dict().items()]
    # Identical names, shapes AND order: a checkpoint from either loads into the other.
    assert scr_shapes == ref_shapes
    # Scratch -> torch (strict) must also work; then torch's weights are the reference for both.
    probe = build_core(spec)
    probe.load_state_dict(scr.state_dict())
    for k, v in scr.state_dict().items():
        assert torch.equal(probe.state_dict()[k], v), k
    scr.load_state_dict(ref.state_dict())
    # Dropout between layers is random in training mode; agreement is checked in eval mode.
    return ref.eval(), scr.eval()


def _inputs(spec: ModelSpec, B: int, T: int, with_hx: bool, batched: bool = True):
    """x and hx for the spec (hx None, a tensor, or (h0, c0) for LSTM), all requiring grad."""
    L, D, P = spec.num_layers, spec.num_directions, spec.state_size
    if not batched:
        x = torch.randn(T, spec.input_size)
        state_shape: tuple[int, ...] = (L * D,)
    else:
        x = (
            torch.randn(B, T, spec.input_size)
            if spec.batch_first
            else torch.randn(T, B, spec.input_size)
        )
        state_shape = (L * D, B)
    x.requires_grad_(True)
    if not with_hx:
        return x, None
    h0 = torch.randn(*state_shape, P, requires_grad=True)
    if spec.cell != "lstm":
        return x, h0
    return x, (h0, torch.randn(*state_shape, spec.hidden_size, requires_grad=True))


def _leaves(x, hx):
    """Fresh leaf copies, so each module gets its own .grad."""
    x2 = x.detach().clone().requires_grad_(True)
    if hx is None:
        return x2, None
    if isinstance(hx, tuple):
        return x2, tuple(s.detach().clone().requires_grad_(True) for s in hx)
    return x2, hx.detach().clone().requires_grad_(True)


def _run(module: nn.Module, x, hx, weights):
    """Forward, then backward of a random weighting of output, h_n (and c_n).

    Weighting every returned tensor makes the gradient flow in through h_n / c_n as well as
    through the output, and a random weighting cannot hide a swapped pair of units.
    """
    x, hx = _leaves(x, hx)
    module.zero_grad(set_to_none=True)
    out, state = module(x, hx)
    states = state if isinstance(state, tuple) else (state,)
    loss = (out * weights[0]).sum() + sum(
        (s * w).sum() for s, w in zip(states, weights[1:], strict=True)
    )
    loss.backward()
    hx_list = [] if hx is None else list(hx) if isinstance(hx, tuple) else [hx]
    return out, states, x.grad, [s.grad for s in hx_list]


def _assert_same(spec: ModelSpec, x, hx) -> None:
    ref, scr = _pair(spec)
    with torch.no_grad():
        out, state = ref(x, hx)
    states = state if isinstance(state, tuple) else (state,)
    weights = [torch.randn_like(out)] + [torch.randn_like(s) for s in states]

    out_r, states_r, gx_r, ghx_r = _run(ref, x, hx, weights)
    out_s, states_s, gx_s, ghx_s = _run(scr, x, hx, weights)

    torch.testing.assert_close(out_s, out_r, **TOL)
    # (h_n, c_n) for LSTM, h_n otherwise
    for s, r in zip(states_s, states_r, strict=True):
        torch.testing.assert_close(s, r, **TOL)
    torch.testing.assert_close(gx_s, gx_r, **TOL)
    for s, r in zip(ghx_s, ghx_r, strict=True):
        torch.testing.assert_close(s, r, **TOL)
    ref_params = dict(ref.named_parameters())
    for name, p in scr.named_parameters():
        assert p.grad is not None, f"no gradient reached {name}"
        torch.testing.assert_close(p.grad, ref_params[name].grad, **TOL, msg=name)


@pytest.mark.parametrize(("spec", "with_hx"), list(_combos()))
def test_matches_torch(spec: ModelSpec, with_hx: bool) -> None:
    torch.manual_seed(0)
    # B = 3, T = 4: distinct sizes, so a batch/time mix-up fails on shape or value.
    x, hx = _inputs(spec, B=3, T=4, with_hx=with_hx)
    _assert_same(spec, x, hx)


@pytest.mark.parametrize("with_hx", [False, True], ids=["nohx", "hx"])
@pytest.mark.parametrize(
    "spec",
    [
        ModelSpec(cell="rnn", input_size=IN, hidden_size=H, num_layers=2, bidirectional=True),
        ModelSpec(cell="lstm", input_size=IN, hidden_size=H, num_layers=2, bidirectional=True),
        ModelSpec(cell="lstm", input_size=IN, hidden_size=H, bidirectional=True, proj_size=3),
        ModelSpec(cell="gru", input_size=IN, hidden_size=H, num_layers=2, bidirectional=True),
        ModelSpec(cell="gru", input_size=IN, hidden_size=H, batch_first=False),
    ],
    ids=["rnn-L2-bi", "lstm-L2-bi", "lstm-bi-proj3", "gru-L2-bi", "gru-tbf"],
)
def test_unbatched_matches_torch(spec: ModelSpec, with_hx: bool) -> None:
    """A 2-D input (T, I) is one sequence, whatever batch_first says; hx is then (L*D, P)."""
    torch.manual_seed(1)
    x, hx = _inputs(spec, B=1, T=6, with_hx=with_hx, batched=False)
    _assert_same(spec, x, hx)


def test_longer_sequence_batch_two() -> None:
    """The other corner of the size range: B = 2, T = 6."""
    torch.manual_seed(2)
    spec = ModelSpec(cell="lstm", input_size=IN, hidden_size=H, num_layers=2, bidirectional=True)
    x, hx = _inputs(spec, B=2, T=6, with_hx=True)
    _assert_same(spec, x, hx)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_init_is_pytorch_uniform(cell: str) -> None:
    """Every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)), in torch's parameter order."""
    hidden = 64
    spec = ModelSpec(cell=cell, input_size=8, hidden_size=hidden, num_layers=2, impl="scratch")
    k = 1 / math.sqrt(hidden)
    torch.manual_seed(3)
    scr = build_core(spec)
    for name, p in scr.named_parameters():
        assert p.min() >= -k and p.max() <= k, name
        # Spread over the whole interval, not a narrower or constant init.
        assert p.min() < -0.9 * k and p.max() > 0.9 * k, name
    flat = torch.cat([p.detach().flatten() for p in scr.parameters()])
    assert flat.std().item() == pytest.approx(k / math.sqrt(3), rel=0.05)
    # Same draws in the same order as torch: the same seed gives nn's very weights.
    torch.manual_seed(3)
    ref = build_core(spec.replace(impl="torch"))
    for (name, p), (_, q) in zip(scr.named_parameters(), ref.named_parameters(), strict=True):
        assert torch.equal(p, q), name


def test_reset_parameters_layer_norm_starts_as_identity() -> None:
    spec = ModelSpec(cell="lstm", input_size=IN, hidden_size=H, layer_norm=True, impl="scratch")
    scr = build_core(spec)
    k = 1 / math.sqrt(H)
    for name, p in scr.named_parameters():
        if name.startswith("ln_"):
            expected = torch.ones_like(p) if "_weight" in name else torch.zeros_like(p)
            assert torch.equal(p, expected), name
        else:
            assert p.abs().max() <= k, name


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_dropout_acts_between_layers_in_train_mode_only(cell: str) -> None:
    spec = ModelSpec(
        cell=cell, input_size=IN, hidden_size=H, num_layers=2, dropout=0.5, impl="scratch"
    )
    scr = build_core(spec)
    x = torch.randn(3, 4, IN)
    scr.train()
    first, _ = scr(x)
    second, _ = scr(x)
    assert not torch.equal(first, second), "train mode: two calls should drop different units"
    scr.eval()
    third, _ = scr(x)
    fourth, _ = scr(x)
    assert torch.equal(third, fourth)
    assert not torch.equal(first, third)


def test_no_dropout_after_last_layer() -> None:
    """With one layer there is no 'between', so train and eval agree even at dropout 0.5."""
    spec = ModelSpec(cell="lstm", input_size=IN, hidden_size=H, dropout=0.5, impl="scratch")
    scr = build_core(spec)
    x = torch.randn(3, 4, IN)
    train_out, _ = scr.train()(x)
    eval_out, _ = scr.eval()(x)
    assert torch.equal(train_out, eval_out)


def _ln_names(layers: int, bidirectional: bool) -> set[str]:
    names = set()
    for layer in range(layers):
        for sfx in [f"_l{layer}"] + ([f"_l{layer}_reverse"] if bidirectional else []):
            for part in ("ih", "hh", "c"):
                names |= {f"ln_{part}_weight{sfx}", f"ln_{part}_bias{sfx}"}
    return names


@pytest.mark.parametrize(
    ("layers", "bidirectional", "bias"),
    [(1, False, True), (2, True, True), (2, False, False)],
    ids=["L1-uni-bias", "L2-bi-bias", "L2-uni-nobias"],
)
def test_layer_norm_lstm(layers: int, bidirectional: bool, bias: bool) -> None:
    spec = ModelSpec(
        cell="lstm",
        input_size=IN,
        hidden_size=H,
        num_layers=layers,
        bidirectional=bidirectional,
        bias=bias,
        layer_norm=True,
        impl="scratch",
    )
    torch.manual_seed(4)
    scr = build_core(spec)
    params = dict(scr.named_parameters())
    ln = {n for n in params if n.startswith("ln_")}
    assert ln == _ln_names(layers, bidirectional)
    G = 4 * H
    for name in ln:
        assert params[name].shape == ((H,) if name.startswith("ln_c_") else (G,)), name

    x = torch.randn(3, 4, IN, requires_grad=True)
    out, (h_n, c_n) = scr(x)
    D = spec.num_directions
    assert out.shape == (3, 4, D * H)
    assert h_n.shape == c_n.shape == (layers * D, 3, H)
    (out.sum() + h_n.sum() + c_n.sum()).backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    for name, p in params.items():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, f"{name} has no effect on the output"

    # Normalisation changes the numbers: same weights without LN give a different output.
    plain = build_core(spec.replace(layer_norm=False))
    plain.load_state_dict({k: v for k, v in scr.state_dict().items() if not k.startswith("ln_")})
    assert not torch.allclose(plain(x)[0], out)


def test_layer_norm_checkpoint_does_not_load_into_nn_lstm() -> None:
    """A layer_norm checkpoint carries extra keys, so loading it into nn.LSTM must fail loudly."""
    spec = ModelSpec(cell="lstm", input_size=IN, hidden_size=H, layer_norm=True, impl="scratch")
    scr = build_core(spec)
    ref = build_core(spec.replace(layer_norm=False, impl="torch"))
    with pytest.raises(RuntimeError, match="Unexpected key"):
        ref.load_state_dict(scr.state_dict())
