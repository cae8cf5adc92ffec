"""Backpropagation through time by hand: one ``torch.autograd.Function`` per cell, layer and direction.

``ScratchRecurrent`` runs each layer and direction through ``unroll`` by default
(``backward="manual"``). Its forward computes the same numbers as the step functions in
``cells.py``, but with autograd switched off, keeping what the backward needs (the activated gates,
the states); the backward then walks time in reverse with the chain rule written out above each
line (``rnn.py``, ``lstm.py``, ``gru.py``). ``backward="autograd"`` keeps the step-by-step path
that autograd differentiates: the reference these are tested against.

Why it is faster at the sizes a playground uses: autograd records a graph node per op per step and
replays it; here the whole sequence is one node, the input side is one matmul for all steps, the
per-step backward is a handful of in-place ops and one matmul with W_hh, and the weight gradients
are summed over all steps with one matmul each at the end. It is differentiable once
(``once_differentiable``): a second derivative needs ``backward="autograd"``.
"""

from __future__ import annotations

from torch import Tensor

from rnnlib.bptt.gru import GRULayer
from rnnlib.bptt.lstm import LSTMLayer
from rnnlib.bptt.rnn import RNNLayer

BACKWARDS = ("manual", "autograd")
LN_NAMES = ("ln_ih_weight", "ln_ih_bias", "ln_hh_weight", "ln_hh_bias", "ln_c_weight", "ln_c_bias")


def unroll(
    mode: str,
    x: Tensor,
    p: dict[str, Tensor],
    h0: Tensor,
    c0: Tensor | None,
    reverse: bool,
    relu: bool = False,
    keep: dict | None = None,
) -> tuple[Tensor, Tensor, Tensor | None]:
    """One layer in one direction: x (T, B, I) -> (output (T, B, P), h_n (B, P), c_n (B, H) or None).

    p: the layer's parameters without their suffix (``weight_ih``, ``bias_hh``, ``ln_c_weight`` ...),
    as ``ScratchRecurrent._params`` gives them. keep: a dict the backward fills with this layer's
    gradients through time (see each Function), or None.
    """
    w_ih, w_hh, b_ih, b_hh = p["weight_ih"], p["weight_hh"], p.get("bias_ih"), p.get("bias_hh")
    if mode == "lstm":
        ln = [p[n] for n in LN_NAMES] if "ln_c_weight" in p else []
        return LSTMLayer.apply(
            x, h0, c0, w_ih, w_hh, b_ih, b_hh, p.get("weight_hr"), reverse, keep, *ln
        )
    if mode == "gru":
        out, h = GRULayer.apply(x, h0, w_ih, w_hh, b_ih, b_hh, reverse, keep)
    else:
        out, h = RNNLayer.apply(x, h0, w_ih, w_hh, b_ih, b_hh, relu, reverse, keep)
    return out, h, None
