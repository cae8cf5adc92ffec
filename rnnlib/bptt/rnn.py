"""The Elman RNN over a whole sequence, with its backward through time written out.

    forward:  h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)        act = tanh or ReLU

The forward runs without an autograd graph (inside Function.forward grads are off) and keeps
every h_t; the backward walks time in reverse, one matmul with W_hh per step, and sums the weight
gradients of all steps with one matmul each at the end. Shapes as in ``common.py``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

from rnnlib.bptt.common import (
    batch_first,
    bias_grad,
    input_grads,
    last_state,
    state_buffer,
    steps,
    weight_grad,
)


class RNNLayer(torch.autograd.Function):
    """One layer, one direction: x (T, B, I), h0 (B, H) -> output (T, B, H), h_n (B, H).

    keep: None, or a dict the backward fills with "h" (∂L/∂h_t) and "pre" (∂L/∂(pre-activation)),
    each (B, T, H) in input time order, for the Inside page.
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, relu: bool, reverse: bool, keep):
        T = x.shape[0]
        # The input side of every step in one matmul; b_hh sits outside any product, so it folds in.
        xw = F.linear(x, w_ih, None if b_ih is None else b_ih + b_hh)
        hs, new, prev = state_buffer(h0, T, reverse)
        xs, outs, w_hh_t = xw.unbind(0), new.unbind(0), w_hh.t()
        h = h0
        for t in steps(T, reverse):
            # h_t = act(x_t W_ihᵀ + b + h_{t-1} W_hhᵀ), written straight into the state buffer
            h = torch.addmm(xs[t], h, w_hh_t, out=outs[t])
            h.relu_() if relu else h.tanh_()
        ctx.save_for_backward(x, hs, w_ih, w_hh)
        ctx.relu, ctx.reverse, ctx.keep, ctx.has_bias = relu, reverse, keep, b_ih is not None
        return new, last_state(hs, reverse)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out, grad_hn):
        x, hs, w_ih, w_hh = ctx.saved_tensors
        reverse, T = ctx.reverse, x.shape[0]
        new, prev = (hs[:T], hs[1:]) if reverse else (hs[1:], hs[:T])
        # The activation's local derivative at every step, all at once:
        # ∂h_t/∂pre_t = 1 - h_t²  (tanh)   or   [h_t > 0]  (ReLU)
        act_grad = (new > 0).to(new.dtype) if ctx.relu else 1 - new * new
        d_h = torch.empty_like(new)  # ∂L/∂h_t, total
        d_pre = torch.empty_like(new)  # ∂L/∂pre_t
        d_hs, d_pres = d_h.unbind(0), d_pre.unbind(0)
        grads, acts = grad_out.unbind(0), act_grad.unbind(0)
        # ∂L/∂h_{t+1}'s share that reaches h_t through the recurrence; at the last step, ∂L/∂h_n
        d_next = grad_hn.clone()
        for t in reversed(steps(T, reverse)):
            # ∂L/∂h_t = ∂L/∂output_t + ∂L/∂pre_{t+1} W_hh    (from above, and from the next step)
            torch.add(grads[t], d_next, out=d_hs[t])
            # ∂L/∂pre_t = ∂L/∂h_t ⊙ act'(pre_t)
            torch.mul(d_hs[t], acts[t], out=d_pres[t])
            # what reaches h_{t-1}: ∂L/∂pre_t W_hh
            torch.mm(d_pres[t], w_hh, out=d_next)
        if ctx.keep is not None:
            ctx.keep.update(h=batch_first(d_h), pre=batch_first(d_pre))
        need = ctx.needs_input_grad
        dx, dw_ih = input_grads(d_pre, x, w_ih, need[0], need[2])
        # ∂L/∂W_hh = Σ_t ∂L/∂pre_tᵀ h_{t-1}: all steps in one matmul
        dw_hh = weight_grad(d_pre, prev) if need[3] else None
        db = bias_grad(d_pre) if ctx.has_bias else None
        # b_ih and b_hh receive the same gradient, as two tensors: each parameter owns its .grad
        return dx, d_next, dw_ih, dw_hh, db, None if db is None else db.clone(), None, None, None
