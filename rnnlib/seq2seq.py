"""Encoder–decoder (seq2seq) forecaster: the encoder reads the window, the decoder writes the horizon."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rnnlib.models import build_core
from rnnlib.spec import ModelSpec, SpecError


class Seq2SeqModel(nn.Module):
    """x (B, T, I) -> (B, horizon), or (B, 2*horizon) [means, raw variances] with a Gaussian head.

    The decoder is the same cell type, unidirectional, fed its own previous mean prediction and
    started from the encoder's final state; its first input is the last observed target value.
    It runs free at training time too (no teacher forcing), so training and forecasting agree.
    """

    def __init__(self, spec: ModelSpec, horizon: int, gaussian: bool = False):
        super().__init__()
        if spec.bidirectional:
            raise SpecError("seq2seq needs a unidirectional encoder: its state seeds the decoder.")
        self.spec, self.horizon, self.gaussian = spec, horizon, gaussian
        self.rnn = build_core(spec)  # the encoder, named like every other model's core
        self.decoder = build_core(spec.replace(input_size=1))
        self.head = nn.Linear(spec.state_size, 2 if gaussian else 1)

    def forward(self, x: Tensor) -> Tensor:
        bf = self.spec.batch_first
        _, state = self.rnn(x)
        step = x[:, -1:, :1] if bf else x[-1:, :, :1]  # (B, 1, 1) or (1, B, 1)
        means, raws = [], []
        for _ in range(self.horizon):
            out, state = self.decoder(step, state)
            y = self.head(out[:, -1] if bf else out[-1])  # (B, 1) or (B, 2)
            means.append(y[:, :1])
            raws.append(y[:, 1:])
            step = y[:, None, :1] if bf else y[None, :, :1]
        return torch.cat(means + raws, dim=1)
