"""The LSTM over a whole sequence, with its backward through time written out.

    [i f g o] = x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh        (PyTorch's gate order i|f|g|o)
    i_t = σ(i), f_t = σ(f), g_t = tanh(g), o_t = σ(o)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)                                      (then h_t W_hrᵀ with proj_size)

with layer_norm (Ba et al., 2016): LN(x_t W_ihᵀ) + LN(h_{t-1} W_hhᵀ) + b_ih + b_hh for the gates
and tanh(LN(c_t)) in h_t. The forward runs without an autograd graph and keeps the activated gates,
tanh(c_t) and c_t of every step; the backward walks time in reverse carrying ∂L/∂h and ∂L/∂c, with
one matmul per step (two with a projection), and sums every weight gradient over all steps with
one matmul at the end. Shapes as in ``common.py``; P = proj_size or H.
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
    layer_norm,
    layer_norm_backward,
    state_buffer,
    steps,
    weight_grad,
)


class LSTMLayer(torch.autograd.Function):
    """One layer, one direction: x (T, B, I), h0 (B, P), c0 (B, H) -> output (T, B, P), h_n, c_n.

    ``ln`` is None or the six LayerNorm tensors (ih gain, ih bias, hh gain, hh bias, c gain,
    c bias) passed after it; w_hr is None without a projection.
    keep: None, or a dict the backward fills with "h" (∂L/∂h_t), "c" (∂L/∂c_t) and "i", "f", "g",
    "o" (∂L/∂ each gate's pre-activation), each (B, T, width) in input time order.
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, reverse: bool, keep, *ln):
        x = x.contiguous()  # a batch-first input arrives transposed; steps should be contiguous
        T, B = x.shape[:2]
        H, use_ln = c0.shape[1], bool(ln)
        bias = None if b_ih is None else b_ih + b_hh  # both sit outside every gate product
        if use_ln:
            # LN(x_t W_ihᵀ) for every step at once, kept with its mean and 1/std for the backward
            xw_raw = F.linear(x, w_ih)
            gates, mean_x, rstd_x = layer_norm(xw_raw, ln[0], ln[1])
            if bias is not None:
                gates += bias
            hw = x.new_empty(T, B, 4 * H)  # h_{t-1} W_hhᵀ before its LayerNorm
            stats = x.new_empty(4, T, B, 1)  # mean and 1/std of LN(hh), then of LN(c)
        else:
            # The input side of every step in one matmul; only h_{t-1} W_hhᵀ is left per step.
            gates = F.linear(x, w_ih, bias)
        # `gates` (T, B, 4H) is ours: each step adds its h_{t-1} W_hhᵀ and squashes it in place,
        # so after the loop it holds the activated [i_t f_t g_t o_t] the backward needs.
        hs, new, _ = state_buffer(h0, T, reverse)
        cs, c_new, _ = state_buffer(c0, T, reverse)
        tanh_c = x.new_empty(T, B, H)  # tanh(c_t), or tanh(LN(c_t))
        m = x.new_empty(T, B, H) if w_hr is not None else None  # o_t ⊙ tanh(c_t), projected after
        # transposed once per sequence, contiguous: the per-step matmul runs faster on it
        w_hh_t = w_hh.t().contiguous()
        w_hr_t = None if w_hr is None else w_hr.t().contiguous()
        gs, tcs, outs, cns = gates.unbind(0), tanh_c.unbind(0), new.unbind(0), c_new.unbind(0)
        h, c = h0, c0
        for t in steps(T, reverse):
            gate = gs[t]
            if use_ln:
                # [i f g o] = LN(x_t W_ihᵀ) + b + LN(h_{t-1} W_hhᵀ)
                torch.mm(h, w_hh_t, out=hw[t])
                normed, stats[0, t], stats[1, t] = layer_norm(hw[t], ln[2], ln[3])
                gate += normed
            else:
                # [i f g o] = x_t W_ihᵀ + b + h_{t-1} W_hhᵀ
                gate.addmm_(h, w_hh_t)
            # i_t = σ(i), f_t = σ(f), g_t = tanh(g), o_t = σ(o), in place
            gate[:, : 2 * H].sigmoid_()
            gate[:, 2 * H : 3 * H].tanh_()
            gate[:, 3 * H :].sigmoid_()
            i, f, g, o = gate.chunk(4, 1)
            # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
            c = torch.mul(f, c, out=cns[t]).addcmul_(i, g)
            if use_ln:
                # h_t = o_t ⊙ tanh(LN(c_t))
                normed, stats[2, t], stats[3, t] = layer_norm(c, ln[4], ln[5])
                torch.tanh(normed, out=tcs[t])
            else:
                # h_t = o_t ⊙ tanh(c_t)
                torch.tanh(c, out=tcs[t])
            if w_hr_t is None:
                h = torch.mul(o, tcs[t], out=outs[t])
            else:
                # h_t = (o_t ⊙ tanh(c_t)) W_hrᵀ
                h = torch.mm(torch.mul(o, tcs[t], out=m[t]), w_hr_t, out=outs[t])
        saved = [x, hs, cs, gates, tanh_c, w_ih, w_hh, w_hr, m]
        saved += [xw_raw, mean_x, rstd_x, hw, stats, *ln] if use_ln else []
        ctx.save_for_backward(*saved)
        ctx.reverse, ctx.keep, ctx.has_bias, ctx.use_ln = reverse, keep, bias is not None, use_ln
        return new, last_state(hs, reverse), last_state(cs, reverse)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out, grad_hn, grad_cn):
        x, hs, cs, gates, tanh_c, w_ih, w_hh, w_hr, m, *ln_saved = ctx.saved_tensors
        reverse, use_ln, (T, B, H) = ctx.reverse, ctx.use_ln, tanh_c.shape
        if use_ln:
            xw_raw, mean_x, rstd_x, hw, stats, *ln = ln_saved
        prev, c_now, c_prev = (hs[1:], cs[:T], cs[1:]) if reverse else (hs[:T], cs[1:], cs[:T])
        i, f, g, o = gates.view(T, B, 4, H).unbind(2)
        # Every local derivative that does not depend on the incoming gradient, for all steps at
        # once, stacked [i f g o] so that one multiply per step gives three gate gradients.
        # σ'(pre) = σ(1 - σ) for i, f, o (g's block is overwritten next)
        local = torch.addcmul(gates, gates, gates, value=-1).view(T, B, 4, H)
        # tanh'(pre) = 1 - g_t²
        torch.addcmul(g.new_ones(()), g, g, value=-1, out=local[:, :, 2])
        # ∂L/∂i_pre = ∂L/∂c_t ⊙ g_t ⊙ σ'(i)
        local[:, :, 0].mul_(g)
        # ∂L/∂f_pre = ∂L/∂c_t ⊙ c_{t-1} ⊙ σ'(f)
        local[:, :, 1].mul_(c_prev)
        # ∂L/∂g_pre = ∂L/∂c_t ⊙ i_t ⊙ (1 - g_t²)
        local[:, :, 2].mul_(i)
        # ∂L/∂o_pre = ∂L/∂m_t ⊙ tanh(c_t) ⊙ σ'(o)        (m_t = o_t ⊙ tanh(c_t): h_t, or h_t before W_hr)
        local[:, :, 3].mul_(tanh_c)
        # ∂L/∂c_t gets ∂L/∂m_t ⊙ o_t ⊙ (1 - tanh²(c_t)) from h_t   (through LN(c_t) with layer_norm)
        through_tanh = torch.addcmul(o, o * tanh_c, tanh_c, value=-1)
        d_h = torch.empty_like(hs[:T])  # ∂L/∂h_t, total
        d_c = torch.empty_like(tanh_c)  # ∂L/∂c_t, total
        d_gates = torch.empty_like(gates)  # ∂L/∂[i f g o]_pre
        d_hs, d_cs, d_gs, grads = (
            d_h.unbind(0),
            d_c.unbind(0),
            d_gates.unbind(0),
            grad_out.unbind(0),
        )
        d_ccols, d_ifg = d_c.unsqueeze(2).unbind(0), d_gates[..., : 3 * H].unbind(0)
        d_o, locals_ifg, locals_o = (
            d_gates[..., 3 * H :].unbind(0),
            local[:, :, :3].unbind(0),
            local[:, :, 3].unbind(0),
        )
        tts, fs = through_tanh.unbind(0), f.unbind(0)
        if use_ln:
            d_hw = torch.empty_like(d_gates)  # ∂L/∂(h_{t-1} W_hhᵀ), before LN(hh)
            d_cn = torch.empty_like(d_c)  # ∂L/∂LN(c_t)
        if w_hr is not None:
            d_m = torch.empty(B, H, dtype=x.dtype, device=x.device)
        order = list(reversed(steps(T, reverse)))  # backprop walks time the other way
        # ∂L/∂h at the last step processed: from above, and from h_n
        torch.add(grads[order[0]], grad_hn, out=d_hs[order[0]])
        c_next = grad_cn.clone()  # what reaches c_t from step t+1: ∂L/∂c_{t+1} ⊙ f_{t+1}
        for k, t in enumerate(order):
            dh = d_hs[t]
            # ∂L/∂m_t = ∂L/∂h_t W_hr with a projection (h_t = m_t W_hrᵀ), else ∂L/∂h_t
            dm = dh if w_hr is None else torch.mm(dh, w_hr, out=d_m)
            if use_ln:
                # ∂L/∂c_t = ∂L/∂c_{t+1} ⊙ f_{t+1} + LN'ᵀ(∂L/∂m_t ⊙ o_t ⊙ (1 - tanh²(LN(c_t))))
                torch.mul(dm, tts[t], out=d_cn[t])
                dc_ln, _ = layer_norm_backward(d_cn[t], c_now[t], stats[2, t], stats[3, t], ln[4])
                torch.add(c_next, dc_ln, out=d_cs[t])
            else:
                # ∂L/∂c_t = ∂L/∂c_{t+1} ⊙ f_{t+1} + ∂L/∂m_t ⊙ o_t ⊙ (1 - tanh²(c_t))
                torch.addcmul(c_next, dm, tts[t], out=d_cs[t])
            # [∂L/∂i_pre ∂L/∂f_pre ∂L/∂g_pre] = ∂L/∂c_t ⊙ their local derivatives
            torch.mul(locals_ifg[t], d_ccols[t], out=d_ifg[t].view(B, 3, H))
            # ∂L/∂o_pre = ∂L/∂m_t ⊙ tanh(c_t) ⊙ σ'(o)
            torch.mul(locals_o[t], dm, out=d_o[t])
            # what reaches c_{t-1}: ∂L/∂c_t ⊙ f_t
            torch.mul(d_cs[t], fs[t], out=c_next)
            if use_ln:
                # through LN(h_{t-1} W_hhᵀ): ∂L/∂(h_{t-1} W_hhᵀ) = LN'ᵀ(∂L/∂gates_t)
                d_hw[t], _ = layer_norm_backward(d_gs[t], hw[t], stats[0, t], stats[1, t], ln[2])
            d_pre = d_hw[t] if use_ln else d_gs[t]
            if k + 1 < T:
                before = order[k + 1]
                # ∂L/∂h_{t-1} = ∂L/∂output_{t-1} + ∂L/∂gates_t W_hh
                torch.addmm(grads[before], d_pre, w_hh, out=d_hs[before])
            else:
                # ∂L/∂h_0 = ∂L/∂gates_first W_hh
                d_h0 = torch.mm(d_pre, w_hh)
        if ctx.keep is not None:
            named = dict(zip("ifgo", batch_first(d_gates).split(H, dim=2), strict=True))
            ctx.keep.update(h=batch_first(d_h), c=batch_first(d_c), **named)
        need = ctx.needs_input_grad
        grads_ln: tuple = ()
        if use_ln:
            # the input side went through LN(x_t W_ihᵀ): undo it for every step at once
            d_xw, dg_ih = layer_norm_backward(d_gates, xw_raw, mean_x, rstd_x, ln[0])
            _, dg_hh = layer_norm_backward(d_gates, hw, stats[0], stats[1], ln[2])
            _, dg_c = layer_norm_backward(d_cn, c_now, stats[2], stats[3], ln[4])
            # ∂L/∂γ = Σ ∂L/∂y ⊙ v̂,  ∂L/∂β = Σ ∂L/∂y, over every step and sample
            grads_ln = (dg_ih.sum((0, 1)), bias_grad(d_gates), dg_hh.sum((0, 1)))
            grads_ln += (bias_grad(d_gates), dg_c.sum((0, 1)), bias_grad(d_cn))
        else:
            d_xw, d_hw = d_gates, d_gates
        dx, dw_ih = input_grads(d_xw, x, w_ih, need[0], need[3])
        # ∂L/∂W_hh = Σ_t ∂L/∂(h_{t-1} W_hhᵀ)ᵀ h_{t-1}: all steps in one matmul
        dw_hh = weight_grad(d_hw, prev) if need[4] else None
        db = bias_grad(d_gates) if ctx.has_bias else None
        # ∂L/∂W_hr = Σ_t ∂L/∂h_tᵀ m_t
        dw_hr = weight_grad(d_h, m) if w_hr is not None and need[7] else None
        # b_ih and b_hh receive the same gradient, as two tensors: each parameter owns its .grad
        db2 = None if db is None else db.clone()
        return (dx, d_h0, c_next, dw_ih, dw_hh, db, db2, dw_hr, None, None, *grads_ln)
