"""What the three hand-written backward passes share: the state buffer, LayerNorm, the weight sums.

Shapes: T = steps, B = batch, I = input features, H = hidden_size, P = state width, G = gate count.

The state buffer ``hs`` (T+1, B, P) holds h_0 and every h_t, laid out so that a step's new state
and its previous state are both plain slices, whichever way the direction runs:

    forward:  hs[0] = h_0,  step t writes hs[t+1] and reads hs[t]
    reverse:  hs[T] = h_0,  step t writes hs[t]   and reads hs[t+1]

so ``new`` (T, B, P) is the output in input time order and ``prev`` (T, B, P) the state each step
started from, both views of one tensor: the backward's dW_hh needs ``prev`` stacked, for free.
"""

from __future__ import annotations

import torch
from torch import Tensor

EPS = 1e-5  # PyTorch's LayerNorm eps


def state_buffer(h0: Tensor, T: int, reverse: bool) -> tuple[Tensor, Tensor, Tensor]:
    """(hs, new, prev) for a state of width h0.shape[1]; see the module docstring."""
    B, W = h0.shape
    hs = h0.new_empty(T + 1, B, W)
    if reverse:
        hs[T] = h0
        return hs, hs[:T], hs[1:]
    hs[0] = h0
    return hs, hs[1:], hs[:T]


def steps(T: int, reverse: bool) -> range:
    """The order the direction reads its input in: backprop walks it the other way."""
    return range(T - 1, -1, -1) if reverse else range(T)


def last_state(hs: Tensor, reverse: bool) -> Tensor:
    """h_n: the state after the last step processed (a copy, not a view of the buffer)."""
    return (hs[0] if reverse else hs[-1]).clone()


def flat(t: Tensor) -> Tensor:
    """(T, B, W) -> (T*B, W): every step as one row block, for the one-matmul weight gradients."""
    return t.reshape(-1, t.shape[-1])


def weight_grad(d_pre: Tensor, inputs: Tensor) -> Tensor:
    """∂L/∂W = Σ_t (∂L/∂pre_t)ᵀ input_t, for pre_t = input_t Wᵀ: one matmul over all T steps.

    d_pre: (T, B, G*H), inputs: (T, B, K) -> (G*H, K).
    """
    return flat(d_pre).t().mm(flat(inputs))


def bias_grad(d_pre: Tensor) -> Tensor:
    """∂L/∂b = Σ_{t,b} ∂L/∂pre_t: a bias is added to every step of every sample."""
    return d_pre.sum((0, 1))


def layer_norm(v: Tensor, weight: Tensor, bias: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(LN(v), mean, rstd) over the last dim, PyTorch's kernel: the same numbers as F.layer_norm."""
    return torch.native_layer_norm(v, (v.shape[-1],), weight, bias, EPS)


def layer_norm_backward(
    dy: Tensor, v: Tensor, mean: Tensor, rstd: Tensor, weight: Tensor
) -> tuple[Tensor, Tensor]:
    """(∂L/∂v, ∂L/∂y ⊙ v̂) for y = LN(v) = γ ⊙ v̂ + β; the second, summed, is ∂L/∂γ.

    dy, v: (..., N); mean, rstd: (..., 1) as the forward returned them.
    """
    # v̂ = (v - μ) · rstd,   rstd = 1 / sqrt(var(v) + ε)
    v_hat = (v - mean) * rstd
    # ∂L/∂v̂ = γ ⊙ ∂L/∂y
    dv_hat = dy * weight
    # ∂L/∂v = rstd · (∂L/∂v̂ - mean(∂L/∂v̂) - v̂ ⊙ mean(∂L/∂v̂ ⊙ v̂))   (μ and var depend on every v)
    dv = rstd * (
        dv_hat - dv_hat.mean(-1, keepdim=True) - v_hat * (dv_hat * v_hat).mean(-1, keepdim=True)
    )
    return dv, dy * v_hat


def input_grads(
    d_xw: Tensor, x: Tensor, w_ih: Tensor, need_x: bool, need_w: bool
) -> tuple[Tensor | None, Tensor | None]:
    """(∂L/∂x, ∂L/∂W_ih) from ∂L/∂(x_t W_ihᵀ) of every step: one matmul each, no loop.

    d_xw: (T, B, G*H), x: (T, B, I), w_ih: (G*H, I).
    """
    # ∂L/∂x_t = ∂L/∂(x_t W_ihᵀ) W_ih
    dx = d_xw.matmul(w_ih) if need_x else None
    # ∂L/∂W_ih = Σ_t ∂L/∂(x_t W_ihᵀ)ᵀ x_t
    dw = weight_grad(d_xw, x) if need_w else None
    return dx, dw


def batch_first(t: Tensor) -> Tensor:
    """(T, B, W) -> (B, T, W), detached: what a backward record keeps, as the forward record does."""
    return t.detach().transpose(0, 1)
