"""Finding and reading the date column: ISO, dd.mm.yyyy, mm/dd/yyyy, 1960Q1, epoch seconds, years.

A format is chosen once per column from a sample, then applied to every cell, so one column is
never read half one way and half another (a 03/04 that is March in one row and April in the next).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from rnnlib.errors import DataError

# Names that make a column of plain integers worth reading as epoch seconds, yyyymmdd or years.
_DATE_NAME = re.compile(r"date|time|stamp|epoch|unix|year|period|month|datum|jahr|^ds$|^dt$", re.I)
_SAMPLE = 500  # cells tried per candidate format; the winner is then applied to the whole column
_MIN_SHARE = 0.9  # a column is dates when this share of its non-missing cells parse as dates
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_QUARTER = re.compile(r"(\d{4})\s*[-/ ]?\s*[Qq]([1-4])|[Qq]([1-4])\s*[-/ ]?\s*(\d{4})")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_LOOKS_LIKE_DATE = re.compile(
    r"\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?:[ T]\d{1,2}:\d{2}.*)?"  # 2020-01-31, 2020-01, 2020/01/31
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?: \d{1,2}:\d{2}.*)?"  # 31.01.2020, 01/31/2020 10:00
    r"|\d{4}\s*[-/ ]?\s*[Qq][1-4]|[Qq][1-4]\s*[-/ ]?\s*\d{4}"  # 1960Q1, 1960-Q1, Q1 1960
    rf"|(?:\d{{1,2}}[- ])?(?:{_MONTHS})[a-z]*\.?(?:[- ]\d{{1,2}},?)?[-, ]*\d{{2,4}}"  # Jan 1949
    rf"|\d{{4}}[- ](?:{_MONTHS})[a-z]*|\d{{4}}M\d{{2}}",  # 1949-Jan, 1949M01
    re.I,
)
# strptime formats tried after ISO 8601 and quarters, in order; "%m/%d" before "%d/%m" as in the US.
_FORMATS = (
    "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%y",
    "%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%m/%d/%y",
    "%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%y",
    "%Y/%m/%d", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m", "%Y.%m.%d", "%d-%m-%Y",
    "%b %Y", "%B %Y", "%b-%Y", "%b-%y", "%Y-%b", "%Y %b", "%d %b %Y", "%d-%b-%Y", "%d-%b-%y",
    "%b %d, %Y", "%B %d, %Y", "%d %B %Y", "%YM%m",
)  # fmt: skip


def looks_like_date(cell: str) -> bool:
    """Cheap shape test used for header detection: could `cell` be a date written as text?"""
    return bool(_LOOKS_LIKE_DATE.fullmatch(cell.strip()))


def _iso(text: pd.Series) -> pd.Series:
    # utc=True accepts a mix of offsets (summer and winter time); naive cells stay as written.
    return pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)


def _quarters(text: pd.Series) -> pd.Series:
    parts = text.str.fullmatch(_QUARTER.pattern)
    found = text.str.extract(_QUARTER.pattern)
    year = found[0].fillna(found[3])
    quarter = found[1].fillna(found[2])
    iso = year + "-" + (quarter.astype(float) * 3 - 2).map("{:02.0f}".format, na_action="ignore")
    return pd.to_datetime(
        iso.where(parts.fillna(False).astype(bool)), format="%Y-%m", errors="coerce"
    )


def _strptime(fmt: str) -> Callable[[pd.Series], pd.Series]:
    return lambda text: pd.to_datetime(text, format=fmt, errors="coerce")


_TEXT_PARSERS: tuple[tuple[str, Callable[[pd.Series], pd.Series]], ...] = (
    ("ISO 8601", _iso),
    ("quarters", _quarters),
    *((fmt, _strptime(fmt)) for fmt in _FORMATS),
)


def _whole(numbers: pd.Series) -> pd.Series:
    return numbers.map("{:.0f}".format, na_action="ignore")


# Whole numbers that are dates: read from the parsed floats, so "1871.0" is a year like "1871".
_NUMERIC_PARSERS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "epoch seconds": lambda n: pd.to_datetime(n, unit="s"),
    "epoch milliseconds": lambda n: pd.to_datetime(n, unit="ms"),
    "%Y%m%d": lambda n: pd.to_datetime(_whole(n), format="%Y%m%d", errors="coerce"),
    "years": lambda n: pd.to_datetime(_whole(n), format="%Y", errors="coerce"),
}


def _numeric_kind(numbers: pd.Series) -> str | None:
    """Which `_NUMERIC_PARSERS` entry whole numbers of this size would be, else None."""
    v = numbers.dropna()
    if v.empty or not (v == np.floor(v)).all():
        return None
    low, high = v.min(), v.max()
    if 1e8 <= low and high < 1e10:  # 1973 to 2286 in seconds since 1970
        return "epoch seconds"
    if 1e11 <= low and high < 1e13:
        return "epoch milliseconds"
    if 1e7 <= low and high < 1e8:
        return "%Y%m%d"
    if 1000 <= low and high <= 2999:
        return "years"
    return None


def matches_format(text: pd.Series, fmt: str) -> bool:
    """Whether most non-missing cells of `text` (NaN where missing) parse with strptime `fmt`."""
    sample = text.dropna().iloc[:_SAMPLE]
    return not sample.empty and _share_parsed(_strptime(fmt), sample) >= _MIN_SHARE


def _share_parsed(parser: Callable[[pd.Series], pd.Series], sample: pd.Series) -> float:
    try:
        return float(parser(sample).notna().mean())
    except (ValueError, TypeError, OverflowError):
        return 0.0


def find_format(
    text: pd.Series, numbers: pd.Series | None, *, name: str, first: bool, forced: bool
) -> str | None:
    """The label of the date format that reads column `name`, or None if it holds no dates.

    text: (N,) stripped cells with missing cells as NaN; numbers: (N,) floats when the column is
    numeric, else None. Plain integers count as dates only when the column is named like a date,
    when `forced` (the person chose it), or for consecutive years in the `first` column.
    """
    present = text.dropna()
    if present.empty:
        return None
    if numbers is not None:
        label = _numeric_kind(numbers)
        if label is None:
            return None
        consecutive_years = (
            label == "years" and first and (numbers.dropna().diff().iloc[1:] == 1).all()
        )
        return label if forced or _DATE_NAME.search(name) or consecutive_years else None
    sample = present.iloc[:_SAMPLE]
    # The shape test is thousands of times cheaper than a parser; most text columns stop here.
    if sum(map(looks_like_date, sample.tolist())) < _MIN_SHARE * len(sample):
        return None
    for label, parser in _TEXT_PARSERS:
        if _share_parsed(parser, sample) >= _MIN_SHARE:
            return label
    return None


def parse_dates(
    text: pd.Series, numbers: pd.Series | None, label: str
) -> tuple[pd.Series, tuple[str, ...]]:
    """(N,) cells -> ((N,) naive datetime64[us] with NaT where unreadable, notes for the person)."""
    try:
        if numbers is not None and label in _NUMERIC_PARSERS:
            parsed = _NUMERIC_PARSERS[label](numbers)
        else:
            parsed = (dict(_TEXT_PARSERS).get(label) or _strptime(label))(text)
    except (ValueError, TypeError, OverflowError) as e:
        raise DataError(
            f"The date format {label!r} could not be applied ({e}): give a strptime format such "
            "as '%Y-%m-%d' or '%d/%m/%Y'."
        ) from None
    notes: tuple[str, ...] = ()
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        if text.str.contains(_OFFSET.pattern, regex=True).fillna(False).any():
            notes = ("Converted times with a UTC offset to UTC.",)
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[us]"), notes
