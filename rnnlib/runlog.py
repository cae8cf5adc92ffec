"""A visitor's run log: the last MAX_RUNS runs, a few checkpoints, and the file it is saved as.

The file is JSON lines, one run per line, so a CLI can append to it and two logs can be joined
with ``cat``:

    {"kind": "rnnlib-run", "version": 1, "sha256": "<of the run's canonical JSON>", "run": {...}}

Reading one back (``parse_log``) runs nothing: each line goes through ``json.loads`` only (no
NaN or Infinity literals), the envelope and checksum are checked, then every field of the run
(``RunRecord.from_dict``). A file that is not a log, or one edited after it was written, is
refused whole with one RunLogError line.

The log itself is plain state for one visitor (the Runs page keeps it in session state, never
in a module): records in arrival order, each numbered (#1, #2, ...), and the checkpoint bytes of
the newest few runs that have one.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rnnlib.runs import RunRecord, RunRecordError

KIND = "rnnlib-run"
FORMAT_VERSION = 1
MAX_RUNS = 50  # a long session's worth; each run keeps its history, scores and test forecast
KEPT_WEIGHTS = 5  # checkpoints kept: the newest runs that have one
MAX_WEIGHT_BYTES = 20_000_000  # all kept checkpoints together; a bigger one is not kept at all
MAX_LOG_BYTES = 10_000_000  # an uploaded log: 50 runs of long histories stay far below
ENVELOPE = {"kind", "version", "sha256", "run"}


class RunLogError(RunRecordError):
    """A file that is not a run log this rnnlib can read; the one line says why."""


@dataclass
class Entry:
    number: int  # #1, #2, ... in the order runs arrived in this log
    record: RunRecord

    @property
    def label(self) -> str:
        r = self.record
        cell = str(r.setting("model", "cell", "?")).upper()
        return f"#{self.number} {cell} {r.setting('model', 'hidden_size', '?')}, {r.data.name}"


@dataclass
class RunLog:
    """Runs of one visitor, oldest first; see the module docstring."""

    entries: list[Entry] = field(default_factory=list)
    weights: dict[str, bytes] = field(default_factory=dict)  # run id -> checkpoint file bytes
    next_number: int = 1
    dropped: int = 0  # runs that fell out of the log because it was full

    def add(self, record: RunRecord, checkpoint: bytes | None = None) -> list[Entry]:
        """Append a run (a record already in the log is ignored); returns the entries it pushed out."""
        if self.get(record.id) is not None:
            return []
        self.entries.append(Entry(self.next_number, record))
        self.next_number += 1
        if checkpoint is not None and len(checkpoint) <= MAX_WEIGHT_BYTES:
            self.weights[record.id] = bytes(checkpoint)
        out = self.entries[:-MAX_RUNS] if len(self.entries) > MAX_RUNS else []
        del self.entries[: len(out)]
        self.dropped += len(out)
        self._trim_weights()
        return out

    def extend(self, records: Iterable[RunRecord]) -> tuple[int, list[Entry]]:
        """Add runs from an uploaded log: (how many were new, the entries pushed out)."""
        added, out = 0, []
        for record in records:
            if self.get(record.id) is None:
                added += 1
                out += self.add(record)
        return added, out

    def remove(self, run_id: str) -> None:
        self.entries = [e for e in self.entries if e.record.id != run_id]
        self.weights.pop(run_id, None)

    def get(self, run_id: str) -> Entry | None:
        return next((e for e in self.entries if e.record.id == run_id), None)

    def __len__(self) -> int:
        return len(self.entries)

    def _trim_weights(self) -> None:
        ids = {e.record.id for e in self.entries}
        newest = [rid for rid in reversed(list(self.weights)) if rid in ids]
        keep, total = [], 0
        for rid in newest:
            if len(keep) < KEPT_WEIGHTS and total + len(self.weights[rid]) <= MAX_WEIGHT_BYTES:
                keep.append(rid)
                total += len(self.weights[rid])
        self.weights = {rid: self.weights[rid] for rid in reversed(keep)}

    def best(self) -> set[str]:
        """Ids of the run with the lowest test MASE on each dataset (same values, same data)."""
        best: dict[str, RunRecord] = {}
        for e in self.entries:
            r = e.record
            if math.isnan(r.mase):
                continue
            if r.data.sha256 not in best or r.mase < best[r.data.sha256].mase:
                best[r.data.sha256] = r
        return {r.id for r in best.values()}

    def table(self) -> pd.DataFrame:
        """One row per run, oldest first: the columns a person compares runs by."""
        best = self.best()
        rows = []
        for e in self.entries:
            r = e.record
            baseline = r.best_baseline()
            rows.append({
                "run": f"#{e.number}",
                "best": "★" if r.id in best else "",
                "data": r.data.label,
                "cell": str(r.setting("model", "cell", "")).upper(),
                "hidden": r.setting("model", "hidden_size"),
                "lookback": r.setting("windows", "lookback"),
                "horizon": r.setting("windows", "horizon"),
                "preprocessing": r.preprocessing_text or "—",
                "MASE": r.mase,
                "baseline MASE": baseline[1] if baseline else math.nan,
                "best baseline": baseline[0].replace("_", " ") if baseline else "—",
                "epochs": len(r.history),
                "seconds": r.seconds,
                "origin": r.origin,
                "time (UTC)": r.time[11:19],
                "weights": "kept" if r.id in self.weights else "",
            })  # fmt: skip
        return pd.DataFrame(rows, columns=TABLE_COLUMNS)

    def to_jsonl(self) -> bytes:
        """The whole log as a file (see the module docstring): one line per run, oldest first."""
        return "".join(log_line(e.record) + "\n" for e in self.entries).encode()


TABLE_COLUMNS = [
    "run", "best", "data", "cell", "hidden", "lookback", "horizon", "preprocessing", "MASE",
    "baseline MASE", "best baseline", "epochs", "seconds", "origin", "time (UTC)", "weights",
]  # fmt: skip


# --- the file ------------------------------------------------------------------------------------


def _canonical(run: dict) -> str:
    return json.dumps(run, sort_keys=True, separators=(",", ":"), allow_nan=False)


def log_line(record: RunRecord) -> str:
    """One line of a log file (no newline): the record in its checked envelope."""
    run = record.to_dict()
    digest = hashlib.sha256(_canonical(run).encode()).hexdigest()
    envelope = {"kind": KIND, "version": FORMAT_VERSION, "sha256": digest, "run": run}
    return json.dumps(envelope, allow_nan=False, ensure_ascii=False)


def append_to_file(path: str, record: RunRecord) -> None:
    """Append one run to a log file (created when missing): what ``train --log`` does."""
    with open(path, "a", encoding="utf-8") as out:
        out.write(log_line(record) + "\n")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_log(data: bytes | str) -> list[RunRecord]:
    """The runs of a log file, oldest first; RunLogError (one line) for anything else."""
    if isinstance(data, str):
        data = data.encode()
    if not isinstance(data, bytes | bytearray):
        raise RunLogError(f"A run log must be given as bytes, not {type(data).__name__}.")
    if len(data) > MAX_LOG_BYTES:
        raise RunLogError(
            f"The file is {len(data) / 1e6:.3g} MB, over the {MAX_LOG_BYTES / 1e6:.0f} MB limit "
            "for a run log: it is not one this app wrote."
        )
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        raise RunLogError(
            "This file is not an rnnlib run log (it is not UTF-8 text): upload a file saved "
            "from the Runs page or written by train --log."
        ) from None
    lines = [(i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise RunLogError("This run log is empty: it holds no runs.")
    records, seen = [], set()
    for number, line in lines:
        record = _read_line(number, line)
        if record.id in seen:
            raise RunLogError(f"Line {number} repeats run {record.id}: the log was altered.")
        seen.add(record.id)
        records.append(record)
    return records


def _read_line(number: int, line: str) -> RunRecord:
    try:
        envelope = json.loads(line, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        envelope = None
    if not isinstance(envelope, dict) or envelope.get("kind") != KIND:
        raise RunLogError(
            f"This file is not an rnnlib run log (line {number} is not a run): upload a file "
            "saved from the Runs page or written by train --log."
        )
    version = envelope.get("version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        newer = isinstance(version, int) and not isinstance(version, bool) and version > 1
        raise RunLogError(
            f"Line {number} has run log version {version!r}"
            f"{' (from a newer rnnlib: upgrade to read it)' if newer else ''}; this rnnlib "
            f"reads version {FORMAT_VERSION}."
        )
    if set(envelope) != ENVELOPE or not isinstance(envelope["run"], dict):
        raise RunLogError(f"Line {number} of the run log is malformed.")
    try:
        digest = hashlib.sha256(_canonical(envelope["run"]).encode()).hexdigest()
    except ValueError:  # a number too large for a float (1e999) parses as infinity
        raise RunLogError(f"Line {number} of the run log holds a number out of range.") from None
    if digest != envelope["sha256"]:
        raise RunLogError(
            f"Line {number} was changed after it was written (its checksum does not match): "
            "the log is refused."
        )
    try:
        return RunRecord.from_dict(envelope["run"])
    except RunRecordError as e:
        raise RunLogError(f"Line {number}: {e}") from None
