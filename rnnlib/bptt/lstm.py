"""The LSTM over a whole sequence, with its backward through time written out.

    [i f g o] = x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh        (PyTorch's gate order i|f|g|o)
    i_t = σ(i), f_t = σ(f), g_t = tanh(g), o_t = σ(o)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)                                      (then h_t W_hrᵀ with proj_size)

with layer_norm (Ba et al., 2016): LN(x_t W_ihᵀ) + LN(h_{t-1} W_hhᵀ) + b_ih + b_hh for the gates
and tanh(LN(c_t)) in h_t. The forward runs without an autograd graph and keeps, for every step,
the gates' local derivatives (``_forward``; with LayerNorm the activated gates, tanh(LN(c_t)), c_t
and the LayerNorm statistics, ``_forward_ln``); the backward walks time in reverse carrying ∂L/∂h
and ∂L/∂c, with one matmul per step (two with a projection), and sums the weight gradients over
the steps with one matmul per chunk of steps (one at the end, with LayerNorm). Shapes as in
``common.py``; P = proj_size or H.

Why the per-step code looks the way it does: at the sizes a playground uses, each step's tensors are
a few thousand numbers, so a step costs what PyTorch charges per op call (a microsecond or two),
not what the arithmetic costs. Both loops therefore issue as few op calls as the equations allow,
every one writing into a preallocated buffer (``out=``) through views made once before the loop;
whatever does not depend on the step before is done for many steps at once: the input projection
and the weight gradients, one matmul per chunk of steps (see ``_forward`` and ``_through_time``:
a chunk of about 512 KB is still in cache when it is used, where all T steps' worth would have
gone back to main memory).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import once_differentiable

from rnnlib.bptt.common import (
    batch_first,
    bias_grad,
    flat,
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
        bias = None if b_ih is None else b_ih + b_hh  # both sit outside every gate product
        ctx.reverse, ctx.keep, ctx.has_bias, ctx.use_ln = reverse, keep, bias is not None, bool(ln)
        if ln:
            hs, c_n, saved = _forward_ln(x, h0, c0, w_ih, w_hh, bias, w_hr, reverse, ln)
        else:
            grad = any(ctx.needs_input_grad)
            hs, c_n, saved = _forward(x, h0, c0, w_ih, w_hh, bias, w_hr, reverse, grad)
        ctx.save_for_backward(x, hs, w_ih, w_hh, w_hr, *saved)
        T = x.shape[0]
        return (hs[:T] if reverse else hs[1:]), last_state(hs, reverse), c_n

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out, grad_hn, grad_cn):
        x, hs, w_ih, w_hh, w_hr, *saved = ctx.saved_tensors
        reverse, use_ln, T = ctx.reverse, ctx.use_ln, x.shape[0]
        prev = hs[1:] if reverse else hs[:T]  # h_{t-1} of every step, in input time order
        need, keep = ctx.needs_input_grad, ctx.keep
        if use_ln:
            d_gates, d_h, d_c, d_c0, d_hw, d_cn = _through_time_ln(
                grad_out, grad_hn, grad_cn, w_hh, w_hr, reverse, saved
            )
            d_first = d_hw[T - 1 if reverse else 0]
            kept = d_gates, d_c
        else:
            # the weight gradients and ∂L/∂x are summed chunk by chunk, as the loop hands over
            # each chunk of ∂L/∂gates (see ``_through_time``)
            sums = _Sums(x, prev, w_ih, need[0], ctx.has_bias)
            d_h, d_c0, d_first, kept = _through_time(
                grad_out, grad_hn, grad_cn, w_hh, w_hr, reverse, saved, sums, keep is not None
            )
        # ∂L/∂h_0 = ∂L/∂(h_0 W_hhᵀ) W_hh, h_0 W_hhᵀ being in the first step processed: one more
        # matmul, skipped when h_0 needs no gradient (the zeros a module starts from)
        d_h0 = d_first.mm(w_hh) if need[1] else None
        if keep is not None:
            d_gates, d_c = kept
            H = d_c.shape[2]
            named = dict(zip("ifgo", batch_first(d_gates).split(H, dim=2), strict=True))
            keep.update(h=batch_first(d_h), c=batch_first(d_c), **named)
        m = saved[-1]  # o_t ⊙ tanh(c_t) before W_hr, or None
        # ∂L/∂W_hr = Σ_t ∂L/∂h_tᵀ m_t
        dw_hr = weight_grad(d_h, m) if w_hr is not None and need[7] else None
        grads_ln: tuple = ()
        if use_ln:
            xw_raw, mean_x, rstd_x, hw, stats, c_now = saved[2:8]
            ln = saved[9:15]
            # the input side went through LN(x_t W_ihᵀ): undo it for every step at once
            d_xw, dg_ih = layer_norm_backward(d_gates, xw_raw, mean_x, rstd_x, ln[0])
            _, dg_hh = layer_norm_backward(d_gates, hw, stats[0], stats[1], ln[2])
            _, dg_c = layer_norm_backward(d_cn, c_now, stats[2], stats[3], ln[4])
            # ∂L/∂γ = Σ ∂L/∂y ⊙ v̂,  ∂L/∂β = Σ ∂L/∂y, over every step and sample
            grads_ln = (dg_ih.sum((0, 1)), bias_grad(d_gates), dg_hh.sum((0, 1)))
            grads_ln += (bias_grad(d_gates), dg_c.sum((0, 1)), bias_grad(d_cn))
            dx, dw_ih = input_grads(d_xw, x, w_ih, need[0], need[3])
            # ∂L/∂W_hh = Σ_t ∂L/∂(h_{t-1} W_hhᵀ)ᵀ h_{t-1}: all steps in one matmul
            dw_hh = weight_grad(d_hw, prev) if need[4] else None
            db = bias_grad(d_gates) if ctx.has_bias else None
        else:
            dx, dw_ih, dw_hh, db = sums.result()
        # b_ih and b_hh receive the same gradient, as two tensors: each parameter owns its .grad
        db2 = None if db is None else db.clone()
        return (dx, d_h0, d_c0, dw_ih, dw_hh, db, db2, dw_hr, None, None, *grads_ln)


class _Sums:
    """∂L/∂x, ∂L/∂W_ih, ∂L/∂W_hh and ∂L/∂b without LayerNorm, summed over chunks of steps.

    [1 | x_t | h_{t-1}] W' = b + x_t W_ihᵀ + h_{t-1} W_hhᵀ for W' = [b; W_ihᵀ; W_hhᵀ], so
    ∂L/∂W' = Σ_t [1 | x_t | h_{t-1}]ᵀ ∂L/∂gates_t: one (1 + I + P, n·B) x (n·B, 4H) matmul per
    chunk of n steps reads ∂L/∂gates once, where three separate sums would read it three times;
    and ∂L/∂x_t = ∂L/∂gates_t W_ih, one matmul per chunk too.
    """

    def __init__(self, x: Tensor, prev: Tensor, w_ih: Tensor, need_x: bool, has_bias: bool):
        inputs = [x, prev]
        if has_bias:
            inputs.insert(0, x.new_ones(x.shape[0], x.shape[1], 1))
        self.inputs = torch.cat(inputs, dim=2)  # (T, B, 1 + I + P): [1 | x_t | h_{t-1}]
        self.w_ih, self.has_bias, self.I = w_ih, has_bias, x.shape[2]
        self.dx = torch.empty_like(x) if need_x else None
        self.dw = None  # (1 + I + P, 4H)

    def add(self, lo: int, hi: int, d_gates: Tensor) -> None:
        """Steps lo..hi-1 in input time order; d_gates (hi - lo, B, 4H) = their ∂L/∂gates."""
        d_gates, inputs = flat(d_gates), flat(self.inputs[lo:hi])
        # ∂L/∂W' += Σ_t [1 | x_t | h_{t-1}]ᵀ ∂L/∂gates_t
        if self.dw is None:
            self.dw = inputs.t().mm(d_gates)
        else:
            self.dw.addmm_(inputs.t(), d_gates)
        if self.dx is not None:
            # ∂L/∂x_t = ∂L/∂gates_t W_ih
            torch.mm(d_gates, self.w_ih, out=flat(self.dx[lo:hi]))

    def result(self):
        """(∂L/∂x or None, ∂L/∂W_ih, ∂L/∂W_hh, ∂L/∂b or None)."""
        dw = self.dw
        db, start = (dw[0], 1) if self.has_bias else (None, 0)
        split = start + self.I  # the rows of W_ihᵀ, then those of W_hhᵀ
        return self.dx, dw[start:split].t().contiguous(), dw[split:].t().contiguous(), db


def _forward(x, h0, c0, w_ih, w_hh, bias, w_hr, reverse: bool, grad: bool):
    """The forward time loop without LayerNorm -> (hs, c_n, saved for ``_through_time``).

    Each step leaves, in its slice of ``local`` (T, 6, B, H), the local derivatives the backward
    multiplies its incoming gradients by, computed while the step's numbers are still in cache
    (the same multiplies done afterwards over all T steps cost several times more: every operand
    would come back from main memory):

        local_t = [ tanh(c_t) σ'(o) | f_t | g_t σ'(i) | c_{t-1} σ'(f) | i_t (1 - g_t²) | o_t (1 - tanh²(c_t)) ]
                    0                 1     2           3               4                5

    Each block is a contiguous (B, H) matrix, block after block ("block-major"): the backward
    reads blocks 1-4 as one contiguous stretch and blocks 0 and 5 as two, where a (B, 6H) row per
    step would scatter each multiply's reads over B short pieces, which comes back from memory
    slower (measured: a third of the backward's elementwise time).

    Everything else a step computes lives in one small scratch tensor ``S`` (9, B, H), reused by
    every step, so its views are made once per sequence (a view costs about a third of an op call)
    and its numbers stay in cache. Its blocks are placed so that ops which have the same form
    share one call, each operand a view of equally spaced blocks:

        S = [ 0 | i_t f_t g_t o_t | i_t g_t | c | tanh(c_t) | f_t c_{t-1} ]
              0   1   2   3   4     5         6   7           8

    [i f] and [g c] (blocks 1-2 and 3, 6) give [i g, f c] (blocks 5, 8) in one multiply, and
    [f, i g, f c] - [f, i g, f c] ⊙ [0, i, f] (blocks 2, 5, 8 and 0-2) is [f, g σ'(i), c σ'(f)],
    blocks 1-3 of local, in one addcmul. The pre-activations [i f g o] come from the matmuls,
    rows as they write them (``pre`` (K, B, 4H)): the input side of K steps at a time in one
    matmul, then h_{t-1} W_hhᵀ added per step; the step's one sigmoid squashes them into blocks
    1-4 of S. K steps, not all T: the whole sequence's input side, written long before each step
    reads it, would come back from main memory; a chunk of about 512 KB is still in cache
    (measured: the forward 4-10% faster at H=128). With ``grad`` False nothing needs ``local``.
    """
    T, B = x.shape[:2]
    H = c0.shape[1]
    local = x.new_empty(T, 6, B, H)
    K = min(T, max(1, CHUNK // (B * 4 * H)))  # steps per input-side matmul
    pre = x.new_empty(K, B, 4 * H)  # the pre-activations [i f g o], one row per sample
    # tanh(v) = 2σ(2v) - 1, and PyTorch's CPU tanh costs about four sigmoids: so the g gate's
    # weights and bias are doubled (exact: a power of two), one sigmoid squashes all four gates,
    # and g_t = 2σ(2g) - 1 is one more op. Backward is unchanged: it works from g_t itself.
    # (Only transposed as a view: the matmul reads W_hhᵀ as fast that way, and a copy costs.)
    scale = _g_doubled(x, H)
    w_ih2, w_hh_t = w_ih * scale, (w_hh * scale).t()
    bias2 = None if bias is None else bias * scale[:, 0]
    hs, new, _ = state_buffer(h0, T, reverse)
    m = x.new_empty(T, B, H) if w_hr is not None else None  # o_t ⊙ tanh(c_t), projected after
    w_hr_t = None if w_hr is None else w_hr.t().contiguous()
    minus_one = x.new_full((), -1.0)
    # the scratch S, laid out as in the docstring, and its views
    S = x.new_empty(9, B, H)
    S[0].zero_()
    S[6] = c0  # c is updated in place: c_{t-1}, then c_t
    i, f, g, o, ig, c, tanh_c, fc = S[1:].unbind(0)
    acts = S[1:5].transpose(0, 1)  # (B, 4, H): where the sigmoid of pre_t (B, 4H) goes
    if_, gc, igfc = S[1:3], S[3::3], S[5::3]  # [i f], [g c], [i g, f c]
    fc_side, zero_if = S[2::3], S[0:3]  # [f, i g, f c], [0, i, f]
    # Every per-step view, made once: slicing inside the loop would cost op calls of its own.
    pres, pre_blocks = pre.unbind(0), pre.unflatten(2, (4, H)).unbind(0)  # (B, 4H) and (B, 4, H)
    outs, ms = (None, new.unbind(0)) if m is None else (new.unbind(0), m.unbind(0))
    # local's blocks 0, 1-3, 4 and 5 of every step, which the step's derivatives are written to
    out_0, out_123, out_4, out_5 = (local[:, k].unbind(0) for k in (0, slice(1, 4), 4, 5))
    h = h0
    for n, t in enumerate(steps(T, reverse)):
        if n % K == 0:
            # [i f 2g o] = x_t W_ihᵀ + b for the next K steps processed (fewer at the end), in
            # one matmul: pre[t - lo] is step t's
            lo = max(t - K + 1, 0) if reverse else t
            hi = t + 1 if reverse else min(t + K, T)
            if bias is None:
                torch.mm(flat(x[lo:hi]), w_ih2.t(), out=flat(pre[: hi - lo]))
            else:
                torch.addmm(bias2, flat(x[lo:hi]), w_ih2.t(), out=flat(pre[: hi - lo]))
        # [i f 2g o] += h_{t-1} W_hhᵀ
        pres[t - lo].addmm_(h, w_hh_t)
        # i_t = σ(i), f_t = σ(f), σ(2g), o_t = σ(o); then g_t = 2σ(2g) - 1 = tanh(g)
        torch.sigmoid(pre_blocks[t - lo], out=acts)
        torch.add(minus_one, g, alpha=2, out=g)
        # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t:  [i_t g_t, f_t c_{t-1}] = [i_t, f_t] ⊙ [g_t, c_{t-1}]
        torch.mul(if_, gc, out=igfc)
        torch.add(fc, ig, out=c)
        # tanh(c_t) = 2σ(2c_t) - 1
        torch.add(c, c, out=tanh_c).sigmoid_()
        torch.add(minus_one, tanh_c, alpha=2, out=tanh_c)
        # m_t = o_t ⊙ tanh(c_t): h_t, or h_t before the projection h_t = m_t W_hrᵀ
        h = mt = torch.mul(o, tanh_c, out=ms[t])
        if w_hr_t is not None:
            h = torch.mm(mt, w_hr_t, out=outs[t])
        if not grad:
            continue
        # [f_t, g_t σ'(i), c_{t-1} σ'(f)] = [f_t, i_t g_t, f_t c_{t-1}] - [f_t, i_t g_t, f_t c_{t-1}] ⊙ [0, i_t, f_t]
        #   (σ' = σ (1 - σ): g_t i_t (1 - i_t) = i_t g_t - (i_t g_t) i_t, the same for f)
        torch.addcmul(fc_side, fc_side, zero_if, value=-1, out=out_123[t])
        # i_t (1 - g_t²) = i_t - (i_t g_t) g_t                      (tanh' = 1 - tanh²)
        torch.addcmul(i, ig, g, value=-1, out=out_4[t])
        # tanh(c_t) σ'(o) = m_t - m_t o_t
        torch.addcmul(mt, mt, o, value=-1, out=out_0[t])
        # o_t (1 - tanh²(c_t)) = o_t - m_t tanh(c_t)
        torch.addcmul(o, mt, tanh_c, value=-1, out=out_5[t])
    return hs, c.clone(), (local, m)


CHUNK = 1 << 17  # numbers in ``_forward``'s pre-activation chunk: 512 KB of float32


def _g_doubled(x: Tensor, H: int) -> Tensor:
    """(4H, 1): 1 for the rows of the i, f and o gates, 2 for those of g; a weight times it is a
    copy with g's rows doubled (one op, where a copy and a slice's in-place multiply are three)."""
    scale = x.new_ones(4 * H, 1)
    scale[2 * H : 3 * H] = 2
    return scale


def _forward_ln(x, h0, c0, w_ih, w_hh, bias, w_hr, reverse: bool, ln):
    """The forward time loop with LayerNorm -> (hs, c_n, saved for ``_through_time_ln``).

    LN(c_t) stands between c_t and tanh, so the local derivatives are not the simple products of
    ``_forward``; this loop keeps the activated gates, tanh(LN(c_t)), c_t and the LayerNorm
    statistics, and ``_through_time_ln`` works from them.
    """
    T, B = x.shape[:2]
    H = c0.shape[1]
    # LN(x_t W_ihᵀ) for every step at once, kept with its mean and 1/std for the backward
    xw_raw = F.linear(x, w_ih)
    gates, mean_x, rstd_x = layer_norm(xw_raw, ln[0], ln[1])
    if bias is not None:
        gates += bias
    hw = x.new_empty(T, B, 4 * H)  # h_{t-1} W_hhᵀ before its LayerNorm
    stats = x.new_empty(4, T, B, 1)  # mean and 1/std of LN(hh), then of LN(c)
    # `gates` (T, B, 4H) is ours: each step adds its LN(h_{t-1} W_hhᵀ) and squashes it in place,
    # so after the loop it holds the activated [i_t f_t g_t o_t] the backward needs.
    hs, new, _ = state_buffer(h0, T, reverse)
    cs, c_new, _ = state_buffer(c0, T, reverse)
    tanh_c = x.new_empty(T, B, H)  # tanh(LN(c_t))
    m = x.new_empty(T, B, H) if w_hr is not None else None  # o_t ⊙ tanh(c_t), projected after
    w_hh_t = w_hh.t().contiguous()
    w_hr_t = None if w_hr is None else w_hr.t().contiguous()
    g4 = gates.view(T, B, 4, H)
    gs, i_s, f_s, g_s, o_s = gates.unbind(0), *(g4[:, :, k].unbind(0) for k in range(4))
    if_s = gates[..., : 2 * H].unbind(0)
    tcs, outs, cns = tanh_c.unbind(0), new.unbind(0), c_new.unbind(0)
    h, c = h0, c0
    for t in steps(T, reverse):
        # [i f g o] = LN(x_t W_ihᵀ) + b + LN(h_{t-1} W_hhᵀ)
        torch.mm(h, w_hh_t, out=hw[t])
        normed, stats[0, t], stats[1, t] = layer_norm(hw[t], ln[2], ln[3])
        gs[t].add_(normed)
        # i_t = σ(i), f_t = σ(f), g_t = tanh(g), o_t = σ(o), in place
        if_s[t].sigmoid_()
        g_s[t].tanh_()
        o_s[t].sigmoid_()
        # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
        c = torch.mul(f_s[t], c, out=cns[t]).addcmul_(i_s[t], g_s[t])
        # h_t = o_t ⊙ tanh(LN(c_t))
        normed, stats[2, t], stats[3, t] = layer_norm(c, ln[4], ln[5])
        torch.tanh(normed, out=tcs[t])
        if m is None:
            h = torch.mul(o_s[t], tcs[t], out=outs[t])
        else:
            # h_t = (o_t ⊙ tanh(LN(c_t))) W_hrᵀ
            h = torch.mm(torch.mul(o_s[t], tcs[t], out=m[t]), w_hr_t, out=outs[t])
    c_now, c_prev = (cs[:T], cs[1:]) if reverse else (cs[1:], cs[:T])
    saved = (gates, tanh_c, xw_raw, mean_x, rstd_x, hw, stats, c_now, c_prev, *ln, m)
    return hs, last_state(cs, reverse), saved


def _through_time(grad_out, grad_hn, grad_cn, w_hh, w_hr, reverse: bool, saved, sums, keep):
    """The backward time loop without LayerNorm: two elementwise ops and one matmul per step.

    Returns (∂L/∂h (T, B, P), ∂L/∂c_0, ∂L/∂(h_0 W_hhᵀ), kept): ∂L/∂gates reaches ``sums``
    (a ``_Sums``) one chunk of steps at a time; with ``keep`` the loop works in one chunk and kept
    is (∂L/∂gates_pre (T, B, 4H), ∂L/∂c (T, B, H)) for the record, else None. In input time order.

    The trick is the layout. Each step's gradients live side by side in one row of R:

        R_t = [ ∂L/∂c_t ⊙ f_t | ∂L/∂i ∂L/∂f ∂L/∂g ∂L/∂o | ∂L/∂c_t ]      (pre-activations)
                0                1      2      3      4      5          (blocks of width H)

    so that (1) ∂L/∂o and ∂L/∂c_t come out of one addcmul over blocks 4-5, fed by
    [0, ∂L/∂c_{t+1} ⊙ f_{t+1}] (the zero makes ∂L/∂o's term from c_{t+1} vanish); (2) the three
    c-side gate gradients and what ∂L/∂c_t passes back to c_{t-1} come out of one broadcast
    multiply into blocks 0-3; (3) blocks 1-4 are ∂L/∂gates_t in PyTorch's gate order, ready for the
    one matmul with W_hh, and, stacked over a chunk's rows, for the weight gradients.

    R does not hold all T rows: only a chunk of N steps (about 512 KB), reused chunk after chunk,
    so that the rows each step writes are still in cache (measured: fresh rows for all T steps
    cost 8% more in the loop). The steps lo..hi-1 of a chunk use rows 2 + (t - lo), in input time
    order; each step reads block 0 of the row of the step after (processed before it), and the
    first step of a chunk finds it in an extra row: R[2 + hi - lo] (forward direction, backprop
    walking t down) or R[1] (reverse direction, t up), filled with ∂L/∂c_n, or copied from the
    chunk before. R[0] holds the one zero block every step reads: a view pairs it with block 0 of
    the row after, its stride between the two blocks being the distance in memory (so the zero is
    B x H numbers written once, not one zero block per row). The local derivatives come from the
    forward, laid out (see ``_forward``) so that each multiply reads one view of them.
    """
    local, _ = saved
    T, B, H = local.shape[0], local.shape[2], local.shape[3]
    P = grad_out.shape[2]
    N = T if keep else min(T, max(1, CHUNK // (B * 6 * H)))  # steps per chunk
    # Every per-step tensor below is (blocks, B, H): a (B, H) gradient then broadcasts over the
    # blocks as it is. [tanh(c_t) σ'(o), o_t (1 - tanh²(c_t))]: ∂L/∂m_t times these is
    # [∂L/∂o, ∂L/∂c_t through h_t]
    mult_h = local[:, ::5].unbind(0)
    # [f_t, g_t σ'(i), c_{t-1} σ'(f), i_t (1 - g_t²)]: ∂L/∂c_t times these is
    # [∂L/∂c_{t-1} through c_t, ∂L/∂i, ∂L/∂f, ∂L/∂g]
    mult_c = local[:, 1:5].unbind(0)
    # R, laid out as in the docstring: the zero row, the extra row of the reverse direction, the
    # N rows of a chunk, the extra row of the forward direction
    R = local.new_empty(N + 3, B, 6 * H)
    R[0, :, :H].zero_()
    rows = R[2 : N + 2]
    d_gates, d_c = rows[..., H : 5 * H], rows[..., 5 * H :]
    # ∂L/∂h_t, total: it starts as ∂L/∂output_t, copied once for all steps, and each step adds
    # what reaches h_{t-1} through the gates in place. (The incoming gradient is often a
    # broadcast view, ``output.sum()``'s: an addmm reading it would copy it again every step.)
    d_h = grad_out.new_empty(T, B, P).copy_(grad_out)
    # the views of each row of a chunk, made once. [0, ∂L/∂c_{t+1} ⊙ f_{t+1}]: the zero block and
    # block 0 of the row after, R[3 + k] (forward) or R[1 + k] (reverse) for row k of the chunk,
    # one stride apart (a row of R is B x 6H numbers)
    row = B * 6 * H
    from_after = [
        R.as_strided((2, B, H), ((k + 1 + 2 * (not reverse)) * row, 6 * H, 1), R.storage_offset())
        for k in range(N)
    ]
    by_block = rows.unflatten(2, (6, H)).transpose(1, 2)  # (N, 6, B, H) views of R's blocks
    o_and_c = by_block[:, 4:].unbind(0)  # [∂L/∂o, ∂L/∂c_t]
    c_side = by_block[:, :4].unbind(0)  # [∂L/∂c_t ⊙ f_t, ∂L/∂i, ∂L/∂f, ∂L/∂g]
    d_cs, d_gs, d_hs = d_c.unbind(0), d_gates.unbind(0), d_h.unbind(0)
    if w_hr is not None:
        d_m = grad_out.new_empty(B, H)  # ∂L/∂m_t, one step at a time
    # backprop walks time the other way: the chunks, in the order they are processed
    if reverse:
        chunks = [(lo, min(lo + N, T)) for lo in range(0, T, N)]
    else:
        chunks = [(max(hi - N, 0), hi) for hi in range(T, 0, -N)]
    # ∂L/∂h at the first step processed: from above, and from h_n
    d_hs[0 if reverse else T - 1].add_(grad_hn)
    for n, (lo, hi) in enumerate(chunks):
        # block 0 of the row after the chunk's first step: ∂L/∂c_n, or from the chunk before
        # (its last step processed: R[2 + N - 1] in the reverse direction, R[2] forward)
        into = R[1] if reverse else R[2 + hi - lo]
        into[:, :H] = grad_cn if n == 0 else R[N + 1 if reverse else 2, :, :H]
        for t in range(lo, hi) if reverse else range(hi - 1, lo - 1, -1):
            k = t - lo  # the step's row in the chunk
            if w_hr is None:
                # ∂L/∂m_t = ∂L/∂h_t
                dm = d_hs[t]
            else:
                # ∂L/∂m_t = ∂L/∂h_t W_hr   (h_t = m_t W_hrᵀ)
                dm = torch.mm(d_hs[t], w_hr, out=d_m)
            # [∂L/∂o, ∂L/∂c_t] = [0, ∂L/∂c_{t+1} ⊙ f_{t+1}] + ∂L/∂m_t ⊙ [tanh(c_t) σ'(o), o_t (1 - tanh²(c_t))]
            torch.addcmul(from_after[k], dm, mult_h[t], out=o_and_c[k])
            # [∂L/∂c_t ⊙ f_t, ∂L/∂i, ∂L/∂f, ∂L/∂g] = ∂L/∂c_t ⊙ [f_t, g_t σ'(i), c_{t-1} σ'(f), i_t (1 - g_t²)]
            torch.mul(mult_c[t], d_cs[k], out=c_side[k])
            before = t + 1 if reverse else t - 1  # the step whose h_t is this step's h_{t-1}
            if 0 <= before < T:
                # ∂L/∂h_{t-1} = ∂L/∂output_{t-1} + ∂L/∂gates_t W_hh
                d_hs[before].addmm_(d_gs[k], w_hh)
        sums.add(lo, hi, d_gates[: hi - lo])  # before the next chunk overwrites the rows
    # the last step processed, first in input time order: ∂L/∂c_0 = ∂L/∂c_first ⊙ f_first
    k = (T - 1 - lo) if reverse else 0
    d_c0 = c_side[k][0].clone()
    kept = (d_gates, d_c) if keep else None
    return d_h, d_c0, d_gs[k], kept


def _through_time_ln(grad_out, grad_hn, grad_cn, w_hh, w_hr, reverse: bool, saved):
    """The backward time loop with LayerNorm; returns what ``_through_time`` does, plus
    ∂L/∂(h_{t-1} W_hhᵀ) before LN(hh) and ∂L/∂LN(c_t), which the LayerNorm gradients need.

    LN(c_t) sits between ∂L/∂m_t and ∂L/∂c_t and LN(hh) between ∂L/∂gates_t and the matmul, so
    the fused layout of ``_through_time`` does not apply: one op per equation here.
    """
    gates, tanh_c, _, _, _, hw, stats, c_now, c_prev, *ln, _ = saved
    T, B, H = tanh_c.shape
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
    # ∂L/∂LN(c_t) gets ∂L/∂m_t ⊙ o_t ⊙ (1 - tanh²(LN(c_t))) from h_t
    through_tanh = torch.addcmul(o, o * tanh_c, tanh_c, value=-1)
    d_h = torch.empty_like(grad_out)  # ∂L/∂h_t, total
    d_c = torch.empty_like(tanh_c)  # ∂L/∂c_t, total
    d_gates = torch.empty_like(gates)  # ∂L/∂[i f g o]_pre
    d_hw = torch.empty_like(d_gates)  # ∂L/∂(h_{t-1} W_hhᵀ), before LN(hh)
    d_cn = torch.empty_like(d_c)  # ∂L/∂LN(c_t)
    d_hs, d_cs, d_gs, grads = d_h.unbind(0), d_c.unbind(0), d_gates.unbind(0), grad_out.unbind(0)
    d_ccols, d_ifg = d_c.unsqueeze(2).unbind(0), d_gates[..., : 3 * H].unbind(0)
    d_o, locals_ifg = d_gates[..., 3 * H :].unbind(0), local[:, :, :3].unbind(0)
    locals_o, tts, fs = local[:, :, 3].unbind(0), through_tanh.unbind(0), f.unbind(0)
    if w_hr is not None:
        d_m = grad_out.new_empty(B, H)
    order = list(reversed(steps(T, reverse)))  # backprop walks time the other way
    # ∂L/∂h at the last step processed: from above, and from h_n
    torch.add(grads[order[0]], grad_hn, out=d_hs[order[0]])
    c_next = grad_cn.clone()  # what reaches c_t from step t+1: ∂L/∂c_{t+1} ⊙ f_{t+1}
    for t, before in zip(order, order[1:] + [None], strict=True):
        dh = d_hs[t]
        # ∂L/∂m_t = ∂L/∂h_t W_hr with a projection (h_t = m_t W_hrᵀ), else ∂L/∂h_t
        dm = dh if w_hr is None else torch.mm(dh, w_hr, out=d_m)
        # ∂L/∂c_t = ∂L/∂c_{t+1} ⊙ f_{t+1} + LN'ᵀ(∂L/∂m_t ⊙ o_t ⊙ (1 - tanh²(LN(c_t))))
        torch.mul(dm, tts[t], out=d_cn[t])
        dc_ln, _ = layer_norm_backward(d_cn[t], c_now[t], stats[2, t], stats[3, t], ln[4])
        torch.add(c_next, dc_ln, out=d_cs[t])
        # [∂L/∂i_pre ∂L/∂f_pre ∂L/∂g_pre] = ∂L/∂c_t ⊙ their local derivatives
        torch.mul(locals_ifg[t], d_ccols[t], out=d_ifg[t].view(B, 3, H))
        # ∂L/∂o_pre = ∂L/∂m_t ⊙ tanh(LN(c_t)) ⊙ σ'(o)
        torch.mul(locals_o[t], dm, out=d_o[t])
        # what reaches c_{t-1}: ∂L/∂c_t ⊙ f_t
        torch.mul(d_cs[t], fs[t], out=c_next)
        # through LN(h_{t-1} W_hhᵀ): ∂L/∂(h_{t-1} W_hhᵀ) = LN'ᵀ(∂L/∂gates_t)
        d_hw[t], _ = layer_norm_backward(d_gs[t], hw[t], stats[0, t], stats[1, t], ln[2])
        if before is not None:
            # ∂L/∂h_{t-1} = ∂L/∂output_{t-1} + ∂L/∂(h_{t-1} W_hhᵀ) W_hh
            torch.addmm(grads[before], d_hw[t], w_hh, out=d_hs[before])
    return d_gates, d_h, d_c, c_next, d_hw, d_cn
