"""Look inside a recurrent model: record every gate for one window, and spell out one step's arithmetic.

Any model works: its core is copied into a ScratchRecurrent twin (``mirror``), which has PyTorch's
parameter layout and can record its gates, so a fused nn.LSTM trained on the Train page is looked
at through exactly its own weights. The step arithmetic is recomputed here from those weights in
float64, independently of ``cells.py``, so its numbers double as a check of the recording.

Shapes: T = window length, I = input features, H = hidden_size, P = state width (proj_size or H).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from rnnlib.cells import RECORDED
from rnnlib.equations import equations
from rnnlib.errors import RnnlibError, check_whole
from rnnlib.scratch import ScratchRecurrent
from rnnlib.series import sine
from rnnlib.spec import CELLS, ModelSpec

MAX_STEPS = 2_000  # a heatmap wider than this is unreadable anyway
# Gate activations in [0, 1] (sigmoid); the rest are tanh-squashed or unbounded states.
SIGMOID_GATES = {"i", "f", "o", "r", "z"}
LABELS = {
    "i": "i_t input gate", "f": "f_t forget gate", "g": "g_t candidate", "o": "o_t output gate",
    "c": "c_t cell state", "h": "h_t hidden state", "r": "r_t reset gate", "z": "z_t update gate",
    "n": "n_t candidate",
}  # fmt: skip
_TORCH_MODES = {"LSTM": ("lstm", "tanh"), "GRU": ("gru", "tanh")}
_TORCH_MODES |= {"RNN_TANH": ("rnn", "tanh"), "RNN_RELU": ("rnn", "relu")}


class InsideError(RnnlibError):
    """A window, layer, step or unit the Inside views cannot show; the message says what to change."""


def check_cells(cells) -> tuple[str, ...]:
    """A non-empty tuple of cell names from CELLS, else InsideError."""
    cells = tuple(cells)
    if not cells or any(c not in CELLS for c in cells):
        raise InsideError(f"cells must be some of {', '.join(CELLS)}; got {list(cells)!r}.")
    return cells


# --- the model's core and its recording twin ---------------------------------------------------


def core_of(model: nn.Module) -> nn.Module:
    """The recurrent core: ``model.rnn`` for rnnlib's models (the encoder of a seq2seq), else model."""
    core = getattr(model, "rnn", model)
    if not isinstance(core, nn.RNNBase | ScratchRecurrent):
        raise InsideError(
            f"{type(model).__name__} has no recurrent core to look inside: pass an rnnlib model "
            "(with .rnn) or an nn.RNN / LSTM / GRU."
        )
    return core


def core_spec(core_or_model: nn.Module) -> ModelSpec:
    """The ModelSpec of the core, read from its attributes (a scratch core carries its own)."""
    core = core_of(core_or_model)
    if isinstance(core, ScratchRecurrent):
        return core.spec
    cell, act = _TORCH_MODES[core.mode]
    return ModelSpec(
        cell=cell, input_size=core.input_size, hidden_size=core.hidden_size,
        num_layers=core.num_layers, nonlinearity=act, bias=core.bias, batch_first=core.batch_first,
        bidirectional=core.bidirectional, proj_size=getattr(core, "proj_size", 0),
    )  # fmt: skip


def mirror(core_or_model: nn.Module) -> ScratchRecurrent:
    """A ScratchRecurrent on the CPU, in eval mode, holding the same weights as the model's core.

    Always batch_first and without dropout: neither changes a weight, and eval mode ignores dropout.
    The original is left untouched (its device, mode and ``record`` flag stay as they were).
    """
    core = core_of(core_or_model)
    spec = core_spec(core).replace(impl="scratch", batch_first=True, dropout=0.0)
    twin = ScratchRecurrent(spec)
    twin.load_state_dict({k: v.detach().cpu() for k, v in core.state_dict().items()})
    return twin.eval()


# --- recording ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Recording:
    """Everything the core computed for one window.

    x:          (T, I) the window as fed to the model.
    states:     (layer, direction) -> name -> (T, width) float64, in input time order (a reverse
                direction's step t is the one that read x_t); names are RECORDED[spec.cell].
    prediction: (O,) the model's output for the window, or None for a bare core.
    """

    spec: ModelSpec  # the core's spec (the mirror's: scratch, batch_first)
    x: np.ndarray
    states: dict[tuple[int, int], dict[str, np.ndarray]]
    prediction: np.ndarray | None

    @property
    def names(self) -> tuple[str, ...]:
        return RECORDED[self.spec.cell]

    @property
    def steps(self) -> int:
        return self.x.shape[0]

    def at(self, layer: int, direction: int) -> dict[str, np.ndarray]:
        _check_index("layer", layer, self.spec.num_layers)
        _check_index("direction", direction, self.spec.num_directions)
        return self.states[(layer, direction)]


def _check_index(name: str, value, count: int) -> int:
    return check_whole(name, value, 0, count - 1, error=InsideError)


def as_window(x, input_size: int) -> np.ndarray:
    """One window as a (T, I) float32 array, checked; (1, T, I) is accepted too."""
    try:
        arr = np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x, dtype=np.float32)
    except (TypeError, ValueError) as e:
        raise InsideError(f"The window must be numeric ({e}).") from None
    if arr.ndim == 3 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 2 or arr.shape[1] != input_size:
        raise InsideError(
            f"The window must have shape (steps, {input_size}) for this model, got {arr.shape}."
        )
    if not 1 <= arr.shape[0] <= MAX_STEPS:
        raise InsideError(f"The window must have 1 to {MAX_STEPS} steps, got {arr.shape[0]}.")
    if not np.isfinite(arr).all():
        raise InsideError("The window contains NaN or infinite values.")
    return arr


def _predict(model: nn.Module, window: np.ndarray) -> np.ndarray | None:
    if not hasattr(model, "head"):
        return None
    device = next(model.parameters()).device
    x = torch.from_numpy(window)[None].to(device)
    if not core_of(model).batch_first:
        x = x.transpose(0, 1)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(x)[0].double().cpu().numpy()
    finally:
        model.train(was_training)


def record(model: nn.Module, x) -> Recording:
    """Run one window x (T, I) through the model's twin with recording on; see Recording."""
    twin = mirror(model)
    window = as_window(x, twin.spec.input_size)
    twin.record = True
    with torch.no_grad():
        twin(torch.from_numpy(window)[None])
    states = {
        key: {name: v[0].double().numpy() for name, v in rec.items()}
        for key, rec in twin.recorded.items()
    }
    return Recording(twin.spec, window.astype(np.float64), states, _predict(model, window))


def sine_windows(length: int = 40, count: int = 16, period: float = 25.0) -> np.ndarray:
    """(count, length, 1) float32 windows of a noisy sine, each starting 3 steps after the last.

    Input for an untrained model, which has no data of its own.
    """
    length = _check_index("length", length, MAX_STEPS + 1)
    values = sine(n=max(length + 3 * count, 10), period=period).values()[:, 0].astype(np.float32)
    return np.stack([values[3 * k : 3 * k + length, None] for k in range(count)])


# --- one step, computed ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StepValues:
    """The numbers one unit's step used and gave, as floats (computed in float64).

    values: name -> this unit's number. The cell's results under RECORDED's names ("i", "f", "g",
            "o", "c", "h" / "r", "z", "n", "h" / "h"; an LSTM unit at or past proj_size has no "h"),
            then the numbers between that the equations show: GRU "h_prev" and "n_in" (the sum
            inside n_t's tanh), LSTM "c_prev" and "c_out" (LN(c_t) with layer_norm, else c_t).
    terms:  gate -> the terms summed inside its activation, in the equation's order; GRU's n_t has
            "n_x" (beside r_t) and "n_h" (multiplied by r_t) instead.
    """

    spec: ModelSpec  # the recording's (the mirror's) spec
    direction: int  # 1 reads the step after: its previous state is h_{t+1}
    unit: int
    values: dict[str, float]
    terms: dict[str, tuple[float, ...]]

    @property
    def results(self) -> dict[str, float]:
        """What the cell computed for this unit, in RECORDED order: the recording's numbers."""
        return {k: self.values[k] for k in RECORDED[self.spec.cell] if k in self.values}


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _layer_norm(v, weight, bias, eps: float = 1e-5):
    # LN(v) = (v - mean) / sqrt(var + eps) * weight + bias, over the whole vector (PyTorch's eps).
    return (v - v.mean()) / np.sqrt(v.var() + eps) * weight + bias


def _params(twin: ScratchRecurrent, layer: int, direction: int) -> dict[str, np.ndarray]:
    sfx = f"_l{layer}" + ("_reverse" if direction else "")
    state = twin.state_dict()
    return {k.removesuffix(sfx): v.double().numpy() for k, v in state.items() if k.endswith(sfx)}


def step_values(
    model: nn.Module, x, layer: int, direction: int, t: int, unit: int,
    recording: Recording | None = None,
) -> StepValues:  # fmt: skip
    """One step of one unit recomputed from the model's weights in float64; see StepValues.

    x: the window (T, I); t: the input step (a reverse direction reads it after t+1, so its
    previous state is h_{t+1}); unit: index into H (gates, c), also used for h when it is < P.
    Pass the window's ``recording`` to reuse it. Raises InsideError for an index out of range.
    """
    rec = recording if recording is not None else record(model, x)
    spec = rec.spec
    layer = _check_index("layer", layer, spec.num_layers)
    direction = _check_index("direction", direction, spec.num_directions)
    t = _check_index("time step t", t, rec.steps)
    j = _check_index("unit", unit, spec.hidden_size)
    p = _params(mirror(model), layer, direction)
    own = rec.states[(layer, direction)]
    # The layer's input at t: the window, or the layer below's h_t of every direction, concatenated.
    below = range(spec.num_directions) if layer else ()
    x_t = np.concatenate([rec.states[(layer - 1, d)]["h"][t] for d in below]) if layer else rec.x[t]
    prev = t - 1 if direction == 0 else t + 1
    fresh = not 0 <= prev < rec.steps  # the first step processed starts from zero states
    h_prev = np.zeros(spec.state_size) if fresh else own["h"][prev]
    wx, wh = p["weight_ih"] @ x_t, p["weight_hh"] @ h_prev
    zero = np.zeros_like(wx)
    b_ih, b_hh = p.get("bias_ih", zero), p.get("bias_hh", zero)
    if spec.layer_norm:
        wx = _layer_norm(wx, p["ln_ih_weight"], p["ln_ih_bias"])
        wh = _layer_norm(wh, p["ln_hh_weight"], p["ln_hh_bias"])
    H, b = spec.hidden_size, spec.bias

    def pre(k: int) -> tuple[float, ...]:
        """Gate block k's terms for unit j, in its equation's order."""
        row = k * H + j
        if spec.layer_norm:  # LN(W x), LN(W h), b_i, b_h
            return (wx[row], wh[row]) + ((b_ih[row], b_hh[row]) if b else ())
        return (wx[row], b_ih[row], wh[row], b_hh[row]) if b else (wx[row], wh[row])

    def step(terms: dict, **values) -> StepValues:
        terms = {k: tuple(map(float, ts)) for k, ts in terms.items()}
        return StepValues(spec, direction, j, {k: float(v) for k, v in values.items()}, terms)

    if spec.cell == "rnn":
        # h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
        s = wx + b_ih + wh + b_hh
        h = np.maximum(s, 0.0) if spec.nonlinearity == "relu" else np.tanh(s)
        return step({"h": pre(0)}, h=h[j])

    if spec.cell == "gru":
        # r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr);  z_t likewise
        r = _sigmoid(wx[:H] + b_ih[:H] + wh[:H] + b_hh[:H])
        z = _sigmoid(wx[H : 2 * H] + b_ih[H : 2 * H] + wh[H : 2 * H] + b_hh[H : 2 * H])
        # n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
        xn, hn = wx[2 * H :] + b_ih[2 * H :], wh[2 * H :] + b_hh[2 * H :]
        n = np.tanh(xn + r * hn)
        # h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
        h = (1 - z) * n + z * h_prev
        row = 2 * H + j
        n_x = (wx[row], b_ih[row]) if b else (wx[row],)
        n_h = (wh[row], b_hh[row]) if b else (wh[row],)
        terms = {"r": pre(0), "z": pre(1), "n_x": n_x, "n_h": n_h}
        n_in = xn[j] + r[j] * hn[j]
        return step(terms, r=r[j], z=z[j], n=n[j], h=h[j], h_prev=h_prev[j], n_in=n_in)

    # LSTM. [i f g o] = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh  (LN on both products when layer_norm)
    s = wx + b_ih + wh + b_hh
    i, f, o = _sigmoid(s[:H]), _sigmoid(s[H : 2 * H]), _sigmoid(s[3 * H :])
    g = np.tanh(s[2 * H : 3 * H])
    c_prev = np.zeros(H) if fresh else own["c"][prev]
    # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    c = f * c_prev + i * g
    # h_t = o_t ⊙ tanh(c_t)   (LN(c_t) inside the tanh with layer_norm; then W_hr with proj_size)
    c_out = _layer_norm(c, p["ln_c_weight"], p["ln_c_bias"]) if spec.layer_norm else c
    h = o * np.tanh(c_out)
    if spec.proj_size:
        # unit j of h mixes every unit of o_t ⊙ tanh(c_t); h has proj_size units only
        h = p["weight_hr"] @ h
    terms = {name: pre(k) for k, name in enumerate("ifgo")}
    gates = dict(i=i[j], f=f[j], g=g[j], o=o[j], c=c[j])
    h_j = {"h": h[j]} if j < len(h) else {}
    return step(terms, **gates, **h_j, c_prev=c_prev[j], c_out=c_out[j])


# --- one step, spelled out ---------------------------------------------------------------------


class StepLine(NamedTuple):
    latex: str  # the cell's equation, then its terms as numbers, then the result
    value: float  # the result for the chosen unit: what the cell computed
    name: str  # what the line computes: "i", "f", "g", "o", "c", "h", "r", "z", "n"


def _num(v: float, wrap: bool = False) -> str:
    """v to 4 significant digits as LaTeX; wrap: a negative in parentheses, for sums and products."""
    s = f"{float(v):.4g}"
    if "e" in s:
        mantissa, exp = s.split("e")
        s = rf"{mantissa}\times 10^{{{int(exp)}}}"
    return f"({s})" if wrap and v < 0 else s


def _terms(values) -> str:
    return " + ".join(_num(v, wrap=True) for v in values)


def _line(eq: str, rows: list[str], value: float, name: str) -> StepLine:
    """The equation 'lhs = rhs' over the rows that follow it (each starting with its own relation),
    aligned on the relations: short enough to read in a narrow column."""
    lhs, rhs = eq.split(" = ", 1)
    body = r" \\ ".join([f"{lhs} &= {rhs}"] + [f"&{row}" for row in rows])
    return StepLine(rf"\begin{{aligned}}{body}\end{{aligned}}", float(value), name)


def step_latex(step: StepValues) -> list[StepLine]:
    """The step's equations with its numbers in them: one StepLine per result, in RECORDED order."""
    spec, j, v, terms = step.spec, step.unit, step.values, step.terms
    eqs = equations(spec)
    if step.direction == 1:
        eqs = [e.replace("_{t-1}", "_{t+1}") for e in eqs]
    eq = dict(zip(RECORDED[spec.cell], eqs, strict=True))  # one equation per recorded name

    def gate(name: str, act: str) -> StepLine:
        inner, value = terms[name], v[name]
        rows = [f"= {act}({_terms(inner)})", f"= {act}({_num(sum(inner))}) = {_num(value)}"]
        return _line(eq[name], rows, value, name)

    if spec.cell == "rnn":
        relu = spec.nonlinearity == "relu"
        return [gate("h", r"\operatorname{ReLU}" if relu else r"\tanh")]

    if spec.cell == "gru":
        outer, inner = _terms(terms["n_x"]), _terms(terms["n_h"])
        n_rows = [
            rf"= \tanh({outer} + {_num(v['r'])}\cdot({inner}))",
            rf"= \tanh({_num(v['n_in'])}) = {_num(v['n'])}",
        ]
        z_j, n_j, h_j = _num(v["z"]), _num(v["n"], True), _num(v["h_prev"], True)
        h_row = rf"= (1 - {z_j})\cdot{n_j} + {z_j}\cdot{h_j} = {_num(v['h'])}"
        return [
            gate("r", r"\sigma"),
            gate("z", r"\sigma"),
            _line(eq["n"], n_rows, v["n"], "n"),
            _line(eq["h"], [h_row], v["h"], "h"),
        ]

    lines = [gate(name, r"\tanh" if name == "g" else r"\sigma") for name in "ifgo"]
    f, i = _num(v["f"]), _num(v["i"])
    c_row = rf"= {f}\cdot{_num(v['c_prev'], True)} + {i}\cdot{_num(v['g'], True)}"
    lines.append(_line(eq["c"], [rf"{c_row} = {_num(v['c'])}"], v["c"], "c"))
    if "h" not in v:  # a projected LSTM's unit past proj_size: h has no such unit
        return lines
    if not spec.proj_size:
        # with layer_norm the number inside tanh is LN(c_t)_j, normalised over all H units
        h_row = rf"= {_num(v['o'])}\cdot\tanh({_num(v['c_out'])}) = {_num(v['h'])}"
    else:
        h_row = rf"\Rightarrow h_{{t,{j}}} = \textstyle\sum_k W_{{hr}}[{j},k]\,(o_t \odot \tanh(c_t))_k = {_num(v['h'])}"
    lines.append(_line(eq["h"], [h_row], v["h"], "h"))
    return lines


def step_arithmetic(
    model: nn.Module, x, layer: int, direction: int, t: int, unit: int,
    recording: Recording | None = None,
) -> list[StepLine]:  # fmt: skip
    """One step's equations for one unit, with the numbers the cell used: one StepLine per equation.

    step_latex(step_values(...)); the arguments and errors are step_values'.
    """
    return step_latex(step_values(model, x, layer, direction, t, unit, recording))
