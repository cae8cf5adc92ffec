"""The Series type and the synthetic generators: shapes, seeds, exact formulas, exact messages."""

import numpy as np
import pandas as pd
import pytest

from rnnlib.errors import DataError
from rnnlib.series import (
    SYNTHETIC,
    Series,
    ar,
    infer_frequency,
    mackey_glass,
    make_synthetic,
    random_walk,
    sawtooth,
    seasonal,
    sine,
    square,
)

# Noise switched on everywhere, so that the seed has something to change.
NOISY = {name: {"noise": 0.1} for name in ("sine", "seasonal", "ar", "square", "sawtooth")}
NOISY["random_walk"] = {"volatility": 0.02}
NOISY["mackey_glass"] = {}


def _frame(values, index=None, columns=("y",)):
    index = (
        pd.date_range("2020-01-01", periods=len(values), freq="D", name="time")
        if index is None
        else index
    )
    return pd.DataFrame(
        np.asarray(values, dtype=np.float64).reshape(len(values), -1),
        index=index,
        columns=list(columns),
    )


# --- Series -------------------------------------------------------------------------------------


def test_series_values_put_the_target_first_and_return_a_copy():
    frame = _frame(np.arange(6.0).reshape(3, 2), columns=("y", "x"))
    s = Series(frame, target="y", features=("x",))
    v = s.values()
    assert v.shape == (3, 2) and v.dtype == np.float64 and len(s) == 3
    assert v[:, 0].tolist() == [0.0, 2.0, 4.0]
    v[0, 0] = 99.0
    assert s.frame.iloc[0, 0] == 0.0


def test_series_accepts_a_step_index():
    s = Series(_frame([1.0, 2.0, 3.0], index=pd.RangeIndex(3, name="step")), target="y")
    assert len(s) == 3 and s.frequency is None


@pytest.mark.parametrize(
    ("frame", "target", "features", "message"),
    [
        (
            _frame(np.ones((3, 2)), columns=("x", "y")),
            "y",
            ("x",),
            "The frame's columns ['x', 'y'] must be the target then the features, ['y', 'x'].",
        ),
        (
            _frame([1.0, np.nan, 3.0]),
            "y",
            (),
            "A series must not contain NaN or infinite values: clean them first.",
        ),
        (
            _frame([1.0, np.inf, 3.0]),
            "y",
            (),
            "A series must not contain NaN or infinite values: clean them first.",
        ),
        (
            _frame([1, 2, 3]).astype(np.float32),
            "y",
            (),
            "Every column of a series must be float64.",
        ),
        (
            _frame([1.0, 2.0], index=pd.DatetimeIndex(["2020-01-02", "2020-01-01"], name="time")),
            "y",
            (),
            "A dated series needs a sorted, unique DatetimeIndex named 'time'.",
        ),
        (
            _frame([1.0, 2.0], index=pd.DatetimeIndex(["2020-01-01", "2020-01-01"], name="time")),
            "y",
            (),
            "A dated series needs a sorted, unique DatetimeIndex named 'time'.",
        ),
        (
            _frame([1.0, 2.0], index=pd.RangeIndex(2)),
            "y",
            (),
            "A series without dates needs a RangeIndex named 'step'.",
        ),
    ],
)
def test_series_rejects_frames_that_break_its_invariants(frame, target, features, message):
    with pytest.raises(DataError) as info:
        Series(frame, target=target, features=features)
    assert str(info.value) == message


def test_infer_frequency_uses_pandas_3_aliases():
    assert infer_frequency(pd.date_range("2020-01-01", periods=5, freq="h")) == "h"
    assert infer_frequency(pd.date_range("1949-01-01", periods=5, freq="MS")) == "MS"
    assert infer_frequency(pd.date_range("1871-01-01", periods=5, freq="YS")) == "YS-JAN"
    assert infer_frequency(pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-05"])) is None
    assert infer_frequency(pd.RangeIndex(10)) is None


# --- generators: shape, index, determinism ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_every_generator_returns_a_daily_float_series_of_length_n(name):
    s = make_synthetic(name, n=50)
    assert isinstance(s, Series) and len(s) == 50 and s.values().shape == (50, 1)
    assert s.frame.index[0] == pd.Timestamp("2020-01-01") and s.frequency == "D"
    assert s.name == name and s.features == () and np.isfinite(s.values()).all()


@pytest.mark.parametrize("name", sorted(SYNTHETIC))
def test_every_generator_is_deterministic_per_seed_and_varies_across_seeds(name):
    params = NOISY[name]
    a = make_synthetic(name, n=60, seed=3, **params).values()
    b = make_synthetic(name, n=60, seed=3, **params).values()
    c = make_synthetic(name, n=60, seed=4, **params).values()
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_start_and_freq_can_be_overridden():
    s = sine(n=24, start="1990-01-01", freq="MS")
    assert s.frame.index[0] == pd.Timestamp("1990-01-01") and s.frame.index[-1] == pd.Timestamp(
        "1991-12-01"
    )
    assert s.frequency == "MS"
    assert random_walk(n=30, freq="h").frequency == "h"


# --- generators: what each one computes ----------------------------------------------------------


def test_sine_without_noise_is_the_formula():
    y = sine(n=100, period=20.0, amplitude=2.0, noise=0.0).values()[:, 0]
    assert np.allclose(y, 2.0 * np.sin(2 * np.pi * np.arange(100) / 20.0))


def test_seasonal_without_noise_is_level_plus_trend_plus_each_season():
    y = seasonal(
        n=60, periods=(12, 5), amplitudes=(3.0, 0.5), trend=0.2, noise=0.0, level=7.0
    ).values()[:, 0]
    t = np.arange(60)
    expected = 7.0 + 0.2 * t + 3.0 * np.sin(2 * np.pi * t / 12) + 0.5 * np.sin(2 * np.pi * t / 5)
    assert np.allclose(y, expected)


def test_random_walk_is_a_positive_price_starting_at_start_price():
    s = random_walk(n=2000, drift=-0.01, volatility=0.2, start_price=50.0, seed=1)
    y = s.values()[:, 0]
    assert s.target == "price" and y[0] == 50.0 and (y > 0).all()
    log_returns = np.diff(np.log(y))
    assert abs(log_returns.mean() - (-0.01)) < 0.02 and abs(log_returns.std() - 0.2) < 0.02


def test_ar1_has_the_autocorrelation_of_its_coefficient():
    y = ar(n=20000, coefficients=(0.8,), noise=1.0, seed=0).values()[:, 0]
    lag1 = np.corrcoef(y[:-1], y[1:])[0, 1]
    assert abs(lag1 - 0.8) < 0.02
    assert abs(y.var() - 1 / (1 - 0.8**2)) < 0.3  # stationary variance of AR(1)


def test_square_and_sawtooth_without_noise_take_their_exact_shapes():
    sq = square(n=40, period=10, amplitude=2.0).values()[:, 0]
    assert sq[:10].tolist() == [2.0] * 5 + [-2.0] * 5 and np.array_equal(sq[:10], sq[10:20])
    saw = sawtooth(n=40, period=10, amplitude=1.0).values()[:, 0]
    assert np.allclose(saw[:10], np.linspace(-1.0, 0.8, 10)) and np.allclose(saw[:10], saw[30:40])


def test_mackey_glass_stays_on_its_attractor_and_is_not_periodic():
    y = mackey_glass(n=500, seed=0).values()[:, 0]
    assert 0.2 < y.min() and y.max() < 1.5 and y.std() > 0.1
    # chaotic: no lag within 100 steps repeats the series closely
    assert min(np.abs(y[k:] - y[:-k]).mean() for k in range(1, 100)) > 0.01


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("sine", {"n": 19}, "n must be a whole number from 20 to 100000, got 19."),
        ("sine", {"n": 10.5}, "n must be a whole number, got 10.5."),
        ("sine", {"n": "400"}, "n must be a whole number, got '400'."),
        ("sine", {"noise": -0.1}, "noise must be >= 0, got -0.1."),
        ("sine", {"period": 1}, "period must be more than 1 step, got 1."),
        ("sine", {"amplitude": 0}, "amplitude must be > 0, got 0."),
        (
            "sine",
            {"seed": -1},
            "seed must be a whole number from 0 to 9223372036854775807, got -1.",
        ),
        ("sine", {"noise": float("nan")}, "noise must be a finite number, got nan."),
        (
            "seasonal",
            {"periods": (12, 7)},
            "Give one amplitude per period: got 2 period(s) and 1 amplitude(s).",
        ),
        ("seasonal", {"periods": (0.5,)}, "Every period must be more than 1 step, got 0.5."),
        ("random_walk", {"start_price": 0.0}, "start_price must be > 0, got 0.0."),
        ("random_walk", {"volatility": -1}, "volatility must be >= 0, got -1."),
        (
            "ar",
            {"coefficients": (1.2,)},
            "AR coefficients (1.2,) are not stationary (a root has modulus 1.2 >= 1): use smaller coefficients, e.g. (0.6, -0.3).",
        ),
        (
            "ar",
            {"coefficients": (0.5, 0.5)},
            "AR coefficients (0.5, 0.5) are not stationary (a root has modulus 1 >= 1): use smaller coefficients, e.g. (0.6, -0.3).",
        ),
        ("ar", {"coefficients": ()}, "coefficients must be a list of 1 to 50 numbers, got ()."),
        ("ar", {"coefficients": 0.5}, "coefficients must be a list of 1 to 50 numbers, got 0.5."),
        ("seasonal", {"periods": 12}, "periods must be a list of 1 to 50 numbers, got 12."),
        (
            "seasonal",
            {"periods": (12,), "amplitudes": ("big",)},
            "Every entry of amplitudes must be a finite number, got 'big'.",
        ),
        ("square", {"period": 0.5}, "period must be more than 1 step, got 0.5."),
        ("sawtooth", {"noise": -1}, "noise must be >= 0, got -1."),
        ("mackey_glass", {"tau": 0}, "tau must be a delay from 1 to 500 time units, got 0."),
        ("mackey_glass", {"gamma": -0.1}, "gamma must be > 0, got -0.1."),
        (
            "sine",
            {"freq": "fortnightly"},
            "Cannot build 400 dates from start='2020-01-01' and freq='fortnightly': use a date like '2020-01-01' and a pandas frequency like 'D', 'h' or 'MS'.",
        ),
        (
            "sine",
            {"wavelength": 3},
            "sine has no parameter 'wavelength': its parameters are n, period, amplitude, noise, seed, start, freq.",
        ),
        (
            "fourier",
            {},
            "Unknown synthetic series 'fourier': choose one of sine, seasonal, random_walk, ar, square, sawtooth, mackey_glass.",
        ),
    ],
)
def test_make_synthetic_rejects_bad_settings_with_one_line(name, params, message):
    with pytest.raises(DataError) as info:
        make_synthetic(name, **params)
    assert str(info.value) == message


def test_ar_accepts_a_stationary_ar2():
    s = ar(n=100, coefficients=(0.6, -0.3))
    assert len(s) == 100 and s.name == "ar"
