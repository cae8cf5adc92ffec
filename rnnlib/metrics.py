"""Forecast error metrics, computed in ORIGINAL units (undo the scaling first).

All take y_true, y_pred of the same shape, usually (n, horizon), and average over every point.
e_i = y_true_i - y_pred_i throughout.
"""

from __future__ import annotations

import numpy as np

from rnnlib.errors import DataError, check_whole

# |y_true| below this is treated as zero by MAPE: dividing by it would let one near-zero
# point dominate the average with an error of millions of percent.
MAPE_EPS = 1e-8


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    t, p = _pair(y_true, y_pred)
    # MAE = mean |e_i|
    return float(np.mean(np.abs(t - p)))


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    t, p = _pair(y_true, y_pred)
    # RMSE = sqrt(mean e_i^2)
    return float(np.sqrt(np.mean((t - p) ** 2)))


def mape(y_true: np.ndarray, y_pred: np.ndarray, eps: float = MAPE_EPS) -> float:
    """Percent; points with |y_true| < eps are skipped, nan if none are left."""
    t, p = _pair(y_true, y_pred)
    keep = np.abs(t) >= eps
    if not keep.any():
        return float("nan")
    # MAPE = 100 * mean_{i: |y_true_i| >= eps} |e_i / y_true_i|
    return float(100.0 * np.mean(np.abs((t[keep] - p[keep]) / t[keep])))


def smape(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Percent in [0, 200]; a point where both y_true and y_pred are 0 counts as 0 error."""
    t, p = _pair(y_true, y_pred)
    denom = np.abs(t) + np.abs(p)
    # Both zero means a perfect forecast of zero, so define 0/0 := 0 rather than nan.
    safe = np.where(denom == 0, 1.0, denom)
    # sMAPE = 100 * mean 2 |e_i| / (|y_true_i| + |y_pred_i|)
    return float(100.0 * np.mean(np.where(denom == 0, 0.0, 2.0 * np.abs(t - p) / safe)))


def mase(y_true: np.ndarray, y_pred: np.ndarray, insample: np.ndarray, m: int = 1) -> float:
    """MAE relative to the in-sample seasonal-naive MAE; < 1 beats the seasonal naive.

    insample: (T,) the training target series in original units; m: the season (1 = naive).
    nan if T < m + 1 or the scale is 0 (a series the seasonal naive predicts perfectly).
    """
    check_whole("MASE season m", m, 1, error=DataError)
    x = np.asarray(insample, dtype=np.float64).ravel()
    if x.shape[0] < m + 1:
        return float("nan")
    # scale = mean_{t=m}^{T-1} |x_t - x_{t-m}|
    scale = float(np.mean(np.abs(x[m:] - x[:-m])))
    if scale == 0:
        return float("nan")
    # MASE = MAE / scale
    return mae(y_true, y_pred) / scale


def score(
    y_true: np.ndarray, y_pred: np.ndarray, insample: np.ndarray, m: int = 1
) -> dict[str, float]:
    """All five metrics as {"mae", "rmse", "mape", "smape", "mase"} -> float."""
    return {
        "mae": mae(y_true, y_pred),
        "rmse": rmse(y_true, y_pred),
        "mape": mape(y_true, y_pred),
        "smape": smape(y_true, y_pred),
        "mase": mase(y_true, y_pred, insample, m),
    }


def _pair(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_pred, dtype=np.float64)
    if t.shape != p.shape:
        raise DataError(
            f"y_true has shape {t.shape} but y_pred has shape {p.shape}: "
            "score predictions against targets of the same windows and horizon."
        )
    if t.size == 0:
        raise DataError("There are no points to score: y_true and y_pred are empty.")
    return t, p
