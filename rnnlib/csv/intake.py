"""CSV intake: what people actually upload, turned into a clean `Series` or one readable DataError.

inspect_csv(bytes) -> CsvPreview   what a page needs to offer column pickers
read_csv(bytes | path, ...) -> Series   the cleaned series, with a sentence for every change made

The layers: `text` (encoding, delimiter, header, ragged rows) -> `numbers` (decimal
marks, thousands, missing tokens) and `dates` (which column is time, in which format) -> here
(choosing the columns) -> `clean` (sorting, averaging duplicates, filling gaps). Nothing is
written anywhere.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnnlib.csv.clean import MISSING_POLICIES, drop_infinite, fill_missing, plural, sort_and_average
from rnnlib.csv.dates import find_format, matches_format, parse_dates
from rnnlib.csv.numbers import detect_decimal, parse_numbers
from rnnlib.csv.text import MIN_ROWS, RawTable, read_table
from rnnlib.errors import DataError
from rnnlib.series import Series, infer_frequency

MAX_BYTES = 10_000_000  # 10 MB: about 200k rows of a few columns, read in a few seconds
MAX_ROWS = 200_000  # more than any page can train on interactively
# Every message for a failure we did not foresee starts with this, so tests can tell them apart.
UNEXPECTED = "This file could not be read"
# A target missing in more of its rows than this would be mostly made up by filling in the gaps.
MAX_MISSING_SHARE = 0.5
# Names of a column that counts rows or steps rather than measuring something (spaces as "_").
_STEP_NAME = re.compile(
    r"t|i|n|#|id|idx|index|steps?|time_?steps?|time|rows?|row_?(?:names?|number|id|no)|unnamed:_?0",
    re.I,
)


@dataclass(frozen=True)
class CsvPreview:
    """What the file looks like before any column is chosen; head: (<=5, columns) strings."""

    columns: tuple[str, ...]
    numeric_columns: tuple[str, ...]  # every non-missing cell is a number; date and steps excluded
    date_column: str | None  # auto-detected, None when no column reads as dates
    step_columns: tuple[str, ...]  # consecutive whole numbers named t, step, index, ...: not values
    delimiter: str
    encoding: str  # "utf-8", "utf-8-sig" (with BOM), "utf-16" or "latin-1"
    decimal: str
    has_header: bool
    n_rows: int  # data rows, header excluded
    head: pd.DataFrame


@dataclass(frozen=True)
class _Parsed:
    """A RawTable with every column read as numbers; text has NaN where a cell is missing."""

    table: RawTable
    decimal: str
    text: dict[str, pd.Series]
    numbers: dict[str, pd.Series]
    bad: dict[str, pd.Series]  # present but not a number
    numeric: tuple[str, ...]  # every present cell a number, date column included
    date_column: str | None
    date_label: str | None
    steps: tuple[str, ...]  # row counters (see _is_step_index): never a default target

    def line(self, position: int) -> int:
        return int(self.table.lines[position])

    @property
    def values(self) -> tuple[str, ...]:
        """The numeric columns that can be forecast: not the date, not a step index."""
        return tuple(c for c in self.numeric if c != self.date_column and c not in self.steps)


@contextmanager
def _only_data_errors() -> Iterator[None]:
    """The boundary: a page shows DataError messages, so nothing else may escape from here."""
    try:
        yield
    except DataError:
        raise
    except Exception as e:
        raise DataError(
            f"{UNEXPECTED} (unexpected {type(e).__name__}): check that it is a plain CSV with a "
            "header row and columns of numbers."
        ) from e


def inspect_csv(data: bytes | str | os.PathLike, *, max_bytes: int = MAX_BYTES) -> CsvPreview:
    """Read enough of `data` to describe it; DataError if no series could come out of it."""
    with _only_data_errors():
        parsed = _parse(read_table(_load(data, max_bytes), MAX_ROWS))
        cells = parsed.table.cells
        _check_enough_rows(len(cells))
        if not parsed.values:
            _default_target(parsed)  # raises the message that says why no column will do
        return CsvPreview(
            columns=tuple(cells.columns),
            numeric_columns=parsed.values,
            date_column=parsed.date_column,
            step_columns=parsed.steps,
            delimiter=parsed.table.delimiter,
            encoding=parsed.table.encoding,
            decimal=parsed.decimal,
            has_header=parsed.table.has_header,
            n_rows=len(cells),
            head=cells.head(5).reset_index(drop=True),
        )


def read_csv(
    data: bytes | str | os.PathLike,
    *,
    target: str | None = None,
    date_col: str | None = "auto",
    features: Sequence[str] = (),
    missing: str = "interpolate",
    date_format: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    name: str = "upload",
) -> Series:
    """Read, check and clean a CSV into a `Series`; every problem is one DataError sentence.

    data: the file's bytes, or a path. target: defaults to the first numeric column that is
    neither the date nor a step index (consecutive whole numbers named t, step, index, ...); a
    target missing in over half of its rows is refused rather than filled in. date_col: "auto"
    to detect, None for a 0..N-1 "step" index, or a column name.
    features: extra numeric input columns. missing: "interpolate", "ffill" or "drop".
    date_format: a strptime format such as "%d/%m/%Y" when detection guesses wrong.
    """
    with _only_data_errors():
        if missing not in MISSING_POLICIES:
            raise DataError(
                f"missing must be one of {', '.join(map(repr, MISSING_POLICIES))}; got {missing!r}."
            )
        features = _as_names(features)
        parsed = _parse(read_table(_load(data, max_bytes), max_rows))
        _check_enough_rows(len(parsed.table.cells))
        date, label = _choose_date(parsed, date_col, date_format)
        target = _default_target(parsed) if target is None else target
        columns = _choose_values(parsed, target, features, date)
        notes = list(parsed.table.notes)
        frame = drop_infinite(pd.DataFrame({c: parsed.numbers[c] for c in columns}), notes)
        if date is not None:
            frame = _index_by_time(parsed, frame, date, label, notes)
        frame = fill_missing(frame, missing, notes)
        if len(frame) < MIN_ROWS:
            raise DataError(
                f"Only {len(frame)} rows are left after cleaning, but at least {MIN_ROWS} are "
                "needed: add rows or fill in the missing values."
            )
        if date is None:
            frame.index = pd.RangeIndex(len(frame), name="step")
        if frame[target].nunique() == 1:
            notes.append(
                f"The target {target!r} is constant: any model and the mean baseline will tie."
            )
        return Series(
            frame=frame,
            target=target,
            features=tuple(features),
            frequency=infer_frequency(frame.index),
            cleaning=tuple(notes),
            name=name,
        )


def _as_names(features: Sequence[str]) -> tuple[str, ...]:
    if isinstance(features, str):
        return (features,)  # one column name, not a sequence of one-letter names
    try:
        return tuple(features)
    except TypeError:
        raise DataError(f"features must be a list of column names, got {features!r}.") from None


def _load(data: bytes | str | os.PathLike, max_bytes: int) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw, size = bytes(data), len(data)
    elif isinstance(data, (str, os.PathLike)):
        path = os.fspath(data)
        try:
            with open(path, "rb") as f:
                raw, size = f.read(max_bytes + 1), os.fstat(f.fileno()).st_size
        except OSError as e:
            raise DataError(f"Cannot open {path!r}: {e.strerror or e}.") from None
    else:
        raise DataError(f"A CSV must be given as bytes or a file path, not {type(data).__name__}.")
    if len(raw) > max_bytes:
        raise DataError(
            f"The file is {_size(size)}, over the {_size(max_bytes)} limit: upload a shorter file "
            "(fewer rows or columns)."
        )
    return raw


def _size(n: int) -> str:
    return f"{n / 1e6:.3g} MB" if n >= 1_000_000 else f"{n:,} bytes"


def _check_enough_rows(n: int) -> None:
    if n < MIN_ROWS:
        raise DataError(
            f"The file has only {plural(n, 'data row')}: add at least {MIN_ROWS} rows of values."
        )


def _parse(table: RawTable) -> _Parsed:
    decimal = detect_decimal(table.cells, table.delimiter)
    text, numbers, bad, numeric = {}, {}, {}, []
    for column in table.cells.columns:
        numbers[column], bad[column] = parse_numbers(table.cells[column], decimal)
        text[column] = table.cells[column].where(numbers[column].notna() | bad[column])
        if text[column].notna().any() and not bad[column].any():
            numeric.append(column)
    date_column = label = None
    for i, column in enumerate(table.cells.columns):  # the first column that reads as dates
        as_numbers = numbers[column] if column in numeric else None
        found = find_format(text[column], as_numbers, name=column, first=i == 0, forced=False)
        if found is not None:
            date_column, label = column, found
            break
    steps = tuple(
        c
        for i, c in enumerate(table.cells.columns)
        if c in numeric and c != date_column and _is_step_index(c, i, numbers[c])
    )
    return _Parsed(table, decimal, text, numbers, bad, tuple(numeric), date_column, label, steps)


def _is_step_index(name: str, position: int, numbers: pd.Series) -> bool:
    """A column that counts the rows: named like t, step or index (or a first column without a
    name, as pandas writes its index) and holding consecutive whole numbers, none missing."""
    unnamed_first = position == 0 and name == "col1"  # text's name for an empty header cell
    if not (_STEP_NAME.fullmatch(name.strip().replace(" ", "_")) or unnamed_first):
        return False
    v = numbers.to_numpy(dtype=np.float64)
    return len(v) >= 2 and bool(np.isfinite(v).all() and (np.diff(v) == 1).all() and v[0] % 1 == 0)


def _listing(parsed: _Parsed) -> str:
    return ", ".join(repr(c) for c in parsed.table.cells.columns)


def _check_known(parsed: _Parsed, role: str, column: object) -> str:
    if not isinstance(column, str) or column not in parsed.table.cells.columns:
        raise DataError(f"Unknown {role} column {column!r}: the columns are {_listing(parsed)}.")
    return column


def _choose_date(
    parsed: _Parsed, date_col: str | None, fmt: str | None
) -> tuple[str | None, str | None]:
    """(date column or None, format label) from the person's choice, or detection for "auto"."""
    if fmt is not None and not (isinstance(fmt, str) and fmt.strip()):
        raise DataError(f"date_format must be a strptime format such as '%d/%m/%Y', got {fmt!r}.")
    if date_col is None:
        return None, None
    if date_col == "auto":
        if fmt is None:
            return parsed.date_column, parsed.date_label
        for column in parsed.table.cells.columns:
            if matches_format(parsed.text[column], fmt):
                return column, fmt
        raise DataError(
            f"No column matches the date format {fmt!r}: check the format, or name the date "
            "column with date_col."
        )
    column = _check_known(parsed, "date", date_col)
    if fmt is not None:
        return column, fmt
    numbers = parsed.numbers[column] if column in parsed.numeric else None
    label = find_format(parsed.text[column], numbers, name=column, first=False, forced=True)
    if label is None:
        example = _first_present(parsed, column)
        raise DataError(
            f"Column {column!r} does not look like dates{example}: choose another date column, "
            "give date_format (for example '%d/%m/%Y'), or use no date column."
        )
    return column, label


def _first_present(parsed: _Parsed, column: str) -> str:
    present = parsed.text[column].dropna()
    if present.empty:
        return " (it is empty)"
    return f" (line {parsed.line(present.index[0])} has {present.iloc[0]!r})"


def _default_target(parsed: _Parsed) -> str:
    """The first numeric column that is neither the date nor a step index; otherwise a DataError
    saying why none is."""
    if parsed.values:
        return parsed.values[0]
    for column in parsed.table.cells.columns:
        if column != parsed.date_column and parsed.numbers[column].notna().any():
            _check_numeric(parsed, column)  # mostly numbers: name the cells that are not
    rest = [
        c for c in parsed.table.cells.columns if c != parsed.date_column and c not in parsed.steps
    ]
    if rest and all(parsed.text[c].isna().all() for c in rest):
        _check_mostly_present(parsed, rest[0])  # every column left is empty: name the first
    if parsed.steps:
        raise DataError(
            f"The file has no column of values to forecast: {parsed.steps[0]!r} only counts the "
            "rows (a step index of consecutive whole numbers)."
        )
    if parsed.date_column is not None and parsed.date_column in parsed.numeric:
        raise DataError(
            f"The only column of numbers is the date column {parsed.date_column!r}: add a column "
            "of values to forecast."
        )
    raise DataError(
        "No column holds numbers (every value is text): the file needs at least one column of "
        "numbers to forecast."
    )


def _check_numeric(parsed: _Parsed, column: str) -> None:
    bad = parsed.bad[column]
    hint = f" such as {parsed.values[0]!r}" if parsed.values else ""
    if parsed.text[column].isna().all():
        raise DataError(f"Column {column!r} is empty: choose a column of numbers{hint}.")
    if not bad.any():
        return
    first = bad.idxmax()
    where = f"line {parsed.line(first)}"
    if parsed.numbers[column].isna().all():
        raise DataError(
            f"Column {column!r} does not hold numbers ({where} has "
            f"{parsed.text[column][first]!r}): choose a numeric column{hint}."
        )
    raise DataError(
        f"Column {column!r} has {int(bad.sum())} value(s) that are not numbers (first on {where}: "
        f"{parsed.text[column][first]!r}): fix them, or leave those cells empty to mark them missing."
    )


def _check_mostly_present(parsed: _Parsed, target: str) -> None:
    """Refuse a target whose cells are empty in over half of the rows (all of them included)."""
    missing = parsed.text[target].isna()  # empty or a missing token; text that is no number is not
    n, total = int(missing.sum()), len(missing)
    if n <= MAX_MISSING_SHARE * total:
        return
    others = [
        c
        for c in parsed.values
        if c != target and parsed.text[c].isna().mean() <= MAX_MISSING_SHARE
    ]
    hint = f" such as {others[0]!r}" if others else ""
    raise DataError(
        f"The target column {target!r} is {_share(n, total)} empty ({n:,} of {total:,} rows "
        "missing): filling in that many values would invent the series, so choose a column with "
        f"values in most rows{hint}, or fill in the missing values."
    )


def _share(n: int, total: int) -> str:
    """n / total as a percentage that never reads 50% or 100% when it is neither."""
    p = round(100 * n / total)
    if n == total:
        return "100%"
    return "over 99%" if p >= 100 else "over 50%" if p <= 50 else f"{p}%"


def _choose_values(
    parsed: _Parsed, target: str, features: tuple[str, ...], date: str | None
) -> list[str]:
    """[target, *features] after checking each exists, is numeric and has one role only."""
    columns = [_check_known(parsed, "target", target)]
    for feature in features:
        columns.append(_check_known(parsed, "feature", feature))
    for column in columns:
        if column == date:
            raise DataError(
                f"{column!r} is the date column, so it cannot also be a value: choose another "
                "column, or use no date column."
            )
        if columns.count(column) > 1:
            raise DataError(
                f"{column!r} is chosen twice: each column can be the target or one feature."
            )
        if column == target:
            _check_mostly_present(parsed, column)
        _check_numeric(parsed, column)
    return columns


def _index_by_time(
    parsed: _Parsed, frame: pd.DataFrame, date: str, label: str, notes: list[str]
) -> pd.DataFrame:
    """frame indexed by the parsed `date` column: undated rows dropped, sorted, duplicates averaged."""
    numbers = parsed.numbers[date] if date in parsed.numeric else None
    times, date_notes = parse_dates(parsed.text[date], numbers, label)
    notes.extend(date_notes)
    undated = times.isna()
    present = parsed.text[date].notna()
    failed = undated & present
    if failed.sum() > present.sum() / 2:
        first = failed.idxmax()
        raise DataError(
            f"Most cells in {date!r} could not be read as dates with {label!r} (line "
            f"{parsed.line(first)} has {parsed.text[date][first]!r}): give the right date_format, "
            "or choose another column."
        )
    if undated.any():
        first = undated.idxmax()
        cell = parsed.text[date][first]
        shown = "an empty cell" if pd.isna(cell) else repr(cell)
        notes.append(
            f"Dropped {plural(int(undated.sum()), 'row')} whose {date!r} was missing or not a date "
            f"(first on line {parsed.line(first)}: {shown})."
        )
    frame = frame[~undated.to_numpy()]
    frame.index = pd.DatetimeIndex(times[~undated].to_numpy(), name="time")
    return sort_and_average(frame, date, notes)
