"""From uploaded bytes to a rectangular table of stripped strings: encoding, delimiter, header.

Nothing here knows about numbers or dates beyond "does this cell look like a value", which is all
header detection needs; `numbers` and `dates` give the cells their meaning.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnnlib.csv.clean import plural
from rnnlib.csv.dates import looks_like_date
from rnnlib.csv.numbers import looks_numeric
from rnnlib.errors import DataError

DELIMITERS = ("\t", ";", "|", ",")  # preference order: a consistent rarer separator beats ","
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
MIN_ROWS = 10  # fewer rows than this cannot make a training window and a test split
_SNIFF_CHARS = 65_536  # the first 64 KB decide the delimiter; reading all of it would be slow
_EXCEL_SEP = re.compile(r"^sep=(.)$")  # Excel's optional first line naming the separator
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")  # never in CSV text, common in binary


@dataclass(frozen=True)
class RawTable:
    """cells: (rows, columns) stripped strings, "" where empty; lines: (rows,) file line numbers."""

    cells: pd.DataFrame
    lines: np.ndarray
    delimiter: str
    encoding: str
    has_header: bool
    notes: tuple[str, ...] = ()


def decode(data: bytes) -> tuple[str, str]:
    """bytes -> (text, encoding name). UTF-8 with or without BOM, UTF-16 with BOM, else Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in data:
        raise DataError(_binary_message())
    else:
        try:
            return _check_text(data.decode("utf-8")), "utf-8"
        except UnicodeDecodeError:
            # Latin-1 maps every byte to a character, so it cannot fail: it is the last resort
            # for the Windows exports that are not UTF-8; binary junk is caught by _check_text.
            encoding = "latin-1"
    try:
        return _check_text(data.decode(encoding)), encoding
    except UnicodeDecodeError:
        raise DataError(
            f"The file starts with a {encoding.upper()} marker but is not valid {encoding.upper()}:"
            " save it again as a UTF-8 CSV."
        ) from None


def _binary_message() -> str:
    return "The file is not text (it looks binary): upload a CSV file saved as plain text."


def _check_text(text: str) -> str:
    # Control characters other than tab/newline/form feed never occur in real CSV text but make up
    # about an eighth of random bytes, so a handful of them means this is not a CSV at all.
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise DataError(_binary_message())
    return text


def read_table(data: bytes, max_rows: int) -> RawTable:
    """Decode, sniff and split `data` into a `RawTable`; DataError for anything not a table."""
    text, encoding = decode(data)
    if not text.strip():
        raise DataError(
            "The file is empty: upload a CSV with a header row and at least 10 rows of values."
        )
    text, delimiter = _excel_sep_or_sniff(text)
    rows, lines, comments = _split_rows(text, delimiter, max_rows)
    if not rows:
        raise DataError("The file holds only comment lines: add a header row and rows of values.")
    has_header = not any(_looks_like_value(cell) for cell in rows[0]) and any(rows[0])
    width = len(rows[0])
    body, body_lines = (rows[1:], lines[1:]) if has_header else (rows, lines)
    first = "the header" if has_header else f"line {lines[0]}"
    for i, row in enumerate(body):
        if len(row) > width and not any(row[width:]):
            body[i] = row = row[:width]  # trailing empty fields, as spreadsheets pad rows
        if len(row) != width:
            raise DataError(
                f"Line {body_lines[i]} has {plural(len(row), 'field')} but {first} has {width}: "
                f"give every row the same number of {DELIMITER_NAMES[delimiter]}-separated fields."
            )
    if not body:
        raise DataError(
            "The file has a header row but no data rows: add at least 10 rows of values."
        )
    names = _column_names(rows[0] if has_header else [""] * width)
    # Cells stay text here; numbers and dates decide what each column means.
    cells = pd.DataFrame(body, columns=list(range(width)), dtype="str")
    cells.columns = names
    # An unnamed all-empty column comes from a trailing delimiter on every line: it is not data.
    empty = [
        n for i, n in enumerate(names) if not (has_header and rows[0][i]) and (cells[n] == "").all()
    ]
    cells = cells.drop(columns=empty)
    if cells.shape[1] == 0:
        raise DataError("The file has no values, only empty fields: add rows of numbers.")
    notes = (f"Skipped {plural(comments, 'comment line')} starting with '#'.",) if comments else ()
    return RawTable(cells, np.asarray(body_lines), delimiter, encoding, has_header, notes)


def _excel_sep_or_sniff(text: str) -> tuple[str, str]:
    first = text.lstrip("\r\n").partition("\n")[0]
    match = _EXCEL_SEP.match(first.strip())
    if match and match.group(1) in DELIMITERS:
        # Blank the line rather than cut it, so line numbers in messages still match the file.
        return text.replace(first, "", 1), match.group(1)
    return text, sniff_delimiter(text)


def sniff_delimiter(text: str) -> str:
    """The delimiter whose field count is the same (and > 1) on most of the first lines, else ","."""
    sample = text[:_SNIFF_CHARS].splitlines()
    if len(text) > _SNIFF_CHARS:
        sample = sample[:-1]  # the last sampled line may be cut in half
    sample = [line for line in sample if line.strip() and not line.lstrip().startswith("#")]
    for delimiter in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(sample[:200], delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        if width > 1 and hits >= 0.8 * len(counts):
            return delimiter
    return ","  # one column: any delimiter reads it the same


def _split_rows(text: str, delimiter: str, max_rows: int) -> tuple[list[list[str]], list[int], int]:
    """Non-blank, non-comment rows of stripped cells, each with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    comments = 0
    start = 1
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            if cells and cells[0].startswith("#"):
                comments += 1
            elif any(cells):
                if len(rows) > max_rows:  # the header plus max_rows data rows are allowed
                    raise DataError(
                        f"The file has more rows than the {max_rows:,}-row limit: keep the most "
                        "recent rows or aggregate them (for example to daily values)."
                    )
                rows.append(cells)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as e:
        raise DataError(
            f"Line {reader.line_num} could not be read as CSV ({e}): check for an unmatched "
            'double quote (").'
        ) from None
    if rows and start - 1 > lines[-1] and text.count('"') % 2:
        # The last row runs over several lines to the end of the file and the quotes do not
        # pair up: a quote opened there was never closed and swallowed the rest of the file.
        raise DataError(
            f'Line {lines[-1]} opens a double quote (") that is never closed: remove it or close it.'
        )
    return rows, lines, comments


def _looks_like_value(cell: str) -> bool:
    return looks_numeric(cell) or looks_like_date(cell)


def _column_names(header: list[str]) -> list[str]:
    """Header cells made unique and non-empty: "" -> "col3", a second "x" -> "x_2"."""
    names: list[str] = []
    for i, raw in enumerate(header):
        name = raw or f"col{i + 1}"
        base, k = name, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    return names
