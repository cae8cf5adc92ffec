"""rnnlib.runs: a run record from a real run, its lossless JSON round trip, and what differs."""

import json
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlib.forecasting import Experiment, ForecastSpec, run
from rnnlib.history import EpochRecord
from rnnlib.optim import TrainSpec
from rnnlib.runs import (
    MAX_FORECAST_POINTS,
    DataInfo,
    RunRecord,
    RunRecordError,
    describe_differences,
    differences_table,
    fingerprint,
    record_from_result,
    step_one_forecast,
)
from rnnlib.series import make_synthetic
from rnnlib.spec import ModelSpec
from rnnlib.windows import WindowSpec

# Explicit preprocessing and epochs: one candidate, two epochs, a fraction of a second.
FAST = dict(normalize="global", transform="none")
SOURCE = {"kind": "synthetic", "generator": "sine", "params": {"n": 400, "seed": 0}}


def experiment(cell="lstm", lookback=24, horizon=1, **train) -> Experiment:
    return Experiment(
        ModelSpec(cell=cell, hidden_size=4),
        WindowSpec(lookback=lookback, horizon=horizon, **FAST),
        TrainSpec(epochs=2, **train),
    )


@pytest.fixture(scope="module")
def sine():
    return make_synthetic("sine")


@pytest.fixture(scope="module")
def record(sine) -> RunRecord:
    return record_from_result(run(sine, experiment(horizon=3)), sine, "train", source=SOURCE)


def copy(record: RunRecord, **changes) -> RunRecord:
    """The record with some settings changed: {"lookback": 48} or {"model": {"cell": "gru"}}."""
    d = json.loads(json.dumps(record.to_dict()))
    for section, fields in changes.items():
        d["settings"][section].update(fields)
    return RunRecord.from_dict(d)


# --- a record from a real run -------------------------------------------------------------------


def test_record_of_a_run_holds_settings_data_scores_history_and_forecast(sine, record):
    assert record.origin == "train" and len(record.id) == 12
    assert record.settings["windows"]["lookback"] == 24
    assert Experiment.from_dict(record.settings).windows.horizon == 3
    assert record.data.name == "sine" and record.data.rows == len(sine) == 400
    assert record.data.source == SOURCE
    assert set(record.metrics) >= {"model", "naive", "drift", "mean"}
    assert record.mase == pytest.approx(record.metrics["model"]["mase"])
    assert [h.epoch for h in record.history] == [1, 2]
    assert all(isinstance(h, EpochRecord) and h.lr and h.grad_norm for h in record.history)
    assert record.seconds == record.history[-1].elapsed_s > 0
    assert record.stopped.startswith("completed 2 epochs")
    assert record.preprocessing["normalize"] == "global"
    # One-step-ahead test forecasts only: one point per test origin.
    forecast = record.forecast
    assert len(forecast["time"]) == len(forecast["actual"]) == len(forecast["model"]) > 0
    assert forecast["time"][0].startswith("20")  # ISO time stamps of a dated series


def test_fingerprint_tells_equal_data_from_other_data(sine):
    assert fingerprint(sine).sha256 == fingerprint(make_synthetic("sine")).sha256
    other = make_synthetic("sine", seed=1)
    assert fingerprint(other).sha256 != fingerprint(sine).sha256
    assert fingerprint(other).rows == fingerprint(sine).rows


def test_nan_metrics_are_stored_as_null(record):
    d = record.to_dict()
    d["metrics"]["model"]["mape"] = float("nan")
    d["metrics"]["naive"]["mase"] = float("inf")
    stored = RunRecord(**{**d, "data": DataInfo(**d["data"])})
    assert stored.metrics["model"]["mape"] is None and stored.metrics["naive"]["mase"] is None
    json.dumps(stored.to_dict(), allow_nan=False)  # valid JSON, no NaN literal


def test_forecast_is_capped_to_the_last_points(sine):
    result = run(sine, experiment())
    long = result.test.loc[result.test.index.repeat(20)].reset_index(drop=True)
    kept = step_one_forecast(long)
    assert len(kept["model"]) == MAX_FORECAST_POINTS
    assert kept["model"][-1] == pytest.approx(long["model"].iloc[-1])


def test_requested_settings_are_kept_when_the_data_chose_some(sine):
    auto = Experiment(ModelSpec(hidden_size=4), WindowSpec(lookback=0, **FAST), TrainSpec(epochs=2))
    rec = record_from_result(run(sine, auto), sine, "cli")
    assert rec.requested["windows"]["lookback"] == 0
    assert rec.settings["windows"]["lookback"] > 0  # what the data chose
    assert rec.requested is not None


# --- JSON round trip --------------------------------------------------------------------------------

floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=1e6)
text = st.text(max_size=30)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | floats | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)
experiments = st.builds(
    lambda cell, hidden, lookback, horizon, lr, gaussian: Experiment(
        ModelSpec(cell=cell, hidden_size=hidden),
        WindowSpec(lookback=lookback, horizon=horizon),
        TrainSpec(lr=lr),
        ForecastSpec(gaussian=gaussian),
    ),
    st.sampled_from(["rnn", "lstm", "gru"]), st.integers(1, 512), st.integers(0, 500),
    st.integers(1, 50), st.floats(1e-6, 1.0), st.booleans(),
)  # fmt: skip
epochs = st.builds(
    EpochRecord,
    st.integers(0, 1000),
    floats,
    st.none() | floats,
    st.none() | finite,
    st.none() | floats,
    st.none() | finite,
)
forecasts = st.integers(0, 20).flatmap(
    lambda n: st.fixed_dictionaries(
        {
            "time": st.lists(st.integers(0, 10**6) | text, min_size=n, max_size=n),
            "actual": st.lists(floats, min_size=n, max_size=n),
            "model": st.lists(floats, min_size=n, max_size=n),
        }
    )  # fmt: skip
)
records = st.builds(
    RunRecord,
    id=st.text("0123456789abcdef", min_size=1, max_size=32),
    time=st.datetimes(min_value=datetime(2000, 1, 1)).map(
        lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
    ),
    origin=st.sampled_from(["train", "race", "cli", "checkpoint"]),
    settings=experiments.map(Experiment.to_dict),
    data=st.builds(
        DataInfo,
        name=text,
        rows=st.integers(0, 10**6),
        sha256=st.text("0123456789abcdef", min_size=64, max_size=64),
        target=text,
        features=st.lists(text, max_size=3).map(tuple),
        frequency=st.none() | text,
        source=st.none() | st.just(SOURCE) | st.just({"kind": "csv", "file": "a.csv"}),
    ),  # fmt: skip
    metrics=st.dictionaries(text, st.dictionaries(text, floats, max_size=5), max_size=4).map(
        lambda m: {"model": {"mase": 0.5}, **m}
    ),
    history=st.lists(epochs, max_size=10).map(tuple),
    seconds=finite,
    stopped=text,
    preprocessing=st.none() | st.dictionaries(text, json_values, max_size=4),
    requested=st.none() | experiments.map(Experiment.to_dict),
    forecast=st.none() | forecasts,
)


@settings(max_examples=60, deadline=None)
@given(records)
def test_a_record_survives_json_without_loss(record):
    text = json.dumps(record.to_dict(), allow_nan=False)
    assert RunRecord.from_dict(json.loads(text)) == record


def test_from_dict_refuses_records_that_are_not_ones(record):
    good = json.loads(json.dumps(record.to_dict()))
    bad = {
        "not an object": [],
        "a missing field": {k: v for k, v in good.items() if k != "history"},
        "an extra field": {**good, "code": "import os"},
        "a bad origin": {**good, "origin": "web"},
        "a bad id": {**good, "id": "../../etc"},
        "a bad time": {**good, "time": "yesterday"},
        "settings that cannot be built": {
            **good, "settings": {**good["settings"], "model": {"cell": "transformer"}}
        },
        "an epoch with text": {**good, "history": [{**good["history"][0], "train_loss": "1"}]},
        "a negative time": {**good, "seconds": -1},
        "an uneven forecast": {**good, "forecast": {**good["forecast"], "model": [1.0]}},
        "a bad data hash": {**good, "data": {**good["data"], "sha256": "x" * 64}},
    }  # fmt: skip
    for why, d in bad.items():
        with pytest.raises(RunRecordError) as e:
            RunRecord.from_dict(d)
        assert "\n" not in str(e.value), why


# --- what differs -----------------------------------------------------------------------------------


def test_differences_are_one_readable_line_per_setting(record):
    other = copy(record, windows={"lookback": 48}, model={"cell": "gru"})
    assert describe_differences(record, other) == ["cell lstm → gru", "lookback 24 → 48"]
    assert describe_differences(record, record) == []
    flags = copy(record, forecast={"gaussian": True}, train={"lr": 0.001})
    assert describe_differences(record, flags) == ["gaussian off → on", "lr 0.01 → 0.001"]


def test_differences_name_the_data(record, sine):
    other = make_synthetic("sine", seed=3)
    seeded = {**SOURCE, "params": {"n": 400, "seed": 3}}
    b = record_from_result(run(other, experiment(horizon=3)), other, "cli", source=seeded)
    assert describe_differences(record, b) == ["data seed 0 → 3"]
    # Without a source to compare, the hash still tells the data apart.
    a, b = (RunRecord.from_dict({**r.to_dict(), "data": {**r.to_dict()["data"], "source": None}})
            for r in (record, b))  # fmt: skip
    assert describe_differences(a, b) == ["data sine: other values (same name and rows)"]
    d = record.to_dict()
    d["data"] = {**d["data"], "name": "nile", "rows": 100, "sha256": "0" * 64}
    assert describe_differences(record, RunRecord.from_dict(d))[:2] == [
        "data sine → nile",
        "rows 400 → 100",
    ]


def test_a_setting_only_one_run_has_shows_a_dash(record):
    d = record.to_dict()
    del d["settings"]["forecast"]["ensemble"]  # as a log written before that field existed
    older = RunRecord(**{**d, "data": DataInfo(**d["data"])})
    k = record.settings["forecast"]["ensemble"]
    assert describe_differences(older, record) == [f"ensemble — → {k}"]


def test_differences_table_lists_only_settings_that_vary(record):
    runs = [record, copy(record, windows={"lookback": 48}), copy(record, model={"cell": "gru"})]
    table = differences_table(runs, ["#1", "#2", "#3"])
    assert list(table.columns) == ["#1", "#2", "#3"]
    assert list(table.index) == ["cell", "lookback"]
    assert table.loc["lookback"].tolist() == ["24", "48", "24"]
