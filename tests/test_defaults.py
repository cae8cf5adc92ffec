"""Settings from the data and `auto` preprocessing: honest choices, said out loud, that follow levels."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlib.checkpoint import load_checkpoint, restored_result, save_checkpoint
from rnnlib.defaults import CANDIDATES, MAX_EPOCHS, MIN_EPOCHS, SIMPLER_WITHIN, choose, plan
from rnnlib.errors import DataError
from rnnlib.forecasting import Ensemble, Experiment, ForecastSpec, run
from rnnlib.optim import TrainSpec
from rnnlib.series import Series
from rnnlib.spec import ModelSpec
from rnnlib.windows import WindowSpec, split_boundaries

SMALL = ModelSpec(hidden_size=8)
QUICK = TrainSpec(epochs=3, batch_size=32, report_every_s=1e9)


def monthly(values: np.ndarray, name: str = "series") -> Series:
    index = pd.date_range("2000-01-01", periods=len(values), freq="MS", name="time")
    frame = pd.DataFrame({"value": np.asarray(values, dtype=np.float64)}, index=index)
    return Series(frame, "value", frequency="MS", name=name)


def trending(n: int = 240, seed: int = 0) -> Series:
    """A monthly season on a rising line: the test part lies above anything seen in training."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return monthly(20 + 0.5 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.5, n))


# --- what plan chooses, and says ------------------------------------------------------------------


def test_lookback_is_two_seasons_and_every_choice_is_said():
    p = plan(trending(), Experiment(SMALL, WindowSpec(horizon=3)))
    assert p.period == 12
    assert {c.windows.lookback for c in p.candidates} == {24}
    text = " ".join(p.reasons)
    assert "season 12 detected" in text and "lookback 24: two seasons" in text
    assert "epochs" in text and "early stopping" in text
    assert [(c.windows.normalize, c.windows.transform) for c in p.candidates] == list(CANDIDATES)
    assert all(c.resolved for c in p.candidates)


def test_without_a_season_the_window_level_stands_in_for_the_season_profile():
    """A series with no season (or a window shorter than two seasons) has no seasonal pattern to
    fit: "window" takes the place of "season", and the seasonal difference is not tried."""
    rng = np.random.default_rng(0)
    walk = monthly(100 + np.cumsum(rng.normal(0, 1, 200)))
    p = plan(walk, Experiment(SMALL, WindowSpec(horizon=3), forecast=ForecastSpec(period=1)))
    assert [(c.windows.normalize, c.windows.transform) for c in p.candidates] == [
        ("last", "none"), ("window", "none"),
    ]  # fmt: skip
    short = plan(trending(), Experiment(SMALL, WindowSpec(lookback=18, horizon=3)))
    assert ("window", "none") in [
        (c.windows.normalize, c.windows.transform) for c in short.candidates
    ]
    # asked for by name, "season" stays (its profile is then a line)
    exp = Experiment(
        SMALL, WindowSpec(horizon=3, normalize="season"), forecast=ForecastSpec(period=1)
    )
    assert {c.windows.normalize for c in plan(walk, exp).candidates} == {"season"}


def test_an_explicit_lookback_and_preprocessing_win():
    exp = Experiment(SMALL, WindowSpec(lookback=7, normalize="robust", transform="diff"), QUICK)
    (only,) = plan(trending(), exp).candidates
    assert only.windows.lookback == 7 and only.train == QUICK
    assert (only.windows.normalize, only.windows.transform) == ("robust", "diff")


def test_lookback_is_capped_by_a_short_series():
    p = plan(trending(n=60), Experiment(SMALL, WindowSpec(horizon=2)))
    lookback = p.candidates[0].windows.lookback
    assert lookback < 24 and "capped" in " ".join(p.reasons)


@pytest.mark.parametrize("n", [60, 3000])
def test_epochs_follow_the_length_of_the_series(n):
    (first, *_) = plan(trending(n=n), Experiment(SMALL, WindowSpec(horizon=1))).candidates
    assert MIN_EPOCHS <= first.train.epochs <= MAX_EPOCHS and first.train.patience >= 5
    assert first.train.schedule == "plateau" and not first.train.auto
    if n == 60:
        assert first.train.epochs > 100  # a short series needs many passes for enough steps
    else:
        assert first.train.epochs < 20


def test_no_validation_part_means_no_early_stopping():
    exp = Experiment(SMALL, WindowSpec(horizon=1, val_fraction=0.0))
    (first, *_) = plan(trending(), exp).candidates
    assert first.train.patience == 0 and "no early stopping" in " ".join(
        plan(trending(), exp).reasons
    )


def test_a_log_transform_of_a_series_below_zero_is_one_clear_line():
    series = monthly(np.sin(np.arange(120) / 3.0))
    exp = Experiment(SMALL, WindowSpec(normalize="window", transform="log"), QUICK)
    with pytest.raises(DataError, match="log transform needs a series above 0"):
        run(series, exp)


# --- auto is honest ----------------------------------------------------------------------------


def test_auto_never_reads_the_test_part():
    """Poisoning every test row changes neither the candidates' validation scores nor the choice."""
    series = trending()
    exp = Experiment(SMALL, WindowSpec(horizon=3), QUICK)
    clean = run(series, exp)
    frame = series.frame.copy()
    n_test = len(frame) - clean.windows.boundaries[1]
    assert n_test > 0
    frame.iloc[-n_test:, 0] *= 1000.0
    poisoned = run(Series(frame, series.target, frequency=series.frequency), exp)
    assert clean.preprocessing.candidates and len(clean.preprocessing.candidates) > 1
    scores = lambda r: [(c.normalize, c.transform, c.val_mae) for c in r.preprocessing.candidates]  # noqa: E731
    assert scores(poisoned) == scores(clean)
    assert poisoned.preprocessing.normalize == clean.preprocessing.normalize
    assert poisoned.preprocessing.transform == clean.preprocessing.transform
    # ... while the test scores do see the poison: the check above is not vacuous
    assert poisoned.metrics["model"]["mae"] > 10 * clean.metrics["model"]["mae"]


def test_cross_validation_never_reads_the_test_part():
    """A short series is scored on several folds; poisoning every test row changes neither the
    fold scores, nor the choice, nor the weights, nor the forecast of the first test window."""
    series = trending(n=120)
    exp = Experiment(SMALL, WindowSpec(horizon=3), QUICK)
    assert plan(series, exp).folds > 1
    clean = run(series, exp)
    frame = series.frame.copy()
    n_test = len(frame) - clean.windows.boundaries[1]
    frame.iloc[-n_test:, 0] *= 1000.0
    poisoned = run(Series(frame, series.target, frequency=series.frequency), exp)

    def scores(r):
        return [(c.normalize, c.transform, c.val_mae, c.folds) for c in r.preprocessing.candidates]

    def first_forecast(r):  # the first test window's inputs all lie before the test part
        return r.test.loc[r.test["origin"] == r.test["origin"].iloc[0], "model"].to_numpy()

    assert scores(poisoned) == scores(clean)
    assert all(c.folds == plan(series, exp).folds for c in clean.preprocessing.candidates)
    for a, b in zip(clean.model.parameters(), poisoned.model.parameters(), strict=True):
        assert torch.equal(a, b)
    np.testing.assert_array_equal(first_forecast(poisoned), first_forecast(clean))
    assert poisoned.metrics["model"]["mae"] > 10 * clean.metrics["model"]["mae"]  # not vacuous


def test_folds_come_from_the_length_of_the_validation_part():
    exp = Experiment(SMALL, WindowSpec(horizon=3))
    short, long = plan(trending(n=120), exp), plan(trending(n=600), exp)
    assert short.folds > 1 and "rolling-origin folds" in " ".join(short.reasons)
    assert long.folds == 1 and "rolling-origin" not in " ".join(long.reasons)
    # one candidate: nothing to choose, nothing to cross-validate
    fixed = Experiment(SMALL, WindowSpec(horizon=3, normalize="window", transform="none"))
    assert plan(trending(n=120), fixed).folds == 1


def test_each_fold_is_a_stage_with_its_own_network_from_the_same_seed():
    series = trending(n=120)
    exp = Experiment(SMALL, WindowSpec(horizon=3, normalize="auto", transform="none"), QUICK)
    folds = plan(series, exp).folds
    seen = []

    def on_candidate(e, model, stage):  # the weights as they are before that stage trains
        seen.append((stage, model, e.train, [p.detach().clone() for p in model.parameters()]))

    run(series, exp, on_candidate=on_candidate)
    stages = [s[0] for s in seen if not s[0].refit]
    assert [s.fold for s in stages[:folds]] == list(range(1, folds + 1))
    assert f"fold 2/{folds}" in stages[1].text and "fold" not in seen[-1][0].text  # the refit
    # fold 2 trains a network of its own, with the same settings, from the same initial weights
    (_, first, spec1, w1), (_, second, spec2, w2) = seen[0], seen[1]
    assert first is not second and spec1 == spec2
    for a, b in zip(w1, w2, strict=True):
        assert torch.equal(a, b)
    assert not all(torch.equal(a, b) for a, b in zip(w1, first.parameters(), strict=True))


def test_the_chosen_candidate_is_the_simplest_near_the_lowest_validation_mae():
    result = run(trending(), Experiment(SMALL, WindowSpec(horizon=3), QUICK))
    cands = result.preprocessing.candidates
    low = min(c.val_mae for c in cands)
    chosen = next(c for c in cands if c.val_mae <= (1 + SIMPLER_WITHIN) * low)
    assert (chosen.normalize, chosen.transform) == (
        result.preprocessing.normalize,
        result.preprocessing.transform,
    )
    assert result.experiment.windows.normalize == chosen.normalize
    assert result.requested.windows.normalize == "auto"


@pytest.mark.parametrize(
    ("scores", "kept"),
    [
        ([1.0, 0.5, 0.8], 1),  # clearly better: the lowest
        ([0.52, 0.5, 0.8], 0),  # within 5% of the lowest: the simpler one
        ([0.6, 0.52, 0.5], 1),  # the first that is within 5%, not the first overall
        ([math.nan, 0.7, 0.5], 2),  # no score loses to any score
        ([math.nan, math.nan], 0),  # no validation part at all: the first
    ],
)
def test_choose_keeps_the_simplest_candidate_within_tolerance(scores, kept):
    assert choose(scores) == kept


# --- why window normalisation exists ---------------------------------------------------------------


@pytest.mark.parametrize(("normalize", "follows"), [("window", True), ("global", False)])
def test_a_level_outside_the_training_range_needs_window_normalisation(normalize, follows):
    """The test part climbs past the training range: per-window statistics follow it within 1.3x
    the naive error; one scaler fitted on the training rows leaves the forecast behind. The
    network alone: a linear skip would carry the forecast past the training range by itself."""
    series = trending(n=240)
    exp = Experiment(
        ModelSpec(hidden_size=16),
        WindowSpec(lookback=24, horizon=3, normalize=normalize, transform="none"),
        TrainSpec(epochs=60, patience=10, report_every_s=1e9),
        ForecastSpec(skip=False),
    )
    result = run(series, exp)
    train_max = series.values()[: split_boundaries(len(series), exp.windows)[0], 0].max()
    assert result.test["actual"].min() > train_max  # the premise: every test value is new
    ratio = result.metrics["model"]["mae"] / result.metrics["naive"]["mae"]
    assert (ratio <= 1.3) == follows, ratio


# --- strategies, intervals, ensembles with preprocessing ------------------------------------------


@pytest.mark.parametrize("strategy", ["direct", "recursive", "seq2seq"])
@pytest.mark.parametrize(("normalize", "transform"), [("window", "sdiff"), ("last", "diff")])
def test_every_strategy_works_with_window_normalisation_and_transforms(
    strategy, normalize, transform
):
    exp = Experiment(
        SMALL,
        WindowSpec(lookback=24, horizon=4, normalize=normalize, transform=transform),
        QUICK,
        ForecastSpec(strategy=strategy, gaussian=True),
    )
    result = run(trending(), exp)
    assert np.isfinite(result.test["model"]).all() and len(result.future) == 4
    # intervals mapped back to original units: around the forecast, and coverage reported
    assert (result.test["lower95"] <= result.test["model"] + 1e-9).all()
    assert (result.test["upper95"] >= result.test["model"] - 1e-9).all()
    assert set(result.coverage) == {80, 95} and all(0 <= v <= 1 for v in result.coverage.values())
    assert math.isfinite(result.metrics["model"]["mase"])


def test_intervals_of_a_differenced_series_widen_with_the_horizon():
    exp = Experiment(
        SMALL,
        WindowSpec(lookback=24, horizon=6, normalize="window", transform="diff"),
        QUICK,
        ForecastSpec(gaussian=True),
    )
    future = run(trending(), exp).future
    width = (future["upper95"] - future["lower95"]).to_numpy()
    assert (np.diff(width) > 0).all()


def test_an_ensemble_is_the_median_of_its_members_and_survives_a_checkpoint():
    series = trending()
    exp = Experiment(
        SMALL,
        WindowSpec(lookback=24, horizon=3, normalize="window", transform="none"),
        QUICK,
        ForecastSpec(ensemble=3),
    )
    result = run(series, exp)
    assert isinstance(result.model, Ensemble) and len(result.model.members) == 3
    x = __import__("torch").from_numpy(result.windows.test.X[:5])
    outs = __import__("torch").stack([m(x) for m in result.model.members])
    np.testing.assert_allclose(result.model(x).detach(), outs.median(0).values.detach())
    again = restored_result(load_checkpoint(save_checkpoint(result, series)))
    pd.testing.assert_frame_equal(again.future, result.future)


def test_a_small_series_gets_an_ensemble_of_three_and_a_long_one_a_single_model():
    small = plan(trending(n=240), Experiment(SMALL, WindowSpec(horizon=3)))
    assert {c.forecast.ensemble for c in small.candidates} == {3}
    assert "ensemble of 3 seeds" in " ".join(small.reasons)
    long = plan(trending(n=3000), Experiment(SMALL, WindowSpec(lookback=96, horizon=3)))
    assert {c.forecast.ensemble for c in long.candidates} == {1}
    assert "one model" in " ".join(long.reasons)
    given = plan(
        trending(n=240), Experiment(SMALL, WindowSpec(horizon=3), forecast=ForecastSpec(ensemble=2))
    )
    assert {c.forecast.ensemble for c in given.candidates} == {2}


def test_candidates_are_compared_with_one_model_each_and_the_choice_refitted_as_the_ensemble():
    seen = []  # (stage, members) of every model run() trains, in order
    exp = Experiment(SMALL, WindowSpec(lookback=24, horizon=3), QUICK, ForecastSpec(ensemble=3))
    result = run(
        trending(),
        exp,
        on_candidate=lambda e, net, stage: seen.append(
            (stage.refit, len(net.members) if isinstance(net, Ensemble) else 1, e.forecast.ensemble)
        ),
    )
    n = len(plan(trending(), exp).candidates)
    assert n > 1 and seen == [(False, 1, 1)] * n + [(True, 3, 3)]
    assert isinstance(result.model, Ensemble) and len(result.model.members) == 3
    assert result.experiment.forecast.ensemble == 3 and result.experiment.forecast.refit
    assert "candidates tried, one model each" in " ".join(result.preprocessing.reasons)
    # Without a refit the candidate is the result, so each one is the whole ensemble.
    no_refit = Experiment(
        SMALL, WindowSpec(lookback=24, horizon=3, normalize="window", transform="none"), QUICK,
        ForecastSpec(ensemble=2, refit=False),
    )  # fmt: skip
    assert len(run(trending(), no_refit).model.members) == 2
