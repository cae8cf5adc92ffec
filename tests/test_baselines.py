import re

import numpy as np
import pytest

from rnnlib.baselines import (
    BASELINES,
    detect_period,
    drift,
    mean,
    naive,
    raw_history,
    seasonal_naive,
)
from rnnlib.errors import DataError
from rnnlib.windows import WindowSpec, make_windows

HISTORY = np.array([[1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]])  # (n=2, lookback=4)


def test_naive_repeats_the_last_value():
    np.testing.assert_array_equal(naive(HISTORY, 3), [[4, 4, 4], [1, 1, 1]])


def test_seasonal_naive_repeats_the_last_season():
    # period 2: history indices 2, 3, 2
    np.testing.assert_array_equal(seasonal_naive(HISTORY, 3, 2), [[3, 4, 3], [2, 1, 2]])
    # period == lookback: the whole window is one season
    np.testing.assert_array_equal(seasonal_naive(HISTORY, 5, 4), [[1, 2, 3, 4, 1], [4, 3, 2, 1, 4]])


def test_seasonal_naive_needs_a_full_season_of_history():
    msg = (
        "Seasonal naive needs one full season of history but period 5 > lookback 4: "
        "use a lookback of at least 5 or a shorter period."
    )
    with pytest.raises(DataError, match=re.escape(msg)):
        seasonal_naive(HISTORY, 2, 5)


def test_drift_extends_the_first_to_last_line():
    # slopes (4 - 1) / 3 = 1 and (1 - 4) / 3 = -1
    np.testing.assert_array_equal(drift(HISTORY, 3), [[5, 6, 7], [0, -1, -2]])
    np.testing.assert_array_equal(drift(np.array([[7.0]]), 2), [[7, 7]])


def test_mean_repeats_the_window_mean():
    np.testing.assert_array_equal(mean(HISTORY, 2), [[2.5, 2.5], [2.5, 2.5]])


def test_registry_shares_one_signature():
    assert set(BASELINES) == {"naive", "seasonal_naive", "drift", "mean"}
    direct = {"naive": naive(HISTORY, 3), "drift": drift(HISTORY, 3), "mean": mean(HISTORY, 3)}
    direct["seasonal_naive"] = seasonal_naive(HISTORY, 3, 2)
    for name, fn in BASELINES.items():
        np.testing.assert_array_equal(fn(HISTORY, 3, 2), direct[name])


def test_bad_history_or_horizon_is_rejected():
    with pytest.raises(DataError, match=re.escape("got shape (4,)")):
        naive(HISTORY[0], 2)
    with pytest.raises(DataError, match="horizon must be a whole number >= 1, got 0"):
        mean(HISTORY, 0)


def test_raw_history_rebuilds_the_windows_in_original_units():
    values = np.arange(10.0)[:, None] * np.array([1.0, 10.0])
    np.testing.assert_array_equal(raw_history(values, np.array([3, 5]), 3), [[0, 1, 2], [2, 3, 4]])
    spec = WindowSpec(
        lookback=4,
        horizon=2,
        val_fraction=0.2,
        test_fraction=0.2,
        normalize="global",
        transform="none",
    )
    series = np.random.default_rng(0).normal(size=(60, 2)) * 5 + 20
    w = make_windows(series, spec)
    rebuilt = raw_history(series, w.test.origin, spec.lookback)
    np.testing.assert_allclose(rebuilt, w.scaler.inverse_target(w.test.X[..., 0]), rtol=1e-5)
    with pytest.raises(DataError, match=re.escape("Window origins must lie in [3, 10]")):
        raw_history(values, np.array([2]), 3)


def noisy_sine(n: int, period: int, noise: float = 0.3, seed: int = 0) -> np.ndarray:
    t = np.arange(n)
    return np.sin(2 * np.pi * t / period) + noise * np.random.default_rng(seed).normal(size=n)


@pytest.mark.parametrize("seed", range(5))
def test_detect_period_finds_12_in_a_noisy_sine(seed):
    assert detect_period(noisy_sine(240, 12, seed=seed), None) == 12
    trend = 0.05 * np.arange(240)
    assert detect_period(noisy_sine(240, 12, seed=seed) + trend, None) == 12


def test_detect_period_finds_no_season_in_noise_or_a_random_walk():
    noise = np.random.default_rng(1).normal(size=500)
    assert detect_period(noise, None) == 1
    assert detect_period(np.cumsum(noise), None) == 1
    assert detect_period(np.full(50, 3.0), None) == 1


def test_detect_period_respects_max_period():
    assert detect_period(noisy_sine(240, 12), None, max_period=10) == 1


@pytest.mark.parametrize(
    "freq, period",
    [
        ("h", 24),
        ("2h", 12),
        ("15min", 4),
        ("D", 7),
        ("B", 5),
        ("W-SUN", 52),
        ("MS", 12),
        ("ME", 12),
        ("QS-JAN", 4),
        ("YS", 1),
        ("A-DEC", 1),
    ],
)
def test_detect_period_from_frequency_alias(freq, period):
    assert detect_period(np.zeros(1000), freq) == period


def test_unusable_alias_falls_back_to_autocorrelation():
    # 52 weeks do not fit twice in 60 rows; "xyz" and "7min" give no whole season
    for freq in ("W", "xyz", "7min"):
        assert detect_period(noisy_sine(60, 6), freq) == 6


def test_detect_period_rejects_nan():
    with pytest.raises(DataError, match="NaN or inf"):
        detect_period(np.array([1.0, np.nan, 2.0]), None)
