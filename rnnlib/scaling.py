"""Per-column affine scaling, fitted on the training part only and saved as plain JSON.

Every kind is the same map, x_scaled = (x - center) / scale, so one transform and one inverse
serve all of them; only `fit` differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnlib.errors import DataError

SCALINGS = ("standard", "minmax", "none")

# A column whose spread is below this (relative to its level) is treated as constant: float
# rounding gives a constant column a std of ~1e-17 rather than 0, and dividing by that would
# blow its values up to ~1e16 instead of leaving them near 0.
_CONSTANT_RTOL = 1e-12


# eq=False: the fields are arrays, and dataclass equality on arrays is ambiguous.
@dataclass(frozen=True, eq=False)
class Scaler:
    """x_scaled = (x - center) / scale, column by column.

    kind:   "standard" (center = mean, scale = std), "minmax" (center = min, scale = max - min,
            so training values land in [0, 1]) or "none" (center 0, scale 1).
    center: (F,) float64.
    scale:  (F,) float64, strictly positive.
    Column 0 is the target; `inverse_target` undoes column 0 only.
    """

    kind: str
    center: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray, kind: str = "standard") -> Scaler:
        """Fit on `values` (N, F) or (N,) -- pass the training rows only, never later ones."""
        if kind not in SCALINGS:
            raise DataError(f"Unknown scaling {kind!r}: choose one of {', '.join(SCALINGS)}.")
        x = check_values(values, "values to fit the scaler on")
        if x.shape[0] == 0:
            raise DataError("Cannot fit a scaler on 0 rows: give it at least one training row.")
        if kind == "standard":
            center, spread = x.mean(axis=0), x.std(axis=0)
        elif kind == "minmax":
            center, spread = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
        else:
            center, spread = np.zeros(x.shape[1]), np.ones(x.shape[1])
        # A constant column carries nothing to rescale; scale 1 maps it to 0 (x - center = 0)
        # instead of dividing by zero and filling the windows with inf/nan.
        constant = spread <= _CONSTANT_RTOL * np.maximum(1.0, np.abs(center))
        scale = np.where(constant, 1.0, spread)
        return cls(kind=kind, center=center.astype(np.float64), scale=scale.astype(np.float64))

    @property
    def n_features(self) -> int:
        return int(self.center.shape[0])

    def transform(self, values: np.ndarray) -> np.ndarray:
        """(..., F) original units -> (..., F) scaled, float64."""
        x = self._check_last_dim(values)
        # x_scaled = (x - center) / scale
        return (x - self.center) / self.scale

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        """(..., F) scaled -> (..., F) original units, float64."""
        x = self._check_last_dim(values)
        # x = x_scaled * scale + center
        return x * self.scale + self.center

    def inverse_target(self, y: np.ndarray) -> np.ndarray:
        """Any shape of scaled target (column 0) values -> the same shape in original units."""
        # y = y_scaled * scale_0 + center_0
        return np.asarray(y, dtype=np.float64) * self.scale[0] + self.center[0]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form; float64 -> Python float is exact, so the round trip is lossless."""
        return {"kind": self.kind, "center": self.center.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, d: Any) -> Scaler:
        """Inverse of `to_dict`; raises DataError naming the first thing wrong with `d`."""
        if not isinstance(d, dict) or not {"kind", "center", "scale"} <= d.keys():
            raise DataError(
                "A saved scaler must be a dict with keys 'kind', 'center' and 'scale': "
                "re-save it with Scaler.to_dict()."
            )
        if d["kind"] not in SCALINGS:
            raise DataError(
                f"Saved scaler has unknown kind {d['kind']!r}: expected one of {', '.join(SCALINGS)}."
            )
        center = _number_list(d["center"], "center")
        scale = _number_list(d["scale"], "scale")
        if center.shape != scale.shape:
            raise DataError(
                f"Saved scaler has {center.size} centers but {scale.size} scales: "
                "they must have one entry per feature."
            )
        if np.any(scale <= 0):
            raise DataError("Saved scaler has a scale <= 0: every scale must be positive.")
        return cls(kind=d["kind"], center=center, scale=scale)

    def _check_last_dim(self, values: np.ndarray) -> np.ndarray:
        x = np.asarray(values, dtype=np.float64)
        if x.ndim == 0 or x.shape[-1] != self.n_features:
            raise DataError(
                f"The scaler was fitted on {self.n_features} features but got an array of shape "
                f"{x.shape}: pass the same columns, in the same order, as at fit time."
            )
        return x


def check_values(values: np.ndarray, what: str) -> np.ndarray:
    """(N, F) or (N,) finite numbers -> (N, F) float64, else DataError naming `what`."""
    x = np.asarray(values, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] == 0:
        raise DataError(f"The {what} must be a (rows, features) array, got shape {x.shape}.")
    if not np.all(np.isfinite(x)):
        row = int(np.argwhere(~np.isfinite(x))[0, 0])
        raise DataError(
            f"The {what} contain NaN or inf (first at row {row}): fill or drop them first."
        )
    return x


def _number_list(v: Any, name: str) -> np.ndarray:
    # Strict on element types: numpy would happily turn ["1.5"] or [True] into floats.
    ok = (
        isinstance(v, list | tuple)
        and len(v) > 0
        and all(isinstance(e, int | float) and not isinstance(e, bool) for e in v)
    )
    arr = np.asarray(v, dtype=np.float64) if ok else None
    if arr is None or not np.all(np.isfinite(arr)):
        raise DataError(
            f"Saved scaler field {name!r} must be a non-empty list of finite numbers, got {v!r}."
        )
    return arr
