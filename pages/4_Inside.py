"""Inside: watch every gate as one window flows through a model, do one step by hand, and measure
how far back gradients reach and how far back each cell can remember."""

import streamlit as st

from rnnlib.errors import RnnlibError
from rnnlib.figures.inside import memory_lab_chart, reach_chart, state_heatmaps
from rnnlib.labs.inside import core_spec, record, step_arithmetic
from rnnlib.ui import inside_view as view
from rnnlib.ui.frame import frame
from rnnlib.ui.links import link_guard

frame(__file__)  # tab title, wide layout, one torch thread, the sidebar menu
PREFIX = "i_"  # session-state prefix of this page
st.title(":material/visibility: Inside the cell")
report_link = link_guard()
st.markdown(
    "A recurrent network reads a window one step at a time and carries what it needs in its state. "
    "Here you can watch that happen: every gate and state of every unit at every step, the "
    "arithmetic of one step with the real numbers, and two measurements of memory."
)


def looking_glass() -> None:
    """Model and window pickers, the heatmaps, and one step spelled out."""
    source = view.source_ui(PREFIX)
    spec, n = core_spec(source.model), len(source.windows)
    st.caption(
        f"Looking at {source.label}: {spec.cell.upper()}, hidden {spec.hidden_size}, {spec.num_layers} layer(s)."
    )
    c1, c2, c3, c4, c5 = st.columns([2, 1, 1, 2, 1])
    view.clamp(f"{PREFIX}window", n - 1)
    index = c1.slider(
        source.window_label, 0, max(n - 1, 1), 0, key=f"{PREFIX}window", disabled=n == 1, **view.KEEP
    )  # fmt: skip
    layer = c2.selectbox("layer", range(spec.num_layers), key=f"{PREFIX}layer", **view.KEEP)
    direction = c3.selectbox(
        "direction", range(spec.num_directions), format_func=["forward →", "backward ←"].__getitem__,
        key=f"{PREFIX}direction", disabled=not spec.bidirectional,
    )  # fmt: skip
    rec = record(source.model, source.windows[min(index, n - 1)])
    view.clamp(f"{PREFIX}t", rec.steps - 1)
    t = c4.slider(
        "step t (dotted line)", 0, max(rec.steps - 1, 1), rec.steps // 2, key=f"{PREFIX}t", **view.KEEP
    )  # fmt: skip
    view.clamp(f"{PREFIX}unit", spec.hidden_size - 1)
    unit = c5.number_input("unit", 0, spec.hidden_size - 1, 0, key=f"{PREFIX}unit", **view.KEEP)
    t = min(t, rec.steps - 1)
    if rec.prediction is not None:
        shown = ", ".join(f"{v:.3g}" for v in rec.prediction[:6])
        st.caption(
            f"The model's output for this window: {shown}{' …' if len(rec.prediction) > 6 else ''}"
        )
    left, right = st.columns([1, 1], gap="medium")
    with left:
        st.plotly_chart(state_heatmaps(rec, layer, direction, t), key=f"{PREFIX}heatmaps")
    with right:
        st.markdown(f"**Step t = {t}, unit {unit}**, with the numbers the cell used")
        lines = step_arithmetic(source.model, None, layer, direction, t, int(unit), recording=rec)
        for line in lines:
            st.latex(r"\small " + line.latex)  # \small: four numbered terms fit half the page
        if not lines or lines[-1].name != "h":
            st.caption(
                f"h_t has {spec.state_size} units with the projection: unit {unit} has no h line."
            )
        st.caption(
            "Each line is the cell's equation, then its terms for this unit (inputs times weights, "
            "biases), then the squashed result. The values equal the heatmaps' at the dotted line."
        )
    st.info(TEACH.get(spec.cell, ""))
    view.backward_section(
        PREFIX, source.model, source.windows[min(index, n - 1)], layer, direction, t, int(unit)
    )


TEACH = {
    "rnn": "A plain RNN has one state, h_t, overwritten every step: watch how quickly a feature of "
    "the input fades from the heatmap once the input moves on.",
    "lstm": "Read the forget gate f_t: where it stays near 1 (yellow), the cell state c_t keeps its "
    "value from step to step; where the input gate i_t opens, new information is written into c_t.",
    "gru": "Read the update gate z_t: where it is near 1 (yellow), h_t copies h_{t-1} and keeps "
    "what it held; near 0, the candidate n_t replaces it.",
}

try:
    looking_glass()
except RnnlibError as e:
    st.error(str(e))

st.divider()
st.subheader("How far back does the gradient reach?")
st.markdown(
    "Training adjusts the weights by ∂loss/∂weights, and what a model can learn to use from step "
    "T−1−lag is limited by how large **∂y/∂x** at that step is. For a plain RNN this is a product of "
    "one Jacobian per step, so it tends to shrink geometrically with the lag: the *vanishing "
    "gradient*. Below it is measured, not asserted: RNN, LSTM and GRU on the same task, before "
    "training (dashed) and after a few seconds of it (solid). On the memory task, watch for a "
    "bump at the cue's lag once a cell has learned to look there."
)
with st.expander("Quick-training settings (both experiments below)"):
    try:
        quick = view.quick_ui(PREFIX)
    except RnnlibError as e:
        st.error(str(e))
        quick = None
if quick is not None:
    try:
        view.reach_ui(PREFIX, quick)
    except RnnlibError as e:
        st.error(str(e))
reach = st.session_state.get(f"{PREFIX}reach_result")
if reach is not None:
    st.plotly_chart(reach_chart(reach), key=f"{PREFIX}reach_chart")
    if reach.scores:
        what = "test accuracy" if reach.task == "memory" else "test MSE"
        st.caption(
            f"After training, {what}: "
            + " · ".join(f"{c.upper()} {v:.3g}" for c, v in reach.scores.items())
        )

st.divider()
st.subheader("Memory lab: how many steps can each cell remember?")
st.markdown(
    "Each cell is trained briefly to report the sign of the value a marker flags **k steps before "
    "the end**, with noise of the same size before and after it, then scored on fresh windows. "
    "0.5 is chance: the value was not carried k steps. A gate can shut the noise out; a plain RNN "
    "adds every input into its state, so it is the first to fall to chance as k grows (measured "
    "with the defaults: RNN 0.66 at k = 10, GRU 0.98). The LSTM must *learn* to hold its gates "
    "open and needs more epochs than the GRU: try more and watch its curve move."
)
if quick is not None:
    try:
        view.lab_ui(PREFIX, quick, memory_lab_chart)
    except RnnlibError as e:
        st.error(str(e))
lab = st.session_state.get(f"{PREFIX}lab_result")
if lab is not None:
    st.plotly_chart(memory_lab_chart(lab), key=f"{PREFIX}lab_chart")
    st.caption(
        f"{sum(map(len, lab.accuracy.values()))} models trained in {lab.seconds:.1f} s on {lab.length}-step windows."
    )
report_link()
