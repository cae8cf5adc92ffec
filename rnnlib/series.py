"""The `Series` every forecasting page trains on, and seeded synthetic generators that make one.

A `Series` is what both doors into the app produce, a CSV upload (`rnnlib.csv.read_csv`) and a
generator here, so everything downstream (windows, training, figures) sees one shape of data.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnnlib.errors import DataError

MIN_LENGTH = 20  # a generator shorter than this cannot fill one training window plus a test split
MAX_LENGTH = 100_000  # keeps the pure-Python loops (ar, mackey_glass) under about two seconds


# eq=False: dataclass equality would compare DataFrames with `==`, which is elementwise and raises
# on `bool(...)`; compare `.frame` explicitly (e.g. `a.frame.equals(b.frame)`) instead.
@dataclass(frozen=True, eq=False)
class Series:
    """A cleaned multivariate time series with one target column, ready for windowing.

    frame: (N, 1 + F) float64, finite; index a sorted unique DatetimeIndex named "time", or a
    RangeIndex named "step" when the data has no dates; the target is the first column.
    """

    frame: pd.DataFrame
    target: str
    features: tuple[str, ...] = ()  # extra input columns, so input_size = 1 + len(features)
    frequency: str | None = None  # pandas offset alias ("D", "MS", "QS-JAN"); None when irregular
    cleaning: tuple[str, ...] = ()  # sentences of what the reader changed, shown to the person
    name: str = "series"

    def __post_init__(self) -> None:
        expected = [self.target, *self.features]
        if list(self.frame.columns) != expected:
            raise DataError(
                f"The frame's columns {list(self.frame.columns)} must be the target then the "
                f"features, {expected}."
            )
        if len(set(expected)) != len(expected):
            raise DataError(f"Column names must be unique, got {expected}.")
        index = self.frame.index
        if isinstance(index, pd.DatetimeIndex):
            if index.name != "time" or not index.is_monotonic_increasing or not index.is_unique:
                raise DataError("A dated series needs a sorted, unique DatetimeIndex named 'time'.")
        elif not (isinstance(index, pd.RangeIndex) and index.name == "step"):
            raise DataError("A series without dates needs a RangeIndex named 'step'.")
        if not all(dtype == np.float64 for dtype in self.frame.dtypes):
            raise DataError("Every column of a series must be float64.")
        if not np.isfinite(self.frame.to_numpy()).all():
            raise DataError("A series must not contain NaN or infinite values: clean them first.")

    def values(self) -> np.ndarray:
        """(N, 1 + F) float64 copy, target in column 0."""
        return self.frame.to_numpy(dtype=np.float64, copy=True)

    def __len__(self) -> int:
        return len(self.frame)


def infer_frequency(index: pd.Index) -> str | None:
    """The pandas offset alias of a regular DatetimeIndex ("D", "MS", "YS-JAN"), else None."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        return None
    # pandas 3.1 warns that infer_freq will return an offset; ask for that form now and keep
    # the string, so the alias is the same before and after the switch. Older pandas (3.0, as on
    # some GPU images) has no such option and returns the string already.
    try:
        try:
            with pd.option_context("future.infer_freq_returns_offset", True):
                offset = pd.infer_freq(index)
        except pd.errors.OptionError:
            offset = pd.infer_freq(index)
    except (TypeError, ValueError):
        return None
    if offset is None:
        return None
    return offset if isinstance(offset, str) else offset.freqstr


# --- parameter checks shared by the generators -------------------------------------------------


def _number(name: str, value, *, whole: bool = False) -> float | int:
    """`value` as a number if it is a finite real number (a whole one if asked), else DataError."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)  # not float(): a huge int would lose digits or overflow
    if (
        not isinstance(value, (float, np.floating))
        or not np.isfinite(value)
        or (whole and not float(value).is_integer())
    ):
        raise DataError(f"{name} must be a {'whole' if whole else 'finite'} number, got {value!r}.")
    return float(value)


def whole_in(name: str, value, low: int, high: int) -> int:
    """`value` as an int if it is a whole number in [low, high], else DataError."""
    if not low <= _number(name, value, whole=True) <= high:
        raise DataError(f"{name} must be a whole number from {low} to {high}, got {value!r}.")
    return int(value)


def _check_n(n) -> int:
    return whole_in("n", n, MIN_LENGTH, MAX_LENGTH)


def _numbers(name: str, values, *, most: int = 50) -> tuple[float, ...]:
    """A non-empty sequence of finite numbers (at most `most`), else DataError."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence | np.ndarray):
        raise DataError(f"{name} must be a list of 1 to {most} numbers, got {values!r}.")
    if not 1 <= len(values) <= most:
        raise DataError(f"{name} must be a list of 1 to {most} numbers, got {values!r}.")
    return tuple(float(_number(f"Every entry of {name}", v)) for v in values)


def _check_nonnegative(name: str, value) -> None:
    if _number(name, value) < 0:
        raise DataError(f"{name} must be >= 0, got {value!r}.")


def _check_positive(name: str, value) -> None:
    if _number(name, value) <= 0:
        raise DataError(f"{name} must be > 0, got {value!r}.")


def _check_period(name: str, value) -> None:
    if _number(name, value) <= 1:
        raise DataError(f"{name} must be more than 1 step, got {value!r}.")


def seeded_rng(seed) -> np.random.Generator:
    """The one way every generator turns `seed` into randomness, so equal seeds give equal data."""
    return np.random.default_rng(whole_in("seed", seed, 0, 2**63 - 1))


def _dated(values: np.ndarray, column: str, name: str, start: str, freq: str) -> Series:
    """(N,) values -> a `Series` on a DatetimeIndex from `start` stepping by `freq`."""
    try:
        index = pd.date_range(start=start, periods=len(values), freq=freq, name="time")
    except (TypeError, ValueError, OverflowError):
        raise DataError(
            f"Cannot build {len(values)} dates from start={start!r} and freq={freq!r}: use a date "
            "like '2020-01-01' and a pandas frequency like 'D', 'h' or 'MS'."
        ) from None
    frame = pd.DataFrame({column: np.asarray(values, dtype=np.float64)}, index=index)
    return Series(frame, target=column, frequency=infer_frequency(index), name=name)


def _phase(n: int, period: float) -> np.ndarray:
    """(n,) position within the cycle, in [0, 1)."""
    return (np.arange(n) / period) % 1.0


# --- generators --------------------------------------------------------------------------------


def sine(
    n: int = 400,
    period: float = 25.0,
    amplitude: float = 1.0,
    noise: float = 0.05,
    seed: int = 0,
    *,
    start: str = "2020-01-01",
    freq: str = "D",
) -> Series:
    """amplitude * sin(2πt / period) + N(0, noise²), t = 0..n-1."""
    n = _check_n(n)
    _check_period("period", period)
    _check_positive("amplitude", amplitude)
    _check_nonnegative("noise", noise)
    rng = seeded_rng(seed)
    y = amplitude * np.sin(2 * np.pi * np.arange(n) / period) + noise * rng.standard_normal(n)
    return _dated(y, "value", "sine", start, freq)


def seasonal(
    n: int = 400,
    periods: Sequence[float] = (12,),
    amplitudes: Sequence[float] = (1.0,),
    trend: float = 0.01,
    noise: float = 0.1,
    level: float = 10.0,
    seed: int = 0,
    *,
    start: str = "2020-01-01",
    freq: str = "D",
) -> Series:
    """level + trend·t + Σ_k amplitudes[k]·sin(2πt / periods[k]) + N(0, noise²)."""
    n = _check_n(n)
    _check_nonnegative("noise", noise)
    periods, amplitudes = _numbers("periods", periods), _numbers("amplitudes", amplitudes)
    if len(periods) != len(amplitudes):
        raise DataError(
            f"Give one amplitude per period: got {len(periods)} period(s) and "
            f"{len(amplitudes)} amplitude(s)."
        )
    for p in periods:
        _check_period("Every period", p)
    trend, level = _number("trend", trend), _number("level", level)
    rng = seeded_rng(seed)
    t = np.arange(n)
    y = level + trend * t + noise * rng.standard_normal(n)
    for p, a in zip(periods, amplitudes, strict=True):
        y = y + a * np.sin(2 * np.pi * t / p)
    return _dated(y, "value", "seasonal", start, freq)


def random_walk(
    n: int = 400,
    drift: float = 0.0005,
    volatility: float = 0.01,
    start_price: float = 100.0,
    seed: int = 0,
    *,
    start: str = "2020-01-01",
    freq: str = "D",
) -> Series:
    """Geometric random walk, a toy stock price: p_t = p_0 · exp(Σ_{s≤t} (drift + volatility·ε_s))."""
    n = _check_n(n)
    _check_nonnegative("volatility", volatility)
    _check_positive("start_price", start_price)
    _number("drift", drift)
    rng = seeded_rng(seed)
    log_returns = drift + volatility * rng.standard_normal(n - 1)
    # Summing log returns keeps every price positive, which an additive walk would not.
    y = start_price * np.exp(np.concatenate([[0.0], np.cumsum(log_returns)]))
    return _dated(y, "price", "random_walk", start, freq)


def ar(
    n: int = 400,
    coefficients: Sequence[float] = (0.6, -0.3),
    noise: float = 1.0,
    seed: int = 0,
    *,
    start: str = "2020-01-01",
    freq: str = "D",
) -> Series:
    """AR(p): x_t = Σ_i coefficients[i]·x_{t-1-i} + N(0, noise²), after a burn-in."""
    n = _check_n(n)
    _check_nonnegative("noise", noise)
    phi = np.array(_numbers("coefficients", coefficients))
    # Stationary iff every eigenvalue of the companion matrix lies strictly inside the unit circle.
    companion = np.eye(phi.size, k=-1)
    companion[0] = phi
    radius = float(np.max(np.abs(np.linalg.eigvals(companion))))
    if radius >= 1.0:
        raise DataError(
            f"AR coefficients {tuple(phi.tolist())} are not stationary (a root has modulus "
            f"{radius:.3g} >= 1): use smaller coefficients, e.g. (0.6, -0.3)."
        )
    rng = seeded_rng(seed)
    burn = 200  # forgets the zero start, so the series begins in its stationary regime
    eps = noise * rng.standard_normal(n + burn)
    x = np.zeros(n + burn + phi.size)
    for t in range(phi.size, x.size):
        x[t] = phi @ x[t - phi.size : t][::-1] + eps[t - phi.size]
    return _dated(x[-n:], "value", "ar", start, freq)


def square(
    n: int = 400,
    period: float = 25,
    amplitude: float = 1.0,
    noise: float = 0.0,
    seed: int = 0,
    *,
    start: str = "2020-01-01",
    freq: str = "D",
) -> Series:
    """+amplitude for the first half of each period, -amplitude for the second, + N(0, noise²)."""
    n = _check_n(n)
    _check_period("period", period)
    _check_positive("amplitude", amplitude)
    _check_nonnegative("noise", noise)
    rng = seeded_rng(seed)
    y = np.where(_phase(n, period) < 0.5, amplitude, -amplitude) + noise * rng.standard_normal(n)
    return _dated(y, "value", "square", start, freq)


def sawtooth(
    n: int = 400,
    period: float = 25,
    amplitude: float = 1.0,
    noise: float = 0.0,
    seed: int = 0,
    *,
    start: str = "2020-01-01",
    freq: str = "D",
) -> Series:
    """A ramp from -amplitude up to +amplitude over each period, + N(0, noise²)."""
    n = _check_n(n)
    _check_period("period", period)
    _check_positive("amplitude", amplitude)
    _check_nonnegative("noise", noise)
    rng = seeded_rng(seed)
    y = amplitude * (2 * _phase(n, period) - 1) + noise * rng.standard_normal(n)
    return _dated(y, "value", "sawtooth", start, freq)


def mackey_glass(
    n: int = 400,
    tau: float = 17,
    beta: float = 0.2,
    gamma: float = 0.1,
    power: float = 10,
    seed: int = 0,
    *,
    start: str = "2020-01-01",
    freq: str = "D",
) -> Series:
    """Mackey–Glass delay equation, chaotic for tau >= 17, sampled once per time unit.

    dx/dt = beta·x(t-tau) / (1 + x(t-tau)^power) - gamma·x(t)
    """
    n = _check_n(n)
    _check_positive("beta", beta)
    _check_positive("gamma", gamma)
    _check_positive("power", power)
    if _number("tau", tau) < 1 or tau > 500:
        raise DataError(f"tau must be a delay from 1 to 500 time units, got {tau!r}.")
    steps_per_unit = 10  # Euler with dt = 0.1 is the usual choice for this benchmark
    dt = 1.0 / steps_per_unit
    lag = int(round(tau * steps_per_unit))
    burn = 300  # time units discarded so the trajectory has settled onto the attractor
    total = (n + burn) * steps_per_unit
    rng = seeded_rng(seed)
    x = np.empty(lag + total + 1)
    x[: lag + 1] = 1.2 + 0.2 * (rng.random(lag + 1) - 0.5)  # seeded history near the usual 1.2
    for t in range(lag, lag + total):
        delayed = x[t - lag]
        x[t + 1] = x[t] + dt * (beta * delayed / (1.0 + delayed**power) - gamma * x[t])
    y = x[lag + 1 :: steps_per_unit][burn : burn + n]
    return _dated(y, "value", "mackey_glass", start, freq)


SYNTHETIC: dict[str, Callable[..., Series]] = {
    "sine": sine,
    "seasonal": seasonal,
    "random_walk": random_walk,
    "ar": ar,
    "square": square,
    "sawtooth": sawtooth,
    "mackey_glass": mackey_glass,
}


def make_synthetic(name: str, **params) -> Series:
    """SYNTHETIC[name](**params), with a DataError for an unknown name or parameter."""
    return call_registry(SYNTHETIC, "synthetic series", name, params)


def call_registry(registry: dict[str, Callable], kind: str, name: str, params: dict):
    """registry[name](**params), checking the name and the parameter names first."""
    if not isinstance(name, str) or name not in registry:
        raise DataError(f"Unknown {kind} {name!r}: choose one of {', '.join(registry)}.")
    accepted = inspect.signature(registry[name]).parameters
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise DataError(
            f"{name} has no parameter {', '.join(map(repr, unknown))}: its parameters are "
            f"{', '.join(accepted)}."
        )
    return registry[name](**params)
