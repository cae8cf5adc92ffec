"""One time step of each recurrent cell, in PyTorch's weight layout.

A cell only computes one step; looping over time, layers and directions is ``scratch.py``'s job.
Every cell receives ``xw_t``, the input projection of this step, already computed for all steps
at once by one matmul (x W_ih^T + b), so a step costs one matmul on the hidden state.

Shapes: B = batch, H = hidden_size, P = state width (proj_size or H), G = gate count.
    xw_t: (B, G*H)   h: (B, P)   c: (B, H)   w_hh_t: (P, G*H) (W_hh transposed once per sequence)

``rec`` is None (recording off: nothing is stored) or a dict of lists that receives each step's
gate activations and states, for the Inside page.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def rnn_step(xw_t: Tensor, h: Tensor, w_hh_t: Tensor, relu: bool, rec: dict | None) -> Tensor:
    """Elman RNN; xw_t already holds b_ih + b_hh."""
    # h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
    pre = torch.addmm(xw_t, h, w_hh_t)
    h = torch.relu(pre) if relu else torch.tanh(pre)
    if rec is not None:
        rec["h"].append(h)
    return h


def lstm_step(
    xw_t: Tensor,
    h: Tensor,
    c: Tensor,
    w_hh_t: Tensor,
    w_hr_t: Tensor | None,
    ln: tuple[Tensor, ...] | None,
    rec: dict | None,
) -> tuple[Tensor, Tensor]:
    """LSTM with PyTorch's gate order i|f|g|o; xw_t already holds b_ih + b_hh.

    ``w_hr_t`` (H, P) is the projection of proj_size LSTMs; ``ln`` holds the LayerNorm
    parameters (hh gain, hh bias, c gain, c bias) of the layer-normalised variant,
    in which case xw_t is LN(W_ih x_t) + b_ih + b_hh, already computed for all steps.
    """
    if ln is None:
        # [i f g o] = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
        gates = torch.addmm(xw_t, h, w_hh_t)
    else:
        w_hh_ln, b_hh_ln = ln[0], ln[1]
        # [i f g o] = LN(W_ih x_t) + LN(W_hh h_{t-1}) + b_ih + b_hh      (Ba et al., 2016)
        gates = xw_t + F.layer_norm(h.mm(w_hh_t), (w_hh_ln.numel(),), w_hh_ln, b_hh_ln)
    i, f, g, o = gates.chunk(4, 1)
    # i_t = σ(i), f_t = σ(f), o_t = σ(o), g_t = tanh(g)
    i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
    g = torch.tanh(g)
    # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    c = torch.addcmul(f * c, i, g)
    if ln is None:
        # h_t = o_t ⊙ tanh(c_t)
        h = o * torch.tanh(c)
    else:
        w_c, b_c = ln[2], ln[3]
        # h_t = o_t ⊙ tanh(LN(c_t))
        h = o * torch.tanh(F.layer_norm(c, (c.shape[1],), w_c, b_c))
    if w_hr_t is not None:
        # h_t = W_hr (o_t ⊙ tanh(c_t))      (proj_size < hidden_size)
        h = h.mm(w_hr_t)
    if rec is not None:
        for name, value in (("i", i), ("f", f), ("g", g), ("o", o), ("c", c), ("h", h)):
            rec[name].append(value)
    return h, c


def gru_step(
    xw_t: Tensor, h: Tensor, w_hh_t: Tensor, b_hh: Tensor | None, rec: dict | None
) -> Tensor:
    """GRU with PyTorch's gate order r|z|n; xw_t holds b_ih only, because b_hn sits inside r ⊙ (.)."""
    # W_hh h_{t-1} + b_hh, all three blocks at once
    hw = h.mm(w_hh_t) if b_hh is None else torch.addmm(b_hh, h, w_hh_t)
    x_r, x_z, x_n = xw_t.chunk(3, 1)
    h_r, h_z, h_n = hw.chunk(3, 1)
    # r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
    r = torch.sigmoid(x_r + h_r)
    # z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
    z = torch.sigmoid(x_z + h_z)
    # n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
    n = torch.tanh(torch.addcmul(x_n, r, h_n))
    # h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}  =  n_t + z_t ⊙ (h_{t-1} - n_t)
    h = torch.addcmul(n, z, h - n)
    if rec is not None:
        for name, value in (("r", r), ("z", z), ("n", n), ("h", h)):
            rec[name].append(value)
    return h


# Names of what each cell records per step, in display order.
RECORDED = {
    "rnn": ("h",),
    "lstm": ("i", "f", "g", "o", "c", "h"),
    "gru": ("r", "z", "n", "h"),
}
