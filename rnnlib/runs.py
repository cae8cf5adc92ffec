"""One run, kept: what was trained on what, how it scored and how its loss went, as plain JSON.

A RunRecord is what the Runs page lists and compares and what a run log file holds, one per line
(``runlog.py``). It keeps no weights (the log keeps a few checkpoints beside the records) and no
objects: settings are ``Experiment.to_dict()``, so fields added to the specs flow through, and
every number that is not finite is stored as null. ``RunRecord.from_dict(r.to_dict()) == r``.

    record_from_result(result, series, origin)  -> RunRecord       a forecasting run, summarised
    describe_differences(a, b)                  -> ["lookback 24 → 48", "cell lstm → gru", ...]
    differences_table(records, labels)          -> one row per setting that differs
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from rnnlib.errors import DataError
from rnnlib.history import EpochRecord

ORIGINS = ("train", "race", "cli", "checkpoint")
SOURCE_KINDS = ("synthetic", "sample", "csv")
# Test forecasts kept for the overlay: the one-step-ahead points, the last ones when there are more.
MAX_FORECAST_POINTS = 500
MAX_EPOCHS_KEPT = 10_000  # TrainSpec's own epoch limit
MAX_TEXT = 1_000  # characters of any one piece of text in a record
SECTIONS = ("model", "windows", "forecast", "train")  # Experiment.to_dict()'s parts, shown in order
_HEX = re.compile(r"[0-9a-f]+")


class RunRecordError(DataError):
    """A run record (or a line of a run log) that is not what this rnnlib writes; one line says why."""


@dataclass(frozen=True)
class DataInfo:
    """Which data a run saw: enough to tell two runs' data apart and, when known, to make it again."""

    name: str  # the series' name: a generator, a bundled sample or the CSV's file name
    rows: int
    sha256: str  # of the (N, 1 + F) float64 values, target first: equal hashes, equal data
    target: str
    features: tuple[str, ...] = ()
    frequency: str | None = None
    # How to make it again: {"kind": "synthetic", "generator", "params": {...}} | {"kind":
    # "sample", "name"} | {"kind": "csv", "file"}; None when unknown (e.g. a restored checkpoint).
    source: dict | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "source", _jsonable(self.source))

    @property
    def label(self) -> str:
        return f"{self.name} ({self.rows:,} rows)"


@dataclass(frozen=True)
class RunRecord:
    """One run: settings, data, scores beside the baselines, loss history, why it ended."""

    id: str  # random hex, unique within a log
    time: str  # when it finished, ISO 8601 in UTC ("2026-01-31T14:03:12Z")
    origin: str  # "train" | "race" | "cli" | "checkpoint"
    settings: dict  # Experiment.to_dict() of the settings that made the forecast
    data: DataInfo
    metrics: dict  # {"model": {"mae", ..., "mase"}, "naive": {...}, ...}; null = not finite
    history: tuple[EpochRecord, ...]  # one per finished epoch
    seconds: float  # training time (the last epoch's elapsed_s when that is all there is)
    stopped: str  # why training ended, for a person
    # what the run chose for the target (normalisation, transform)
    preprocessing: dict | None = None
    # The settings as asked for when some were left to the data ("auto"): what Open in Train sets.
    requested: dict | None = None
    # Test forecasts one step ahead: {"time": [...], "actual": [...], "model": [...]} (capped).
    forecast: dict | None = None

    def __post_init__(self) -> None:
        # Plain JSON values throughout, so that a record equals itself after a trip through JSON.
        for name in ("settings", "metrics", "preprocessing", "requested", "forecast"):
            object.__setattr__(self, name, _jsonable(getattr(self, name)))
        object.__setattr__(self, "history", tuple(self.history))
        object.__setattr__(self, "seconds", _finite(self.seconds) or 0.0)

    # --- derived, for tables and figures ---------------------------------------------------------

    @property
    def mase(self) -> float:
        """The model's test MASE (NaN when unknown)."""
        value = self.metrics.get("model", {}).get("mase")
        return math.nan if value is None else float(value)

    def best_baseline(self, key: str = "mase") -> tuple[str, float] | None:
        """(name, score) of the baseline with the lowest `key`, or None without any."""
        scores = {
            name: m[key]
            for name, m in self.metrics.items()
            if name != "model" and isinstance(m, dict) and m.get(key) is not None
        }
        if not scores:
            return None
        name = min(scores, key=scores.get)
        return name, float(scores[name])

    def setting(self, section: str, name: str, default: Any = None) -> Any:
        return self.settings.get(section, {}).get(name, default)

    @property
    def preprocessing_text(self) -> str:
        """The normalisation and transform chosen ("window · sdiff"), "" when not recorded."""
        # A stopped run has no preprocessing summary, but its settings say what it used.
        p = self.preprocessing or self.settings.get("windows", {})
        parts = [str(p[k]) for k in ("normalize", "transform") if p.get(k) is not None]
        return " · ".join(parts) or str(p.get("text", ""))

    # --- JSON --------------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["history"] = list(d["history"])
        d["data"]["features"] = list(self.data.features)
        return d

    @classmethod
    def from_dict(cls, d: Any) -> RunRecord:
        """Check every field of a plain dict (as json.loads gives it); RunRecordError if any is off."""
        return _record(d)


# --- making records -----------------------------------------------------------------------------


def fingerprint(series, source: Mapping | None = None) -> DataInfo:
    """DataInfo of a Series: its name, rows and the SHA-256 of its values."""
    values = np.ascontiguousarray(series.values(), dtype=np.float64)
    return DataInfo(
        name=str(series.name),
        rows=len(series),
        sha256=hashlib.sha256(values.tobytes()).hexdigest(),
        target=str(series.target),
        features=tuple(series.features),
        frequency=series.frequency,
        source=dict(source) if source is not None else None,
    )


def record_from_result(
    result,
    series,
    origin: str,
    *,
    source: Mapping | None = None,
    stopped: str | None = None,
    history: Sequence[EpochRecord] | None = None,
    metrics: Mapping | None = None,
) -> RunRecord:
    """A forecasting run (forecasting.ForecastResult) on `series`, summarised as a RunRecord.

    history / stopped default to the result's fit (a restored result may have none); metrics to
    the result's own (a race passes the model's scores beside the race's baselines).
    """
    fit = getattr(result, "fit", None)
    history = tuple(history if history is not None else (fit.history if fit else []))
    if stopped is None:
        stopped = fit.stopped if fit else ""
    experiment = result.experiment
    requested = getattr(result, "requested", None)
    requested = None if requested is None or requested == experiment else requested.to_dict()
    elapsed = [h.elapsed_s for h in history if h.elapsed_s is not None]
    return RunRecord(
        id=secrets.token_hex(6),
        time=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        origin=origin,
        settings=experiment.to_dict(),
        data=fingerprint(series, source),
        metrics=dict(metrics if metrics is not None else result.metrics),
        history=history,
        seconds=max(elapsed, default=0.0),
        stopped=str(stopped)[:MAX_TEXT],
        preprocessing=preprocessing_dict(getattr(result, "preprocessing", None)),
        requested=requested,
        forecast=step_one_forecast(getattr(result, "test", None)),
    )


def preprocessing_dict(p: Any) -> dict | None:
    """What a result says about its preprocessing, as a JSON dict (with "text" when it has one)."""
    if p is None:
        return None
    if isinstance(p, Mapping):
        d = dict(p)
    elif hasattr(p, "to_dict"):
        d = dict(p.to_dict())
    elif dataclasses.is_dataclass(p):
        d = dataclasses.asdict(p)
    else:
        return {"text": str(p)[:MAX_TEXT]}
    text = getattr(p, "text", None)
    if isinstance(text, str):
        d["text"] = text[:MAX_TEXT]
    return _jsonable(d)


def step_one_forecast(test: pd.DataFrame | None) -> dict | None:
    """{"time", "actual", "model"} of the test part one step ahead, the last MAX_FORECAST_POINTS."""
    if test is None or not {"step", "time", "actual", "model"} <= set(test.columns):
        return None
    one = test[test["step"] == 1].tail(MAX_FORECAST_POINTS)
    return {
        "time": [_stamp(t) for t in one["time"]],
        "actual": [_finite(v) for v in one["actual"]],
        "model": [_finite(v) for v in one["model"]],
    }


# --- what differs --------------------------------------------------------------------------------


def flat_settings(record: RunRecord) -> dict[str, Any]:
    """{readable name: value} over the data and the settings, in the order a person reads them.

    A field name that two sections share is written "section.name"; the data's generator
    parameters are "data <param>".
    """
    out: dict[str, Any] = {"data": record.data.name, "rows": record.data.rows}
    source = record.data.source or {}
    for k, v in (source.get("params") or {}).items():
        out[f"data {k}"] = v
    names = [k for s in SECTIONS for k in record.settings.get(s, {})]
    for section in SECTIONS:
        for k, v in record.settings.get(section, {}).items():
            out[k if names.count(k) == 1 else f"{section}.{k}"] = v
    return out  # the preprocessing chosen is in the settings already (normalize, transform)


def describe_differences(a: RunRecord, b: RunRecord) -> list[str]:
    """What changed from run a to run b, one readable line per setting: "lookback 24 → 48".

    The data come first; two series of the same name and size whose values differ say so.
    """
    fa, fb = flat_settings(a), flat_settings(b)
    lines = [
        f"{k} {show(fa.get(k))} → {show(fb.get(k))}"
        for k in _ordered_keys([fa, fb])
        if fa.get(k) != fb.get(k)
    ]
    if a.data.sha256 != b.data.sha256 and not any(
        line.startswith(("data", "rows")) for line in lines
    ):
        lines.insert(0, f"data {a.data.name}: other values (same name and rows)")
    return lines


def differences_table(records: Sequence[RunRecord], labels: Sequence[str]) -> pd.DataFrame:
    """One row per setting that is not the same in every run, one column per run (text values)."""
    flat = [flat_settings(r) for r in records]
    rows = {
        k: [show(f.get(k)) for f in flat]
        for k in _ordered_keys(flat)
        if len({repr(f.get(k)) for f in flat}) > 1
    }
    if len({r.data.sha256 for r in records}) > 1 and not any(
        k.startswith(("data", "rows")) for k in rows
    ):
        rows["data values"] = [r.data.sha256[:8] for r in records]
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(labels))


def show(value: Any) -> str:
    """A setting as a person reads it: on/off, 0.001, "—" for a setting a run does not have."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _ordered_keys(flat: Sequence[dict]) -> list[str]:
    keys: dict[str, None] = {}
    for f in flat:
        keys.update(dict.fromkeys(f))
    return list(keys)


# --- JSON helpers and checks ---------------------------------------------------------------------


def _finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _stamp(t: Any) -> str | int:
    if isinstance(t, int | np.integer):
        return int(t)
    return t.isoformat() if hasattr(t, "isoformat") else str(t)


def _jsonable(obj: Any) -> Any:
    """Plain JSON values: dicts with str keys, lists, str, int, finite float or None, bool."""
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return _finite(obj)
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | np.ndarray):
        return [_jsonable(v) for v in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _jsonable(dataclasses.asdict(obj))
    return str(obj)


def _record(d: Any) -> RunRecord:
    from rnnlib.forecasting import Experiment  # torch and the specs: only when a record is read

    fields = {f.name for f in dataclasses.fields(RunRecord)}
    if not isinstance(d, dict):
        raise RunRecordError("A run record must be a JSON object.")
    if set(d) != fields:
        odd = sorted(set(d) ^ fields)
        raise RunRecordError(f"A run record has the wrong fields ({', '.join(odd[:4])}).")
    _check(isinstance(d["id"], str) and 1 <= len(d["id"]) <= 32 and _HEX.fullmatch(d["id"]), "id")
    _check(isinstance(d["time"], str) and _is_time(d["time"]), "time")
    _check(d["origin"] in ORIGINS, "origin")
    for name in ("settings", "requested"):
        if name == "requested" and d[name] is None:
            continue
        _check(isinstance(d[name], dict), name)
        try:
            Experiment.from_dict(d[name])
        except (ValueError, TypeError) as e:  # DataError, SpecError, TrainError: all ValueErrors
            raise RunRecordError(f"A run record's {name} are not valid settings: {e}") from None
    _check(_is_metrics(d["metrics"]), "metrics")
    _check(isinstance(d["history"], list) and len(d["history"]) <= MAX_EPOCHS_KEPT, "history")
    _check(_number(d["seconds"]) and d["seconds"] is not None and d["seconds"] >= 0, "seconds")
    _check(_text(d["stopped"]), "stopped")
    _check(d["preprocessing"] is None or _is_plain(d["preprocessing"]), "preprocessing")
    _check(d["forecast"] is None or _is_forecast(d["forecast"]), "forecast")
    try:
        history = tuple(EpochRecord.from_dict(h) for h in d["history"])
    except DataError:
        raise RunRecordError("A run record's history is missing or malformed.") from None
    return RunRecord(**{**d, "data": _data(d["data"]), "history": history})


def _data(d: Any) -> DataInfo:
    keys = {f.name for f in dataclasses.fields(DataInfo)}
    _check(isinstance(d, dict) and set(d) == keys, "data")
    _check(_text(d["name"]) and _text(d["target"]), "data")
    _check(_whole(d["rows"]), "data rows")
    _check(isinstance(d["sha256"], str) and len(d["sha256"]) == 64, "data hash")
    _check(_HEX.fullmatch(d["sha256"]) is not None, "data hash")
    _check(isinstance(d["features"], list) and all(_text(f) for f in d["features"]), "data")
    _check(d["frequency"] is None or _text(d["frequency"]), "data frequency")
    _check(d["source"] is None or _is_source(d["source"]), "data source")
    return DataInfo(**d)


def _check(ok: Any, what: str) -> None:
    if not ok:
        raise RunRecordError(f"A run record's {what} is missing or malformed.")


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _number(v: Any) -> bool:
    """A finite JSON number, or null."""
    return v is None or (
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    )


def _text(v: Any) -> bool:
    return isinstance(v, str) and len(v) <= MAX_TEXT


def _is_time(v: str) -> bool:
    try:
        datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True


def _is_metrics(m: Any) -> bool:
    return (
        isinstance(m, dict)
        and isinstance(m.get("model"), dict)
        and all(
            _text(name)
            and isinstance(scores, dict)
            and all(_text(k) and _number(v) for k, v in scores.items())
            for name, scores in m.items()
        )
    )


def _is_source(s: Any) -> bool:
    if not isinstance(s, dict) or s.get("kind") not in SOURCE_KINDS:
        return False
    params = s.get("params", {})
    return (
        all(_text(k) and (_text(v) or _number(v) or isinstance(v, bool)) for k, v in s.items()
            if k != "params")
        and isinstance(params, dict)
        and all(_text(k) and (_number(v) or _text(v)) for k, v in params.items())
    )  # fmt: skip


def _is_forecast(f: Any) -> bool:
    if not isinstance(f, dict) or set(f) != {"time", "actual", "model"}:
        return False
    cols = list(f.values())
    if not all(isinstance(c, list) and len(c) <= MAX_FORECAST_POINTS for c in cols):
        return False
    if len({len(c) for c in cols}) != 1:
        return False
    times_ok = all(_text(t) or _whole(t) for t in f["time"])
    return times_ok and all(_number(v) for v in f["actual"] + f["model"])


def _is_plain(v: Any, depth: int = 0) -> bool:
    """Plain, finite, bounded JSON (the preprocessing summary holds nothing else)."""
    if depth > 6:
        return False
    if isinstance(v, dict):
        return len(v) <= 100 and all(_text(k) and _is_plain(x, depth + 1) for k, x in v.items())
    if isinstance(v, list):
        return len(v) <= 100 and all(_is_plain(x, depth + 1) for x in v)
    return v is None or isinstance(v, bool) or _text(v) or _number(v)
