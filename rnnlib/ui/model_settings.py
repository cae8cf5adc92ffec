"""The Build page's model widgets: one per ModelSpec field, each bound to the URL (a shared link
rebuilds the model) and kept across page switches. The widgets show spec values, so the URL does
too: ?cell=gru&impl=scratch."""

import streamlit as st

from rnnlib.spec import CELLS, MAX_HIDDEN, MAX_INPUT, MAX_LAYERS, MAX_OUTPUT, ModelSpec
from rnnlib.ui.links import KEEP

DEFAULT = ModelSpec()  # widget defaults are the spec's defaults


def model_ui() -> dict:
    """The model widgets; returns the ModelSpec fields as plain values."""
    cell = st.segmented_control(
        "Cell", CELLS, default=DEFAULT.cell, required=True, key="cell", **KEEP,
    )  # fmt: skip
    is_rnn, is_lstm = cell == "rnn", cell == "lstm"
    c1, c2 = st.columns(2)
    input_size = c1.number_input(
        "input_size", 1, MAX_INPUT, DEFAULT.input_size, key="input_size", **KEEP,
        help="Features per time step (1 = a univariate series).",
    )  # fmt: skip
    hidden_size = c2.number_input(
        "hidden_size", 1, MAX_HIDDEN, DEFAULT.hidden_size, key="hidden_size", **KEEP
    )
    num_layers = c1.number_input(
        "num_layers", 1, MAX_LAYERS, DEFAULT.num_layers, key="num_layers", **KEEP
    )
    output_size = c2.number_input(
        "output_size", 1, MAX_OUTPUT, DEFAULT.output_size, key="output_size", **KEEP,
        help="Width of the Linear head (1 = a one-step forecast or one logit).",
    )  # fmt: skip
    dropout = st.slider(
        "dropout (between layers)", 0.0, 0.9, DEFAULT.dropout, 0.05, key="dropout", **KEEP,
        help="Applied to each layer's output except the last, so it needs num_layers > 1.",
    )  # fmt: skip
    nonlinearity = st.selectbox(
        "nonlinearity", ["tanh", "relu"], key="nonlinearity", disabled=not is_rnn, **KEEP,
        help="RNN only: LSTM and GRU fix their own (sigmoid gates, tanh candidate).",
    )  # fmt: skip
    proj_size = st.number_input(
        "proj_size (0 = off)", 0, MAX_HIDDEN, DEFAULT.proj_size, key="proj_size", disabled=not is_lstm, **KEEP,
        help="LSTM only: h_t is projected to this width by W_hr; must be smaller than hidden_size.",
    )  # fmt: skip
    t1, t2 = st.columns(2)
    bias = t1.toggle(
        "bias", DEFAULT.bias, key="bias", **KEEP, help="PyTorch keeps two: b_ih and b_hh."
    )
    bidirectional = t2.toggle("bidirectional", DEFAULT.bidirectional, key="bidirectional", **KEEP)
    impl = st.radio(
        "implementation", ["torch", "scratch"], key="impl", horizontal=True, **KEEP,
        captions=["fused nn.RNN/LSTM/GRU", "rnnlib's readable cells"],
        help="Both give the same numbers (tested to 1e-5); scratch can record its gates.",
    )  # fmt: skip
    layer_norm = st.toggle(
        "layer_norm", False, key="layer_norm", disabled=not (is_lstm and impl == "scratch"), **KEEP,
        help="Scratch LSTM only (nn.LSTM has no such option): LayerNorm on the gate sums and on c_t.",
    )  # fmt: skip
    return dict(
        cell=cell, input_size=int(input_size), hidden_size=int(hidden_size),
        num_layers=int(num_layers), output_size=int(output_size), dropout=float(dropout),
        nonlinearity=nonlinearity if is_rnn else "tanh", proj_size=int(proj_size) if is_lstm else 0,
        bias=bias, bidirectional=bidirectional, impl=impl,
        layer_norm=layer_norm and is_lstm and impl == "scratch",
    )  # fmt: skip
