"""Build: choose a cell and its options, see every parameter, shape and equation, export the code."""

import streamlit as st

from rnnlib.errors import RnnlibError
from rnnlib.figures.build import architecture, param_breakdown
from rnnlib.report import describe
from rnnlib.spec import ModelSpec
from rnnlib.ui.frame import frame
from rnnlib.ui.links import KEEP, link_guard  # KEEP: bound to the URL, kept on page switch
from rnnlib.ui.model_settings import DEFAULT, model_ui
from rnnlib.ui.session import remember_spec

frame(__file__)  # tab title, wide layout, one torch thread, the sidebar menu


@st.cache_data(max_entries=256, show_spinner="Measuring the shapes with a forward pass…")
def cached_describe(spec: ModelSpec, batch: int, seq_len: int):
    """describe() runs a real forward pass (seconds for the largest models): revisits are free."""
    return describe(spec, batch=batch, seq_len=seq_len)


st.title(":material/construction: Build a recurrent network")
report_link = link_guard()
left, right = st.columns([1.4, 2.6], gap="large")
with left:
    fields = model_ui()
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
