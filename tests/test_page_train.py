"""pages/2_Train.py under AppTest: data sources, a short training run, error paths, Stop, restore."""

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pagetest import charts, errors, ok, widget
from streamlit.testing.v1 import AppTest

from rnnlib.checkpoint import save_checkpoint
from rnnlib.datasets import load_dataset
from rnnlib.defaults import SIMPLER_WITHIN
from rnnlib.forecasting import Experiment, ForecastSpec, build_forecaster, run
from rnnlib.optim import TrainSpec
from rnnlib.series import make_synthetic
from rnnlib.spec import ModelSpec
from rnnlib.training import EpochRecord
from rnnlib.windows import WindowSpec

PAGE = Path(__file__).resolve().parents[1] / "pages" / "2_Train.py"
APP = PAGE.parents[1] / "app.py"
SMALL = ModelSpec(hidden_size=8)  # what the Build page would hand over: tiny, so runs take a second
RESOLVED = WindowSpec(lookback=24, normalize="window", transform="none")
FORECASTERS = ["model", "naive (last value)", "seasonal naive", "drift", "window mean"]


def open_train(spec: ModelSpec = SMALL, epochs: int = 2, **widgets) -> AppTest:
    """The page with `spec` handed over from Build and `epochs` (training settings from the data
    turned off, so runs stay short), then widgets set one rerun each."""
    # From the landing page, as a visitor gets there.
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["model_spec"] = spec.to_dict()
    at.switch_page("pages/2_Train.py")
    ok(at.run())
    for key, value in {"t_auto": False, "t_epochs": epochs, **widgets}.items():
        widget(at, key).set_value(value)
        ok(at.run())
    return at


def values(y) -> np.ndarray:
    """A trace's y as Plotly JSON holds it: a list, or a typed array {"dtype", "bdata"}."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
    return np.asarray(y, dtype=float)


def split_traces(at: AppTest) -> list[str]:
    return next(c["traces"] for t, c in charts(at).items() if t.endswith("how the series is split"))


def train(at: AppTest) -> AppTest:
    return ok(at.button(key="t_train").click().run())


def upload_csv(at: AppTest, data: bytes, name: str = "data.csv") -> AppTest:
    at.button_group(key="t_source").set_value("csv").run()
    at.file_uploader(key="t_upload").set_value((name, data, "text/csv"))
    return ok(at.run())


def csv_bytes(n: int = 120, features: bool = False) -> bytes:
    """Daily noisy seasonal series; `features` adds a second numeric column."""
    rng = np.random.default_rng(0)
    t = np.arange(n)
    frame = pd.DataFrame({
        "date": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "sales": 10 + 3 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.3, n),
    })  # fmt: skip
    if features:
        frame["temperature"] = 20 + 5 * np.cos(2 * np.pi * t / 30)
    return frame.to_csv(index=False).encode()


# --- before and after one run -----------------------------------------------------------------


def test_default_page_shows_the_split_and_no_error():
    at = open_train()
    assert errors(at) == []
    assert split_traces(at) == ["train", "validation", "test"]
    assert any("train / " in c.value and "test windows" in c.value for c in at.caption)
    assert "t_outcome" not in at.session_state
    assert not at.button(key="t_train").disabled


def test_train_shows_scores_verdict_forecast_and_downloads():
    at = train(open_train())
    assert errors(at) == []
    done = at.session_state["t_outcome"]
    # the chosen settings are trained again on train + validation (ForecastSpec.refit), said so
    assert done.stopped.startswith("completed 2 epochs; then trained again on the training")
    assert len(done.history) == 2
    table = next(d.value for d in at.dataframe if "MAE" in d.value.columns)
    assert list(table.index) == FORECASTERS  # the default sine's season (20) fits the lookback (24)
    assert list(table.columns) == ["MAE", "RMSE", "MAPE %", "sMAPE %", "MASE"]
    assert table.loc["model", "MAE"] == pytest.approx(done.result.metrics["model"]["mae"])
    verdict = next(m.value for m in at.markdown if "best baseline" in m.value)
    assert "test origins" in verdict
    shown = charts(at)
    assert "model (1 step ahead)" in shown["Forecast on the test part and past the end"]["traces"]
    assert shown["Loss"]["traces"] == ["train", "validation"]
    downloads = {d.key for d in at.get("download_button")}
    assert downloads == {"t_dl_csv", "t_dl_ckpt"}


def test_result_stays_after_an_unrelated_rerun():
    at = train(open_train())
    first = at.session_state["t_outcome"].result.metrics
    widget(at, "t_log").set_value(True)
    ok(at.run())
    assert at.session_state["t_outcome"].result.metrics == first
    assert charts(at)["Loss"]["layout"]["yaxis"]["type"] == "log"
    assert not at.warning


def test_a_result_from_other_settings_is_flagged_until_trained_again():
    at = train(open_train())
    widget(at, "t_lookback").set_value(12)
    ok(at.run())
    assert [w.value for w in at.warning] == [
        "This result comes from other data or settings than those above: press Train."
    ]
    assert not train(at).warning


# --- data sources -----------------------------------------------------------------------------


def test_sample_data_source_loads_airline_passengers():
    at = open_train()
    at.button_group(key="t_source").set_value("sample").run()
    widget(ok(at), "t_sample").set_value("airline_passengers")
    ok(at.run())
    assert errors(at) == []
    n = len(load_dataset("airline_passengers"))
    assert any(c.value.startswith(f"{n:,} rows") for c in at.caption)
    assert split_traces(at) == ["train", "validation", "test"]


def test_synthetic_generator_knobs_reach_the_series():
    at = open_train(t_gen="seasonal")
    widget(at, "t_n").set_value(300)
    widget(ok(at.run()), "t_seasonal_period").set_value(7.0)
    ok(at.run())
    assert errors(at) == []
    assert any(c.value.startswith("300 rows") for c in at.caption)
    # The chart draws exactly the series the generator makes with these knobs.
    want = make_synthetic("seasonal", n=300, periods=(7.0,), trend=0.01, noise=0.1, seed=0)
    train_part = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert train_part["name"] == "train"
    drawn = values(train_part["y"])
    assert drawn == pytest.approx(want.values()[: len(drawn), 0])


def test_csv_upload_offers_column_pickers_and_trains():
    at = upload_csv(open_train(), csv_bytes(features=True))
    assert errors(at) == []
    assert widget(at, "t_date_col").value == "date"
    assert widget(at, "t_target").options == ["sales", "temperature"]
    assert widget(at, "t_features").options == ["temperature"]
    assert any(c.value.startswith("120 rows") for c in at.caption)
    widget(at, "t_features").set_value(["temperature"])
    at = train(ok(at.run()))
    assert errors(at) == []
    series = at.session_state["t_outcome"].series
    assert series.target == "sales" and list(series.features) == ["temperature"]


# --- error paths: one st.error line, never an exception -----------------------------------------


def test_lookback_longer_than_the_series_is_an_error():
    at = open_train(t_lookback=500)
    assert len(errors(at)) == 1 and "lookback" in errors(at)[0]
    assert at.button(key="t_train").disabled


def test_invalid_csv_is_an_error():
    at = upload_csv(
        open_train(), (Path(__file__).parent / "fixtures/csv/all_text.csv").read_bytes()
    )
    assert errors(at) == [
        "No column holds numbers (every value is text): the file needs at least one column of "
        "numbers to forecast."
    ]
    assert at.button(key="t_train").disabled


def test_recursive_strategy_with_extra_features_is_an_error():
    at = upload_csv(open_train(), csv_bytes(features=True))
    widget(at, "t_features").set_value(["temperature"])
    widget(ok(at.run()), "t_strategy").set_value("recursive")
    ok(at.run())
    assert len(errors(at)) == 1 and errors(at)[0].startswith("Recursive forecasting")
    assert at.button(key="t_train").disabled


def test_seq2seq_with_a_bidirectional_build_spec_is_an_error():
    at = open_train(SMALL.replace(bidirectional=True), t_strategy="seq2seq")
    assert errors(at) == ["seq2seq needs a unidirectional model: turn bidirectional off on Build."]
    assert at.button(key="t_train").disabled


# --- Stop and restore -------------------------------------------------------------------------


def test_an_interrupted_run_becomes_a_result_stopped_by_you():
    at = open_train()
    # What live.train leaves in session state when a click interrupts it after its first epoch:
    # the candidate being trained, its settings resolved.
    series = make_synthetic("sine", n=400, period=20.0, amplitude=1.0, noise=0.05, seed=0)
    exp = Experiment(SMALL, RESOLVED, TrainSpec(epochs=2), ForecastSpec(period=20))
    model = build_forecaster(exp, series.values().shape[1], seed=0)
    history = [EpochRecord(1, train_loss=0.5, val_loss=0.6, lr=0.01, grad_norm=1.0, elapsed_s=0.1)]
    at.session_state["t_job"] = dict(model=model, exp=exp, series=series, history=history)
    ok(at.run())
    assert "t_job" not in at.session_state
    stopped = at.session_state["t_outcome"].stopped
    assert stopped.startswith("stopped by you after 1 epoch(s)")
    assert any("stopped by you" in c.value for c in at.caption)
    assert charts(at)["Loss"]["traces"] == ["train", "validation"]
    # The stopped run keeps its history, so its checkpoint does too.
    assert at.session_state["t_outcome"].result.fit.history == history


def test_stop_before_the_first_epoch_says_there_is_nothing_to_score():
    at = open_train()
    series = make_synthetic("sine", n=400, seed=0)
    exp = Experiment(SMALL, RESOLVED, TrainSpec(epochs=2))
    model = build_forecaster(exp, 1, seed=0)
    at.session_state["t_job"] = dict(model=model, exp=exp, series=series, history=[])
    ok(at.run())
    assert any("before the first epoch" in i.value for i in at.info)
    assert "t_outcome" not in at.session_state


def test_stop_at_the_start_of_a_candidate_scores_the_one_before():
    """auto tries candidates in turn: a Stop before the next one's first epoch keeps the last."""
    at = open_train()
    series = make_synthetic("sine", n=400, seed=0)
    exp = Experiment(SMALL, RESOLVED, TrainSpec(epochs=2))
    before = Experiment(SMALL, RESOLVED.replace(normalize="last"), TrainSpec(epochs=2))
    history = [EpochRecord(1, train_loss=0.5, val_loss=0.6, lr=0.01, grad_norm=1.0, elapsed_s=0.1)]
    previous = (build_forecaster(before, 1, seed=0), before, history)
    job = dict(model=build_forecaster(exp, 1, seed=0), exp=exp, series=series, history=[])
    at.session_state["t_job"] = {**job, "previous": previous}
    ok(at.run())
    result = at.session_state["t_outcome"].result
    assert result.experiment.windows.normalize == "last" and result.fit.history == history


def test_a_checkpoint_restores_the_same_scores():
    series = make_synthetic("sine", n=300, seed=1)
    exp = Experiment(SMALL, WindowSpec(lookback=12), TrainSpec(epochs=2), ForecastSpec())
    result = run(series, exp)
    at = open_train()
    at.file_uploader(key="t_ckpt").set_value(("model.rnnlib", save_checkpoint(result, series), ""))
    ok(at.run()).button(key="t_restore").click()
    ok(at.run())
    assert errors(at) == []
    done = at.session_state["t_outcome"]
    assert done.stopped.startswith("completed 2 epochs; then trained again")
    assert done.stopped.endswith("(restored from a checkpoint)")
    assert len(done.history) == 2
    for name, scores in result.metrics.items():
        assert done.result.metrics[name] == pytest.approx(scores)
    table = next(d.value for d in at.dataframe if "MAE" in d.value.columns)
    assert table.loc["model", "MAE"] == pytest.approx(result.metrics["model"]["mae"])


def test_a_file_that_is_not_a_checkpoint_is_an_error():
    at = open_train()
    at.file_uploader(key="t_ckpt").set_value(("model.rnnlib", b"not a checkpoint", ""))
    ok(at.run()).button(key="t_restore").click()
    ok(at.run())
    assert len(errors(at)) == 1 and "t_outcome" not in at.session_state


# --- preprocessing: auto, what it chose, and an impossible choice ---------------------------------


def test_auto_result_says_what_it_chose_and_shows_one_window_before_and_after():
    at = train(open_train())
    result = at.session_state["t_outcome"].result
    pre = result.preprocessing
    assert len(pre.candidates) == 3  # normalize and transform are auto by default
    said = next(m.value for m in at.markdown if m.value.startswith("**Preprocessing:**"))
    assert pre.text in said and "season" in said and "lookback" in said
    table = next(d.value for d in at.dataframe if "validation MAE" in d.value.columns)
    assert len(table) == 3 and (table["chosen"] == "✓").sum() == 1
    chosen = table[table["chosen"] == "✓"].iloc[0]
    assert (chosen["normalize"], chosen["transform"]) == (pre.normalize, pre.transform)
    # the simplest (first) candidate within 5% of the lowest validation MAE
    near = table["validation MAE"] <= (1 + SIMPLER_WITHIN) * table["validation MAE"].min()
    assert chosen.name == near.idxmax()
    seen = charts(at)["One window, before and after preprocessing"]
    assert seen["traces"] == ["inputs", "targets", "inputs", "targets"]
    lookback = result.experiment.windows.lookback
    spec = json.loads(
        next(c for c in at.get("plotly_chart") if "before and after" in c.proto.spec).proto.spec
    )
    assert [len(values(t["y"])) for t in spec["data"]] == [lookback, 1, lookback, 1]


def test_a_log_transform_of_a_series_below_zero_is_one_red_line():
    at = open_train(t_transform="log")  # the default sine goes below zero
    assert len(errors(at)) == 1 and "log transform needs a series above 0" in errors(at)[0]
    assert at.button(key="t_train").disabled


def test_an_explicit_normalisation_trains_one_candidate():
    at = train(open_train(t_normalize="last", t_transform="none"))
    pre = at.session_state["t_outcome"].result.preprocessing
    assert (pre.normalize, pre.transform) == ("last", "none") and len(pre.candidates) == 1
    assert not [d for d in at.dataframe if "validation MAE" in d.value.columns]


def test_the_season_normalisation_trains_and_draws_its_forecast():
    at = train(open_train(t_normalize="season", t_transform="none"))
    assert errors(at) == []
    pre = at.session_state["t_outcome"].result.preprocessing
    assert (pre.normalize, pre.transform) == ("season", "none") and len(pre.candidates) == 1
    result = at.session_state["t_outcome"].result
    assert np.isfinite(result.metrics["model"]["mae"])
    forecast = charts(at)["Forecast on the test part and past the end"]["traces"]
    assert "model (1 step ahead)" in forecast
    seen = charts(at)["One window, before and after preprocessing"]["traces"]
    assert seen == ["inputs", "targets", "inputs", "targets", "window's trend + season"]


def test_the_linear_skip_is_on_by_default_and_can_be_turned_off():
    on = train(open_train(t_normalize="last", t_transform="none"))
    assert on.toggle(key="t_skip").value is True
    assert on.session_state["t_outcome"].result.experiment.forecast.skip is True
    off = train(open_train(t_normalize="last", t_transform="none", t_skip=False))
    result = off.session_state["t_outcome"].result
    assert errors(off) == [] and result.experiment.forecast.skip is False
    assert np.isfinite(result.metrics["model"]["mae"])


def test_the_mae_loss_is_what_training_minimises():
    at = train(open_train(t_normalize="last", t_transform="none", t_loss="mae"))
    assert errors(at) == []
    result = at.session_state["t_outcome"].result
    assert result.experiment.train.loss == "mae"
    assert np.isfinite(result.metrics["model"]["mae"])
