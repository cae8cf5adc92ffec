"""Cut a multivariate series into (inputs, targets) windows, split by time, scaled without leakage.

The series is split chronologically into train | val | test at `split_boundaries`. A window with
origin o has inputs at rows o-lookback .. o-1 and targets at rows o .. o+horizon-1 (column 0).
It belongs to the part holding ALL of its targets; windows whose targets straddle a boundary are
dropped, so no target is ever seen by an earlier part. Inputs may reach back into earlier parts:
that past is known history at forecast time, not leakage. The scaler sees values[:n_train] only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib.errors import DataError
from rnnlib.scaling import SCALINGS, Scaler, check_values


@dataclass(frozen=True)
class WindowSpec:
    lookback: int = 24  # input steps per window: a day of hourly data
    horizon: int = 1  # target steps per window: one-step-ahead is the easiest first task
    stride: int = 1  # steps between consecutive window origins: 1 uses every window
    val_fraction: float = 0.15  # share of rows for early stopping / model choice
    test_fraction: float = 0.15  # share of rows held back for the final, untouched score
    scaling: str = "standard"  # "standard" | "minmax" | "none"

    def __post_init__(self) -> None:
        for name in ("lookback", "horizon", "stride"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
                raise DataError(f"{name} must be a whole number >= 1, got {v!r}.")
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


# eq=False on the array holders: dataclass equality on arrays is ambiguous.
@dataclass(frozen=True, eq=False)
class Split:
    """One part's windows, scaled.

    X:      (n, lookback, F) float32 scaled inputs.
    y:      (n, horizon) float32 scaled target (column 0).
    origin: (n,) int64, row in `values` of each window's first target step.
    """

    X: np.ndarray
    y: np.ndarray
    origin: np.ndarray

    def __len__(self) -> int:
        return int(self.origin.shape[0])


@dataclass(frozen=True, eq=False)
class Windows:
    """train / val / test windows plus what is needed to undo the scaling."""

    train: Split
    val: Split
    test: Split
    scaler: Scaler  # fitted on values[:boundaries[0]] only
    boundaries: tuple[int, int]  # (n_train, n_train + n_val): rows where val and test begin
    spec: WindowSpec


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


def make_windows(values: np.ndarray, spec: WindowSpec) -> Windows:
    """values (N, F) float, target in column 0 (a 1-D series counts as F=1) -> Windows.

    Raises DataError when a part with a non-zero fraction cannot hold a single window.
    A fraction of 0 gives that part no windows (shapes (0, lookback, F) and (0, horizon)).
    """
    x = check_values(values, "series values")
    n = x.shape[0]
    n_train, val_end = split_boundaries(n, spec)
    _check_room(n_train, val_end, n, spec)

    scaler = Scaler.fit(x[:n_train], spec.scaling)
    scaled = scaler.transform(x)
    # The first train origin is `lookback` so its inputs start at row 0; the later parts start
    # at their own first row, since their inputs may look back into the earlier parts.
    parts = [(spec.lookback, n_train), (n_train, val_end), (val_end, n)]
    train, val, test = (_split(scaled, start, end, spec) for start, end in parts)
    return Windows(train, val, test, scaler, (n_train, val_end), spec)


def last_window(values: np.ndarray, spec: WindowSpec, scaler: Scaler) -> np.ndarray:
    """(N, F) values -> (1, lookback, F) float32: the scaled window ending at the last row.

    Its would-be origin is N, one step past the data, so a model fed it forecasts the future.
    """
    x = check_values(values, "series values")
    if x.shape[0] < spec.lookback:
        raise DataError(
            f"The series has {x.shape[0]} rows but a window needs lookback {spec.lookback}: "
            "use a shorter lookback or a longer series."
        )
    return scaler.transform(x[-spec.lookback :])[None].astype(np.float32)


def _split(scaled: np.ndarray, start: int, end: int, spec: WindowSpec) -> Split:
    """Windows whose targets all lie in rows [start, end), origins start, start+stride, ..."""
    # last origin o must satisfy o + horizon <= end
    origin = np.arange(start, end - spec.horizon + 1, spec.stride, dtype=np.int64)
    X = scaled[input_index(origin, spec.lookback)]
    y = scaled[target_index(origin, spec.horizon), 0]
    F = scaled.shape[1]
    return Split(
        X=X.astype(np.float32).reshape(-1, spec.lookback, F),
        y=y.astype(np.float32).reshape(-1, spec.horizon),
        origin=origin,
    )


def _check_room(n_train: int, val_end: int, n: int, spec: WindowSpec) -> None:
    """DataError if any part that should have windows cannot hold one."""
    L, H = spec.lookback, spec.horizon
    if n_train < L + H:
        raise DataError(
            f"The training part has only {n_train} rows (of {n}) but a window needs "
            f"lookback {L} + horizon {H} = {L + H}: use a shorter lookback or horizon, "
            "smaller validation/test fractions or a longer series."
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
