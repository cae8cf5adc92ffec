import math

import numpy as np
import pytest

from rnnlib.errors import DataError
from rnnlib.metrics import mae, mape, mase, rmse, score, smape

Y_TRUE = np.array([[1.0, 2.0], [3.0, 4.0]])
Y_PRED = np.array([[2.0, 2.0], [1.0, 5.0]])  # errors -1, 0, 2, -1


def test_mae_and_rmse_on_a_hand_example():
    assert mae(Y_TRUE, Y_PRED) == 1.0
    assert rmse(Y_TRUE, Y_PRED) == pytest.approx(math.sqrt(6 / 4))


def test_mape_on_a_hand_example():
    # 100 * mean(1/1, 0/2, 2/3, 1/4)
    assert mape(Y_TRUE, Y_PRED) == pytest.approx(100 * (1 + 0 + 2 / 3 + 1 / 4) / 4)


def test_mape_skips_zero_targets_and_is_nan_when_all_are_zero():
    assert mape(np.array([0.0, 2.0]), np.array([1.0, 1.0])) == pytest.approx(50.0)
    assert math.isnan(mape(np.zeros(3), np.ones(3)))


def test_smape_defines_zero_over_zero_as_zero_and_tops_out_at_200():
    # point 1: 0/0 := 0; point 2: 2 * 1 / (2 + 1)
    assert smape(np.array([0.0, 2.0]), np.array([0.0, 1.0])) == pytest.approx(100 * (2 / 3) / 2)
    assert smape(np.array([1.0]), np.array([-1.0])) == 200.0
    assert smape(np.zeros(4), np.zeros(4)) == 0.0


def test_mase_with_m_1():
    # in-sample naive errors |2-1|, |4-2|, |7-4| -> scale 2; MAE 1 -> 0.5
    assert mase(Y_TRUE, Y_PRED, np.array([1.0, 2.0, 4.0, 7.0])) == 0.5


def test_mase_with_m_12():
    # x_t = (t mod 12) + 2 * (t div 12): every seasonal difference x_t - x_{t-12} is 2
    t = np.arange(36)
    insample = t % 12 + 2 * (t // 12)
    assert mase(Y_TRUE, Y_PRED, insample, m=12) == 0.5
    # the naive (m=1) scale differs: steps of 1 within a season, -9 at each wrap
    naive_scale = (33 * 1 + 2 * 9) / 35
    assert mase(Y_TRUE, Y_PRED, insample, m=1) == pytest.approx(1 / naive_scale)


def test_mase_is_nan_for_a_zero_scale_or_a_too_short_insample():
    assert math.isnan(mase(Y_TRUE, Y_PRED, np.full(10, 3.0)))
    assert math.isnan(mase(Y_TRUE, Y_PRED, np.arange(12.0), m=12))
    assert not math.isnan(mase(Y_TRUE, Y_PRED, np.arange(13.0), m=12))


def test_score_returns_all_five_as_floats():
    s = score(Y_TRUE, Y_PRED, np.array([1.0, 2.0, 4.0, 7.0]))
    assert list(s) == ["mae", "rmse", "mape", "smape", "mase"]
    assert all(type(v) is float for v in s.values())
    assert s["mae"] == 1.0 and s["mase"] == 0.5


def test_mismatched_or_empty_inputs_are_rejected():
    with pytest.raises(DataError, match=r"y_true has shape \(2, 2\) but y_pred has shape \(4,\)"):
        mae(Y_TRUE, Y_PRED.ravel())
    with pytest.raises(DataError, match="no points to score"):
        rmse(np.zeros((0, 1)), np.zeros((0, 1)))
    with pytest.raises(DataError, match="season m must be a whole number >= 1, got 0"):
        mase(Y_TRUE, Y_PRED, np.arange(5.0), m=0)
