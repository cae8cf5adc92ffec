"""Cleaning a numeric frame the way the cleaning report describes: each step appends a sentence.

Every function takes the frame and a list of notes, returns the new frame, and appends to `notes`
one sentence per change, so a person can see exactly what was done to their data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MISSING_POLICIES = ("interpolate", "ffill", "drop")


def plural(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def drop_infinite(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """(N, C) floats with every ±inf turned into NaN, to be filled like any other gap."""
    frame = frame.copy()
    for column in frame.columns:
        infinite = int(np.isinf(frame[column]).sum())
        if infinite:
            frame[column] = frame[column].replace([np.inf, -np.inf], np.nan)
            notes.append(f"Treated {plural(infinite, 'infinite value')} in {column!r} as missing.")
    return frame


def sort_and_average(frame: pd.DataFrame, date: str, notes: list[str]) -> pd.DataFrame:
    """frame on a DatetimeIndex -> sorted, one row per timestamp (repeats averaged)."""
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
        notes.append(f"Sorted the rows by {date!r}: they were not in time order.")
    repeated = frame.index.duplicated(keep=False)
    if repeated.any():
        stamps = frame.index[repeated].nunique()
        frame = frame.groupby(level=0).mean()
        notes.append(
            f"Averaged {plural(int(repeated.sum()), 'row')} with a repeated timestamp into "
            f"{plural(stamps, 'row')}, one per timestamp."
        )
    return frame


def fill_missing(frame: pd.DataFrame, policy: str, notes: list[str]) -> pd.DataFrame:
    """Gaps filled per `policy`; rows still missing a value (nothing to fill from) are dropped."""
    counts = frame.isna().sum()
    if not counts.any():
        return frame
    if policy == "drop":
        keep = frame.notna().all(axis=1)
        detail = ", ".join(f"{int(n)} in {c!r}" for c, n in counts.items() if n)
        notes.append(f"Dropped {plural(int((~keep).sum()), 'row')} with missing values ({detail}).")
        return frame[keep]
    if policy == "interpolate":
        # "time" weighs gaps by elapsed time, which is plain linear interpolation on a regular index.
        method = "time" if isinstance(frame.index, pd.DatetimeIndex) else "linear"
        filled = frame.interpolate(method=method, limit_area="inside")
        how = "by linear interpolation"
    else:
        filled = frame.ffill()
        how = "with the previous value"
    for column, n in counts.items():
        done = int(n - filled[column].isna().sum())
        if done:
            notes.append(f"Filled {plural(done, 'missing value')} in {column!r} {how}.")
    keep = filled.notna().all(axis=1)
    if not keep.all():
        where = "at the start or end" if policy == "interpolate" else "at the start"
        notes.append(
            f"Dropped {plural(int((~keep).sum()), 'row')} {where} whose missing values had no "
            "neighbour to fill from."
        )
    return filled[keep]
