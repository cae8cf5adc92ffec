"""Compare: RNN, LSTM and GRU with the same settings: their sizes, an equal budget, a race on the same data."""

import streamlit as st

from rnnlib.errors import RnnlibError
from rnnlib.figures.compare import epoch_times, metric_bars, race_curves
from rnnlib.labs.race import ForecastTask
from rnnlib.ui import live, race_view
from rnnlib.ui.counts_view import parameters_section
from rnnlib.ui.data_source import data_source_ui
from rnnlib.ui.frame import frame
from rnnlib.ui.links import KEEP, link_guard
from rnnlib.ui.session import current_spec, page_result
from rnnlib.ui.train_settings import forecast_ui, window_ui

frame(__file__)  # tab title, wide layout, one torch thread, the sidebar menu
PREFIX = "c_"  # session-state prefix of this page
spec = current_spec()
st.title(":material/compare_arrows: Compare RNN, LSTM and GRU")
report_link = link_guard()
st.caption(
    f"Settings from **Build**: hidden {spec.hidden_size}, {spec.num_layers} layer(s), input {spec.input_size}, "
    f"bias {'on' if spec.bias else 'off'}{', bidirectional' if spec.bidirectional else ''}"
    f"{f', proj_size {spec.proj_size} (LSTM only)' if spec.proj_size else ''}. Only the cell changes."
)
st.page_link(
    "pages/1_Build.py", label="Change the settings on Build", icon=":material/construction:"
)
interrupted = race_view.recover_interrupted(PREFIX)
live.warm_up()  # torch's one-off set-up, paid before the first click

hidden = parameters_section(PREFIX, spec)  # per cell, when an equal budget is on

st.header("Race")
st.caption(
    "Every cell trains on the same data, windows and batches in the same order, with the same optimiser and seeds."
)
kind = st.segmented_control(
    "Task", ["forecast", "classification"], default="forecast", required=True, key=f"{PREFIX}kind", **KEEP,
    format_func={"forecast": "Forecast a series", "classification": "Classify sequences"}.get,
)  # fmt: skip
task = None
try:
    if kind == "classification":
        task = race_view.task_ui(PREFIX)
    else:
        data_col, win_col = st.columns([1.2, 1], gap="large")
        with data_col:
            series = data_source_ui(PREFIX)
        with win_col:
            with st.expander("Windows and split", expanded=True):
                windows = window_ui(PREFIX)
            with st.expander("Forecast"):
                forecast = forecast_ui(PREFIX)
        task = ForecastTask(series, windows, forecast) if series is not None else None
except RnnlibError as e:
    st.error(str(e))
train, seeds = race_view.race_settings_ui(PREFIX)

b1, b2, b3 = st.columns([1, 1, 4])
start = b1.button("Race", type="primary", disabled=task is None, key=f"{PREFIX}race")
b2.button(
    "Stop",
    key=f"{PREFIX}stop",
    help="Stops after the current batch; what was trained so far is scored.",
)
log_y = b3.toggle("log-scale loss", False, key=f"{PREFIX}log")
report_link()
area = st.container()
if start and task is not None:
    try:
        race_view.run_race(PREFIX, task, spec, train, seeds, hidden, area, log_y)
    except RnnlibError as e:
        st.error(str(e))

result = page_result("compare")
if result is not None:
    st.subheader("Result")
    if not result.finished:
        st.warning(
            "Not finished (scored as they stood): "
            + ", ".join(f"{c.upper()} seed {s}" for c, s in result.unfinished)
        )
    if not start:
        st.plotly_chart(
            race_curves(result.curves(), log_y, result.reference, result.loss),
            key=f"{PREFIX}curves",
        )
    if (pre := result.preprocessing) is not None:
        st.caption(
            f"Preprocessing for every run, chosen on the first run: {pre.text} ({pre.reasons_text})."
        )
    results = result.table()
    formats = {"epochs": "{:g}", "s / epoch": "{:.3f}"}
    st.dataframe(results.style.format(formats, precision=4, thousands=","))
    if result.kind == "forecast":
        st.caption(
            "params: the whole forecaster trained, core and head as counted above, plus the "
            "linear skip when it is on (lookback × steps + steps, the same for every cell)."
        )
    st.caption("Baselines on the same test part:")
    st.dataframe(result.baseline_table().style.format(precision=4))
    key, label = result.headline
    c1, c2 = st.columns(2)
    stats = result.metric_stats(key)
    c1.plotly_chart(
        metric_bars(stats, {n: m[key] for n, m in result.baselines.items()}, label),
        key=f"{PREFIX}metric",
    )
    c2.plotly_chart(epoch_times(result.epoch_seconds()), key=f"{PREFIX}times")
    st.page_link(
        "pages/5_Runs.py", label="Every cell and seed, kept: Runs", icon=":material/history:"
    )
elif interrupted:
    st.caption("Press Race to start again.")
