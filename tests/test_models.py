"""build_model: shapes, the bidirectional readout, seeding, and torch/scratch agreement end to end."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

from rnnlib.models import RecurrentModel, build_core, build_model
from rnnlib.scratch import ScratchRecurrent
from rnnlib.spec import ModelSpec

# batch, steps, input features, hidden units
B, T, IN, H = 3, 6, 2, 5

pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections:UserWarning")

VARIANTS = {
    "rnn": dict(cell="rnn"),
    "rnn-relu-L2": dict(cell="rnn", nonlinearity="relu", num_layers=2),
    "lstm": dict(cell="lstm"),
    "lstm-bi": dict(cell="lstm", bidirectional=True),
    "lstm-proj3": dict(cell="lstm", proj_size=3),
    "lstm-bi-proj3-L2": dict(cell="lstm", bidirectional=True, proj_size=3, num_layers=2),
    "gru": dict(cell="gru"),
    "gru-bi-L2": dict(cell="gru", bidirectional=True, num_layers=2),
}


def _spec(name: str, **changes) -> ModelSpec:
    return ModelSpec(
        **(dict(input_size=IN, hidden_size=H, output_size=4) | VARIANTS[name] | changes)
    )


@pytest.mark.parametrize("impl", ["torch", "scratch"])
@pytest.mark.parametrize("name", list(VARIANTS))
def test_output_shape(name: str, impl: str) -> None:
    spec = _spec(name, impl=impl)
    model = build_model(spec, seed=0)
    assert isinstance(model, RecurrentModel)
    assert isinstance(model.rnn, ScratchRecurrent if impl == "scratch" else nn.RNNBase)
    assert model.head.in_features == spec.readout_size == spec.state_size * spec.num_directions
    y = model(torch.randn(B, T, IN))
    assert y.shape == (B, spec.output_size)
    y.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize("impl", ["torch", "scratch"])
@pytest.mark.parametrize("name", ["lstm-bi", "lstm-bi-proj3-L2", "gru-bi-L2"])
def test_bidirectional_readout_is_h_n_of_both_directions(name: str, impl: str) -> None:
    spec = _spec(name, impl=impl)
    model = build_model(spec, seed=1).eval()
    x = torch.randn(B, T, IN)
    output, state = model.rnn(x)
    h_n = state[0] if isinstance(state, tuple) else state
    expected = torch.cat([h_n[-2], h_n[-1]], dim=1)  # last layer: forward, then backward
    features = model.features(x)
    torch.testing.assert_close(features, expected, atol=0, rtol=0)
    torch.testing.assert_close(model(x), model.head(expected))
    # output[:, -1] pairs the forward summary with a backward state that has seen one step only.
    P = spec.state_size
    torch.testing.assert_close(output[:, -1, :P], features[:, :P])
    assert not torch.allclose(output[:, -1], features)


@pytest.mark.parametrize("name", ["lstm", "rnn-relu-L2", "lstm-proj3"])
def test_unidirectional_readout_is_last_layer_h_n(name: str) -> None:
    model = build_model(_spec(name), seed=2)
    x = torch.randn(B, T, IN)
    output, state = model.rnn(x)
    h_n = state[0] if isinstance(state, tuple) else state
    torch.testing.assert_close(model.features(x), h_n[-1], atol=0, rtol=0)
    torch.testing.assert_close(model.features(x), output[:, -1])


@pytest.mark.parametrize("impl", ["torch", "scratch"])
@pytest.mark.parametrize("name", ["rnn", "lstm-bi-proj3-L2", "gru-bi-L2"])
def test_seed_decides_the_weights(name: str, impl: str) -> None:
    spec = _spec(name, impl=impl)
    a, b, c = build_model(spec, seed=7), build_model(spec, seed=7), build_model(spec, seed=8)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert sa.keys() == sb.keys() == sc.keys()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not any(torch.equal(sa[k], sc[k]) for k in sa)


def test_seeding_leaves_the_global_rng_alone() -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    build_model(_spec("lstm"), seed=0)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("batch_first", [True, False], ids=["bf", "tbf"])
@pytest.mark.parametrize("name", list(VARIANTS))
def test_torch_and_scratch_models_agree(name: str, batch_first: bool) -> None:
    ref = build_model(_spec(name, batch_first=batch_first, impl="torch"), seed=3).eval()
    scr = build_model(_spec(name, batch_first=batch_first, impl="scratch"), seed=4).eval()
    ref_sd, scr_sd = ref.state_dict(), scr.state_dict()
    assert [(k, v.shape) for k, v in scr_sd.items()] == [(k, v.shape) for k, v in ref_sd.items()]
    assert any(k.startswith("head.") for k in ref_sd)
    x = torch.randn(B, T, IN) if batch_first else torch.randn(T, B, IN)
    assert not torch.allclose(scr(x), ref(x)), "different seeds should predict differently"
    scr.load_state_dict(ref_sd)
    torch.testing.assert_close(scr(x), ref(x), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("impl", ["torch", "scratch"])
@pytest.mark.parametrize("name", ["lstm-bi", "gru-bi-L2", "lstm-proj3"])
def test_time_major_input(name: str, impl: str) -> None:
    """batch_first=False takes (T, B, I) and still answers (B, output_size), same numbers."""
    time_major = build_model(_spec(name, impl=impl, batch_first=False), seed=5)
    batch_major = build_model(_spec(name, impl=impl, batch_first=True), seed=5)
    x = torch.randn(B, T, IN)
    y = time_major(x.transpose(0, 1))
    assert y.shape == (B, 4)
    torch.testing.assert_close(y, batch_major(x))


def test_initial_state_reaches_the_readout() -> None:
    model = build_model(_spec("gru-bi-L2"), seed=6)
    x = torch.randn(B, T, IN)
    hx = torch.randn(4, B, H)
    assert not torch.allclose(model(x, hx), model(x))


def test_dropout_with_one_layer_builds_without_torch_warning() -> None:
    """spec.warnings() tells the person; nn.LSTM's own UserWarning would only repeat it."""
    spec = ModelSpec(hidden_size=H, dropout=0.2)
    assert spec.warnings()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        core = build_core(spec)
    assert core.dropout == 0.0


# --- the forecasters' linear skip ----------------------------------------------------------------


def test_skip_model_adds_a_linear_map_of_the_target_inputs() -> None:
    from rnnlib.models import SkipModel

    spec = ModelSpec(input_size=2, hidden_size=5, output_size=3, batch_first=True)
    model = SkipModel(spec, lookback=7, steps=3)
    x = torch.randn(4, 7, 2)
    expected = model.head(model.features(x)) + x[:, :, 0] @ model.skip.weight.T + model.skip.bias
    torch.testing.assert_close(model(x), expected)
    # the extra feature column does not reach the skip: only the network reads features
    x2 = x.clone()
    x2[:, :, 1] += 1.0
    torch.testing.assert_close(model.skip(x2[:, :, 0]), model.skip(x[:, :, 0]))


def test_skip_model_with_a_gaussian_head_moves_the_means_only() -> None:
    from rnnlib.models import SkipModel

    spec = ModelSpec(
        input_size=1, hidden_size=4, output_size=4, batch_first=True
    )  # 2 means, 2 vars
    model = SkipModel(spec, lookback=5, steps=2)
    x = torch.randn(3, 5, 1)
    plain = model.head(model.features(x))
    out = model(x)
    torch.testing.assert_close(out[:, 2:], plain[:, 2:])
    torch.testing.assert_close(out[:, :2], plain[:, :2] + model.skip(x[:, :, 0]))
