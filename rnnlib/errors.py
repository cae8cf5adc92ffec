"""The typed errors rnnlib raises at its boundaries, each carrying a message a person can act on,
and the few checks that several boundaries share.

Every error is an ``RnnlibError``, so a page or the CLI catches that one class; the subclasses say
where it came from for a caller that needs to tell them apart:

    RnnlibError (a ValueError, so older ``except ValueError`` keeps working)
    ├── DataError        the data: a CSV upload, a dataset name, a generator setting
    │   └── CheckpointError (checkpoint.py)
    ├── SpecError        a model spec that cannot be built (spec.py)
    ├── TrainError       training settings (optim.py)
    │   └── JobTooLarge, ServerBusy (limits.py)
    ├── BudgetError      a parameter budget no hidden size meets (budget.py)
    ├── InsideError      a window, step or unit the Inside views cannot show (labs/inside.py)
    └── DeviceError      a device this machine lacks (device.py)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Collection
from typing import Any


class RnnlibError(ValueError):
    """A mistake a person can fix. The message is one line: what is wrong, then what to do."""

    def __init__(self, message: str) -> None:
        # A page shows the message verbatim, so a stray newline from a wrapped library error
        # must not break it into a traceback-looking block.
        super().__init__(" ".join(str(message).split()))


class DataError(RnnlibError):
    """Anything wrong with the data handed to rnnlib: a CSV upload, a dataset name, a generator setting."""


# --- checks shared by the boundaries; `error` is the class the caller raises --------------------


def check_whole(
    name: str,
    value: Any,
    low: int,
    high: int | None = None,
    *,
    error: type[RnnlibError] = RnnlibError,
) -> int:
    """``value`` as an int if it is a whole number in [low, high] (no upper bound if high is None).

    Python and numpy integers count; a bool does not (True epochs is a bug, not a 1), nor does 3.0.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f">= {low}" if high is None else f"from {low} to {high}"
        raise error(f"{name} must be a whole number {bounds}, got {value!r}.")
    return int(value)


def check_real(
    name: str,
    value: Any,
    what: str,
    ok: Callable[[float], bool],
    *,
    error: type[RnnlibError] = RnnlibError,
) -> float:
    """``value`` as a float if it is a real number (not a bool) for which ``ok`` holds.

    ``what`` completes "{name} must be ...", e.g. "a number in (0, 0.5)". NaN fails every
    comparison, so an ``ok`` written as comparisons refuses it without saying so.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not ok(value):
        raise error(f"{name} must be {what}, got {value!r}.")
    return float(value)


def check_choice(
    name: str, value: Any, choices: Collection[str], *, error: type[RnnlibError] = RnnlibError
) -> str:
    """``value`` if it is one of ``choices``, else ``error`` listing them in their order."""
    if not isinstance(value, str) or value not in choices:
        raise error(f"{name} must be one of {', '.join(choices)}; got {value!r}.")
    return value
