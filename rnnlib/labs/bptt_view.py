"""Backpropagation through time for one window, recorded: the gradient at every step and unit.

The model's core is mirrored into a float64 ScratchRecurrent (``mirror``) whose hand-written
backward (rnnlib/bptt) keeps what it computes on the way back: ∂L/∂h_t, ∂L/∂c_t and each gate's
pre-activation gradient, for every layer and direction. L is the model's first output for the
window, the same y the gradient-reach figure differentiates, so ``BackwardRecord.reach`` (the norm
of ∂L/∂x_t over the input features, by lag) is that figure's curve for this one window.

Shapes: T = window length, I = input features, H = hidden_size, P = state width.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from rnnlib.labs.inside import (
    Recording,
    StepLine,
    _check_index,
    _line,
    _num,
    _params,
    as_window,
    mirror,
    step_values,
)
from rnnlib.spec import ModelSpec

# What the backward keeps per cell, in display order: ∂L/∂h_t, ∂L/∂c_t, then each gate's ∂L/∂pre.
GRADIENTS = {
    "rnn": ("h", "pre"),
    "lstm": ("h", "c", "i", "f", "g", "o"),
    "gru": ("h", "r", "z", "n"),
}
GRAD_LABELS = {
    "h": "∂L/∂h_t", "c": "∂L/∂c_t", "pre": "∂L/∂(pre-activation)", "i": "∂L/∂i (input gate, pre)",
    "f": "∂L/∂f (forget gate, pre)", "g": "∂L/∂g (candidate, pre)", "o": "∂L/∂o (output gate, pre)",
    "r": "∂L/∂r (reset gate, pre)", "z": "∂L/∂z (update gate, pre)", "n": "∂L/∂n (candidate, pre)",
}  # fmt: skip


@dataclass(frozen=True, eq=False)
class BackwardRecord:
    """The gradients of L (the model's first output) for one window.

    x:      (T, I) the window.
    grads:  (layer, direction) -> name -> (T, width) float64, in input time order; names are
            GRADIENTS[spec.cell] ("pre" for the RNN is ∂L/∂(x_t W_ihᵀ + h_{t-1} W_hhᵀ + b)).
    dx:     (T, I) ∂L/∂x_t, what reaches the input.
    loss:   what L is, in words.
    forward: the same window's forward Recording from the same float64 twin, so the chain rule's
            forward factors and the gradients agree to float64 rounding.
    """

    spec: ModelSpec  # the mirror's: scratch, batch_first
    x: np.ndarray
    grads: dict[tuple[int, int], dict[str, np.ndarray]]
    dx: np.ndarray
    loss: str
    forward: Recording

    @property
    def names(self) -> tuple[str, ...]:
        return GRADIENTS[self.spec.cell]

    @property
    def steps(self) -> int:
        return self.x.shape[0]

    @property
    def reach(self) -> np.ndarray:
        """(T,) ‖∂L/∂x_(T-1-lag)‖ by lag: the gradient-reach curve of this one window."""
        return np.linalg.norm(self.dx, axis=1)[::-1].copy()

    def at(self, layer: int, direction: int) -> dict[str, np.ndarray]:
        _check_index("layer", layer, self.spec.num_layers)
        _check_index("direction", direction, self.spec.num_directions)
        return self.grads[(layer, direction)]


def backward_record(model: nn.Module, window) -> BackwardRecord:
    """Run one window (T, I) forward and back through the model's float64 twin; see BackwardRecord.

    With a head (an rnnlib model), L = the head's first output, as gradient reach uses; a bare
    core has no output of its own, so L = the sum of its last layer's h_n.
    """
    twin = mirror(model).double()
    arr = as_window(window, twin.spec.input_size)
    twin.record_grads = True
    x = torch.from_numpy(arr).double()[None].requires_grad_(True)
    with torch.enable_grad():
        _, state = twin(x)
        if hasattr(model, "head") and hasattr(model, "readout"):
            head = copy.deepcopy(model.head).double().cpu()
            loss, what = head(model.readout(state))[0, 0], "L = y, the model's first output"
        else:
            h_n = state[0] if isinstance(state, tuple) else state
            D = twin.spec.num_directions
            loss, what = h_n[-D:].sum(), "L = the sum of the last layer's h_n (a core has no head)"
        loss.backward()
    grads = {
        key: {name: v[0].numpy().copy() for name, v in rec.items()}
        for key, rec in twin.recorded_grads.items()
    }
    twin.record = True  # the forward again, gates recorded (the step functions, same numbers)
    with torch.no_grad():
        twin(x.detach())
    states = {
        key: {name: v[0].numpy().copy() for name, v in rec.items()}
        for key, rec in twin.recorded.items()
    }
    forward = Recording(twin.spec, arr.astype(np.float64), states, None)
    dx = x.grad[0].numpy().copy()
    return BackwardRecord(twin.spec, arr.astype(np.float64), grads, dx, what, forward)


# --- one step of the backward, for one unit ------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """The numbers of one unit's backward step: the recorded gradients and the forward values the
    chain rule multiplies them by. ``values`` keys: the recorded gradients under "d" + name
    ("dh", "dc", "di", ...), the forward values ("i", "f", "g", "o", "c", "c_prev", "c_out", "h",
    "h_prev", "r", "z", "n", "hn"), "dh_next" (what step t+1, or t-1 in a reverse direction,
    sent back) and "dh_above" (the rest of ∂L/∂h_t: from the head or the layer above), "dc_next"
    and "f_next" for the LSTM, and "dm" (∂L/∂(o_t ⊙ tanh c_t)) with a projection."""

    spec: ModelSpec
    direction: int
    t: int
    unit: int
    values: dict[str, float]


def backward_step(
    model: nn.Module, back: BackwardRecord, layer: int, direction: int, t: int, unit: int
) -> BackwardStep:  # fmt: skip
    """The backward step at t for one unit of (layer, direction), from the record; see BackwardStep.

    Raises InsideError for an index out of range.
    """
    spec, forward = back.spec, back.forward
    g = back.at(layer, direction)
    t = _check_index("time step t", t, back.steps)
    j = _check_index("unit", unit, spec.hidden_size)
    forward_step = step_values(model, None, layer, direction, t, j, recording=forward)
    fwd = forward_step.values
    v: dict[str, float] = dict(fwd)
    for name in back.names:
        if name == "h" and j >= g["h"].shape[1]:
            continue
        v["d" + name] = float(g[name][t, j])
    nxt = t + 1 if direction == 0 else t - 1  # the step processed after t: it sent ∂L/∂h_t back
    has_next = 0 <= nxt < back.steps
    p = _params(mirror(model), layer, direction)
    w_hh, H = p["weight_hh"], spec.hidden_size
    own = forward.states[(layer, direction)]
    if spec.cell == "rnn":
        d_next = g["pre"][nxt] @ w_hh if has_next else np.zeros(spec.state_size)
    elif spec.cell == "gru":
        v["hn"] = float(sum(forward_step.terms["n_h"]))  # W_hn h_{t-1} + b_hn
        if has_next:
            r_n = own["r"][nxt]
            d_hw = np.concatenate([g["r"][nxt], g["z"][nxt], g["n"][nxt] * r_n])
            d_next = g["h"][nxt] * own["z"][nxt] + d_hw @ w_hh
        else:
            d_next = np.zeros(H)
    else:
        if spec.proj_size:
            v["dm"] = float(g["h"][t] @ p["weight_hr"][:, j])
        if not has_next:
            d_next = np.zeros(spec.state_size)
        elif spec.layer_norm:  # through LN(h_{t-1} W_hhᵀ), which mixes every unit: no plain sum
            d_next = None
        else:
            d_next = np.concatenate([g[n][nxt] for n in "ifgo"]) @ w_hh
        v["dc_next"] = float(g["c"][nxt, j]) if has_next else 0.0
        v["f_next"] = float(own["f"][nxt, j]) if has_next else 0.0
    if d_next is not None and j < len(d_next) and "dh" in v:
        v["dh_next"] = float(d_next[j])
        above = v["dh"] - v["dh_next"]
        # what is left is float64 rounding when nothing arrives from above: show it as the 0 it is
        v["dh_above"] = 0.0 if abs(above) <= 1e-12 * abs(v["dh"]) else above
    return BackwardStep(spec, direction, t, j, v)


def _split_line(eq: str, rows: list[str], value: float, name: str) -> StepLine:
    """_line, with each row's result on a row of its own: the products are long for half a page."""
    split: list[str] = []
    for row in rows:
        head, sep, result = row[2:].rpartition(" = ")
        split += [row[:2] + head, "= " + result] if sep else [row]
    return _line(eq, split, value, name)


def backward_latex(step: BackwardStep) -> list[StepLine]:
    """The backward step's chain rule with its numbers: one StepLine per gradient, in the order the
    backward computes them (∂L/∂h_t first). StepLine.name is the gradient's name ("h", "c", "o" ...)."""
    spec, v, j = step.spec, step.values, step.unit
    nxt = "t+1" if step.direction == 0 else "t-1"
    n = lambda key, wrap=True: _num(v[key], wrap)  # noqa: E731
    lines: list[StepLine] = []
    if "dh_next" in v:
        eq = rf"\frac{{\partial L}}{{\partial h_{{t,{j}}}}} = \text{{(from above)}} + \text{{(from step }}{nxt}\text{{)}}"
        rows = [rf"= {n('dh_above')} + {n('dh_next')} = {n('dh', False)}"]
        lines.append(_split_line(eq, rows, v["dh"], "h"))
    dh = r"\frac{\partial L}{\partial h_t}"
    if spec.cell == "rnn":
        relu = spec.nonlinearity == "relu"
        local = r"[h_t > 0]" if relu else r"(1 - h_t^2)"
        number = (1.0 if v["h"] > 0 else 0.0) if relu else 1 - v["h"] ** 2
        eq = rf"\frac{{\partial L}}{{\partial \mathrm{{pre}}_t}} = {dh} \odot {local}"
        rows = [rf"= {n('dh')} \cdot {_num(number, True)} = {n('dpre', False)}"]
        return lines + [_split_line(eq, rows, v["dpre"], "pre")]
    if spec.cell == "gru":
        dn = r"\frac{\partial L}{\partial n}"
        rows_n = [
            rf"= {n('dh')} \cdot (1 - {n('z', False)}) \cdot (1 - {n('n')}^2) = {n('dn', False)}"
        ]
        rows_z = [
            rf"= {n('dh')} \cdot ({n('h_prev')} - {n('n')}) \cdot {n('z', False)}(1 - {n('z', False)}) = {n('dz', False)}"
        ]
        rows_r = [
            rf"= {n('dn')} \cdot {n('hn')} \cdot {n('r', False)}(1 - {n('r', False)}) = {n('dr', False)}"
        ]
        return lines + [
            _split_line(rf"{dn} = {dh} \odot (1 - z_t) \odot (1 - n_t^2)", rows_n, v["dn"], "n"),
            _split_line(rf"\frac{{\partial L}}{{\partial z}} = {dh} \odot (h_{{prev}} - n_t) \odot z_t(1 - z_t)", rows_z, v["dz"], "z"),
            _split_line(rf"\frac{{\partial L}}{{\partial r}} = {dn} \odot (W_{{hn}} h_{{prev}} + b_{{hn}}) \odot r_t(1 - r_t)", rows_r, v["dr"], "r"),
        ]  # fmt: skip
    # LSTM: with a projection, h_t = m_t W_hrᵀ, and the gradient reaching m_t = o_t ⊙ tanh(c_t) is ∂L/∂m
    dm_key = "dm" if "dm" in v else "dh"
    dm = r"\frac{\partial L}{\partial m_t}" if dm_key == "dm" else dh
    if dm_key == "dm":
        eq = rf"{dm} = \left(\frac{{\partial L}}{{\partial h_t}} W_{{hr}}\right)_{{{j}}}"
        lines.append(_split_line(eq, [rf"= {n('dm', False)}"], v["dm"], "m"))
    tc = float(np.tanh(v["c_out"]))
    dc = r"\frac{\partial L}{\partial c_t}"
    if spec.layer_norm:  # through LN(c_t), which mixes every unit: the number, not the sum
        lines.append(
            _split_line(
                rf"{dc} = \text{{(through LN}}(c_t)\text{{)}}",
                [rf"= {n('dc', False)}"],
                v["dc"],
                "c",
            )
        )
    elif dm_key in v:
        eq = rf"{dc} = \frac{{\partial L}}{{\partial c_{{{nxt}}}}} \odot f_{{{nxt}}} + {dm} \odot o_t \odot (1 - \tanh^2 c_t)"
        rows = [
            rf"= {n('dc_next')} \cdot {n('f_next', False)}",
            rf"+ {n(dm_key)} \cdot {n('o', False)} \cdot (1 - {_num(tc, True)}^2)",
            rf"= {n('dc', False)}",
        ]  # the sum of two products: one row each
        lines.append(_line(eq, rows, v["dc"], "c"))
    if dm_key in v:
        eq = rf"\frac{{\partial L}}{{\partial o}} = {dm} \odot \tanh(c_t) \odot o_t(1 - o_t)"
        rows = [
            rf"= {n(dm_key)} \cdot {_num(tc, True)} \cdot {n('o', False)}(1 - {n('o', False)}) = {n('do', False)}"
        ]
        lines.append(_split_line(eq, rows, v["do"], "o"))
    gates = (
        ("i", r"g_t \odot i_t(1 - i_t)", rf"{n('g')} \cdot {n('i', False)}(1 - {n('i', False)})"),
        (
            "f",
            r"c_{prev} \odot f_t(1 - f_t)",
            rf"{n('c_prev')} \cdot {n('f', False)}(1 - {n('f', False)})",
        ),
        ("g", r"i_t \odot (1 - g_t^2)", rf"{n('i', False)} \cdot (1 - {n('g')}^2)"),
    )
    for name, local, numbers in gates:
        eq = rf"\frac{{\partial L}}{{\partial {name}}} = {dc} \odot {local}"
        rows = [rf"= {n('dc')} \cdot {numbers} = {n('d' + name, False)}"]
        lines.append(_split_line(eq, rows, v["d" + name], name))
    return lines
