"""Target transforms and window normalisation: exact round trips, and statistics from inputs only."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlib.errors import DataError
from rnnlib.preprocess import (
    DAMPING,
    NORMALIZATIONS,
    TargetTransform,
    spread_floor,
    window_profile,
    window_stats,
)
from rnnlib.windows import WindowSpec, input_index, make_windows, target_index

TRANSFORMS = [TargetTransform("none"), TargetTransform("log"), TargetTransform("diff"),
              TargetTransform("sdiff", 4)]  # fmt: skip


def positive_series(n=60, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 50 + 0.8 * t + 5 * np.sin(2 * np.pi * t / 4) + rng.normal(0, 1, n)


@pytest.mark.parametrize("tf", TRANSFORMS, ids=lambda tf: tf.kind)
def test_transform_round_trips_exactly_on_the_true_values(tf):
    """Feeding the true transformed targets through the inverse gives back the series."""
    y = positive_series()
    z = tf.forward(y)
    assert np.isnan(z[: tf.lag]).all() and np.isfinite(z[tf.lag :]).all()
    H = 6
    origin = np.arange(max(tf.lag, 1), len(y) - H + 1)
    z_true = z[target_index(origin, H)]
    mean, _ = tf.accumulate(z_true, None, y, origin)
    np.testing.assert_allclose(tf.point(mean), y[target_index(origin, H)], rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(0.1, 1e4, allow_nan=False), min_size=20, max_size=80),
    st.sampled_from(["none", "log", "diff", "sdiff"]),
    st.integers(1, 8),
)
def test_transform_round_trip_property(values, kind, horizon):
    y = np.asarray(values)
    tf = TargetTransform(kind, 3)
    z = tf.forward(y)
    origin = np.arange(tf.lag + 1, len(y) - horizon + 1)
    if origin.size == 0:
        return
    mean, var = tf.accumulate(z[target_index(origin, horizon)], np.ones((origin.size, horizon)),
                              y, origin)  # fmt: skip
    np.testing.assert_allclose(tf.point(mean), y[target_index(origin, horizon)], rtol=1e-9)
    assert (var > 0).all()


@pytest.mark.parametrize("tf", TRANSFORMS, ids=lambda tf: tf.kind)
def test_a_forecast_maps_into_transformed_units_and_back(tf):
    y = positive_series()
    origin = np.arange(10, 50)
    forecast = y[origin - 1][:, None] + np.arange(1.0, 6.0)  # any forecast in original units
    z = tf.of_forecast(forecast, y, origin)
    mean, _ = tf.accumulate(z, None, y, origin)
    np.testing.assert_allclose(tf.point(mean), forecast, rtol=1e-12)


def test_variances_add_up_along_the_horizon_for_differences():
    y = np.arange(10.0)
    tf = TargetTransform("diff")
    _, var = tf.accumulate(np.zeros((1, 3)), np.ones((1, 3)), y, np.array([5]))
    np.testing.assert_array_equal(var, [[1, 2, 3]])
    tf = TargetTransform("sdiff", 2)
    _, var = tf.accumulate(np.zeros((1, 5)), np.ones((1, 5)), y, np.array([5]))
    np.testing.assert_array_equal(var, [[1, 1, 2, 2, 3]])


def test_log_bounds_are_exp_of_the_normal_bounds():
    tf = TargetTransform("log")
    lo, hi = tf.bounds(np.array([[0.0]]), np.array([[1.0]]), 1.0)
    np.testing.assert_allclose([lo[0, 0], hi[0, 0]], [np.exp(-1), np.exp(1)])


def test_log_of_a_series_with_a_zero_is_one_clear_line():
    with pytest.raises(DataError, match=re.escape("log transform needs a series above 0")):
        TargetTransform("log").forward(np.array([1.0, 0.0, 2.0]))


def test_a_seasonal_difference_needs_a_season():
    with pytest.raises(DataError, match="seasonal difference needs a season"):
        TargetTransform("sdiff", 1)


@pytest.mark.parametrize("kind", NORMALIZATIONS)
def test_window_statistics_guard_flat_windows(kind):
    x = np.array([[5.0, 5.0, 5.0, 5.0], [1.0, 2.0, 3.0, 4.0]])
    c, s = window_stats(x, kind, floor=0.3, center=2.0, scale=4.0)
    assert (s >= 0.3).all() and np.isfinite(c).all()
    if kind == "last":
        np.testing.assert_array_equal(c, [5.0, 4.0])
    if kind == "window":
        np.testing.assert_allclose(c, [5.0, 2.5])
    if kind == "global":
        np.testing.assert_array_equal(c, [2.0, 2.0])


def test_the_floor_follows_one_step_changes_not_the_trend():
    trend = np.arange(1000.0)  # huge spread of levels, steps of exactly 1
    assert spread_floor(trend) <= 0.1 + 1e-9


def spec(normalize, transform="none"):
    return WindowSpec(lookback=8, horizon=3, normalize=normalize, transform=transform)


@pytest.mark.parametrize("normalize", ["window", "robust", "last", "season"])
@pytest.mark.parametrize("transform", ["none", "log", "diff", "sdiff"])
def test_window_statistics_come_from_the_inputs_only(normalize, transform):
    """Poisoning every target row of a window leaves its inputs and its statistics unchanged."""
    y = positive_series(120)
    win = make_windows(y[:, None], spec(normalize, transform), period=4)
    poisoned = y.copy()
    o = int(win.test.origin[0])
    poisoned[o:] *= 100.0  # the first test window's targets and everything after them
    again = make_windows(poisoned[:, None], spec(normalize, transform), period=4)
    np.testing.assert_array_equal(again.test.X[0], win.test.X[0])
    assert again.test.center[0] == win.test.center[0] and again.test.scale[0] == win.test.scale[0]
    np.testing.assert_array_equal(again.test.offset[0], win.test.offset[0])
    assert not np.allclose(again.test.y[0], win.test.y[0])  # the poison did reach the targets


@pytest.mark.parametrize("normalize", NORMALIZATIONS)
def test_normalised_targets_map_back_to_the_transformed_series(normalize):
    y = positive_series(80)
    win = make_windows(y[:, None], spec(normalize, "diff"))
    split = win.val
    z = win.transform.forward(y)
    back = split.y * split.scale[:, None] + split.center[:, None] + split.target_offset
    np.testing.assert_allclose(back, z[target_index(split.origin, 3)], rtol=1e-5, atol=1e-4)
    inputs = z[input_index(split.origin, 8)].reshape(-1, 8)
    np.testing.assert_allclose(split.target_inputs(), inputs, rtol=1e-5, atol=1e-4)
    if normalize == "last":  # the center is the window's last transformed input, kept apart
        np.testing.assert_allclose(split.center, z[split.origin - 1])
        assert np.allclose(split.X[:, -1, 0], 0.0, atol=1e-6)


def _line_and_season(t: np.ndarray, m: int = 4) -> np.ndarray:
    pattern = np.array([3.0, -1.0, 0.5, -2.5])[:m] - np.array([3.0, -1.0, 0.5, -2.5])[:m].mean()
    return 10.0 + 0.7 * t + pattern[np.mod(t, m)]


def test_season_profile_fits_a_line_and_a_season_exactly_and_extends_it():
    """On a window that IS a line plus a season, the profile reproduces the inputs, and with no
    damping it continues both exactly into the targets."""
    L, H, m = 12, 6, 4
    t = np.arange(-L, H)
    x = _line_and_season(t, m)
    inputs, targets = x[None, :L], x[None, L:]
    p_in, p_out = window_profile(inputs, "season", m, H, damping=1.0)
    mean = inputs.mean()
    np.testing.assert_allclose(p_in + mean, inputs, atol=1e-10)
    np.testing.assert_allclose(p_out + mean, targets, atol=1e-10)
    # damped: the season goes on, the trend adds φ + φ² + ... + φ^(h+1) slopes after the last input
    _, damped = window_profile(inputs, "season", m, H, damping=0.5)
    steps = np.cumsum(0.5 ** np.arange(1, H + 1)) - np.arange(1, H + 1)
    np.testing.assert_allclose(damped + mean, targets + 0.7 * steps[None], atol=1e-10)


def test_season_profile_without_two_seasons_is_a_line_and_other_kinds_have_none():
    L, H = 6, 3
    x = _line_and_season(np.arange(-L, H), 4)
    p_in, p_out = window_profile(x[None, :L], "season", 4, H, damping=1.0)
    slope = np.polyfit(np.arange(L), x[:L], 1)[0]  # two seasons do not fit in 6 steps: line only
    np.testing.assert_allclose(np.diff(p_in[0]), slope, atol=1e-10)
    for kind in ("global", "window", "robust", "last"):
        a, b = window_profile(x[None, :L], kind, 4, H)
        assert a.shape == (1, L) and b.shape == (1, H) and not a.any() and not b.any()


def test_a_season_normalised_model_that_outputs_zero_forecasts_the_profile():
    """x̃ and ỹ are residuals from the profile: on a line plus a season they are all 0."""
    y = _line_and_season(np.arange(200), 4) + 100.0
    win = make_windows(y[:, None], WindowSpec(lookback=8, horizon=3, normalize="season",
                                              transform="none"), period=4)  # fmt: skip
    split = win.test
    assert np.abs(split.X[..., 0]).max() < 1e-4
    z = split.center[:, None] + split.target_offset  # the forecast at ỹ = 0
    np.testing.assert_allclose(split.target_inputs(), y[input_index(split.origin, 8)].reshape(-1, 8),
                               rtol=1e-6)  # fmt: skip
    first = y[target_index(split.origin, 3)][:, 0]
    # one step after the last input, the damped line has risen by φ slopes of 0.7, not 1
    np.testing.assert_allclose(z[:, 0], first - 0.7 * (1 - DAMPING), rtol=1e-6)
