"""Build: choose a cell and its options, see every parameter, shape and equation, export the code."""

import streamlit as st

from rnnlib.errors import RnnlibError
from rnnlib.figures.build import architecture, param_breakdown
from rnnlib.report import describe
from rnnlib.spec import CELLS, MAX_HIDDEN, MAX_INPUT, MAX_LAYERS, MAX_OUTPUT, ModelSpec
from rnnlib.ui.frame import frame
from rnnlib.ui.links import KEEP, link_guard  # KEEP: bound to the URL, kept on page switch
from rnnlib.ui.session import remember_spec

frame(__file__)  # tab title, wide layout, one torch thread, the sidebar menu
DEFAULT = ModelSpec()  # widget defaults are the spec's defaults
# The URL holds a widget's displayed label, so choice widgets show spec values: ?cell=gru&impl=scratch


def build_ui() -> dict:
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


@st.cache_data(max_entries=256, show_spinner="Measuring the shapes with a forward pass…")
def cached_describe(spec: ModelSpec, batch: int, seq_len: int):
    """describe() runs a real forward pass (seconds for the largest models): revisits are free."""
    return describe(spec, batch=batch, seq_len=seq_len)


st.title(":material/construction: Build a recurrent network")
report_link = link_guard()
left, right = st.columns([1.4, 2.6], gap="large")
with left:
    fields = build_ui()
    st.divider()
    batch_first = st.toggle("batch_first", DEFAULT.batch_first, key="batch_first", **KEEP)
    s1, s2 = st.columns(2)  # small caps: a small model's change runs a real forward pass
    batch = s1.number_input("batch size B", 1, 256, 8, key="shape_batch", persist_state="session")
    seq_len = s2.number_input("time steps T", 1, 512, 24, key="shape_seq", persist_state="session")
report_link()
try:
    spec = ModelSpec(**fields, batch_first=batch_first)
except RnnlibError as e:
    right.error(f"This combination cannot be built: {e}")
    st.stop()
remember_spec(spec)
report = cached_describe(spec, int(batch), int(seq_len))

with right:
    for w in report.warnings:
        st.warning(w)
    # A wrapping row sized to the numbers: a 9-digit count in a quarter-width column gets cut.
    metrics = st.container(horizontal=True, gap="medium")
    kib = report.weight_bytes / 1024
    for label, value, hint in [
        ("Parameters", f"{report.total:,}", None),
        ("single-bias count", f"{report.single_bias_total:,}", report.bias_note),
        ("MACs / step", f"{report.macs_per_step:,}", "Multiply-adds of the core per time step."),
        ("fp32 weights", f"{kib / 1024:,.1f} MiB" if kib >= 1024 else f"{kib:,.1f} KiB", None),
    ]:
        metrics.metric(label, value, help=hint, width="content")
    tabs = st.tabs(["Parameters", "Shapes", "Equations", "Architecture", "Code"])
    with tabs[0]:
        st.latex(report.formula_latex)
        st.caption(report.formula + " · " + report.bias_note)
        st.plotly_chart(param_breakdown(report.rows), key="params_chart")
        table = [
            dict(tensor=r.name, shape=str(tuple(r.shape)), count=r.count, formula=r.formula)
            for r in report.rows
        ]
        st.dataframe(table, hide_index=True)
    with tabs[1]:
        order = "(batch, time, features)" if spec.batch_first else "(time, batch, features)"
        st.markdown(
            f"With `batch_first={spec.batch_first}` the input is laid out as **{order}**; `h_n` "
            "and `c_n` are always (layers × directions, batch, width). Predicted from the spec, "
            "measured on a real forward pass."
        )
        measured = report.measured_shapes or {}
        shape_rows = [
            dict(tensor=k, predicted=str(v), measured=str(measured.get(k, "not run")),
                 agree=measured.get(k) == v)
            for k, v in report.shapes.items()
        ]  # fmt: skip
        st.dataframe(shape_rows, hide_index=True)
        if report.measured_shapes is None:
            st.caption("Too big to run live at this batch and length: shapes are predicted only.")
    with tabs[2]:
        st.markdown(report.explanation)
        for line in report.equations:
            st.latex(line)
        st.caption("σ is the logistic sigmoid, ⊙ the elementwise product; PyTorch's gate order.")
    with tabs[3]:
        st.plotly_chart(architecture(spec), key="arch_chart")
        if spec.bidirectional:
            st.info(
                "The head reads the forward direction after the LAST step and the backward "
                "direction after the FIRST step (h_n of both). output[:, -1] would pair the "
                "forward summary with a backward state that has seen only one step."
            )
    with tabs[4]:
        st.code(report.code, language="python", wrap_lines=True)
        name = f"{spec.cell}_model.py"
        st.download_button(f"Download {name}", report.code, file_name=name, mime="text/x-python")
