"""Compare: RNN, LSTM and GRU with the same settings: their sizes, an equal budget, a race on the same data."""

import streamlit as st

from rnnlib.budget import (
    counts_table,
    counts_vs_hidden,
    counts_vs_layers,
    group_counts,
    solve_budget,
    tensor_rows,
)
from rnnlib.errors import RnnlibError
from rnnlib.figures.compare import counts_bar, counts_lines, epoch_times, metric_bars, race_curves
from rnnlib.labs.race import ForecastTask
from rnnlib.spec import CELLS, MAX_HIDDEN, MAX_LAYERS
from rnnlib.ui import live, race_view
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

st.header("Parameters")
budget_on = st.toggle(
    "Equal parameter budget", False, key=f"{PREFIX}budget_on", **KEEP,
    help="Give each cell the hidden size whose count is closest to one budget.",
)  # fmt: skip
hidden = None
if budget_on:
    budget = st.number_input(
        "parameter budget", 1, 50_000_000, 5000, 500, key=f"{PREFIX}budget", **KEEP
    )
    try:
        hidden = solve_budget(spec, int(budget))
        st.caption(
            f"Hidden sizes for a budget of {int(budget):,}: "
            + ", ".join(f"{c.upper()} {h}" for c, h in hidden.items())
            + ". The race uses them (input and head widths follow its data, so its counts may differ a little)."
        )
    except RnnlibError as e:
        st.error(str(e))
table = counts_table(spec, hidden)
st.dataframe(table.style.format({table.columns[-1]: "{:.2f}×"}, thousands=","))
with st.expander("Every tensor of each cell"):
    for tab, cell in zip(st.tabs([c.upper() for c in CELLS]), CELLS, strict=True):
        tab.dataframe(tensor_rows(spec, cell, (hidden or {}).get(cell)), hide_index=True)
left, right = st.columns(2)
left.plotly_chart(counts_bar(group_counts(spec, hidden=hidden)), key=f"{PREFIX}bar")
with right:
    log_counts = st.toggle("log-scale parameters", False, key=f"{PREFIX}log_counts", **KEEP)
    by_hidden, by_layers = st.tabs(["vs hidden size", "vs layers"])
    marks = hidden or dict.fromkeys(CELLS, spec.hidden_size)
    sizes = list(range(1, min(MAX_HIDDEN, 2 * max(16, *marks.values())) + 1))
    by_hidden.plotly_chart(
        counts_lines(sizes, counts_vs_hidden(spec, sizes), "hidden size", log_counts, budget if hidden else None, marks),
        key=f"{PREFIX}vs_hidden",
    )  # fmt: skip
    layers = list(range(1, MAX_LAYERS + 1))
    by_layers.plotly_chart(
        counts_lines(layers, counts_vs_layers(spec, layers), "layers", log_counts),
        key=f"{PREFIX}vs_layers",
    )

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
