"""One downloadable file per forecasting run: the experiment, the data, the weights, the history.

    save_checkpoint(result, series) -> bytes
    load_checkpoint(data) -> Restored          restored_result(restored) -> ForecastResult

Loading reproduces the same forecast: the series is stored in full, so the windows and the scaler
(fitted on the training rows only) are rebuilt exactly and checked against the saved scaler.

The file is ``torch.save`` of a dict holding only tensors, str, int, float, bool, lists and dicts:

    magic       "rnnlib-forecast-checkpoint"
    version     FORMAT_VERSION
    meta        JSON text: experiment (four specs), series (target, features, frequency, name,
                cleaning, index), scaler, history, stopped, best_epoch
    values      (N, 1 + F) float64, the series' frame, target first
    times       (N,) int64, the DatetimeIndex in `meta.series.index.unit` (empty for a step index)
    state_dict  {name: tensor}, the forecaster's weights

It is read back with ``torch.load(weights_only=True)``, which refuses to build any object beyond
those types, so a tampered file cannot run code; everything else in it is checked before use and
every problem is one CheckpointError line.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from rnnlib.errors import DataError
from rnnlib.forecasting import (
    Experiment,
    ForecastResult,
    Preprocessing,
    build_forecaster,
    evaluate,
    windows_for,
)
from rnnlib.history import EpochRecord
from rnnlib.optim import TrainError
from rnnlib.scaling import Scaler
from rnnlib.series import Series
from rnnlib.spec import SpecError
from rnnlib.windows import Windows

MAGIC = "rnnlib-forecast-checkpoint"
FORMAT_VERSION = 1
MAX_BYTES = 50_000_000  # 50 MB: a 1024-wide 8-layer LSTM is ~135 MB, far past what trains here
KEYS = ("magic", "version", "meta", "values", "times", "state_dict")
_TIME_UNITS = ("s", "ms", "us", "ns")


class CheckpointError(DataError):
    """A file that is not a checkpoint this rnnlib can restore; the one line says why."""


@dataclass
class Restored:
    experiment: Experiment
    series: Series
    model: nn.Module  # build_forecaster(experiment, ...) with the saved weights, eval mode, CPU
    history: list[EpochRecord]  # one per completed epoch, as fit recorded them
    stopped: str  # why training ended
    best_epoch: int  # the epoch whose weights the model holds; 0 = the initial ones
    windows: Windows  # rebuilt from the series; its scaler equals the saved one
    preprocessing: Preprocessing | None = None  # what run chose and why (None in older files)
    requested: Experiment | None = None  # the settings as given, autos included


def restored_result(restored: Restored) -> ForecastResult:
    """The test scores, intervals and future forecast again (ForecastResult.fit is None)."""
    result = evaluate(restored.model, restored.series, restored.experiment, restored.windows)
    result.preprocessing, result.requested = restored.preprocessing, restored.requested
    return result


# --- save ----------------------------------------------------------------------------------------


def save_checkpoint(result: ForecastResult, series: Series) -> bytes:
    """The run `result` trained on `series` as one file's bytes (see the module docstring)."""
    windows = windows_for(series, result.experiment)
    if not _same_scaler(windows.scaler, result.windows.scaler):
        raise CheckpointError(
            "This series is not the one the result was trained on (its training rows scale "
            "differently): pass the same series to save_checkpoint."
        )
    fit = result.fit
    meta = {
        "experiment": result.experiment.to_dict(),
        "series": _series_meta(series),
        "scaler": result.windows.scaler.to_dict(),
        "history": [r.to_dict() for r in fit.history] if fit else [],
        "stopped": fit.stopped if fit else "",
        "best_epoch": fit.best_epoch if fit else 0,
        "preprocessing": result.preprocessing.to_dict() if result.preprocessing else None,
        "requested": result.requested.to_dict() if result.requested else None,
        # The scaler check below misses some edits (a differenced target ignores a shift): the
        # hash of the values catches any.
        "values_sha256": _fingerprint(series.values()),
    }
    index = series.frame.index
    times = index.asi8 if isinstance(index, pd.DatetimeIndex) else np.zeros(0, np.int64)
    payload = {
        "magic": MAGIC,
        "version": FORMAT_VERSION,
        "meta": json.dumps(meta, allow_nan=False),
        "values": torch.from_numpy(series.values()),
        "times": torch.from_numpy(np.asarray(times, dtype=np.int64).copy()),
        # clone: a view would drag its whole storage along; cpu: a GPU-trained model loads anywhere
        "state_dict": {k: v.detach().cpu().clone() for k, v in result.model.state_dict().items()},
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def _series_meta(series: Series) -> dict[str, Any]:
    index = series.frame.index
    if isinstance(index, pd.DatetimeIndex):
        tz = None if index.tz is None else str(index.tz)
        described = {"kind": "time", "unit": index.unit, "tz": tz}
    else:
        described = {"kind": "step", "start": int(index.start), "step": int(index.step)}
    return {
        "target": series.target,
        "features": list(series.features),
        "frequency": series.frequency,
        "cleaning": list(series.cleaning),
        "name": series.name,
        "index": described,
    }


def _fingerprint(values: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(values, dtype=np.float64).tobytes()).hexdigest()


# --- load ----------------------------------------------------------------------------------------


def load_checkpoint(data: bytes) -> Restored:
    """Check and restore a file written by save_checkpoint; CheckpointError if anything is off."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise CheckpointError(f"A checkpoint must be given as bytes, not {type(data).__name__}.")
    if len(data) > MAX_BYTES:
        raise CheckpointError(
            f"The file is {len(data) / 1e6:.3g} MB, over the {MAX_BYTES / 1e6:.0f} MB limit for a "
            "checkpoint: it is not one this app wrote."
        )
    payload = _read(bytes(data))
    meta = _meta(payload)
    experiment = _experiment(meta.get("experiment"))
    series = _series(meta.get("series"), payload["values"], payload["times"])
    if meta.get("values_sha256", _fingerprint(series.values())) != _fingerprint(series.values()):
        raise CheckpointError(
            "The checkpoint's data does not match its fingerprint: the file was altered."
        )
    windows = _windows(series, experiment, meta.get("scaler"))
    model = _model(experiment, series, payload["state_dict"])
    history = _history(meta.get("history"))
    stopped, best_epoch = meta.get("stopped"), meta.get("best_epoch")
    if not isinstance(stopped, str) or not _whole(best_epoch):
        raise CheckpointError(
            "The checkpoint's training summary (stopped, best_epoch) is malformed."
        )
    preprocessing, requested = _choice(meta)
    return Restored(
        experiment, series, model, history, stopped, best_epoch, windows, preprocessing, requested
    )


def _choice(meta: dict[str, Any]) -> tuple[Preprocessing | None, Experiment | None]:
    """What run chose and the settings as asked; absent (None) in files older than preprocessing."""
    pre, requested = meta.get("preprocessing"), meta.get("requested")
    try:
        pre = None if pre is None else Preprocessing.from_dict(pre)
    except (KeyError, TypeError, AttributeError):
        raise CheckpointError("The checkpoint's preprocessing record is malformed.") from None
    return pre, None if requested is None else _experiment(requested)


def _read(data: bytes) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():  # e.g. "pickle protocol 4": noise about a file we refuse
            warnings.simplefilter("ignore")
            payload = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except Exception:  # weights_only refuses any object but tensors and plain containers
        raise CheckpointError(
            "This file is not an rnnlib checkpoint (it could not be read as plain tensors and "
            "settings): upload a file saved from the Train page or with --save."
        ) from None
    if not isinstance(payload, dict) or payload.get("magic") != MAGIC:
        raise CheckpointError(
            "This file is not an rnnlib checkpoint (its header is missing or wrong): upload a "
            "file saved from the Train page or with --save."
        )
    version = payload.get("version")
    if not _whole(version) or version != FORMAT_VERSION:
        newer = (
            " by a newer rnnlib: upgrade rnnlib to read it"
            if _whole(version) and version > FORMAT_VERSION
            else ""
        )
        raise CheckpointError(
            f"This checkpoint has format version {version!r}{newer}; this rnnlib reads version "
            f"{FORMAT_VERSION}."
        )
    missing = [k for k in KEYS if k not in payload]
    if missing:
        raise CheckpointError(f"The checkpoint is incomplete: missing {', '.join(missing)}.")
    return payload


def _meta(payload: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(payload["meta"])
    except (TypeError, ValueError):
        raise CheckpointError("The checkpoint's settings are not valid JSON.") from None
    if not isinstance(meta, dict):
        raise CheckpointError("The checkpoint's settings must be a JSON object.")
    return meta


def _experiment(d: Any) -> Experiment:
    if not isinstance(d, dict):
        raise CheckpointError("The checkpoint has no experiment settings.")
    try:
        return Experiment.from_dict(d)
    except (DataError, SpecError, TrainError) as e:
        raise CheckpointError(f"The checkpoint's experiment settings are invalid: {e}") from None


def _series(d: Any, values: Any, times: Any) -> Series:
    if not isinstance(d, dict) or not isinstance(d.get("index"), dict):
        raise CheckpointError("The checkpoint's series description is missing or malformed.")
    columns = [d.get("target"), *(d.get("features") or [])]
    if not isinstance(d.get("features"), list) or not all(isinstance(c, str) for c in columns):
        raise CheckpointError("The checkpoint's series must name its target and features as text.")
    if not _dense(values, torch.float64) or values.dim() != 2 or values.shape[1] != len(columns):
        raise CheckpointError(
            f"The checkpoint's values must be a float64 table with {len(columns)} column(s), "
            "the target then the features."
        )
    frame = pd.DataFrame(values.numpy().copy(), columns=columns)
    frame.index = _index(d["index"], times, len(frame))
    cleaning, frequency, name = d.get("cleaning"), d.get("frequency"), d.get("name")
    if (
        not isinstance(cleaning, list)
        or not all(isinstance(c, str) for c in cleaning)
        or not (frequency is None or isinstance(frequency, str))
        or not isinstance(name, str)
    ):
        raise CheckpointError(
            "The checkpoint's series details (cleaning, frequency, name) are malformed."
        )
    try:
        return Series(frame, columns[0], tuple(columns[1:]), frequency, tuple(cleaning), name)
    except DataError as e:
        raise CheckpointError(f"The checkpoint's series is invalid: {e}") from None


def _index(d: dict[str, Any], times: Any, n: int) -> pd.Index:
    if d.get("kind") == "step" and _whole(d.get("start")) and _whole(d.get("step")) and d["step"]:
        return pd.RangeIndex(d["start"], d["start"] + n * d["step"], d["step"], name="step")
    if (
        d.get("kind") == "time"
        and d.get("unit") in _TIME_UNITS
        and (d.get("tz") is None or isinstance(d.get("tz"), str))
    ):
        if not _dense(times, torch.int64) or tuple(times.shape) != (n,):
            raise CheckpointError(
                f"The checkpoint's time stamps must be {n} int64 values, one per row."
            )
        try:
            index = pd.DatetimeIndex(times.numpy().astype(f"datetime64[{d['unit']}]"), name="time")
            if d["tz"] is not None:
                index = index.tz_localize("UTC").tz_convert(d["tz"])
        except (
            Exception
        ):  # out-of-range stamps or an unknown zone: pandas and zoneinfo differ in type
            raise CheckpointError(
                "The checkpoint's time stamps or time zone cannot be read."
            ) from None
        return index
    raise CheckpointError("The checkpoint's series index description is malformed.")


def _windows(series: Series, experiment: Experiment, saved: Any) -> Windows:
    try:
        windows = windows_for(series, experiment)
        scaler = Scaler.from_dict(saved)
    except DataError as e:
        raise CheckpointError(
            f"The checkpoint's data and settings do not fit together: {e}"
        ) from None
    if not _same_scaler(windows.scaler, scaler):
        raise CheckpointError(
            "The checkpoint's saved scaler does not match its data: the file was altered."
        )
    return windows


def _same_scaler(a: Scaler, b: Scaler) -> bool:
    return (
        a.kind == b.kind
        and a.center.shape == b.center.shape
        and np.allclose(a.center, b.center, rtol=1e-12, atol=0)
        and np.allclose(a.scale, b.scale, rtol=1e-12, atol=0)
    )


def _model(experiment: Experiment, series: Series, state: Any) -> nn.Module:
    try:
        # A seed keeps the throwaway initialisation from drawing on the caller's random state.
        model = build_forecaster(experiment, series.values().shape[1], seed=experiment.train.seed)
    except (DataError, SpecError) as e:
        raise CheckpointError(f"The checkpoint's model cannot be built: {e}") from None
    expected = model.state_dict()
    if not isinstance(state, dict) or set(state) != set(expected):
        got = set(state) if isinstance(state, dict) else set()
        odd = sorted(map(str, (got - set(expected)) | (set(expected) - got)))
        raise CheckpointError(
            f"The checkpoint's weights do not match its model settings (tensors {', '.join(odd[:3])}"
            f"{' ...' if len(odd) > 3 else ''} differ)."
        )
    for name, tensor in expected.items():
        got = state[name]
        if not _dense(got, tensor.dtype) or got.shape != tensor.shape:
            shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
            raise CheckpointError(
                f"The checkpoint's weight {name} has shape {shape} but the model settings need "
                f"{tuple(tensor.shape)} ({tensor.dtype})."
            )
        if got.is_floating_point() and not torch.isfinite(got).all():
            raise CheckpointError(
                f"The checkpoint's weight {name} contains NaN or infinite values."
            )
    try:
        model.load_state_dict(state)
    except RuntimeError as e:  # checked above; kept so nothing unforeseen escapes as a traceback
        raise CheckpointError(f"The checkpoint's weights cannot be loaded: {e}") from None
    return model.eval()


def _history(rows: Any) -> list[EpochRecord]:
    if not isinstance(rows, list):
        raise CheckpointError("The checkpoint's loss history is malformed.")
    try:
        return [EpochRecord.from_dict(row) for row in rows]
    except DataError:
        raise CheckpointError("The checkpoint's loss history is malformed.") from None


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _dense(v: Any, dtype: torch.dtype) -> bool:
    """A plain (strided, not sparse) tensor of `dtype`."""
    return isinstance(v, torch.Tensor) and v.layout == torch.strided and v.dtype == dtype


def _number(v: Any) -> bool:
    """A JSON number, or null for one that was not finite."""
    return v is None or (isinstance(v, int | float) and not isinstance(v, bool))
