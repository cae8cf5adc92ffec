"""Seq2SeqModel: shapes, the Gaussian head's width, time-major input, gradients to both halves."""

import pytest
import torch

from rnnlib.seq2seq import Seq2SeqModel
from rnnlib.spec import ModelSpec

B, T, F, H = 4, 7, 3, 5  # batch, window length, input features, horizon


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("impl", ["torch", "scratch"])
def test_output_is_one_value_per_horizon_step(cell, impl):
    torch.manual_seed(0)
    model = Seq2SeqModel(ModelSpec(cell=cell, impl=impl, input_size=F, hidden_size=8), H)
    assert model(torch.randn(B, T, F)).shape == (B, H)


def test_gaussian_head_gives_means_then_raw_variances():
    torch.manual_seed(0)
    spec = ModelSpec(input_size=F, hidden_size=8, num_layers=2)
    model = Seq2SeqModel(spec, H, gaussian=True)
    assert model.head.out_features == 2
    assert model(torch.randn(B, T, F)).shape == (B, 2 * H)


def test_time_major_input_gives_the_same_forecast_as_batch_major():
    spec = ModelSpec(input_size=F, hidden_size=8, batch_first=True)
    first = Seq2SeqModel(spec, H)
    second = Seq2SeqModel(spec.replace(batch_first=False), H)
    second.load_state_dict(first.state_dict())  # the layout changes no weight
    x = torch.randn(B, T, F)
    out = second(x.transpose(0, 1))  # (T, B, F)
    assert out.shape == (B, H)
    torch.testing.assert_close(out, first(x))


def test_gradients_reach_the_encoder_the_decoder_and_the_head():
    torch.manual_seed(0)
    model = Seq2SeqModel(ModelSpec(input_size=F, hidden_size=8), H, gaussian=True)
    model(torch.randn(B, T, F)).pow(2).sum().backward()
    for part in (model.rnn, model.decoder, model.head):
        grads = [p.grad for p in part.parameters()]
        assert all(g is not None for g in grads)
        assert sum(g.abs().sum() for g in grads) > 0


def test_bidirectional_encoder_is_refused():
    with pytest.raises(ValueError, match="unidirectional"):
        Seq2SeqModel(ModelSpec(bidirectional=True), H)
