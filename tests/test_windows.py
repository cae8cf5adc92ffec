import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlib.errors import DataError
from rnnlib.scaling import Scaler
from rnnlib.windows import (
    WindowSpec,
    fold_windows,
    input_index,
    last_window,
    make_windows,
    split_boundaries,
    target_index,
)


def tiny_values(n: int = 20) -> np.ndarray:
    """(n, 2): column 0 = 0..n-1, column 1 = 10x column 0, so every row is recognisable."""
    return np.arange(n, dtype=np.float64)[:, None] * np.array([1.0, 10.0])


FIXED = {"normalize": "global", "transform": "none"}  # the classic global scaler, no transform
TINY = WindowSpec(
    lookback=3, horizon=2, val_fraction=0.2, test_fraction=0.2, scaling="none", **FIXED
)


def test_split_boundaries_round_to_the_nearest_row():
    assert split_boundaries(100, WindowSpec()) == (70, 85)
    assert split_boundaries(20, TINY) == (12, 16)


def test_tiny_arange_shapes_and_exact_contents():
    w = make_windows(tiny_values(), TINY)
    assert w.boundaries == (12, 16)
    # train targets must end by row 11, val targets lie in 12..15, test targets in 16..19
    np.testing.assert_array_equal(w.train.origin, np.arange(3, 11))
    np.testing.assert_array_equal(w.val.origin, [12, 13, 14])
    np.testing.assert_array_equal(w.test.origin, [16, 17, 18])
    assert w.train.X.shape == (8, 3, 2) and w.train.y.shape == (8, 2)
    assert w.train.X.dtype == np.float32 and w.train.y.dtype == np.float32
    np.testing.assert_array_equal(w.train.X[0], [[0, 0], [1, 10], [2, 20]])
    np.testing.assert_array_equal(w.train.y[0], [3, 4])
    # the first val window looks back into the training rows: known history, not leakage
    np.testing.assert_array_equal(w.val.X[0], [[9, 90], [10, 100], [11, 110]])
    np.testing.assert_array_equal(w.val.y[0], [12, 13])
    np.testing.assert_array_equal(w.test.y[-1], [18, 19])
    assert len(w.train) == 8 and len(w.val) == 3 and len(w.test) == 3


def test_stride_steps_origins_from_each_part_start():
    w = make_windows(tiny_values(), WindowSpec(**{**TINY.__dict__, "stride": 3}))
    np.testing.assert_array_equal(w.train.origin, [3, 6, 9])
    np.testing.assert_array_equal(w.val.origin, [12])
    np.testing.assert_array_equal(w.test.origin, [16])


def test_standard_scaling_uses_training_rows_only():
    v = tiny_values()
    w = make_windows(v, WindowSpec(**{**TINY.__dict__, "scaling": "standard"}))
    mean, std = v[:12].mean(axis=0), v[:12].std(axis=0)
    np.testing.assert_allclose(w.scaler.center, mean)
    np.testing.assert_allclose(w.test.X[0], ((v[13:16] - mean) / std).astype(np.float32))
    np.testing.assert_allclose(w.test.y[0], (v[16:18, 0] - mean[0]) / std[0], rtol=1e-6)


def test_zero_val_fraction_gives_an_empty_val_part():
    w = make_windows(
        tiny_values(), WindowSpec(lookback=3, val_fraction=0, test_fraction=0.2, **FIXED)
    )
    assert w.boundaries == (16, 16)
    assert w.val.X.shape == (0, 3, 2) and w.val.y.shape == (0, 1) and len(w.val) == 0


def test_one_dimensional_series_counts_as_one_feature():
    w = make_windows(np.arange(20.0), TINY)
    assert w.train.X.shape == (8, 3, 1)


def test_too_short_training_part_says_what_it_needs():
    msg = (
        "The training part has only 21 rows (of 30) but a window needs lookback 24 + horizon 1"
        " = 25: use a shorter lookback or horizon, smaller validation/test fractions or a"
        " longer series."
    )
    with pytest.raises(DataError, match=re.escape(msg)):
        make_windows(np.arange(30.0), WindowSpec(lookback=24, **FIXED))


@pytest.mark.parametrize(
    "val, test, part, rows",
    [(0.1, 0.1, "validation", 4), (0.2, 0.1, "test", 4)],
)
def test_too_short_val_or_test_part_says_what_it_needs(val, test, part, rows):
    msg = (
        f"The {part} part has only {rows} rows (of 40) but a window needs horizon 8 target rows"
        f" inside it: use a shorter horizon, a larger {part} fraction or a longer series."
    )
    spec = WindowSpec(lookback=3, horizon=8, val_fraction=val, test_fraction=test, **FIXED)
    with pytest.raises(DataError, match=re.escape(msg)):
        make_windows(np.arange(40.0), spec)


@pytest.mark.parametrize(
    "kwargs, msg",
    [
        ({"lookback": -1}, "lookback must be a whole number >= 0 (0 = from the data), got -1."),
        ({"normalize": "mean"}, "Unknown normalize 'mean': choose one of auto, global, window"),
        ({"transform": "sqrt"}, "Unknown transform 'sqrt': choose one of auto, none, log, diff"),
        ({"horizon": 1.5}, "horizon must be a whole number >= 1, got 1.5."),
        ({"stride": True}, "stride must be a whole number >= 1, got True."),
        ({"val_fraction": 0.5}, "val_fraction must be a number in [0, 0.5), got 0.5."),
        ({"test_fraction": -0.1}, "test_fraction must be a number in [0, 0.5), got -0.1."),
        (
            {"val_fraction": 0.4, "test_fraction": 0.4},
            "val_fraction + test_fraction is 0.8: keep it below 0.8",
        ),
        ({"scaling": "robust"}, "Unknown scaling 'robust': choose one of standard, minmax, none."),
    ],
)
def test_spec_validation_messages(kwargs, msg):
    with pytest.raises(DataError, match=re.escape(msg)):
        WindowSpec(**kwargs)


def test_bad_values_are_rejected_with_the_row():
    v = tiny_values()
    v[5, 1] = np.nan
    with pytest.raises(DataError, match=re.escape("NaN or inf (first at row 5)")):
        make_windows(v, TINY)
    with pytest.raises(DataError, match="must be a \\(rows, features\\) array"):
        make_windows(np.zeros((4, 3, 2)), TINY)


def test_last_window_ends_at_the_last_observation():
    v = tiny_values()
    w = make_windows(v, WindowSpec(**{**TINY.__dict__, "scaling": "minmax"}))
    lw = last_window(v, w).X
    assert lw.shape == (1, 3, 2) and lw.dtype == np.float32
    np.testing.assert_allclose(lw[0], w.scaler.transform(v[17:20]), rtol=1e-6)
    with pytest.raises(DataError, match="has 2 rows but a window needs lookback 3"):
        last_window(v[:2], w)


@st.composite
def layouts(draw):
    n = draw(st.integers(10, 300))
    spec = WindowSpec(
        lookback=draw(st.integers(1, 30)),
        horizon=draw(st.integers(1, 12)),
        stride=draw(st.integers(1, 7)),
        val_fraction=draw(st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.3])),
        test_fraction=draw(st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.3])),
        scaling=draw(st.sampled_from(["standard", "minmax", "none"])),
        **FIXED,
    )
    return n, spec


@settings(max_examples=300, deadline=None)
@given(layouts())
def test_no_target_crosses_into_a_later_part(layout):
    """Leakage (a): every target row lies inside its own part; inputs only look back."""
    n, spec = layout
    values = np.random.default_rng(n).normal(size=(n, 2))
    b1, b2 = split_boundaries(n, spec)
    try:
        w = make_windows(values, spec)
    except DataError:
        # the error must be justified: some part that should have windows cannot hold one
        assert (
            b1 < spec.lookback + spec.horizon
            or (spec.val_fraction > 0 and b2 - b1 < spec.horizon)
            or (spec.test_fraction > 0 and n - b2 < spec.horizon)
        )
        return
    scaled = w.scaler.transform(values).astype(np.float32)
    for split, (start, end) in zip(
        (w.train, w.val, w.test), ((0, b1), (b1, b2), (b2, n)), strict=True
    ):
        targets = target_index(split.origin, spec.horizon)
        inputs = input_index(split.origin, spec.lookback)
        assert np.all((targets >= start) & (targets < end))
        assert np.all((inputs >= 0) & (inputs < split.origin[:, None]))
        assert np.all(np.diff(split.origin) == spec.stride)
        np.testing.assert_array_equal(split.X, scaled[inputs])
        np.testing.assert_array_equal(split.y, scaled[targets, 0])
    assert len(w.train) > 0
    assert (len(w.val) > 0) == (spec.val_fraction > 0)
    assert (len(w.test) > 0) == (spec.test_fraction > 0)


@settings(max_examples=50, deadline=None)
@given(layouts(), st.integers(0, 2**32 - 1), st.floats(-1e6, 1e6))
def test_later_parts_do_not_change_the_scaler_or_earlier_windows(layout, seed, shift):
    """Leakage (b): perturbing val/test rows leaves the scaler and training windows untouched."""
    n, spec = layout
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(n, 3))
    try:
        before = make_windows(values, spec)
    except DataError:
        return
    b1, b2 = before.boundaries
    perturbed = values.copy()
    row = int(rng.integers(b1, n)) if b1 < n else None
    if row is None:
        return
    perturbed[row] += shift + rng.normal(size=3)
    after = make_windows(perturbed, spec)
    np.testing.assert_array_equal(after.scaler.center, before.scaler.center)
    np.testing.assert_array_equal(after.scaler.scale, before.scaler.scale)
    for old, new in [(before.train, after.train)] + (
        [(before.val, after.val)] if row >= b2 else []
    ):
        np.testing.assert_array_equal(new.X, old.X)
        np.testing.assert_array_equal(new.y, old.y)


def test_a_training_row_does_change_the_scaler():
    """The leakage test above can fail: the scaler does react to the rows it is fitted on."""
    values = tiny_values()
    spec = WindowSpec(**{**TINY.__dict__, "scaling": "standard"})
    perturbed = values.copy()
    perturbed[4] += 1.0
    assert not np.array_equal(
        make_windows(perturbed, spec).scaler.center, make_windows(values, spec).scaler.center
    )
    assert (
        Scaler.fit(values[:12], "standard").center[0] == make_windows(values, spec).scaler.center[0]
    )


# --- cross-validation folds ----------------------------------------------------------------------


def test_fold_zero_is_the_split_itself_without_its_test_part():
    values = tiny_values(40)
    spec = WindowSpec(lookback=3, horizon=2, scaling="standard", **FIXED)
    whole, fold = make_windows(values, spec), fold_windows(values, spec, 1, 0)
    assert fold.boundaries == whole.boundaries and len(fold.test) == 0
    for a, b in ((whole.train, fold.train), (whole.val, fold.val)):
        np.testing.assert_array_equal(a.X, b.X)
        np.testing.assert_array_equal(a.origin, b.origin)


def test_a_fold_moves_the_validation_part_back_by_its_own_length():
    values = tiny_values(40)  # 28 / 6 / 6 rows
    spec = WindowSpec(lookback=3, horizon=2, scaling="none", **FIXED)
    n_train, val_end = split_boundaries(40, spec)
    V = val_end - n_train
    for f in (1, 2):
        w = fold_windows(values, spec, 1, f)
        assert w.boundaries == (n_train - f * V, val_end - f * V)
        # every target of the fold lies before its validation end: its last origin + H - 1
        assert w.val.origin.max() + spec.horizon <= val_end - f * V
        assert w.train.origin.max() + spec.horizon <= n_train - f * V
        np.testing.assert_array_equal(w.val.y[:, 0], values[w.val.origin, 0])


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 2), st.integers(0, 2**32 - 1), st.sampled_from(["window", "last", "global"]))
def test_a_fold_reads_no_row_after_its_validation_part(fold, seed, normalize):
    """Poison every row after fold f's validation part: its windows and scaler are bit-identical."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(80, 2)).cumsum(0)
    spec = WindowSpec(lookback=5, horizon=2, normalize=normalize, transform="diff")
    clean = fold_windows(values, spec, 1, fold)
    poisoned = values.copy()
    poisoned[clean.boundaries[1] :] *= 1e6
    after = fold_windows(poisoned, spec, 1, fold)
    np.testing.assert_array_equal(after.scaler.center, clean.scaler.center)
    for a, b in ((clean.train, after.train), (clean.val, after.val)):
        np.testing.assert_array_equal(a.X, b.X)
        np.testing.assert_array_equal(a.y, b.y)
    # ... and the rows it does read matter: poisoning the validation part changes its targets
    poisoned[clean.boundaries[0] : clean.boundaries[1]] *= 1e6
    assert not np.array_equal(fold_windows(poisoned, spec, 1, fold).val.y, clean.val.y)
