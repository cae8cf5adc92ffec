"""The session's run log: filled by Train, Compare and restored checkpoints, read by the Runs page.

The log is a RunLog under one session-state key, so each visitor has their own and nothing is
shared between sessions. Training pages call ``record_outcome`` / ``record_race`` when a run ends;
a record that cannot be made is one warning line, never a broken Train page.

*Open in Train* goes through the same URL binding as a shared link: the run's Train settings
become the Train page's query parameters (widget labels, as a link holds them), so a value the
page cannot take is dropped and named, as for any link. The Build widgets are not on that page,
so they are set in session state (ModelSpec values are always ones Build can show).
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import streamlit as st

from rnnlib.checkpoint import save_checkpoint
from rnnlib.forecasting import Experiment, evaluate
from rnnlib.runlog import MAX_RUNS, RunLog
from rnnlib.runs import RunRecord, fingerprint, preprocessing_dict, record_from_result, show
from rnnlib.spec import ModelSpec
from rnnlib.ui.data_source import KNOBS, NOISE, sample, synthetic
from rnnlib.ui.session import SPEC_KEY

LOG_KEY = "run_log"
TRAIN_PAGE = "pages/2_Train.py"
TRAIN = "t_"  # the Train page's session-state prefix
# Labels the data widgets show (and so write into the URL) for their values.
SOURCE_LABELS = {"synthetic": "Synthetic", "sample": "Sample data", "csv": "Upload CSV"}
# (settings section, field) -> Train widget key (after the prefix).
TRAIN_KEYS = {
    ("windows", "lookback"): "lookback", ("windows", "horizon"): "horizon",
    ("windows", "stride"): "stride", ("windows", "val_fraction"): "val",
    ("windows", "test_fraction"): "test", ("windows", "scaling"): "scaling",
    ("windows", "normalize"): "normalize", ("windows", "transform"): "transform",
    ("forecast", "strategy"): "strategy", ("forecast", "period"): "period",
    ("forecast", "gaussian"): "gaussian", ("forecast", "ensemble"): "ensemble",
    ("forecast", "skip"): "skip",
    ("train", "auto"): "auto",
    ("train", "optimizer"): "opt", ("train", "lr"): "lr", ("train", "batch_size"): "batch",
    ("train", "epochs"): "epochs", ("train", "patience"): "patience",
    ("train", "clip_grad"): "clip", ("train", "schedule"): "schedule",
    ("train", "weight_decay"): "wd", ("train", "seed"): "seed", ("train", "device"): "device",
    ("train", "loss"): "loss",
}  # fmt: skip
MAX_DROPOUT = 0.9  # the Build slider's end


def session_log() -> RunLog:
    """This visitor's log (created on first use)."""
    if not isinstance(st.session_state.get(LOG_KEY), RunLog):
        st.session_state[LOG_KEY] = RunLog()
    return st.session_state[LOG_KEY]


def add(record: RunRecord, checkpoint: bytes | None = None) -> None:
    out = session_log().add(record, checkpoint)
    if out:
        st.toast(
            f"The Runs log keeps the last {MAX_RUNS} runs: "
            f"{', '.join(f'#{e.number}' for e in out)} dropped out.",
            icon=":material/history:",
        )


# --- recording ----------------------------------------------------------------------------------


def record_outcome(prefix: str, result, series, stopped: str, origin: str = "train") -> None:
    """Add a finished, stopped or restored forecasting run to the log, with its checkpoint."""
    try:
        source = None if origin == "checkpoint" else data_source_of(prefix, series)
        record = record_from_result(result, series, origin, source=source, stopped=stopped)
        try:
            checkpoint = save_checkpoint(result, series) if result.fit is not None else None
        except ValueError:  # e.g. a result this checkpoint format cannot hold: keep no weights
            checkpoint = None
    except Exception as e:  # a record is a bonus: it must never cost the person their result
        st.warning(f"This run could not be added to the Runs page: {e}")
        return
    add(record, checkpoint)


def record_race(prefix: str, log, result) -> None:
    """Add each (cell, seed) run of a forecast race to the log; classification races are not."""
    plan = getattr(log, "plan", None)
    if result is None or result.kind != "forecast" or not plan:
        return
    runner = plan["runner"]
    task, specs = runner.task, plan.get("specs", {})
    # The settings every run used, with those the data chose (by the race's first run) filled in.
    chosen = getattr(runner, "resolved", None) or Experiment(
        windows=runner.windows.spec, train=runner.train, forecast=task.forecast
    )
    preprocessing = preprocessing_dict(getattr(result, "preprocessing", None))
    try:
        source = data_source_of(prefix, task.series)
        for r in result.runs:
            spec = specs.get(r.cell) or ModelSpec(cell=r.cell, hidden_size=r.hidden_size)
            train = chosen.train.replace(seed=r.seed)
            exp = Experiment(spec, chosen.windows, train, chosen.forecast)
            try:  # the test forecasts again, for the overlay: the race keeps only the scores
                scored = evaluate(r.model, task.series, exp, runner.windows)
            except (ValueError, RuntimeError):
                scored = SimpleNamespace(experiment=exp, test=None)  # scores and curves only
            record = record_from_result(
                scored, task.series, "race", source=source, stopped=r.stopped,
                history=r.history, metrics={"model": r.metrics, **result.baselines},
            )  # fmt: skip
            add(dataclasses.replace(record, preprocessing=preprocessing))
    except Exception as e:  # as above: the race's own result stands regardless
        st.warning(f"This race could not be added to the Runs page: {e}")


def data_source_of(prefix: str, series) -> dict | None:
    """How the page's data widgets made `series` ({"kind", ...}), or None when they did not."""
    state = st.session_state
    kind = state.get(f"{prefix}source")
    if kind == "csv":
        return {"kind": "csv", "file": series.name}
    if kind == "sample":
        name = state.get(f"{prefix}sample")
        made = sample(name) if name else None
        source = {"kind": "sample", "name": name}
    elif kind == "synthetic":
        name = state.get(f"{prefix}gen")
        keys = {"n": "n", "seed": "dseed"}
        keys.update({p: f"{name}_{p}" for p, *_ in KNOBS.get(name, [])})
        if NOISE.get(name) is not None:
            keys["noise"] = f"{name}_noise"
        params = {p: state.get(f"{prefix}{k}") for p, k in keys.items()}
        if name not in KNOBS or any(v is None for v in params.values()):
            return None
        made = synthetic(name, tuple(sorted(params.items())))
        source = {"kind": "synthetic", "generator": name, "params": params}
    else:
        return None
    # The widgets may have moved since the run started (a click that stopped it, say).
    same = made is not None and fingerprint(made).sha256 == fingerprint(series).sha256
    return source if same else None


# --- open in Train ------------------------------------------------------------------------------


def _url_value(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value)


def train_link(record: RunRecord) -> tuple[dict[str, str], list[str]]:
    """(query parameters of the Train page for this run, settings the Train page cannot take).

    Every Train widget the run has a value for is in the parameters, defaults included:
    Streamlit drops a default from the URL itself, and the widget shows it.
    """
    settings = record.requested or record.settings
    params: dict[str, str] = {}
    source = record.data.source
    if source is not None:
        params[f"{TRAIN}source"] = SOURCE_LABELS[source["kind"]]
        if source["kind"] == "sample":
            params[f"{TRAIN}sample"] = str(source["name"])
        elif source["kind"] == "synthetic":
            name = source["generator"]
            params[f"{TRAIN}gen"] = name.replace("_", " ")
            for p, v in source.get("params", {}).items():
                key = {"n": "n", "seed": "dseed"}.get(p, f"{name}_{p}")
                params[f"{TRAIN}{key}"] = _url_value(v)
    missing = []
    defaults = Experiment().to_dict()
    for section in ("windows", "forecast", "train"):
        for name, value in settings.get(section, {}).items():
            key = TRAIN_KEYS.get((section, name))
            if key is not None:
                params[f"{TRAIN}{key}"] = _url_value(value)
            elif value != defaults.get(section, {}).get(name):
                missing.append(f"{name} {show(value)}")
    return params, missing


def data_note(record: RunRecord) -> str:
    """What Open in Train does about the data, in a sentence."""
    source = record.data.source
    if source is None:
        return f"the data ({record.data.name}) cannot be made again here: choose it on Train"
    if source["kind"] == "csv":
        return f"upload {source['file']} again on Train"
    if source["kind"] == "synthetic" and not source.get("params"):
        return f"the generator ({source['generator']}) is set, with the Train page's parameters"
    return f"the data ({record.data.name}) is set too"


def open_in_train(record: RunRecord) -> None:
    """Put the run's settings into the Build and Train widgets and go to Train."""
    model = ModelSpec.from_dict((record.requested or record.settings)["model"])
    st.session_state[SPEC_KEY] = model.to_dict()  # what the Train page reads
    for name, value in model.to_dict().items():
        if name != "dropout" or value <= MAX_DROPOUT:
            st.session_state[name] = value  # the Build widget of the same name
    params, _ = train_link(record)
    for key in params:
        # A widget keeps its own value over a link's on later visits: forget it, so the URL
        # (or, for a value equal to the default, the default) decides.
        st.session_state.pop(key, None)
    st.switch_page(TRAIN_PAGE, query_params=params)


# --- the Runs page's pieces ---------------------------------------------------------------------


def actual_values(entries) -> tuple[list, list]:
    """(times, values) of the test part, merged over runs on the same data, in time order."""
    points = {}
    for e in entries:
        f = e.record.forecast
        points.update(zip(f["time"], f["actual"], strict=True))
    times = sorted(points)
    return times, [points[t] for t in times]


def actions_ui(prefix: str, log: RunLog, entry) -> None:
    """One selected run: what it is, and Open in Train, Checkpoint and Delete."""
    r, rid = entry.record, entry.record.id
    about, actions = st.columns([3, 2], vertical_alignment="center")
    buttons = actions.container(horizontal=True, horizontal_alignment="right")
    _, missing = train_link(r)
    notes = [data_note(r)] + ([f"not on the Train page: {', '.join(missing)}"] if missing else [])
    about.markdown(f"**{entry.label}** · {r.origin} · {r.stopped or 'no reason recorded'}")
    about.caption(f"Open in Train sets its model and settings; {'; '.join(notes)}.")
    if buttons.button("Open in Train", key=f"{prefix}open_{rid}", icon=":material/open_in_new:"):
        open_in_train(r)
    weights = log.weights.get(rid)
    buttons.download_button(
        "Checkpoint", weights or b"", f"run{entry.number}.rnnlib", key=f"{prefix}ckpt_{rid}",
        disabled=weights is None, icon=":material/download:", on_click="ignore",
        help="The weights are kept for the newest Train runs only." if weights is None else None,
    )  # fmt: skip
    buttons.button(
        "Delete", key=f"{prefix}delete_{rid}", on_click=delete, args=(prefix, rid),
        icon=":material/delete:",
    )  # fmt: skip


def delete(prefix: str, run_id: str) -> None:
    """Remove a run; the table's selection keeps pointing at the same other runs."""
    log = session_log()
    pos = next((i for i, e in enumerate(log.entries) if e.record.id == run_id), None)
    if pos is None:
        return
    log.remove(run_id)
    state = st.session_state.get(f"{prefix}table")
    if state is not None:
        rows = [i - (i > pos) for i in state["selection"]["rows"] if i != pos]
        st.session_state[f"{prefix}table"] = {
            "selection": {"rows": rows, "columns": [], "cells": []}
        }
