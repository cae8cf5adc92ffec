"""Invertible target preprocessing: a transform of the whole series, then a per-window normalisation.

Why: a network with saturating units forecasts inside the range it was trained on. A series that
trends or shifts level leaves that range in the test part, so a scaler fitted once on the
training rows (leak-free, and still offered as "global") leaves the model stuck. Forecasting
libraries that follow real data express each window relative to its own level and spread
(DeepAR's mean scaling, neuralforecast's window scalers, RevIN) and often difference the target.

The target y (column 0, original units) goes through two invertible maps:

    z_t   = T(y)_t                      transform, before windowing   (none, log, diff, sdiff)
    x̃_t  = (z_t - c_w - p_w(t)) / s_w   normalisation, per window w   (global, window, robust,
                                                                        last, season)

c_w, s_w and the profile p_w come from the window's INPUT steps only, never from its targets, so a
forecast made at origin o reads nothing at or after o. A prediction is mapped back the same way:
ẑ = ỹ · s_w + c_w + p_w, then ŷ = T⁻¹(ẑ) using observed values before the origin. The profile is 0
except for "season" (see `window_profile`): there a model that outputs 0 forecasts the window's own
level, trend and seasonal pattern, the way ES-RNN deseasonalises each window before its network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib.errors import DataError

NORMALIZATIONS = ("global", "window", "robust", "last", "season")
TRANSFORMS = ("none", "log", "diff", "sdiff")
AUTO = "auto"

# What a person reads next to each choice (Train page help, CLI --help, result captions).
NORMALIZATION_TEXT = {
    "global": "one scaler fitted on the training rows",
    "window": "each window by its own mean and std",
    "robust": "each window by its own median and IQR",
    "last": "each window relative to its last value",
    "season": "each window less its own level and seasonal pattern",
}
TRANSFORM_TEXT = {
    "none": "no transform",
    "log": "log of the target",
    "diff": "first difference",
    "sdiff": "seasonal difference",
}

# A window whose spread is below this share of the typical one-step change of the training part
# is nearly flat (a run of zeros, a price that did not move): dividing by its own tiny spread
# would blow a small wiggle in the targets up into a huge normalised value.
FLOOR_SHARE = 0.1
# The trend of "season" is carried into the targets damped, as in damped-trend exponential
# smoothing: step h ahead adds φ + φ² + ... + φ^(h+1) slopes, which levels off at φ / (1 - φ).
# Measured on the benchmark corpus (21 real series, 3 seeds, "season" as the only preprocessing),
# MAE / AutoARIMA, geometric mean: φ = 0 1.146, 0.5 1.159, 0.7 1.149, 0.9 1.197, 0.98 1.225; a line
# fitted to two seasons and carried on overshoots when the trend turns (euretail). So by default
# the trend sets where the level stands at the window's end, and the forecast goes on flat from
# there; `window_profile` takes any φ.
DAMPING = 0.0
# IQR / 1.349 is the standard deviation of a normal distribution with that IQR, so "robust"
# lands on the same scale as "window" for well-behaved data.
IQR_TO_STD = 1.349


@dataclass(frozen=True)
class TargetTransform:
    """z = T(y) on the target column, and its inverse for forecasts.

    kind:   "none" | "log" | "diff" | "sdiff"
    period: the seasonal lag of "sdiff" (ignored otherwise).
    """

    kind: str = "none"
    period: int = 1

    def __post_init__(self) -> None:
        if self.kind not in TRANSFORMS:
            raise DataError(
                f"Unknown transform {self.kind!r}: choose one of {', '.join(TRANSFORMS)}."
            )
        if self.kind == "sdiff" and self.period < 2:
            raise DataError(
                "The seasonal difference needs a season of at least 2 steps, but this series has "
                "none detected: set the season, or choose another transform."
            )

    @property
    def lag(self) -> int:
        """Rows lost at the start: z_t needs y back to t - lag."""
        return {"none": 0, "log": 0, "diff": 1, "sdiff": self.period}[self.kind]

    def check(self, y: np.ndarray, name: str = "the target") -> None:
        """DataError when the transform cannot apply to this series."""
        if self.kind == "log" and np.any(np.asarray(y) <= 0):
            low = float(np.min(y))
            raise DataError(
                f"The log transform needs a series above 0, but {name} goes down to {low:g}: "
                "choose another transform."
            )

    def forward(self, y: np.ndarray) -> np.ndarray:
        """(N,) original units -> (N,) transformed; the first `lag` rows are NaN."""
        y = np.asarray(y, dtype=np.float64)
        self.check(y)
        z = np.full_like(y, np.nan)
        if self.kind == "none":
            z[:] = y
        elif self.kind == "log":
            # z_t = log y_t
            z[:] = np.log(y)
        else:
            # z_t = y_t - y_{t-lag}   (lag 1: first difference; lag m: seasonal difference)
            z[self.lag :] = y[self.lag :] - y[: len(y) - self.lag]
        return z

    def accumulate(
        self, z_mean: np.ndarray, z_var: np.ndarray | None, y: np.ndarray, origin: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Transformed forecasts (n, H) at origins (n,) -> mean and variance in the additive domain.

        The additive domain is original units, except for "log", where it stays the log (its
        point forecast and interval bounds are exp of it: see `point` and `bounds`). Variances
        add up as if the steps' errors were independent: a simple, stated approximation.
        """
        mean = np.asarray(z_mean, dtype=np.float64)
        var = None if z_var is None else np.asarray(z_var, dtype=np.float64)
        if self.kind in ("none", "log"):
            return mean, var
        y = np.asarray(y, dtype=np.float64)
        o = np.asarray(origin, dtype=np.int64)
        H = mean.shape[1]
        if self.kind == "diff":
            # y_{o+h} = y_{o-1} + Σ_{j≤h} z_{o+j}
            out = y[o - 1][:, None] + np.cumsum(mean, axis=1)
            return out, None if var is None else np.cumsum(var, axis=1)
        # sdiff: y_{o+h} = z_{o+h} + y_{o+h-m}, the latter observed when h < m, else forecast.
        m = self.period
        out = np.empty_like(mean)
        acc = None if var is None else np.empty_like(var)
        for h in range(H):
            if h < m:
                out[:, h] = mean[:, h] + y[o + h - m]
                if acc is not None:
                    acc[:, h] = var[:, h]
            else:
                out[:, h] = mean[:, h] + out[:, h - m]
                if acc is not None:
                    acc[:, h] = var[:, h] + acc[:, h - m]
        return out, acc

    def of_forecast(self, y_hat: np.ndarray, y: np.ndarray, origin: np.ndarray) -> np.ndarray:
        """A forecast (n, H) in original units -> transformed units: the inverse of `accumulate`.

        E.g. the naive forecast is 0 in first differences, whatever the level.
        """
        f = np.asarray(y_hat, dtype=np.float64)
        if self.kind == "none":
            return f
        if self.kind == "log":
            return np.log(f)
        o = np.asarray(origin, dtype=np.int64)
        # the series known at o-1 followed by the forecast: z_{o+h} = ŷ_{o+h} - ŷ_{o+h-lag}
        before = np.asarray(y, dtype=np.float64)[o[:, None] + np.arange(-self.lag, 0)]
        full = np.concatenate([before, f], axis=1)
        return full[:, self.lag :] - full[:, : -self.lag]

    def point(self, mean: np.ndarray) -> np.ndarray:
        """Additive-domain mean -> the point forecast in original units (exp's median for log)."""
        return np.exp(mean) if self.kind == "log" else mean

    def bounds(self, mean: np.ndarray, var: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
        """Central interval mean ± z·sd in the additive domain, mapped to original units."""
        sd = np.sqrt(var)
        return self.point(mean - z * sd), self.point(mean + z * sd)


def window_stats(
    x: np.ndarray, kind: str, floor: float, center: float = 0.0, scale: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n, L) of the target channel -> center (n,), scale (n,) per window.

    "global" returns the given constant `center` and `scale` (one scaler for every window); the
    others read each window's own inputs. Scales are at least `floor` (see FLOOR_SHARE).
    """
    # A copy: "last" returns a column of x, and the caller normalises x in place afterwards.
    x = np.array(x, dtype=np.float64)
    n = x.shape[0]
    if kind == "global":
        return np.full(n, center), np.full(n, scale)
    if kind in ("window", "season"):
        c, s = x.mean(axis=1), x.std(axis=1)
    elif kind == "robust":
        q25, c, q75 = np.percentile(x, [25, 50, 75], axis=1)
        s = (q75 - q25) / IQR_TO_STD
    elif kind == "last":
        # Centred on the last value: a model that outputs 0 is the naive forecast.
        c, s = x[:, -1], x.std(axis=1)
    else:
        raise DataError(
            f"Unknown normalisation {kind!r}: choose one of {', '.join(NORMALIZATIONS)}."
        )
    # Guard spreads near zero relative to the window's level too (float rounding of a flat window).
    tiny = 1e-9 * np.maximum(1.0, np.abs(c))
    return c, np.maximum(s, np.maximum(floor, tiny))


def window_profile(
    x: np.ndarray, kind: str, period: int, horizon: int, damping: float = DAMPING
) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n, L) -> the profile p_w on the inputs (n, L) and on the targets (n, H), about the
    window mean; zeros unless kind is "season".

    For "season", every window is fitted by least squares with a line plus a seasonal pattern:

        x_t ≈ a + b τ_t + s_(t mod m),   Σ_k s_k = 0,   τ_t = t - mean(t),   t = -L .. -1

    (the seasonal terms only when the window holds two whole seasons, m ≥ 2 and L ≥ 2m). The design
    D is the same for every window, so the fit is one matrix product: β = x pinv(D)ᵀ. The profile
    is the fit less the window mean (which is the center c_w, as for "window"); on the targets
    t = h = 0 .. H-1 the line goes on damped: τ_h = τ_(-1) + φ + φ² + ... + φ^(h+1).
    """
    x = np.asarray(x, dtype=np.float64)
    n, L = x.shape
    if kind != "season" or L < 3:
        return np.zeros((n, L)), np.zeros((n, horizon))
    t_in = np.arange(-L, 0)
    tau_in = t_in - t_in.mean()
    # τ on the targets: the last input's τ plus the damped steps after it
    tau_out = tau_in[-1] + np.cumsum(damping ** np.arange(1, horizon + 1))
    seasonal = fits_seasons(period, L)
    D = _design(tau_in, t_in, period, seasonal)
    F = _design(tau_out, np.arange(horizon), period, seasonal)
    beta = x @ np.linalg.pinv(D).T  # (n, p): a, b, s_1 .. s_(m-1)
    mean = x.mean(axis=1, keepdims=True)
    return beta @ D.T - mean, beta @ F.T - mean


def fits_seasons(period: int, lookback: int) -> bool:
    """Whether "season" fits a seasonal pattern: a season, and two whole ones in the window
    (each phase's effect then rests on two values at least)."""
    return period >= 2 and lookback >= 2 * period


def _design(tau: np.ndarray, t: np.ndarray, period: int, seasonal: bool) -> np.ndarray:
    """Columns 1, τ, then the seasonal effects coded so that they sum to 0: column k is
    [t mod m = k] - [t mod m = 0], for k = 1 .. m-1."""
    cols = [np.ones_like(tau), tau]
    if seasonal:
        phase = np.mod(t, period)
        cols += [(phase == k).astype(float) - (phase == 0) for k in range(1, period)]
    return np.stack(cols, axis=1)


def spread_floor(z_train: np.ndarray) -> float:
    """The smallest window scale allowed: FLOOR_SHARE of the training part's typical one-step change.

    One-step changes, not the spread of the level: a trend would make the level's spread large
    and the floor would then swamp the real spread of every window.
    """
    z = np.asarray(z_train, dtype=np.float64)
    z = z[np.isfinite(z)]
    step = float(np.mean(np.abs(np.diff(z)))) if z.size > 2 else 0.0
    if step <= 0:
        step = float(np.std(z)) if z.size > 1 else 0.0
    return FLOOR_SHARE * step if step > 0 else 1e-9
