"""Cut a multivariate series into (inputs, targets) windows, split by time, scaled without leakage.

The series is split chronologically into train | val | test at `split_boundaries`. A window with
origin o has inputs at rows o-lookback .. o-1 and targets at rows o .. o+horizon-1 (column 0).
It belongs to the part holding ALL of its targets; windows whose targets straddle a boundary are
dropped, so no target is ever seen by an earlier part. Inputs may reach back into earlier parts:
that past is known history at forecast time, not leakage. The scaler sees values[:n_train] only.

The target goes through `preprocess`: a transform of the whole series (log, differences), then a
normalisation by the window's own inputs or by the global scaler. Extra feature columns always
use the global scaler. The first window's inputs start after the rows a difference loses.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from rnnlib.errors import DataError
from rnnlib.preprocess import (
    AUTO,
    NORMALIZATIONS,
    TRANSFORMS,
    TargetTransform,
    spread_floor,
    window_profile,
    window_stats,
)
from rnnlib.scaling import SCALINGS, Scaler, check_values


@dataclass(frozen=True)
class WindowSpec:
    lookback: int = 0  # input steps per window; 0 = from the data (two seasons, see defaults.py)
    horizon: int = 1  # target steps per window: one-step-ahead is the easiest first task
    stride: int = 1  # steps between consecutive window origins: 1 uses every window
    val_fraction: float = 0.15  # share of rows for early stopping / model choice
    test_fraction: float = 0.15  # share of rows held back for the final, untouched score
    scaling: str = "standard"  # global scaler: "standard" | "minmax" | "none" (features too)
    normalize: str = "auto"  # target: "global" | "window" | "robust" | "last" | "auto"
    transform: str = "auto"  # target: "none" | "log" | "diff" | "sdiff" | "auto"

    def __post_init__(self) -> None:
        for name, low in (("lookback", 0), ("horizon", 1), ("stride", 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
                hint = " (0 = from the data)" if low == 0 else ""
                raise DataError(f"{name} must be a whole number >= {low}{hint}, got {v!r}.")
        for name in ("val_fraction", "test_fraction"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v < 0.5:
                raise DataError(f"{name} must be a number in [0, 0.5), got {v!r}.")
        if self.val_fraction + self.test_fraction >= 0.8:
            raise DataError(
                f"val_fraction + test_fraction is {self.val_fraction + self.test_fraction:g}: "
                "keep it below 0.8 so the model has data to train on."
            )
        if self.scaling not in SCALINGS:
            raise DataError(
                f"Unknown scaling {self.scaling!r}: choose one of {', '.join(SCALINGS)}."
            )
        for name, choices in (("normalize", NORMALIZATIONS), ("transform", TRANSFORMS)):
            if getattr(self, name) not in (AUTO, *choices):
                raise DataError(
                    f"Unknown {name} {getattr(self, name)!r}: choose one of "
                    f"{', '.join((AUTO, *choices))}."
                )

    @property
    def resolved(self) -> bool:
        """True when nothing is left to choose from the data (lookback, normalize, transform)."""
        return self.lookback > 0 and AUTO not in (self.normalize, self.transform)

    def replace(self, **changes) -> WindowSpec:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


# eq=False on the array holders: dataclass equality on arrays is ambiguous.
@dataclass(frozen=True, eq=False)
class Split:
    """One part's windows, as the model sees them.

    X:      (n, lookback, F) float32 inputs: the normalised target, then the scaled features.
    y:      (n, horizon) float32 normalised targets (column 0).
    origin: (n,) int64, row in `values` of each window's first target step.
    center, scale: (n,) float64, the target normalisation of each window;
    offset: (n, lookback + horizon) float64, the window's profile on its input steps, then on its
            target steps (0 but for "season"): transformed = normalised * scale + center + offset.
    """

    X: np.ndarray
    y: np.ndarray
    origin: np.ndarray
    center: np.ndarray
    scale: np.ndarray
    offset: np.ndarray

    def __len__(self) -> int:
        return int(self.origin.shape[0])

    @property
    def target_offset(self) -> np.ndarray:
        """(n, horizon): the profile on the target steps."""
        return self.offset[:, self.X.shape[1] :]

    def target_inputs(self) -> np.ndarray:
        """(n, lookback) float64: the target channel of the inputs back in transformed units."""
        L = self.X.shape[1]
        return self.X[:, :, 0] * self.scale[:, None] + self.center[:, None] + self.offset[:, :L]


@dataclass(frozen=True, eq=False)
class Windows:
    """train / val / test windows plus what is needed to cut new ones and undo the preprocessing."""

    train: Split
    val: Split
    test: Split
    scaler: Scaler  # fitted on the (transformed) rows before boundaries[0] only
    boundaries: tuple[int, int]  # (n_train, n_train + n_val): rows where val and test begin
    spec: WindowSpec
    transform: TargetTransform = TargetTransform()
    floor: float = 1e-9  # smallest window scale (preprocess.spread_floor of the training part)

    def target_stats(self, z_inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Transformed target inputs (n, L) -> center (n,), scale (n,) under this normalisation."""
        return window_stats(
            z_inputs, self.spec.normalize, self.floor, self.scaler.center[0], self.scaler.scale[0]
        )

    def target_profile(self, z_inputs: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        """Transformed target inputs (n, L) -> the profile on them (n, L) and on the next `horizon`
        steps (n, horizon), about the center (zeros unless the normalisation is "season")."""
        return window_profile(z_inputs, self.spec.normalize, self.transform.period, horizon)

    def transformed(self, values: np.ndarray) -> np.ndarray:
        """(N, F) original values -> (N, F): transformed target (NaN in the first `lag` rows)
        followed by the globally scaled features."""
        x = check_values(values, "series values")
        target = self.transform.forward(x[:, 0])
        z = self.scaler.transform(_with_target(x, target))  # scales the features
        z[:, 0] = target  # the target is normalised per window, in _cut
        return z

    def inputs(self, values: np.ndarray, origin: np.ndarray) -> Split:
        """Windows at any origins of `values` (N, F), e.g. the future's origin N; y is empty."""
        return _cut(
            self.transformed(values), np.asarray(origin, dtype=np.int64), self, targets=False
        )


def split_boundaries(n: int, spec: WindowSpec) -> tuple[int, int]:
    """Rows where the val and test parts begin, for a series of n rows.

    Rounded, not floored, so 100 rows at 0.15 / 0.15 give exactly 70 / 15 / 15.
    """
    # n_train = round(n * (1 - val - test)), val_end = round(n * (1 - test))
    n_train = int(round(n * (1.0 - spec.val_fraction - spec.test_fraction)))
    val_end = int(round(n * (1.0 - spec.test_fraction)))
    return n_train, val_end


def input_index(origin: np.ndarray, lookback: int) -> np.ndarray:
    """(n,) origins -> (n, lookback) rows of each window's inputs: o-lookback .. o-1."""
    return np.asarray(origin, dtype=np.int64)[:, None] + np.arange(-lookback, 0)


def target_index(origin: np.ndarray, horizon: int) -> np.ndarray:
    """(n,) origins -> (n, horizon) rows of each window's targets: o .. o+horizon-1."""
    return np.asarray(origin, dtype=np.int64)[:, None] + np.arange(horizon)


def make_windows(values: np.ndarray, spec: WindowSpec, period: int = 1) -> Windows:
    """values (N, F) float, target in column 0 (a 1-D series counts as F=1) -> Windows.

    `spec` must be resolved (no "auto", lookback >= 1: see defaults.plan); `period` is the
    season that a seasonal difference subtracts. Raises DataError when a part with a non-zero
    fraction cannot hold a single window. A fraction of 0 gives that part no windows.
    """
    if not spec.resolved:
        raise DataError(
            "These window settings still say 'auto' or lookback 0: choose them from the data "
            "first (rnnlib.defaults.plan, which forecasting.run calls for you)."
        )
    x = check_values(values, "series values")
    return _make(x, spec, period, *split_boundaries(x.shape[0], spec))


def fold_windows(values: np.ndarray, spec: WindowSpec, period: int, fold: int) -> Windows:
    """Cross-validation fold `fold` of a resolved spec: fold 0 is make_windows' own split; fold f
    moves the validation part f validation lengths back (rolling origin). Its training part is
    every row before that, its scaler and window floor see those rows only, and no row after its
    validation part is read: not the later folds', not the test part's. It has no test part.
    """
    x = check_values(values, "series values")
    n_train, val_end = split_boundaries(x.shape[0], spec)
    cut = n_train - fold * (val_end - n_train)
    end = cut + val_end - n_train
    return _make(x[:end], spec.replace(test_fraction=0.0), period, cut, end)


def _make(x: np.ndarray, spec: WindowSpec, period: int, n_train: int, val_end: int) -> Windows:
    """make_windows with the part boundaries given: rows [0, n_train) train, then validation up to
    val_end, then test."""
    n = x.shape[0]
    transform = TargetTransform(spec.transform, period)
    _check_room(n_train, val_end, n, spec, transform.lag)

    z_target = transform.forward(x[:, 0])
    # Fitted on the training rows a transform leaves defined: rows lag .. n_train-1 only.
    scaler = Scaler.fit(_with_target(x, z_target)[transform.lag : n_train], spec.scaling)
    floor = spread_floor(z_target[transform.lag : n_train])
    # The preprocessing first, with no windows yet: cutting them uses its own methods.
    none = _cut(np.zeros((0, x.shape[1])), np.zeros(0, np.int64), None, spec)
    win = Windows(none, none, none, scaler, (n_train, val_end), spec, transform, floor)
    z = win.transformed(x)
    # The first train origin leaves room for the inputs and the rows the transform loses; the
    # later parts start at their own first row, since their inputs may look back into earlier parts.
    parts = [(transform.lag + spec.lookback, n_train), (n_train, val_end), (val_end, n)]
    train, val, test = (_cut(z, _origins(start, end, spec), win) for start, end in parts)
    return dataclasses.replace(win, train=train, val=val, test=test)


def last_window(values: np.ndarray, windows: Windows) -> Split:
    """The window ending at the last row (its would-be origin is N): a model fed it forecasts the future."""
    x = check_values(values, "series values")
    lookback, lag = windows.spec.lookback, windows.transform.lag
    if x.shape[0] < lookback + lag:
        lost = f" plus {lag} row(s) for the transform" if lag else ""
        raise DataError(
            f"The series has {x.shape[0]} rows but a window needs lookback {lookback}{lost}: "
            "use a shorter lookback or a longer series."
        )
    return windows.inputs(x, np.array([x.shape[0]]))


def _with_target(x: np.ndarray, target: np.ndarray) -> np.ndarray:
    out = x.copy()
    out[:, 0] = target
    return out


def _origins(start: int, end: int, spec: WindowSpec) -> np.ndarray:
    """Origins start, start+stride, ... of windows whose targets all lie in rows [start, end)."""
    # last origin o must satisfy o + horizon <= end
    return np.arange(start, end - spec.horizon + 1, spec.stride, dtype=np.int64)


def _cut(
    z: np.ndarray,
    origin: np.ndarray,
    win: Windows | None,
    spec: WindowSpec | None = None,
    targets: bool = True,
) -> Split:
    """Windows at `origin` from z (N, F): transformed target in column 0, scaled features after.

    win None (only with no origins): an empty Split shaped by `spec`.
    """
    spec = win.spec if win is not None else spec
    L, H, F = spec.lookback, spec.horizon, z.shape[1]
    X = z[input_index(origin, L)].reshape(-1, L, F)
    if win is None:
        center = scale = np.zeros(0)
        p_in, p_out = np.zeros((0, L)), np.zeros((0, H))
    else:
        center, scale = win.target_stats(X[:, :, 0])
        p_in, p_out = win.target_profile(X[:, :, 0], H)
    # x̃ = (z - c_w - p_w) / s_w on the target channel; the features keep the global scaler.
    X[:, :, 0] = (X[:, :, 0] - center[:, None] - p_in) / scale[:, None]
    if targets:
        y = (z[target_index(origin, H), 0] - center[:, None] - p_out) / scale[:, None]
    else:
        y = np.zeros((len(origin), 0))
    return Split(
        X=X.astype(np.float32), y=y.astype(np.float32).reshape(len(origin), H if targets else 0),
        origin=origin, center=center, scale=scale, offset=np.concatenate([p_in, p_out], axis=1),
    )  # fmt: skip


def _check_room(n_train: int, val_end: int, n: int, spec: WindowSpec, lag: int = 0) -> None:
    """DataError if any part that should have windows cannot hold one."""
    L, H = spec.lookback, spec.horizon
    if n_train < L + H + lag:
        lost = f" + {lag} rows the transform needs" if lag else ""
        raise DataError(
            f"The training part has only {n_train} rows (of {n}) but a window needs "
            f"lookback {L} + horizon {H}{lost} = {L + H + lag}: use a shorter lookback or "
            "horizon, smaller validation/test fractions or a longer series."
        )
    # val and test windows may take inputs from earlier parts, so only their targets need room.
    for name, fraction, rows in (
        ("validation", spec.val_fraction, val_end - n_train),
        ("test", spec.test_fraction, n - val_end),
    ):
        if fraction > 0 and rows < H:
            raise DataError(
                f"The {name} part has only {rows} rows (of {n}) but a window needs horizon {H} "
                f"target rows inside it: use a shorter horizon, a larger {name} fraction "
                "or a longer series."
            )
