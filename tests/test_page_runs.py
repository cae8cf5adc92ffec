"""pages/5_Runs.py under AppTest: the table, overlays of selected runs, what differs, delete,
Open in Train, the log saved and loaded, and the Train / Compare pages filling the log."""

import copy
import dataclasses

import pytest
from pagetest import TINY_SPEC, charts, ok, open_page, widget
from streamlit.testing.v1 import AppTest

from rnnlib.checkpoint import save_checkpoint
from rnnlib.datasets import load_dataset
from rnnlib.forecasting import Experiment, run
from rnnlib.optim import TrainSpec
from rnnlib.runlog import RunLog
from rnnlib.runs import record_from_result
from rnnlib.series import make_synthetic
from rnnlib.spec import ModelSpec
from rnnlib.ui.runs_view import LOG_KEY
from rnnlib.windows import WindowSpec

PAGE = "pages/5_Runs.py"
FAST = dict(normalize="global", transform="none")  # one preprocessing candidate: quick
# The Train page's default sine, as its widgets describe it.
SINE = {"n": 400, "period": 20.0, "amplitude": 1.0, "noise": 0.05, "seed": 0}


def experiment(cell: str, lookback: int) -> Experiment:
    return Experiment(
        ModelSpec(cell=cell, hidden_size=4),
        WindowSpec(lookback=lookback, **FAST),
        TrainSpec(epochs=2, patience=0),
    )


@pytest.fixture(scope="module")
def three_runs() -> RunLog:
    """#1 LSTM lookback 24 and #2 GRU lookback 48 on the default sine, #3 LSTM on nile."""
    sine, nile = make_synthetic("sine", **SINE), load_dataset("nile")
    source = {"kind": "synthetic", "generator": "sine", "params": SINE}
    log = RunLog()
    for series, src, exp in [
        (sine, source, experiment("lstm", 24)),
        (sine, source, experiment("gru", 48)),
        (nile, {"kind": "sample", "name": "nile"}, experiment("lstm", 12)),
    ]:
        result = run(series, exp)
        log.add(
            record_from_result(result, series, "train", source=src), save_checkpoint(result, series)
        )
    return log


def open_runs(log: RunLog | None = None) -> AppTest:
    return open_page(PAGE, **({LOG_KEY: copy.deepcopy(log)} if log is not None else {}))


def select(at: AppTest, *rows: int) -> AppTest:
    at.session_state["r_table"] = {"selection": {"rows": list(rows), "columns": [], "cells": []}}
    return ok(at.run())


def table(at: AppTest):
    return next(d.value for d in at.dataframe if "MASE" in d.value.columns)


def texts(at: AppTest) -> str:
    return "\n".join(m.value for m in [*at.markdown, *at.caption, *at.info, *at.error, *at.success])


LOSS, FORECAST = (
    "Validation loss of the selected runs",
    "Test forecasts of the selected runs (1 step ahead)",
)


def test_an_empty_log_says_how_to_fill_it():
    at = open_runs()
    assert "No runs yet" in at.info[0].value
    assert not at.dataframe and not charts(at)
    assert at.expander[0].label == "Save or load the log"


def test_the_table_lists_every_run_with_the_best_per_dataset(three_runs):
    at = open_runs(three_runs)
    shown = table(at)
    assert shown["run"].tolist() == ["#1", "#2", "#3"]
    assert shown["cell"].tolist() == ["LSTM", "GRU", "LSTM"]
    assert shown["lookback"].tolist() == [24, 48, 12]
    assert shown["data"].tolist()[2] == "nile (100 rows)"
    best = [r.record.id for r in three_runs.entries if r.record.id in three_runs.best()]
    assert shown["best"].tolist().count("★") == 2 == len(best)  # one on sine, one on nile
    assert shown["weights"].tolist() == ["kept"] * 3
    assert not charts(at)  # nothing selected yet


def test_two_runs_on_the_same_data_are_overlaid_with_what_differs(three_runs):
    at = select(open_runs(three_runs), 0, 1)
    shown = charts(at)
    assert shown[LOSS]["traces"] == ["#1 LSTM 4, sine", "#2 GRU 4, sine"]
    assert shown[FORECAST]["traces"] == ["actual", "#1 LSTM 4, sine", "#2 GRU 4, sine"]
    assert "- cell lstm → gru\n- lookback 24 → 48" in texts(at)
    at.segmented_control(key="r_which").set_value("train_loss")
    assert "Train loss of the selected runs" in charts(ok(at.run()))


def test_runs_on_other_data_are_not_overlaid_and_three_get_a_table(three_runs):
    at = select(open_runs(three_runs), 0, 2)
    assert "different data" in texts(at) and FORECAST not in charts(at)
    assert len(charts(at)[LOSS]["traces"]) == 2
    assert "- data sine → nile" in texts(at)
    at = select(at, 0, 1, 2)
    diff = next(d.value for d in at.dataframe if "#3" in d.value.columns)
    assert list(diff.columns) == ["#1", "#2", "#3"]
    assert diff.loc["lookback"].tolist() == ["24", "48", "12"]


def test_delete_removes_a_run_and_keeps_the_other_selected(three_runs):
    at = select(open_runs(three_runs), 0, 1)
    first = three_runs.entries[0].record.id
    ok(at.button(key=f"r_delete_{first}").click().run())
    assert table(at)["run"].tolist() == ["#2", "#3"]
    assert at.session_state[LOG_KEY].get(first) is None
    assert charts(at)[LOSS]["traces"] == [
        "#2 GRU 4, sine"
    ]  # still selected: the same run, one row up


def test_open_in_train_restores_the_model_the_settings_and_the_data(three_runs):
    at = select(open_runs(three_runs), 1)
    gru = three_runs.entries[1].record.id
    ok(at.button(key=f"r_open_{gru}").click().run())
    assert at.title[0].value.endswith("Train and forecast")
    assert at.session_state["model_spec"]["cell"] == "gru"
    assert at.session_state["cell"] == "gru"  # the Build widget, for the next visit to Build
    assert at.number_input(key="t_lookback").value == 48
    assert at.number_input(key="t_patience").value == 0
    assert at.toggle(key="t_auto").value is False
    assert at.selectbox(key="t_normalize").value == "global"
    assert at.selectbox(key="t_gen").value == "sine"
    assert at.number_input(key="t_sine_period").value == 20.0
    assert "Model from **Build**: GRU, hidden 4," in at.caption[0].value


def test_checkpoints_download_and_the_log_loads_in_a_fresh_session(three_runs):
    at = select(open_runs(three_runs), 0)
    buttons = {b.proto.label: b for b in at.get("download_button")}
    assert not buttons["Checkpoint"].proto.disabled
    saved = at.session_state[LOG_KEY].to_jsonl()

    fresh = open_runs()
    fresh.file_uploader(key="r_upload").set_value(("runs.jsonl", saved, "application/jsonl"))
    ok(fresh.run())
    ok(fresh.button(key="r_load").click().run())
    assert "3 run(s) added" in texts(fresh)
    assert table(fresh).drop(columns="weights").equals(table(at).drop(columns="weights"))
    assert table(fresh)["weights"].tolist() == [""] * 3  # a log file carries no weights


def test_a_foreign_file_is_refused_in_one_line_and_changes_nothing():
    at = open_runs()
    at.file_uploader(key="r_upload").set_value(("data.csv", b"date,sales\n1,2\n", "text/csv"))
    ok(at.run())
    ok(at.button(key="r_load").click().run())
    assert [e.value for e in at.error] == [
        "This file is not an rnnlib run log (line 1 is not a run): upload a file saved from the "
        "Runs page or written by train --log."
    ]
    assert len(at.session_state[LOG_KEY]) == 0


# --- the pages that fill the log ------------------------------------------------------------------


def open_fast(page: str, prefix: str) -> AppTest:
    """Train or Compare with a tiny Build model, lookback 24 and one preprocessing (fast)."""
    at = open_page(page, TINY_SPEC, timeout=120)
    for name, value in {"lookback": 24, "normalize": "global", "transform": "none"}.items():
        widget(at, prefix + name).set_value(value)
        ok(at.run())
    return at


def test_train_runs_and_restored_checkpoints_land_in_the_log():
    at = open_fast("pages/2_Train.py", "t_")
    at.toggle(key="t_auto").set_value(False).run()
    at.number_input(key="t_epochs").set_value(2).run()
    ok(at.button(key="t_train").click().run())
    log = at.session_state[LOG_KEY]
    (entry,) = log.entries
    r = entry.record
    assert (r.origin, r.settings["windows"]["lookback"], len(r.history)) == ("train", 24, 2)
    assert r.data.source == {"kind": "synthetic", "generator": "sine", "params": SINE}
    assert r.id in log.weights

    at.file_uploader(key="t_ckpt").set_value(
        ("model.rnnlib", log.weights[r.id], "application/octet-stream")
    )
    ok(at.run())
    ok(at.button(key="t_restore").click().run())
    restored = at.session_state[LOG_KEY].entries[-1].record
    assert restored.origin == "checkpoint" and restored.data.sha256 == r.data.sha256
    assert restored.data.source is None  # the widgets did not make this data
    assert restored.metrics["model"]["mase"] == pytest.approx(r.metrics["model"]["mase"])


def test_a_forecast_race_adds_one_run_per_cell_and_seed():
    at = open_fast("pages/3_Compare.py", "c_")
    at.number_input(key="c_epochs").set_value(1).run()
    ok(at.button(key="c_race").click().run())
    records = [e.record for e in at.session_state[LOG_KEY].entries]
    assert [(r.origin, r.setting("model", "cell")) for r in records] == [
        ("race", "rnn"),
        ("race", "lstm"),
        ("race", "gru"),
    ]
    assert all(len(r.history) == 1 and r.forecast for r in records)
    assert records[0].settings["windows"]["lookback"] == 24


def test_open_in_train_names_a_value_the_train_page_cannot_take(three_runs):
    log = copy.deepcopy(three_runs)
    odd = log.entries[0].record
    settings = {**odd.settings, "train": {**odd.settings["train"], "lr": 0.005, "momentum": 0.5}}
    log.entries[0].record = dataclasses.replace(odd, settings=settings, requested=None)
    at = select(open_runs(log), 0)
    assert "not on the Train page: momentum 0.5" in texts(at)
    ok(at.button(key=f"r_open_{odd.id}").click().run())
    assert at.title[0].value.endswith("Train and forecast")
    assert any("t_lr='0.005'" in t.value for t in at.toast), [t.value for t in at.toast]
    assert at.number_input(key="t_lookback").value == 24  # the rest is restored


def test_a_season_run_is_logged_and_opens_in_train_with_its_normalisation():
    sine = make_synthetic("sine", **SINE)
    exp = Experiment(
        ModelSpec(cell="lstm", hidden_size=4),
        WindowSpec(lookback=24, normalize="season", transform="none"),
        TrainSpec(epochs=2, patience=0),
    )
    log = RunLog()
    source = {"kind": "synthetic", "generator": "sine", "params": SINE}
    log.add(record_from_result(run(sine, exp), sine, "train", source=source))
    record = log.entries[0].record
    assert record.preprocessing["normalize"] == "season"
    at = select(open_runs(log), 0)
    assert table(at)["preprocessing"].tolist()[0].startswith("season")
    ok(at.button(key=f"r_open_{record.id}").click().run())
    assert at.selectbox(key="t_normalize").value == "season"


def test_open_in_train_restores_the_linear_skip_setting(three_runs):
    at = select(open_runs(three_runs), 0)
    record = three_runs.entries[0].record
    assert record.settings["forecast"]["skip"] is True
    log = copy.deepcopy(three_runs)
    odd = log.entries[0].record
    forecast = {**odd.settings["forecast"], "skip": False}
    log.entries[0].record = dataclasses.replace(
        odd, settings={**odd.settings, "forecast": forecast}, requested=None
    )
    at = select(open_runs(log), 0)
    ok(at.button(key=f"r_open_{odd.id}").click().run())
    assert at.toggle(key="t_skip").value is False


def test_open_in_train_restores_the_loss(three_runs):
    log = copy.deepcopy(three_runs)
    odd = log.entries[0].record
    train = {**odd.settings["train"], "loss": "mae"}
    log.entries[0].record = dataclasses.replace(
        odd, settings={**odd.settings, "train": train}, requested=None
    )
    at = select(open_runs(log), 0)
    ok(at.button(key=f"r_open_{odd.id}").click().run())
    assert at.selectbox(key="t_loss").value == "mae"
