"""ScratchRecurrent: rnnlib's own RNN/LSTM/GRU, a drop-in for nn.RNN/LSTM/GRU.

Parameters have PyTorch's names, shapes and initialisation, so state_dicts load both ways.
The three cells differ only by their gate count and step function (``cells.py``); building
parameters and unrolling over time, layers and directions is written once, here.

Inputs: input, hx (optional)
    input: (B, T, I) if batch_first else (T, B, I); or unbatched (T, I)
    hx: h_0 of shape (L*D, B, P), or (h_0, c_0) for LSTM with c_0 of shape (L*D, B, H)
Outputs: output, h_n  (LSTM: output, (h_n, c_n))
    output: (B, T, D*P) if batch_first else (T, B, D*P)
    h_n: (L*D, B, P), c_n: (L*D, B, H)      layer-major: index = layer * D + direction
with L = num_layers, D = 2 if bidirectional else 1, H = hidden_size, P = proj_size or H.
"""

from __future__ import annotations

import math
from collections import defaultdict

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlib.bptt import BACKWARDS, unroll
from rnnlib.cells import gru_step, lstm_step, rnn_step
from rnnlib.spec import ModelSpec, SpecError


class ScratchRecurrent(nn.Module):
    def __init__(self, spec: ModelSpec, backward: str = "manual"):
        super().__init__()
        if backward not in BACKWARDS:
            raise SpecError(f"backward must be one of {', '.join(BACKWARDS)}; got {backward!r}.")
        self.spec = spec
        self.mode = spec.cell
        self.batch_first = spec.batch_first
        self.bidirectional = spec.bidirectional
        self.num_layers = spec.num_layers
        self.hidden_size = spec.hidden_size
        self.proj_size = spec.proj_size
        self.dropout = spec.dropout
        # Set record=True to keep each step's gates in .recorded after the next forward.
        self.record = False
        self.recorded: dict[tuple[int, int], dict[str, Tensor]] = {}
        # "manual": each layer and direction is one autograd.Function with its backward through
        # time written out (rnnlib/bptt); "autograd": the step functions of cells.py, differentiated
        # by autograd, the reference. Recording the gates always takes the step functions.
        self.backward = backward
        # Set record_grads=True to keep each layer's gradients through time in .recorded_grads
        # (filled by the next backward; the manual path only).
        self.record_grads = False
        self.recorded_grads: dict[tuple[int, int], dict[str, Tensor]] = {}

        H, P, G, D = spec.hidden_size, spec.state_size, spec.gates, spec.num_directions
        self._names: list[
            list[str]
        ] = []  # per (layer, direction): its parameter names, torch order
        for layer in range(spec.num_layers):
            in_size = spec.input_size if layer == 0 else P * D
            for d in range(D):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                shapes = {f"weight_ih{sfx}": (G * H, in_size), f"weight_hh{sfx}": (G * H, P)}
                if spec.bias:
                    shapes |= {f"bias_ih{sfx}": (G * H,), f"bias_hh{sfx}": (G * H,)}
                if spec.proj_size:
                    shapes[f"weight_hr{sfx}"] = (P, H)
                if spec.layer_norm:
                    shapes |= {f"ln_ih_weight{sfx}": (G * H,), f"ln_ih_bias{sfx}": (G * H,)}
                    shapes |= {f"ln_hh_weight{sfx}": (G * H,), f"ln_hh_bias{sfx}": (G * H,)}
                    shapes |= {f"ln_c_weight{sfx}": (H,), f"ln_c_bias{sfx}": (H,)}
                for name, shape in shapes.items():
                    self.register_parameter(name, nn.Parameter(torch.empty(shape)))
                self._names.append(list(shapes))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # PyTorch's rule: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)); LayerNorm starts as identity.
        k = 1.0 / math.sqrt(self.hidden_size)
        for name, p in self.named_parameters():
            if name.startswith("ln_"):
                nn.init.ones_(p) if "_weight" in name else nn.init.zeros_(p)
            else:
                nn.init.uniform_(p, -k, k)

    def _params(self, layer: int, d: int) -> dict[str, Tensor]:
        names = self._names[layer * self.spec.num_directions + d]
        sfx = f"_l{layer}" + ("_reverse" if d else "")
        return {n.removesuffix(sfx): getattr(self, n) for n in names}

    def forward(self, input: Tensor, hx=None):
        spec = self.spec
        unbatched = input.dim() == 2
        if unbatched:
            input = input.unsqueeze(1)
            if hx is not None:
                hx = tuple(s.unsqueeze(1) for s in hx) if isinstance(hx, tuple) else hx.unsqueeze(1)
        elif spec.batch_first:
            input = input.transpose(0, 1)
        x = input  # (T, B, I) from here on
        T, B, _ = x.shape
        L, D = spec.num_layers, spec.num_directions
        if hx is None:
            h0 = x.new_zeros(L * D, B, spec.state_size)
            c0 = x.new_zeros(L * D, B, spec.hidden_size) if self.mode == "lstm" else None
        else:
            h0, c0 = hx if self.mode == "lstm" else (hx, None)
        self.recorded = {}
        self.recorded_grads = {}
        h_n, c_n = [], []
        for layer in range(L):
            outs = []
            for d in range(D):
                idx = layer * D + d
                c_init = c0[idx] if c0 is not None else None
                seq, h, c = self._direction(x, layer, d, h0[idx], c_init)
                outs.append(seq)
                h_n.append(h)
                c_n.append(c)
            x = outs[0] if D == 1 else torch.cat(outs, dim=2)
            # Dropout sits between layers only, as in nn.LSTM: never on the last layer's output.
            if self.dropout > 0 and self.training and layer < L - 1:
                x = F.dropout(x, self.dropout, training=True)
        output = x
        h_n = torch.stack(h_n)
        state = (h_n, torch.stack(c_n)) if self.mode == "lstm" else h_n
        if unbatched:
            output = output.squeeze(1)
            state = tuple(s.squeeze(1) for s in state) if self.mode == "lstm" else state.squeeze(1)
        elif spec.batch_first:
            output = output.transpose(0, 1)
        return output, state

    def _direction(self, x: Tensor, layer: int, d: int, h: Tensor, c: Tensor | None):
        """Run one layer in one direction over all T steps. x: (T, B, I) -> (T, B, P)."""
        p = self._params(layer, d)
        if self.backward == "manual" and not self.record:
            keep = self.recorded_grads.setdefault((layer, d), {}) if self.record_grads else None
            relu = self.spec.nonlinearity == "relu"
            return unroll(self.mode, x, p, h, c, reverse=d == 1, relu=relu, keep=keep)
        w_ih, w_hh, b_ih, b_hh = p["weight_ih"], p["weight_hh"], p.get("bias_ih"), p.get("bias_hh")
        # The input projection of every step in one matmul; only h_{t-1} W_hh^T is left per step.
        if self.spec.layer_norm:
            G = w_ih.shape[0]
            xw = F.layer_norm(F.linear(x, w_ih), (G,), p["ln_ih_weight"], p["ln_ih_bias"])
            if b_ih is not None:
                xw = xw + (b_ih + b_hh)
        elif self.mode == "gru" or b_ih is None:
            xw = F.linear(x, w_ih, b_ih)
        else:
            # RNN and LSTM add b_hh outside any gate product, so it folds into the input side.
            xw = F.linear(x, w_ih, b_ih + b_hh)
        w_hh_t = w_hh.t()
        rec = defaultdict(list) if self.record else None
        # unbind, not xw[t]: each xw[t] would backpropagate through a full-size zero tensor.
        xs = xw.unbind(0)
        T = x.shape[0]
        steps = range(T - 1, -1, -1) if d == 1 else range(T)
        out: list[Tensor] = [None] * T  # type: ignore[list-item]
        if self.mode == "lstm":
            w_hr = p.get("weight_hr")
            w_hr_t = w_hr.t() if w_hr is not None else None
            ln = (
                (p["ln_hh_weight"], p["ln_hh_bias"], p["ln_c_weight"], p["ln_c_bias"])
                if self.spec.layer_norm
                else None
            )
            for t in steps:
                h, c = lstm_step(xs[t], h, c, w_hh_t, w_hr_t, ln, rec)
                out[t] = h
        elif self.mode == "gru":
            for t in steps:
                h = gru_step(xs[t], h, w_hh_t, b_hh, rec)
                out[t] = h
        else:
            relu = self.spec.nonlinearity == "relu"
            for t in steps:
                h = rnn_step(xs[t], h, w_hh_t, relu, rec)
                out[t] = h
        if rec is not None:
            # Recorded in processing order; the reverse direction is flipped back to input time order.
            order = (lambda v: v[::-1]) if d == 1 else (lambda v: v)
            self.recorded[(layer, d)] = {
                k: torch.stack(order(v), dim=1).detach() for k, v in rec.items()
            }  # each (B, T, width)
        return torch.stack(out), h, c
