"""Exact parameter accounting for a ModelSpec, in closed form (no module is built).

Symbols used in every formula:
    I = input_size, H = hidden_size, P = proj_size (H when there is no projection),
    G = gate blocks (RNN 1, LSTM 4, GRU 3), L = num_layers, D = directions (1 or 2), O = output_size.

Per layer and direction the core holds W_ih (G·H × in), W_hh (G·H × P), b_ih and b_hh (G·H each),
W_hr (P × H, LSTM projection only) and, for the scratch layer-norm LSTM, six LayerNorm vectors.
Layer 0 reads I features; layer l ≥ 1 reads D·P (both directions of the layer below).
The head is Linear(D·P, O) with a bias. The tests check every number here against
``sum(p.numel())`` of ``build_model(spec)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rnnlib.spec import ModelSpec

BIAS_NOTE = (
    "PyTorch keeps two bias vectors per gate block (b_ih and b_hh) where the textbook, Keras and "
    "labml use one, so with bias on each layer and direction has G·H more parameters than the "
    "one-bias count; our counts follow PyTorch."
)

GROUPS = ("input weights", "recurrent weights", "biases", "projection", "layer norm", "head")


@dataclass(frozen=True)
class ParamRow:
    name: str  # as in build_model(spec).named_parameters(), e.g. "rnn.weight_ih_l0"
    shape: tuple[int, ...]
    count: int  # product of shape
    formula: str  # the count in symbols, e.g. "4H·I"
    layer: int | None  # None for the head
    direction: int | None  # 0 forward, 1 reverse; None for the head
    group: str  # one of GROUPS


def _symbols(spec: ModelSpec) -> tuple[str, str, str]:
    """(G·H as a symbol like "4H", P's symbol, D·P as a symbol like "2P")."""
    gh = "H" if spec.gates == 1 else f"{spec.gates}H"
    p = "P" if spec.proj_size else "H"
    dp = f"{spec.num_directions}{p}" if spec.bidirectional else p
    return gh, p, dp


def _in_size(spec: ModelSpec, layer: int) -> int:
    return spec.input_size if layer == 0 else spec.state_size * spec.num_directions


def param_table(spec: ModelSpec) -> list[ParamRow]:
    """One row per parameter tensor, in named_parameters() order (layer, then direction)."""
    G, H, P = spec.gates, spec.hidden_size, spec.state_size
    gh, p, dp = _symbols(spec)
    rows: list[ParamRow] = []
    for layer in range(spec.num_layers):
        in_size, in_sym = _in_size(spec, layer), ("I" if layer == 0 else dp)
        for d in range(spec.num_directions):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            # (name, shape, formula, group) in the order nn.LSTM and ScratchRecurrent register them
            tensors = [
                (f"weight_ih{sfx}", (G * H, in_size), f"{gh}·{in_sym}", "input weights"),
                (f"weight_hh{sfx}", (G * H, P), f"{gh}·{p}", "recurrent weights"),
            ]
            if spec.bias:
                tensors += [
                    (f"bias_ih{sfx}", (G * H,), gh, "biases"),
                    (f"bias_hh{sfx}", (G * H,), gh, "biases"),
                ]
            if spec.proj_size:
                tensors.append((f"weight_hr{sfx}", (P, H), "P·H", "projection"))
            if spec.layer_norm:
                for part in ("ih", "hh"):
                    for kind in ("weight", "bias"):
                        tensors.append((f"ln_{part}_{kind}{sfx}", (G * H,), gh, "layer norm"))
                for kind in ("weight", "bias"):
                    tensors.append((f"ln_c_{kind}{sfx}", (H,), "H", "layer norm"))
            for name, shape, formula, group in tensors:
                rows.append(
                    ParamRow(f"rnn.{name}", shape, math.prod(shape), formula, layer, d, group)
                )
    n_out = spec.output_size
    head_shape = (n_out, spec.readout_size)
    rows.append(
        ParamRow("head.weight", head_shape, math.prod(head_shape), f"O·{dp}", None, None, "head")
    )
    rows.append(ParamRow("head.bias", (n_out,), n_out, "O", None, None, "head"))
    return rows


def total_params(spec: ModelSpec) -> int:
    """Number of trainable scalars in build_model(spec): the core plus the head."""
    return sum(r.count for r in param_table(spec))


def single_bias_total(spec: ModelSpec) -> int:
    """The count under the one-bias-per-gate-block convention (Keras, labml); see BIAS_NOTE."""
    if not spec.bias:
        return total_params(spec)
    return (
        total_params(spec) - spec.gates * spec.hidden_size * spec.num_layers * spec.num_directions
    )


def per_layer_counts(spec: ModelSpec) -> list[tuple[str, int]]:
    """[("layer 0", n), ..., ("head", n)]; a layer's count includes both of its directions."""
    counts: dict[str, int] = {}
    for r in param_table(spec):
        key = "head" if r.layer is None else f"layer {r.layer}"
        counts[key] = counts.get(key, 0) + r.count
    return list(counts.items())


# --- the total as a formula -------------------------------------------------------------------
# Each term is (symbols in LaTeX, numbers as text, value). Numbers use "·" and "[...]"; the LaTeX
# rendering of the numbers swaps those for \cdot and \left[...\right].


def _terms(spec: ModelSpec) -> list[tuple[str, str, int]]:
    G, H, P, L, D = (
        spec.gates,
        spec.hidden_size,
        spec.state_size,
        spec.num_layers,
        spec.num_directions,
    )
    n_in, n_out = spec.input_size, spec.output_size
    p = "P" if spec.proj_size else "H"
    dp_sym = f"D{p}" if D > 1 else p
    dp_num = f"{D}·{P}" if D > 1 else f"{P}"

    def block(in_sym: str, in_num: str, in_val: int) -> list[tuple[str, str, int]]:
        # one layer in one direction
        parts = [(f"GH({in_sym} + {p})", f"{G}·{H}·({in_num} + {P})", G * H * (in_val + P))]
        if spec.bias:
            parts.append(("2GH", f"2·{G}·{H}", 2 * G * H))
        if spec.proj_size:
            parts.append(("PH", f"{P}·{H}", P * H))
        if spec.layer_norm:
            parts.append(("4GH + 2H", f"4·{G}·{H} + 2·{H}", 4 * G * H + 2 * H))
        return parts

    def times(mult_syms: list[str], mults: list[int], parts: list[tuple[str, str, int]]):
        sym = " + ".join(s for s, _, _ in parts)
        num = " + ".join(n for _, n, _ in parts)
        val = sum(v for _, _, v in parts)
        shown = [m for m in mults if m > 1]  # a factor of 1 only clutters the numbers
        # Brackets group a layer's terms whenever there is more than one layer or a multiplier.
        if mult_syms or L > 1:
            sym = "".join(mult_syms) + rf"\left[{sym}\right]"
        if shown or L > 1:
            num = "".join(f"{m}·" for m in shown) + f"[{num}]"
        for m in mults:
            val *= m
        return sym, num, val

    terms = [times(["D"] if D > 1 else [], [D], block("I", str(n_in), n_in))]
    if L > 1:
        mult_syms = ["(L - 1)"] + (["D"] if D > 1 else [])
        terms.append(times(mult_syms, [L - 1, D], block(dp_sym, dp_num, D * P)))
    terms.append((f"O{dp_sym} + O", f"{n_out}·{dp_num} + {n_out}", n_out * D * P + n_out))
    return terms


def total_formula(spec: ModelSpec) -> str:
    """The total with the numbers filled in, e.g. ``L=1, D=1: 4·32·(1 + 32) + 2·4·32 + 1·32 + 1 = 4513``.

    Reading order: layer 0 (times D when bidirectional), layers 1..L-1 (times (L-1)·D), the head.
    Per layer and direction: G·H·(in + P) weights, 2·G·H biases, P·H projection, 4·G·H + 2·H
    layer norm, each only when present; [...] groups a layer when there are several. Factors of 1
    for L-1 and D are left out.
    """
    terms = _terms(spec)
    value = sum(v for _, _, v in terms)
    body = " + ".join(n for _, n, _ in terms)
    return f"L={spec.num_layers}, D={spec.num_directions}: {body} = {value}"


def total_formula_latex(spec: ModelSpec) -> str:
    """The same total for st.latex: a line in symbols, a line in numbers, then the total."""
    terms = _terms(spec)
    value = sum(v for _, _, v in terms)
    # One term per line: a stacked model's single-line sum overflows a narrow column.
    symbols = r" \\ &\quad + ".join(s for s, _, _ in terms)
    numbers = r" \\ &\quad + ".join(n for _, n, _ in terms)
    numbers = numbers.replace("·", r" \cdot ").replace("[", r"\left[").replace("]", r"\right]")
    total = f"{value:,}".replace(",", "{,}")  # {,} keeps LaTeX from spacing the thousands comma
    return rf"\begin{{aligned}} N &= {symbols} \\ &= {numbers} \\ &= {total} \end{{aligned}}"


# --- compute and memory ----------------------------------------------------------------------


def macs_per_step(spec: ModelSpec) -> int:
    """Multiply-adds of the recurrent core for one time step (all layers and directions).

    Counted: the matrix products, G·H·(in + P) per layer and direction (W_ih x_t and W_hh h_{t-1})
    plus P·H for the LSTM projection. Not counted: bias adds, gate nonlinearities, the elementwise
    gate products, layer norm and dropout, which are O(H) per step rather than O(H²).
    """
    G, H, P = spec.gates, spec.hidden_size, spec.state_size
    per_layer = [G * H * (_in_size(spec, layer) + P) for layer in range(spec.num_layers)]
    proj = P * H if spec.proj_size else 0
    return spec.num_directions * sum(m + proj for m in per_layer)


def head_macs(spec: ModelSpec) -> int:
    """Multiply-adds of the head, once per sequence (it reads h_n only): O·D·P."""
    return spec.output_size * spec.readout_size


def memory_bytes(spec: ModelSpec, dtype_bytes: int = 4) -> int:
    """Bytes of the weights alone (fp32 by default); activations are not included."""
    return total_params(spec) * dtype_bytes


def training_memory_bytes(spec: ModelSpec, dtype_bytes: int = 4) -> int:
    """Weights + gradients + Adam's two moment estimates: 4× the weights; activations not included."""
    return 4 * memory_bytes(spec, dtype_bytes)
