"""Train: pick a series, train the Build page's model on it live, and score its forecast honestly."""

import streamlit as st

from rnnlib.checkpoint import save_checkpoint
from rnnlib.errors import RnnlibError
from rnnlib.figures.train import forecast_chart, loss_curves, series_split, window_as_seen
from rnnlib.forecasting import Experiment, prepare
from rnnlib.forecasting import window_as_seen as seen_window
from rnnlib.scoreboard import candidates_table, ensemble_text, metrics_table, verdict
from rnnlib.ui import live
from rnnlib.ui.data_source import data_source_ui
from rnnlib.ui.frame import frame
from rnnlib.ui.links import link_guard
from rnnlib.ui.session import current_spec, page_result
from rnnlib.ui.train_settings import forecast_ui, training_ui, window_ui

frame(__file__)  # tab title, wide layout, one torch thread, the sidebar menu
PREFIX = "t_"  # session-state prefix of this page
spec = current_spec()
st.title(":material/monitoring: Train and forecast")
st.caption(
    f"Model from **Build**: {spec.cell.upper()}, hidden {spec.hidden_size}, {spec.num_layers} layer(s)"
    f"{', bidirectional' if spec.bidirectional else ''}, {spec.impl} implementation. "
    "Input and head widths follow the data and the horizon. Change the model on **Build** (sidebar)."
)
interrupted = live.recover_interrupted(PREFIX)
live.warm_up()
report_link = link_guard()

data_col, settings_col = st.columns(2, gap="large")
with data_col:
    series = data_source_ui(PREFIX)
with settings_col:
    try:
        with st.expander("Windows and split", expanded=True):
            windows = window_ui(PREFIX)
        with st.expander("Forecast"):
            forecast = forecast_ui(PREFIX)
        with st.expander("Training"):
            training = training_ui(PREFIX)
        exp = Experiment(spec, windows, training, forecast)
    except RnnlibError as e:
        st.error(str(e))
        exp = None
report_link()

split = None
if series is not None and exp is not None:
    try:
        split = prepare(series, exp)
    except RnnlibError as e:
        st.error(str(e))
if series is not None:
    # Drawn before any click: the first Plotly chart pays for loading plotly.js in the browser.
    bounds = split.boundaries if split is not None else None
    st.plotly_chart(series_split(series.frame, series.target, bounds), key=f"{PREFIX}split_chart")
    if split is not None:
        st.caption(
            f"{len(series):,} rows → {len(split.train)} train / {len(split.val)} validation / "
            f"{len(split.test)} test windows (lookback {split.spec.lookback}). "
            "Scaler fitted on the training part only."
        )

b1, b2, b3 = st.columns([1, 1, 5])
start = b1.button("Train", type="primary", disabled=split is None, key=f"{PREFIX}train")
b2.button(
    "Stop",
    key=f"{PREFIX}stop",
    help="Stops at the next progress report; the weights so far are scored.",
)
log_y = b3.toggle("log-scale loss", False, key=f"{PREFIX}log")
area = st.container()  # the live progress and loss chart, then the finished run's loss chart
if start and split is not None:
    try:
        live.train(PREFIX, series, exp, area, log_y)
    except RnnlibError as e:
        st.error(str(e))

done = page_result("train")
if done is not None:
    result, shown = done.result, done.series
    if not start:
        area.plotly_chart(loss_curves(done.history, log_y), key=f"{PREFIX}loss_final")
    st.subheader("Result")
    st.caption(f"Why training ended: {done.stopped}.")
    if (
        series is None
        or exp != (result.requested or result.experiment)
        or not series.frame.equals(shown.frame)
    ):
        st.warning("This result comes from other data or settings than those above: press Train.")
    st.markdown(
        f"**{verdict(result.metrics)}** Scored on {result.test['origin'].nunique()} test origins, "
        f"season {result.period}; the model is {ensemble_text(result.experiment.forecast.ensemble)}."
    )
    table = metrics_table(result.metrics).style.format("{:.4g}", na_rep="—")
    st.dataframe(table.highlight_min(axis=0, color="#d4f4dd"))
    if "seasonal_naive" not in result.metrics:
        st.caption(
            f"Seasonal naive needs a lookback of at least one season ({result.period} steps): not scored."
        )
    if result.coverage:
        st.caption(
            " · ".join(
                f"{lvl}% interval covers {cov:.0%} of test points"
                for lvl, cov in result.coverage.items()
            )
        )
    pre = result.preprocessing
    if pre is not None:
        st.markdown(f"**Preprocessing:** {pre.text}. From the data: {pre.reasons_text}.")
        if len(pre.candidates) > 1:
            st.dataframe(candidates_table(pre), hide_index=True)
        st.plotly_chart(window_as_seen(seen_window(result, shown), pre.text), key=f"{PREFIX}seen")
        st.caption(
            "The network never sees the original level: each window is re-expressed relative to its "
            "own inputs (or the training part's scale), and its forecast is mapped back the same way. "
            "That is why a model trained on low values can still follow a series that climbed."
        )
    target = shown.frame[shown.target]
    st.plotly_chart(
        forecast_chart(target, result.test, result.future, ("naive", "seasonal_naive")),
        key=f"{PREFIX}forecast",
    )
    st.caption("The chart opens on the test part: double-click it to see the whole series.")
    d1, d2, _ = st.columns([1, 1, 5])
    d1.download_button(
        "Forecast CSV", result.future.to_csv(index=False), "forecast.csv", "text/csv",
        key=f"{PREFIX}dl_csv",
    )  # fmt: skip
    d2.download_button(
        "Checkpoint", save_checkpoint(result, shown), "model.rnnlib", key=f"{PREFIX}dl_ckpt"
    )
    st.page_link("pages/5_Runs.py", label="Compare with earlier runs", icon=":material/history:")
elif interrupted:
    st.caption("Press Train to start again.")

with st.expander("Restore a checkpoint"):
    upload = st.file_uploader("Checkpoint file (.rnnlib)", key=f"{PREFIX}ckpt")
    if upload is not None and st.button("Restore", key=f"{PREFIX}restore"):
        try:
            live.restore(PREFIX, upload.getvalue())
            st.rerun()  # the result section above was drawn before this click was handled
        except RnnlibError as e:
            st.error(str(e))
