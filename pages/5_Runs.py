"""Runs: every run of this session in one table; overlay any of them, see what differs, reopen one."""

import streamlit as st

from rnnlib.errors import RnnlibError
from rnnlib.figures.runs import LOSS_NAMES, forecast_overlay, loss_overlay
from rnnlib.runlog import KEPT_WEIGHTS, MAX_RUNS, parse_log
from rnnlib.runs import describe_differences, differences_table
from rnnlib.ui import runs_view
from rnnlib.ui.frame import frame

frame(__file__)  # tab title, wide layout, one torch thread, the sidebar menu
PREFIX = "r_"  # session-state prefix of this page
log = runs_view.session_log()
st.title(":material/history: Runs")
st.caption(
    "Every Train run (finished or stopped), forecast race (one run per cell and seed) and restored "
    f"checkpoint of this session: the last {MAX_RUNS} runs, each with its settings, scores, loss "
    f"curve and test forecast; the weights of the newest {KEPT_WEIGHTS} Train runs. Nothing here "
    "is shared with other visitors."
)

with st.expander("Save or load the log", expanded=not len(log)):
    save, load = st.columns(2, gap="large")
    # Loaded first, so that the download beside it already holds what was loaded.
    upload = load.file_uploader("Run log (.jsonl)", key=f"{PREFIX}upload")
    if upload is not None and load.button("Add its runs", key=f"{PREFIX}load"):
        try:
            added, out = log.extend(parse_log(upload.getvalue()))
            full = f"; {len(out)} older dropped out (it keeps {MAX_RUNS})" if out else ""
            load.success(f"{added} run(s) added to this log{full}.")
        except RnnlibError as e:
            load.error(str(e))
    save.download_button(
        "Download the log (.jsonl)", log.to_jsonl(), "runs.jsonl", "application/jsonl",
        disabled=not len(log), key=f"{PREFIX}download", icon=":material/download:", on_click="ignore",
    )  # fmt: skip
    save.caption(
        "One line per run: settings, scores, loss curve and test forecast, no weights. "
        "`python -m rnnlib train ... --log runs.jsonl` writes the same format."
    )

if log.dropped:
    st.caption(
        f"The log is full: it keeps the last {MAX_RUNS} runs; {log.dropped} older dropped out."
    )
if not len(log):
    st.info("No runs yet: press *Train* on Train or *Race* on Compare, or load a saved log above.")
    st.page_link("pages/2_Train.py", label="Train a model", icon=":material/monitoring:")
    st.stop()

event = st.dataframe(
    log.table(), on_select="rerun", selection_mode="multi-row", hide_index=True, key=f"{PREFIX}table",
    column_config={
        **{c: st.column_config.Column(width="small") for c in ("run", "best", "cell", "horizon")},
        "MASE": st.column_config.NumberColumn(format="%.3f"),
        "baseline MASE": st.column_config.NumberColumn(format="%.3f"),
        "seconds": st.column_config.NumberColumn(format="%.1f"),
        "best": st.column_config.TextColumn(
            "best", width="small", help="Lowest test MASE on its data so far."
        ),
    },
)  # fmt: skip
chosen = [log.entries[i] for i in event.selection.rows if i < len(log)]
st.caption(
    "★ marks the lowest test MASE on each dataset so far (below 1: better than the in-sample "
    "seasonal-naive forecast). Tick runs in the first column to overlay them and list what "
    "differs; click a column name to sort."
)
if chosen:
    charts, diffs = st.columns([2, 1], gap="large")
    with charts:
        which = st.segmented_control(
            "Loss", list(LOSS_NAMES), default="val_loss", required=True, key=f"{PREFIX}which",
            format_func=LOSS_NAMES.get,
        )  # fmt: skip
        curves = [(e.label, e.record.history) for e in chosen]
        st.plotly_chart(loss_overlay(curves, which), key=f"{PREFIX}loss")
        data = {e.record.data.sha256: e.record.data.label for e in chosen}
        kept = [e for e in chosen if e.record.forecast]
        if len(data) > 1:
            st.info(
                f"The selected runs were trained on different data ({'; '.join(data.values())}): "
                "their forecasts are not overlaid. Select runs on the same data to compare them."
            )
        elif kept:
            actual = runs_view.actual_values(kept)
            runs = [(e.label, e.record.forecast["time"], e.record.forecast["model"]) for e in kept]
            st.plotly_chart(forecast_overlay(actual, runs), key=f"{PREFIX}forecast")
    with diffs:
        st.subheader("What differs")
        if len(chosen) == 2:
            lines = describe_differences(chosen[0].record, chosen[1].record)
            st.caption(f"From {chosen[0].label} to {chosen[1].label}:")
            st.markdown("\n".join(f"- {line}" for line in lines) or "Same data and settings.")
        elif len(chosen) > 2:
            table = differences_table([e.record for e in chosen], [f"#{e.number}" for e in chosen])
            st.dataframe(table, key=f"{PREFIX}diff")
        else:
            st.caption("Select a second run to see what differs.")
    st.subheader("Selected runs")
    for entry in chosen:
        runs_view.actions_ui(PREFIX, log, entry)
