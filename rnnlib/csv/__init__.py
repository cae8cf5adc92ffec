"""The CSV reader: what people actually upload, turned into a clean `Series` or one readable DataError.

The modules, in the order the bytes pass through them: ``text`` (bytes to a table of strings:
encoding, delimiter, header), ``dates`` and ``numbers`` (reading a column the way people write
it), ``clean`` (missing values, duplicates, order) and ``intake`` (``read_csv`` and
``inspect_csv``, which choose the columns and put it all together).
"""

from rnnlib.csv.intake import (
    MAX_BYTES,
    MAX_MISSING_SHARE,
    MAX_ROWS,
    UNEXPECTED,
    CsvPreview,
    inspect_csv,
    read_csv,
)

__all__ = [
    "MAX_BYTES",
    "MAX_MISSING_SHARE",
    "MAX_ROWS",
    "UNEXPECTED",
    "CsvPreview",
    "inspect_csv",
    "read_csv",
]
