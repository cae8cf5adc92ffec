import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rnnlib.errors import DataError
from rnnlib.scaling import Scaler

HAND = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])


def test_standard_on_a_hand_example():
    s = Scaler.fit(HAND, "standard")
    np.testing.assert_allclose(s.center, [3.0, 10.0])
    # std of 1, 3, 5 = sqrt((4 + 0 + 4) / 3); column 1 is constant, so scale 1
    np.testing.assert_allclose(s.scale, [np.sqrt(8 / 3), 1.0])
    np.testing.assert_allclose(
        s.transform(HAND)[:, 0], [-1.5 / np.sqrt(1.5), 0, 1.5 / np.sqrt(1.5)]
    )
    np.testing.assert_array_equal(s.transform(HAND)[:, 1], [0.0, 0.0, 0.0])


def test_minmax_maps_training_range_to_unit_interval():
    s = Scaler.fit(HAND, "minmax")
    np.testing.assert_allclose(s.transform(HAND), [[0, 0], [0.5, 0], [1, 0]])


def test_none_is_the_identity():
    s = Scaler.fit(HAND, "none")
    np.testing.assert_array_equal(s.transform(HAND), HAND)


@pytest.mark.parametrize("kind", ["standard", "minmax"])
def test_constant_column_does_not_divide_by_zero(kind):
    # 0.1 is not exact in binary, so its std comes out ~1e-17, not 0
    values = np.full((7, 1), 0.1)
    s = Scaler.fit(values, kind)
    assert s.scale[0] == 1.0
    assert np.all(np.abs(s.transform(values)) < 1e-12)


def test_inverse_target_undoes_column_zero_for_any_shape():
    s = Scaler.fit(HAND, "standard")
    y = s.transform(HAND)[:, 0].reshape(3, 1, 1)
    np.testing.assert_allclose(s.inverse_target(y), HAND[:, 0].reshape(3, 1, 1))


def test_transform_accepts_windows_of_any_leading_shape():
    s = Scaler.fit(HAND, "minmax")
    windows = np.stack([HAND, HAND])  # (2, 3, 2)
    np.testing.assert_allclose(s.inverse_transform(s.transform(windows)), windows)


def fitted_scalers(bound: float):
    """(values, Scaler fitted on them) for 1..30 rows of 1..4 features in [-bound, bound]."""
    shapes = st.tuples(st.integers(1, 30), st.integers(1, 4))
    values = arrays(np.float64, shapes, elements=st.floats(-bound, bound))
    kinds = st.sampled_from(["standard", "minmax", "none"])
    return st.tuples(values, kinds).map(lambda vk: (vk[0], Scaler.fit(*vk)))


@settings(max_examples=60, deadline=None)
@given(fitted_scalers(1e6))
def test_transform_then_inverse_is_the_identity(case):
    values, s = case
    np.testing.assert_allclose(s.inverse_transform(s.transform(values)), values, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(fitted_scalers(1e9))
def test_dict_round_trip_through_json_is_lossless(case):
    _, s = case
    back = Scaler.from_dict(json.loads(json.dumps(s.to_dict())))
    assert back.kind == s.kind
    np.testing.assert_array_equal(back.center, s.center)
    np.testing.assert_array_equal(back.scale, s.scale)


@pytest.mark.parametrize(
    "d, msg",
    [
        ([1, 2], "must be a dict with keys 'kind', 'center' and 'scale'"),
        ({"kind": "standard", "center": [0.0]}, "must be a dict with keys"),
        ({"kind": "log", "center": [0.0], "scale": [1.0]}, "unknown kind 'log'"),
        ({"kind": "none", "center": [], "scale": []}, "'center' must be a non-empty list"),
        ({"kind": "none", "center": ["0"], "scale": [1.0]}, "'center' must be a non-empty list"),
        ({"kind": "none", "center": [0.0], "scale": [float("nan")]}, "'scale' must be"),
        ({"kind": "none", "center": [0.0, 1.0], "scale": [1.0]}, "2 centers but 1 scales"),
        ({"kind": "none", "center": [0.0], "scale": [0.0]}, "every scale must be positive"),
    ],
)
def test_from_dict_rejects_malformed_input(d, msg):
    with pytest.raises(DataError, match=re.escape(msg)):
        Scaler.from_dict(d)


def test_wrong_feature_count_and_bad_fit_inputs():
    s = Scaler.fit(HAND, "standard")
    with pytest.raises(
        DataError, match=re.escape("fitted on 2 features but got an array of shape (3,)")
    ):
        s.transform(np.zeros(3))
    with pytest.raises(DataError, match="Unknown scaling 'zscore'"):
        Scaler.fit(HAND, "zscore")
    with pytest.raises(DataError, match="Cannot fit a scaler on 0 rows"):
        Scaler.fit(np.zeros((0, 2)), "standard")
