"""The update equations of each cell as LaTeX, in PyTorch's notation (two biases per gate block)."""

from __future__ import annotations

import re

from rnnlib.spec import ModelSpec


def _rnn(spec: ModelSpec) -> list[str]:
    act = r"\operatorname{ReLU}" if spec.nonlinearity == "relu" else r"\tanh"
    return [rf"h_t = {act}(W_{{ih}} x_t + b_{{ih}} + W_{{hh}} h_{{t-1}} + b_{{hh}})"]


def _lstm(spec: ModelSpec) -> list[str]:
    if spec.layer_norm:
        # LN normalises the stacked 4H gate sums (all four gates together, as rnnlib.cells does),
        # so the gate's block [.]_g is taken after the norm: LN(W_ig x_t) would be a different model.
        pre = (
            r"\left[\mathrm{LN}(W_{ih} x_t) + \mathrm{LN}(W_{hh} h_{t-1})\right]_{\ast}"
            r" + b_{i\ast} + b_{h\ast}"
        )
        gate = lambda g: pre.replace(r"\ast", g)  # noqa: E731
        c_out = r"\tanh(\mathrm{LN}(c_t))"
    else:
        gate = lambda g: rf"W_{{i{g}}} x_t + b_{{i{g}}} + W_{{h{g}}} h_{{t-1}} + b_{{h{g}}}"  # noqa: E731
        c_out = r"\tanh(c_t)"
    eqs = [
        rf"i_t = \sigma({gate('i')})",
        rf"f_t = \sigma({gate('f')})",
        rf"g_t = \tanh({gate('g')})",
        rf"o_t = \sigma({gate('o')})",
        r"c_t = f_t \odot c_{t-1} + i_t \odot g_t",
    ]
    if spec.proj_size:
        eqs.append(rf"h_t = W_{{hr}} \left(o_t \odot {c_out}\right)")
    else:
        eqs.append(rf"h_t = o_t \odot {c_out}")
    return eqs


def _gru(spec: ModelSpec) -> list[str]:
    return [
        r"r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})",
        r"z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})",
        r"n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn}))",
        r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}",
    ]


_EQUATIONS = {"rnn": _rnn, "lstm": _lstm, "gru": _gru}

# What each line means, for a reader meeting the cell for the first time.
EXPLAIN = {
    "rnn": "One squashed sum: the new state mixes the input with the previous state. Repeated "
    "multiplication by W_hh is why gradients vanish (or explode) over long spans.",
    "lstm": "A separate cell state c_t is changed only by addition: the forget gate f_t decides "
    "what to keep, the input gate i_t what to write (g_t), the output gate o_t what to show as h_t. "
    "That additive path is what lets gradients survive many steps.",
    "gru": "Two gates instead of three and no separate cell state: the update gate z_t "
    "interpolates between the old state and a candidate n_t, whose view of the past is filtered "
    "by the reset gate r_t.",
}


def equations(spec: ModelSpec) -> list[str]:
    """LaTeX lines, one per equation, for ``st.latex``; σ is the logistic sigmoid, ⊙ elementwise."""
    eqs = _EQUATIONS[spec.cell](spec)
    if spec.bias:
        return eqs
    # Without bias, every b term is absent: drop them from the printed equations too.
    return [re.sub(r" \+ b_\{[a-z\\ast]+\}", "", e) for e in eqs]
