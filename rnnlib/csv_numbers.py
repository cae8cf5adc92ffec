"""Reading numbers the way people write them: "1.5", "1,5", "1,234.5", "1.234,5", "1 234", "NA".

The decimal mark is decided once per file (`detect_decimal`), because "1,234" is one thousand two
hundred and thirty-four in one convention and a little more than one in the other, and only the
rest of the file can tell which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Cells that mean "no value here", compared lower-cased; includes Excel's error values.
MISSING_TOKENS = frozenset(
    {"", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "-", "--", "—", "–", "?", "."}
    | {"#n/a", "#na", "#div/0!", "#value!", "#ref!", "#num!", "#null!", "#name?"}
)
_GROUP = "' \u00a0\u202f"  # thousands separators besides the non-decimal mark: space, NBSPs, '
_GROUPED = {  # a whole grouped number, e.g. "1,234,567.5" for "." and "1.234.567,5" for ","
    ".": rf"[+-]?\d{{1,3}}(?:[,{_GROUP}]\d{{3}})+(?:\.\d*)?",
    ",": rf"[+-]?\d{{1,3}}(?:[.{_GROUP}]\d{{3}})+(?:,\d*)?",
}
_SEPARATORS = {".": f"[,{_GROUP}]", ",": f"[.{_GROUP}]"}
_PLAIN = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"  # what is left once grouping is removed
_INFINITE = {"inf": np.inf, "+inf": np.inf, "-inf": -np.inf, "infinity": np.inf}
_INFINITE |= {"+infinity": np.inf, "-infinity": -np.inf}


def missing_mask(col: pd.Series) -> pd.Series:
    """(N,) bool: the cell is empty or a missing-value token such as "NA", "null" or "-"."""
    return col.str.strip().str.lower().isin(MISSING_TOKENS)


def parse_numbers(col: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series]:
    """(N,) strings -> ((N,) float64 with NaN where missing or not a number, (N,) bool not a number).

    `decimal` is "." or ","; the other mark, spaces and apostrophes are read as thousands
    separators only where they group digits in threes. "inf" and "-inf" stay infinite so that
    the caller can say it dropped them.
    """
    text = col.str.strip()
    missing = text.str.lower().isin(MISSING_TOKENS)
    grouped = text.str.fullmatch(_GROUPED[decimal]).fillna(False).astype(bool)
    text = text.mask(grouped, text.str.replace(_SEPARATORS[decimal], "", regex=True))
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    plain = text.str.fullmatch(_PLAIN).fillna(False).astype(bool)
    values = pd.Series(np.nan, index=col.index, dtype=np.float64)
    values[plain] = pd.to_numeric(text[plain], errors="coerce").astype(np.float64)
    infinite = text.str.lower().map(_INFINITE)
    values = values.fillna(infinite.astype(np.float64))
    bad = ~missing & values.isna()
    return values, bad


def looks_numeric(cell: str) -> bool:
    """True when `cell` reads as a finite number in either decimal convention."""
    one = pd.Series([cell], dtype="str")
    return any(np.isfinite(parse_numbers(one, mark)[0].iloc[0]) for mark in ".,")


def detect_decimal(cells: pd.DataFrame, delimiter: str) -> str:
    """The file's decimal mark, "." or ",", voted on by the cells that can only be read one way."""
    sample = pd.Series(cells.head(2000).to_numpy().ravel(), dtype="str").str.strip()
    sample = sample[sample.str.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*").fillna(False).astype(bool)]

    def count(pattern: str) -> int:
        return int(sample.str.fullmatch(pattern).sum())

    # "1.234" and "1,234" could be either; "1.5", "12.345,6" and "0,25" cannot.
    ambiguous_comma, ambiguous_dot = count(r"[+-]?\d{1,3},\d{3}"), count(r"[+-]?\d{1,3}\.\d{3}")
    comma = count(r"[+-]?\d*,\d+") - ambiguous_comma + count(r"[+-]?\d{1,3}(?:\.\d{3})+,\d*")
    dot = count(r"[+-]?\d*\.\d+") - ambiguous_dot + count(r"[+-]?\d{1,3}(?:,\d{3})+\.\d*")
    if comma != dot:
        return "," if comma > dot else "."
    # No decisive cell. In a ","-separated file a comma inside a number had to be quoted, which
    # is what thousands grouping looks like; elsewhere "1,234" is the European decimal comma.
    return "," if delimiter != "," and ambiguous_comma > 0 else "."
