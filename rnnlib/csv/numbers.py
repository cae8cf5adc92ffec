"""Reading numbers the way people write them: "1.5", "1,5", "1,234.5", "1.234,5", "1 234", "NA".

The decimal mark is decided once per file (`detect_decimal`), because "1,234" is one thousand two
hundred and thirty-four in one convention and a little more than one in the other, and only the
rest of the file can tell which.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

# Cells that mean "no value here", compared lower-cased; includes Excel's error values.
MISSING_TOKENS = frozenset(
    {"", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "-", "--", "—", "–", "?", "."}
    | {"#n/a", "#na", "#div/0!", "#value!", "#ref!", "#num!", "#null!", "#name?"}
)
_GROUP = "' \u00a0\u202f"  # thousands separators besides the non-decimal mark: space, NBSPs, '
_GROUPED = {  # a whole grouped number, e.g. "1,234,567.5" for "." and "1.234.567,5" for ","
    ".": re.compile(rf"[+-]?\d{{1,3}}(?:[,{_GROUP}]\d{{3}})+(?:\.\d*)?"),
    ",": re.compile(rf"[+-]?\d{{1,3}}(?:[.{_GROUP}]\d{{3}})+(?:,\d*)?"),
}
_SEPARATORS = {".": re.compile(f"[,{_GROUP}]"), ",": re.compile(f"[.{_GROUP}]")}
_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")  # once grouping is removed
_INFINITE = {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf, "infinity": math.inf}
_INFINITE |= {"+infinity": math.inf, "-infinity": -math.inf}


def to_number(cell: str, decimal: str) -> float | None:
    """One cell -> a float (NaN when the cell means missing, ±inf kept), or None if it is text.

    `decimal` is "." or ","; the other mark, spaces and apostrophes are read as thousands
    separators only where they group digits in threes ("1,234.5", "1.234,5", "1 234").
    """
    text = cell.strip()
    lower = text.lower()
    if lower in MISSING_TOKENS:
        return math.nan
    if lower in _INFINITE:
        return _INFINITE[lower]  # kept, so the reader can say it treated them as missing
    if _GROUPED[decimal].fullmatch(text):
        text = _SEPARATORS[decimal].sub("", text)
    if decimal == ",":
        text = text.replace(",", ".")
    return float(text) if _PLAIN.fullmatch(text) else None


def parse_numbers(col: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series]:
    """(N,) strings -> ((N,) float64, NaN where missing or not a number; (N,) bool, not a number)."""
    parsed = [to_number(cell, decimal) for cell in col.tolist()]
    bad = np.fromiter((p is None for p in parsed), dtype=bool, count=len(parsed))
    values = np.fromiter((math.nan if p is None else p for p in parsed), np.float64, len(parsed))
    return pd.Series(values, index=col.index), pd.Series(bad, index=col.index)


def looks_numeric(cell: str) -> bool:
    """True when `cell` reads as a finite number in either decimal convention."""
    # `is not None`, not `or`: 0.0 is falsy, and a first row of zeros is data, not a header.
    return any((v := to_number(cell, mark)) is not None and math.isfinite(v) for mark in ".,")


_NUMBER_SHAPE = re.compile(r"[+-]?[\d.,]*\d[\d.,]*")
_COUNTS = {  # cells that can only be read one way, and those that could be either
    "comma": re.compile(r"[+-]?\d*,\d+"),
    "dot": re.compile(r"[+-]?\d*\.\d+"),
    "ambiguous_comma": re.compile(r"[+-]?\d{1,3},\d{3}"),
    "ambiguous_dot": re.compile(r"[+-]?\d{1,3}\.\d{3}"),
    "dot_then_comma": re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+,\d*"),
    "comma_then_dot": re.compile(r"[+-]?\d{1,3}(?:,\d{3})+\.\d*"),
}


def detect_decimal(cells: pd.DataFrame, delimiter: str) -> str:
    """The file's decimal mark, "." or ",", voted on by the cells that can only be read one way."""
    sample = [c.strip() for c in cells.head(2000).to_numpy().ravel().tolist()]
    sample = [c for c in sample if _NUMBER_SHAPE.fullmatch(c)]
    n = {key: sum(1 for c in sample if pattern.fullmatch(c)) for key, pattern in _COUNTS.items()}
    # "1.234" and "1,234" could be either; "1.5", "12.345,6" and "0,25" cannot.
    comma = n["comma"] - n["ambiguous_comma"] + n["dot_then_comma"]
    dot = n["dot"] - n["ambiguous_dot"] + n["comma_then_dot"]
    if comma != dot:
        return "," if comma > dot else "."
    # No decisive cell. In a ","-separated file a comma inside a number had to be quoted, which
    # is what thousands grouping looks like; elsewhere "1,234" is the European decimal comma.
    return "," if delimiter != "," and n["ambiguous_comma"] > 0 else "."
