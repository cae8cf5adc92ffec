"""The GRU over a whole sequence, with its backward through time written out.

    r_t = σ(x_t W_irᵀ + b_ir + h_{t-1} W_hrᵀ + b_hr)
    z_t = σ(x_t W_izᵀ + b_iz + h_{t-1} W_hzᵀ + b_hz)
    n_t = tanh(x_t W_inᵀ + b_in + r_t ⊙ (h_{t-1} W_hnᵀ + b_hn))
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

PyTorch's gate order r|z|n. Unlike the LSTM, b_hn sits inside r_t ⊙ (.), so the two biases stay
apart and the input side and the hidden side of the n block get different gradients.
The forward runs without an autograd graph and keeps r, z, n and h_{t-1} W_hnᵀ + b_hn per step; the
backward walks time in reverse with one matmul per step. Shapes as in ``common.py``.
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


class GRULayer(torch.autograd.Function):
    """One layer, one direction: x (T, B, I), h0 (B, H) -> output (T, B, H), h_n (B, H).

    keep: None, or a dict the backward fills with "h" (∂L/∂h_t) and "r", "z", "n" (∂L/∂ each
    gate's pre-activation), each (B, T, H) in input time order, for the Inside page.
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, reverse: bool, keep):
        T, B = x.shape[:2]
        H = h0.shape[1]
        # The input side of every step in one matmul (b_ih only: b_hh is added on the hidden side).
        xw = F.linear(x, w_ih, b_ih)
        hs, new, prev = state_buffer(h0, T, reverse)
        hw = x.new_empty(T, B, 3 * H)  # h_{t-1} W_hhᵀ + b_hh of every step
        rz = x.new_empty(T, B, 2 * H)  # [r_t z_t]
        n = x.new_empty(T, B, H)  # n_t
        diff = x.new_empty(B, H)  # scratch space for h_{t-1} - n_t
        w_hh_t = w_hh.t()
        xs, hws, rzs, ns, outs = (
            xw.unbind(0),
            hw.unbind(0),
            rz.unbind(0),
            n.unbind(0),
            new.unbind(0),
        )
        h = h0
        for t in steps(T, reverse):
            xw_t, hw_t, rz_t, n_t = xs[t], hws[t], rzs[t], ns[t]
            # h_{t-1} W_hhᵀ + b_hh, all three blocks at once
            torch.mm(h, w_hh_t, out=hw_t) if b_hh is None else torch.addmm(
                b_hh, h, w_hh_t, out=hw_t
            )
            # [r_t z_t] = σ(x_t W_i[rz]ᵀ + b_i[rz] + h_{t-1} W_h[rz]ᵀ + b_h[rz])
            torch.add(xw_t[:, : 2 * H], hw_t[:, : 2 * H], out=rz_t).sigmoid_()
            # n_t = tanh(x_t W_inᵀ + b_in + r_t ⊙ (h_{t-1} W_hnᵀ + b_hn))
            torch.addcmul(xw_t[:, 2 * H :], rz_t[:, :H], hw_t[:, 2 * H :], out=n_t).tanh_()
            # h_t = n_t + z_t ⊙ (h_{t-1} - n_t)
            torch.sub(h, n_t, out=diff)
            h = torch.addcmul(n_t, rz_t[:, H:], diff, out=outs[t])
        ctx.save_for_backward(x, hs, w_ih, w_hh, hw, rz, n)
        ctx.reverse, ctx.keep = reverse, keep
        ctx.biases = (b_ih is not None, b_hh is not None)
        return new, last_state(hs, reverse)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out, grad_hn):
        x, hs, w_ih, w_hh, hw, rz, n = ctx.saved_tensors
        reverse, (T, B, H) = ctx.reverse, n.shape
        prev = hs[1:] if reverse else hs[:T]
        r, z, hn = rz[..., :H], rz[..., H:], hw[..., 2 * H :]
        # Every local derivative that does not depend on ∂L/∂h_t, for all steps at once:
        # ∂L/∂n_pre = ∂L/∂h_t ⊙ (1 - z_t) ⊙ (1 - n_t²)
        a_n = (1 - z) * (1 - n * n)
        # Stacked as the hidden side's three blocks [r z n], so one multiply gives all three:
        local = torch.empty(T, B, 3, H, dtype=n.dtype, device=n.device)
        # ∂L/∂r_pre = ∂L/∂n_pre ⊙ (h_{t-1} W_hnᵀ + b_hn) ⊙ r_t (1 - r_t)
        torch.mul(a_n * hn, r * (1 - r), out=local[:, :, 0])
        # ∂L/∂z_pre = ∂L/∂h_t ⊙ (h_{t-1} - n_t) ⊙ z_t (1 - z_t)
        torch.mul((prev - n) * z, 1 - z, out=local[:, :, 1])
        # ∂L/∂(h_{t-1} W_hnᵀ + b_hn) = ∂L/∂n_pre ⊙ r_t
        torch.mul(a_n, r, out=local[:, :, 2])
        d_h = torch.empty_like(n)  # ∂L/∂h_t, total
        d_hw = torch.empty(
            T, B, 3 * H, dtype=n.dtype, device=n.device
        )  # ∂L/∂(h_{t-1} W_hhᵀ + b_hh)
        d_hs, d_hws, grads = d_h.unbind(0), d_hw.unbind(0), grad_out.unbind(0)
        d_hcols, locals_, zs = d_h.unsqueeze(2).unbind(0), local.unbind(0), z.unbind(0)
        d_direct = torch.empty(B, H, dtype=n.dtype, device=n.device)
        d_next = grad_hn.clone()  # what reaches h_t from step t+1; at the last step, ∂L/∂h_n
        for t in reversed(steps(T, reverse)):
            # ∂L/∂h_t = ∂L/∂output_t + (what step t+1 sent back)
            torch.add(grads[t], d_next, out=d_hs[t])
            # [∂L/∂r_pre, ∂L/∂z_pre, ∂L/∂(W_hn h + b_hn)] = ∂L/∂h_t ⊙ their local derivatives
            torch.mul(locals_[t], d_hcols[t], out=d_hws[t].view(B, 3, H))
            # ∂L/∂h_{t-1} = ∂L/∂h_t ⊙ z_t  +  ∂L/∂(h_{t-1} W_hhᵀ + b_hh) W_hh
            torch.mul(d_hs[t], zs[t], out=d_direct)
            torch.addmm(d_direct, d_hws[t], w_hh, out=d_next)
        # The input side equals the hidden side for r and z; for n it is ∂L/∂n_pre itself.
        d_xw = d_hw.clone()
        torch.mul(d_h, a_n, out=d_xw[..., 2 * H :])
        if ctx.keep is not None:
            gates = dict(zip("rzn", batch_first(d_xw).split(H, dim=2), strict=True))
            ctx.keep.update(h=batch_first(d_h), **gates)
        need = ctx.needs_input_grad
        dx, dw_ih = input_grads(d_xw, x, w_ih, need[0], need[2])
        # ∂L/∂W_hh = Σ_t ∂L/∂(h_{t-1} W_hhᵀ)ᵀ h_{t-1}: all steps in one matmul
        dw_hh = weight_grad(d_hw, prev) if need[3] else None
        db_ih = bias_grad(d_xw) if ctx.biases[0] else None
        db_hh = bias_grad(d_hw) if ctx.biases[1] else None
        return dx, d_next, dw_ih, dw_hh, db_ih, db_hh, None, None
