"""Tensor shapes through a model, predicted from the spec and measured on a real forward pass.

B = batch, T = seq_len, I = input_size, H = hidden_size, P = proj_size or H, L = num_layers,
D = directions, O = output_size. As in PyTorch, batch_first moves B first in input and output
only: h_n and c_n are always (L·D, B, ·), layer-major (index = layer·D + direction).
"""

from __future__ import annotations

import torch

from rnnlib.models import build_model
from rnnlib.spec import ModelSpec


def shapes(spec: ModelSpec, batch: int, seq_len: int) -> dict[str, tuple[int, ...]]:
    """Predicted shapes: input, output, h_n, c_n (LSTM only) and prediction (the head's output)."""
    B, T = batch, seq_len
    LD = spec.num_layers * spec.num_directions

    def time_major_or_not(width: int) -> tuple[int, int, int]:
        return (B, T, width) if spec.batch_first else (T, B, width)

    out = {
        "input": time_major_or_not(spec.input_size),
        "output": time_major_or_not(spec.num_directions * spec.state_size),
        "h_n": (LD, B, spec.state_size),
    }
    if spec.cell == "lstm":
        out["c_n"] = (LD, B, spec.hidden_size)  # the cell state is never projected
    out["prediction"] = (B, spec.output_size)
    return out


def check_shapes(spec: ModelSpec, batch: int, seq_len: int) -> dict[str, tuple[int, ...]]:
    """The same keys as shapes(), measured by running build_model(spec) on zeros."""
    model = build_model(spec, seed=0).eval()
    x = torch.zeros(shapes(spec, batch, seq_len)["input"])
    with torch.no_grad():
        output, state = model.rnn(x)  # one forward pass: the head reads the state it returned
        prediction = model.head(model.readout(state))
    h_n, c_n = state if isinstance(state, tuple) else (state, None)
    measured = {"input": tuple(x.shape), "output": tuple(output.shape), "h_n": tuple(h_n.shape)}
    if c_n is not None:
        measured["c_n"] = tuple(c_n.shape)
    measured["prediction"] = tuple(prediction.shape)
    return measured
