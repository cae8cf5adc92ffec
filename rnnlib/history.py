"""The loss history: one EpochRecord per finished epoch, the one shape that fit writes, live views,
races, run logs, checkpoints and every loss figure read.

A number that is not recorded (a live report has no epoch-mean gradient norm; a run log kept
before lr was recorded has no lr) or not finite (a diverged loss) is None, never NaN, so two
records are equal exactly when their JSON is, and a record survives a trip through JSON.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from rnnlib.errors import DataError

REQUIRED = ("epoch", "train_loss", "val_loss")


@dataclass(frozen=True)
class EpochRecord:
    epoch: int  # 1-based
    train_loss: float | None  # sample-weighted mean over the epoch (weights changing as it goes)
    val_loss: float | None  # after the epoch, eval mode; None without a validation set
    lr: float | None = None  # learning rate used during the epoch (before the schedule stepped)
    grad_norm: float | None = None  # mean pre-clip global gradient norm over the epoch's batches
    elapsed_s: float | None = None  # since fit started, validation included

    def __post_init__(self) -> None:
        for f in fields(self)[1:]:
            value = getattr(self, f.name)
            if value is not None:
                value = float(value)
                object.__setattr__(self, f.name, value if math.isfinite(value) else None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values: {"epoch", "train_loss", "val_loss", "lr", "grad_norm", "elapsed_s"}."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Any) -> EpochRecord:
        """A record from to_dict's JSON (lr, grad_norm and elapsed_s may be missing); DataError if
        it is not one."""
        names = {f.name for f in fields(cls)}
        if not isinstance(d, dict) or not set(REQUIRED) <= d.keys() or not d.keys() <= names:
            raise DataError(
                "An epoch record must be an object with epoch, train_loss and val_loss."
            )
        epoch = d["epoch"]
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
            raise DataError(f"An epoch record's epoch must be a whole number, not {epoch!r}.")
        for name in names - {"epoch"}:
            value = d.get(name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise DataError(
                    f"An epoch record's {name} must be a number or null, not {value!r}."
                )
        return cls(**d)
