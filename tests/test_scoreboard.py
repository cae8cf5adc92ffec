"""rnnlib.scoreboard: the metrics table's rows and columns, and the verdict sentence both ways."""

import math

import pytest

from rnnlib.forecasting import Candidate, Preprocessing
from rnnlib.scoreboard import candidates_table, ensemble_text, metrics_table, verdict

NAN = float("nan")


def scores(mae: float, **others: float) -> dict[str, float]:
    return {**dict(mae=mae, rmse=mae * 1.2, mape=10.0, smape=9.0, mase=mae / 2), **others}


METRICS = {
    "model": scores(0.77),
    "naive": scores(1.0),
    "seasonal_naive": scores(1.1),
    "drift": scores(1.3),
    "mean": scores(2.0),
}


def test_table_has_one_labelled_row_per_forecaster_model_first():
    table = metrics_table(METRICS)
    assert list(table.index) == [
        "model", "naive (last value)", "seasonal naive", "drift", "window mean",
    ]  # fmt: skip
    assert list(table.columns) == ["MAE", "RMSE", "MAPE %", "sMAPE %", "MASE"]
    assert table.loc["drift", "MAE"] == 1.3 and table.loc["model", "MASE"] == pytest.approx(0.385)


def test_table_keeps_nan_scores_and_fills_a_missing_metric_with_nan():
    metrics = {"model": scores(1.0, mape=NAN), "naive": {"mae": 2.0}}
    table = metrics_table(metrics)
    assert math.isnan(table.loc["model", "MAPE %"])
    assert table.loc["naive (last value)", "MAE"] == 2.0
    assert math.isnan(table.loc["naive (last value)", "RMSE"])


def test_verdict_when_the_model_wins():
    assert verdict(METRICS) == (
        "The model's MAE is 23% lower than that of the best baseline, naive (last value)."
    )


def test_verdict_when_the_model_loses_names_the_best_baseline_and_suggests_a_fix():
    metrics = {**METRICS, "model": scores(1.5), "seasonal_naive": scores(0.5)}
    text = verdict(metrics)
    assert text.startswith(
        "The model does not beat the best baseline, seasonal naive: its MAE is 200% higher."
    )
    assert "more epochs" in text


def test_verdict_on_another_metric_uses_its_label():
    metrics = {"model": scores(1.0, rmse=3.0), "naive": scores(1.0, rmse=2.0)}
    assert "its RMSE is 50% higher" in verdict(metrics, "rmse")


def test_verdict_calls_a_difference_under_half_a_percent_a_tie():
    metrics = {"model": scores(1.004), "drift": scores(1.0)}
    assert verdict(metrics) == (
        "The model's MAE ties with that of the best baseline, drift (within 0.5%)."
    )


def test_verdict_skips_nan_baselines():
    metrics = {**METRICS, "naive": scores(NAN), "seasonal_naive": scores(NAN)}
    assert verdict(metrics).endswith("41% lower than that of the best baseline, drift.")


def test_verdict_without_any_finite_baseline_says_so():
    metrics = {"model": scores(1.0), "naive": scores(NAN), "drift": scores(math.inf)}
    assert verdict(metrics) == (
        "No baseline has a finite MAE on the test part: nothing to compare with."
    )


def test_verdict_with_a_nan_model_score_says_so():
    assert verdict({**METRICS, "model": scores(NAN)}) == (
        "The model's MAE is not a finite number on the test part: nothing to compare."
    )


def test_verdict_when_a_baseline_is_exact():
    metrics = {"model": scores(0.1), "naive": scores(0.0)}
    assert verdict(metrics) == (
        "The best baseline, naive (last value), is exact on the test part: nothing to beat."
    )


def test_ensemble_text_says_how_many_networks_the_forecast_is():
    assert ensemble_text(1) == "one network"
    assert ensemble_text(3) == "the median of 3 networks trained from 3 seeds"


def test_the_candidates_table_shows_folds_only_when_there_were_several():
    one = [Candidate("last", "none", 1.0, 10, 0.5), Candidate("window", "none", 0.9, 12, 0.6)]
    table = candidates_table(Preprocessing("window", "none", tuple(one)))
    assert "folds" not in table.columns and list(table["chosen"]) == ["", "✓"]
    two = [Candidate("last", "none", 1.0, 20, 0.9, 2), Candidate("window", "none", 0.98, 24, 1, 2)]
    table = candidates_table(Preprocessing("last", "none", tuple(two)))
    assert list(table["folds"]) == [2, 2] and list(table["chosen"]) == ["✓", ""]
