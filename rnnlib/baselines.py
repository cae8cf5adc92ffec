"""Simple forecasts a model must beat, run on exactly the model's windows.

Each baseline maps history (n, lookback), the target in ORIGINAL units over each window's inputs
(see `raw_history`), to a forecast (n, horizon). Step h = 1..H below is the h-th step ahead.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from rnnlib.errors import DataError, check_whole
from rnnlib.windows import input_index


def naive(history: np.ndarray, horizon: int) -> np.ndarray:
    """(n, L) -> (n, H): the last observed value, repeated."""
    x = _check(history, horizon)
    # y_hat[h] = x[L-1]
    return np.repeat(x[:, -1:], horizon, axis=1)


def seasonal_naive(history: np.ndarray, horizon: int, period: int) -> np.ndarray:
    """(n, L) -> (n, H): the value one season back, repeating the last full season."""
    x = _check(history, horizon)
    L = x.shape[1]
    check_whole("The season period", period, 1, error=DataError)
    if period > L:
        raise DataError(
            f"Seasonal naive needs one full season of history but period {period} > "
            f"lookback {L}: use a lookback of at least {period} or a shorter period."
        )
    # y_hat[h] = x[L - period + (h mod period)], h = 0..H-1
    return x[:, L - period + np.arange(horizon) % period]


def drift(history: np.ndarray, horizon: int) -> np.ndarray:
    """(n, L) -> (n, H): the line through the first and last value, extended."""
    x = _check(history, horizon)
    L = x.shape[1]
    # A single point has no slope; treat it as flat, which makes drift equal naive.
    slope = (x[:, -1] - x[:, 0]) / (L - 1) if L > 1 else np.zeros(x.shape[0])
    # y_hat[h] = x[L-1] + h * (x[L-1] - x[0]) / (L - 1), h = 1..H
    return x[:, -1:] + slope[:, None] * np.arange(1, horizon + 1)


def mean(history: np.ndarray, horizon: int) -> np.ndarray:
    """(n, L) -> (n, H): the window mean, repeated."""
    x = _check(history, horizon)
    # y_hat[h] = (1/L) sum_j x[j]
    return np.repeat(x.mean(axis=1, keepdims=True), horizon, axis=1)


Baseline = Callable[[np.ndarray, int, int], np.ndarray]

# One signature for all, (history, horizon, period), so callers can loop over the registry;
# only seasonal_naive uses the period.
BASELINES: dict[str, Baseline] = {
    "naive": lambda history, horizon, period: naive(history, horizon),
    "seasonal_naive": seasonal_naive,
    "drift": lambda history, horizon, period: drift(history, horizon),
    "mean": lambda history, horizon, period: mean(history, horizon),
}


def raw_history(values: np.ndarray, origin: np.ndarray, lookback: int) -> np.ndarray:
    """Unscaled target over each window's inputs: values (N, F) or (N,), origin (n,) -> (n, L).

    Pass a Split's `origin` to run baselines on the same windows the model saw.
    """
    v = np.asarray(values, dtype=np.float64)
    target = v[:, 0] if v.ndim == 2 else v
    o = np.asarray(origin, dtype=np.int64)
    if o.size and (o.min() < lookback or o.max() > target.shape[0]):
        raise DataError(
            f"Window origins must lie in [{lookback}, {target.shape[0]}] for lookback {lookback} "
            f"and {target.shape[0]} rows: pass the origins of windows cut from these values."
        )
    return target[input_index(o, lookback)]


# Season length per pandas frequency alias (base code, without multiplier or anchor): the
# cycle a person expects -- a day of hours, a week of days, a year of months. 1 = no season.
_SEASON_BY_FREQ = {
    "s": 60, "S": 60,
    "min": 60, "T": 60,
    "h": 24, "H": 24, "bh": 8, "BH": 8,
    "D": 7, "d": 7,
    "B": 5, "C": 5,
    "W": 52,
    "SM": 24, "SMS": 24, "SME": 24,
    "M": 12, "MS": 12, "ME": 12, "BM": 12, "BMS": 12, "BME": 12, "CBMS": 12, "CBME": 12,
    "Q": 4, "QS": 4, "QE": 4, "BQ": 4, "BQS": 4, "BQE": 4,
    "Y": 1, "YS": 1, "YE": 1, "A": 1, "AS": 1, "BA": 1, "BAS": 1, "BY": 1, "BYS": 1, "BYE": 1,
}  # fmt: skip
_FREQ_RE = re.compile(r"^\s*(\d*)\s*([A-Za-z]+)(-[A-Za-z]+)?\s*$")


def detect_period(
    values_1d: np.ndarray, frequency: str | None = None, max_period: int | None = None
) -> int:
    """Season length of a 1-D series; 1 when there is none.

    The data speaks first: the highest clear peak of the autocorrelation of the linearly
    detrended series at lags 2..max_period (default len // 3), preferring the shortest lag when
    multiples tie. Only when there is no clear peak does a known pandas alias decide ("h" -> 24,
    "15min" -> 4, "MS" -> 12, "YS" -> 1 = no season), if its season is at most max_period and
    fits twice in the series: a daily series with a 12-day cycle has period 12, not 7.
    """
    x = np.asarray(values_1d, dtype=np.float64).ravel()
    if not np.all(np.isfinite(x)):
        raise DataError("The series contains NaN or inf: fill or drop them before seasonality.")
    limit = max_period if max_period is not None else x.shape[0] // 3
    from_acf = _period_from_acf(x, limit)
    if from_acf > 1:
        return from_acf
    from_freq = _period_from_frequency(frequency)
    if from_freq is not None and from_freq <= min(limit, x.shape[0] // 2):
        return from_freq
    return 1


def _period_from_frequency(frequency: str | None) -> int | None:
    """Alias -> season, None when unknown or when the multiplier does not divide the season."""
    match = _FREQ_RE.match(frequency) if frequency else None
    if match is None or match.group(2) not in _SEASON_BY_FREQ:
        return None
    k = int(match.group(1) or 1)
    base = _SEASON_BY_FREQ[match.group(2)]
    if base == 1:
        return 1
    # "15min" repeats hourly every 60 / 15 = 4 steps; "7min" never lines up with the hour.
    return base // k if base % k == 0 and base // k >= 2 else None


# Thresholds tuned on simulated series (white noise, AR(1), random walks, noisy sines):
# a peak must reach this autocorrelation, and rise this far above the lowest value before it
# (a real season dips between its peaks, a trend or random walk only wiggles).
_MIN_ACF = 0.25
_MIN_PROMINENCE = 0.25
# Noise lets multiples of the season (24, 36 for a period of 12) edge out the season itself;
# any peak within this share of the highest counts, and the shortest of those wins.
_NEAR_BEST = 0.8


def _period_from_acf(x: np.ndarray, max_period: int) -> int:
    n = x.shape[0]
    max_lag = min(max_period, n - 2)
    if max_lag < 2:
        return 1
    # Remove a least-squares line so a trend does not look like one very long season.
    t = np.arange(n)
    resid = x - np.polyval(np.polyfit(t, x, 1), t)
    denom = float(resid @ resid)
    if denom <= 1e-12 * max(1.0, float(x @ x)):
        return 1
    # acf[k] = sum_t r_t r_{t+k} / sum_t r_t^2  (biased estimate, via FFT in O(n log n))
    spec = np.fft.rfft(resid, 2 * n)
    acf = np.fft.irfft(spec * np.conj(spec), 2 * n)[: max_lag + 2] / denom
    k = np.arange(2, max_lag + 1)
    is_peak = (acf[k] > acf[k - 1]) & (acf[k] >= acf[k + 1])
    # Under white noise acf[k] ~ N(0, 1/n), so 3/sqrt(n) guards short series.
    significant = acf[k] > max(_MIN_ACF, 3.0 / np.sqrt(n))
    trough = np.minimum.accumulate(acf[1 : max_lag + 1])[k - 2]  # min of acf[1 .. k-1]
    prominent = acf[k] - trough >= _MIN_PROMINENCE
    candidates = k[is_peak & significant & prominent]
    if candidates.size == 0:
        return 1
    near_best = acf[candidates] >= _NEAR_BEST * acf[candidates].max()
    return int(candidates[near_best][0])


def _check(history: np.ndarray, horizon: int) -> np.ndarray:
    x = np.asarray(history, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] == 0:
        raise DataError(
            f"Baseline history must be (windows, lookback) with lookback >= 1, got shape {x.shape}."
        )
    check_whole("horizon", horizon, 1, error=DataError)
    return x
