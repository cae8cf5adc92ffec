"""CSV intake against the files people really upload: every feature, every failure, exact messages."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnlib.csv import UNEXPECTED, inspect_csv, read_csv
from rnnlib.errors import DataError
from rnnlib.series import Series

FIXTURES = Path(__file__).parent / "fixtures" / "csv"


def read(name: str, **kwargs) -> Series:
    return read_csv(FIXTURES / name, **kwargs)


def error(data, **kwargs) -> str:
    """The DataError message read_csv gives for `data` (a fixture name or bytes)."""
    with pytest.raises(DataError) as info:
        read_csv(FIXTURES / data if isinstance(data, str) else data, **kwargs)
    return str(info.value)


def days(first: str, n: int) -> pd.DatetimeIndex:
    return pd.date_range(first, periods=n, freq="D", name="time")


def column(s: Series, name: str | None = None) -> list[float]:
    return s.frame[name or s.target].tolist()


# --- files that cannot become a series -----------------------------------------------------------

EMPTY = "The file is empty: upload a CSV with a header row and at least 10 rows of values."
BINARY = "The file is not text (it looks binary): upload a CSV file saved as plain text."
NO_NUMBERS = (
    "No column holds numbers (every value is text): the file needs at least one column of numbers "
    "to forecast."
)
FAILURES = {
    "empty.csv": EMPTY,
    "blank_lines.csv": EMPTY,
    "header_only.csv": "The file has a header row but no data rows: add at least 10 rows of values.",
    "one_row.csv": "The file has only 1 data row: add at least 10 rows of values.",
    "nine_rows.csv": "The file has only 9 data rows: add at least 10 rows of values.",
    "binary.bin": BINARY,
    "binary_no_nul.bin": BINARY,
    "all_text.csv": NO_NUMBERS,
    "single_text_column.csv": NO_NUMBERS,
    "ragged.csv": (
        "Line 5 has 3 fields but the header has 2: give every row the same number of "
        "comma-separated fields."
    ),
    "unmatched_quote.csv": 'Line 3 opens a double quote (") that is never closed: remove it or close it.',
    "bad_values.csv": (
        "Column 'value' has 2 value(s) that are not numbers (first on line 6: 'oops'): fix them, "
        "or leave those cells empty to mark them missing."
    ),
}


@pytest.mark.parametrize(("name", "message"), FAILURES.items())
def test_unusable_files_raise_one_clear_line(name, message):
    assert error(name) == message


@pytest.mark.parametrize(("name", "message"), FAILURES.items())
def test_inspect_rejects_the_same_files_with_the_same_words(name, message):
    with pytest.raises(DataError) as info:
        inspect_csv((FIXTURES / name).read_bytes())
    assert str(info.value) == message


def test_a_short_file_that_loses_rows_to_cleaning_says_so():
    assert error("missing.csv", missing="drop") == (
        "Only 7 rows are left after cleaning, but at least 10 are needed: add rows or fill in the "
        "missing values."
    )


def test_limits_on_size_and_rows_name_the_limit():
    data = b"a,b\n" + b"1,2\n" * 100
    assert error(data, max_bytes=50) == (
        "The file is 404 bytes, over the 50 bytes limit: upload a shorter file (fewer rows or columns)."
    )
    assert error(data, max_rows=50) == (
        "The file has more rows than the 50-row limit: keep the most recent rows or aggregate them "
        "(for example to daily values)."
    )


def test_the_default_limits_are_about_ten_megabytes_and_200k_rows():
    too_big = b"a\n" + b"1.000000000\n" * 1_000_000
    assert error(too_big) == (
        "The file is 12 MB, over the 10 MB limit: upload a shorter file (fewer rows or columns)."
    )
    assert error(b"a\n" + b"1\n" * 200_001).startswith(
        "The file has more rows than the 200,000-row limit"
    )


def test_bad_inputs_that_are_not_files():
    assert error(42) == "A CSV must be given as bytes or a file path, not int."
    assert error("does_not_exist.csv") == (
        f"Cannot open {str(FIXTURES / 'does_not_exist.csv')!r}: No such file or directory."
    )
    assert error("years.csv", missing="zero") == (
        "missing must be one of 'interpolate', 'ffill', 'drop'; got 'zero'."
    )
    assert error("years.csv", features=5) == "features must be a list of column names, got 5."


def test_an_unforeseen_failure_still_surfaces_as_one_data_error(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom\n  at line 3")

    monkeypatch.setattr("rnnlib.csv.intake.detect_decimal", broken)
    with pytest.raises(DataError) as info:
        read("years.csv")
    assert str(info.value) == (
        f"{UNEXPECTED} (unexpected RuntimeError): check that it is a plain CSV with a header row "
        "and columns of numbers."
    )
    assert isinstance(info.value.__cause__, RuntimeError)  # kept for logs, never shown


def test_data_error_messages_are_always_one_line():
    assert str(DataError("first line\n  second\tline ")) == "first line second line"
    assert isinstance(DataError("x"), ValueError)


# --- choosing columns ----------------------------------------------------------------------------

COLUMNS = "the columns are 'date', 'load', 'temperature', 'humidity', 'station'."


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "lode"}, f"Unknown target column 'lode': {COLUMNS}"),
        ({"features": ["temp"]}, f"Unknown feature column 'temp': {COLUMNS}"),
        ({"date_col": "day"}, f"Unknown date column 'day': {COLUMNS}"),
        (
            {"target": "station"},
            "Column 'station' does not hold numbers (line 2 has 'north'): choose a numeric column "
            "such as 'load'.",
        ),
        (
            {"target": "date"},
            "'date' is the date column, so it cannot also be a value: choose another column, or "
            "use no date column.",
        ),
        (
            {"features": ["load"]},
            "'load' is chosen twice: each column can be the target or one feature.",
        ),
        (
            {"date_col": "station"},
            "Column 'station' does not look like dates (line 2 has 'north'): choose another date "
            "column, give date_format (for example '%d/%m/%Y'), or use no date column.",
        ),
        (
            {"date_format": "%d/%m/%Y"},
            "No column matches the date format '%d/%m/%Y': check the format, or name the date "
            "column with date_col.",
        ),
        (
            {"date_col": "date", "date_format": "%Q"},
            "The date format '%Q' could not be applied ('Q' is a bad directive in format '%Q'): "
            "give a strptime format such as '%Y-%m-%d' or '%d/%m/%Y'.",
        ),
        (
            {"date_col": "date", "date_format": "%d.%m.%Y"},
            "Most cells in 'date' could not be read as dates with '%d.%m.%Y' (line 2 has "
            "'2020-01-01'): give the right date_format, or choose another column.",
        ),
    ],
)
def test_column_choices_are_checked_with_exact_messages(kwargs, message):
    assert error("multi_feature.csv", **kwargs) == message


def test_target_defaults_to_the_first_numeric_column_after_the_date():
    s = read("multi_feature.csv")
    assert s.target == "load" and s.features == () and list(s.frame.columns) == ["load"]
    assert column(s) == [100.0 + i for i in range(12)]


def test_features_follow_the_target_in_the_given_order():
    s = read("multi_feature.csv", target="humidity", features=["temperature", "load"])
    assert list(s.frame.columns) == ["humidity", "temperature", "load"]
    assert s.features == ("temperature", "load") and s.values().shape == (12, 3)
    assert s.values()[:2].tolist() == [[50.0, 20.0, 100.0], [51.0, 19.5, 101.0]]
    assert read("multi_feature.csv", features="temperature").features == ("temperature",)


def test_only_the_date_column_holds_numbers():
    data = b"year,city\n" + b"".join(f"{1900 + i},x{i}\n".encode() for i in range(12))
    assert error(data) == (
        "The only column of numbers is the date column 'year': add a column of values to forecast."
    )


# --- encodings, delimiters, headers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "target"),
    [
        ("bom.csv", "utf-8-sig", ",", "value"),
        ("utf16.csv", "utf-16", "\t", "value"),
        ("latin1.csv", "latin-1", ";", "température"),
        ("tab.tsv", "utf-8", "\t", "value"),
        ("pipe.csv", "utf-8", "|", "value"),
        ("excel_sep.csv", "utf-8", ";", "value"),
        ("semicolon_decimal_comma.csv", "utf-8", ";", "Umsatz"),
    ],
)
def test_encodings_and_delimiters_are_detected(name, encoding, delimiter, target):
    preview = inspect_csv((FIXTURES / name).read_bytes())
    assert (preview.encoding, preview.delimiter) == (encoding, delimiter)
    assert preview.columns[0] in {"date", "Datum"} and preview.has_header
    s = read(name)
    assert s.target == target and len(s) == 12 and s.frequency == "D"


def test_values_survive_each_encoding_exactly():
    assert column(read("bom.csv")) == [float(i) for i in range(12)]
    assert column(read("utf16.csv")) == [float(i) for i in range(12)]
    assert column(read("latin1.csv")) == [i + 0.5 for i in range(12)]
    assert column(read("pipe.csv")) == [i * 1.25 for i in range(12)]
    assert column(read("tab.tsv", target="count")) == [float(2 * i) for i in range(12)]


def test_a_file_without_header_gets_numbered_columns():
    preview = inspect_csv((FIXTURES / "headerless.csv").read_bytes())
    assert not preview.has_header and preview.columns == ("col1", "col2")
    assert preview.date_column == "col1" and preview.numeric_columns == ("col2",)
    s = read("headerless.csv")
    assert s.target == "col2" and column(s)[:3] == [0.5, 1.5, 2.5]
    assert s.frame.index[0] == pd.Timestamp("2020-01-01")


def test_comment_lines_and_trailing_delimiters_are_skipped():
    s = read("comments.csv")
    assert column(s)[:3] == [0.0, 1.0, 2.0]
    assert s.cleaning == ("Skipped 2 comment lines starting with '#'.",)
    preview = inspect_csv((FIXTURES / "crlf_trailing.csv").read_bytes())
    assert preview.columns == ("date", "value") and preview.n_rows == 12


# --- numbers --------------------------------------------------------------------------------------


def test_decimal_comma_with_dot_thousands():
    preview = inspect_csv((FIXTURES / "semicolon_decimal_comma.csv").read_bytes())
    assert preview.decimal == "," and preview.date_column == "Datum"
    assert preview.numeric_columns == ("Umsatz", "Temperatur")
    s = read("semicolon_decimal_comma.csv", features=["Temperatur"])
    assert column(s) == [
        1234.5,
        1300.25,
        987.5,
        1000,
        1111.1,
        2000.75,
        1500,
        1250.5,
        999.9,
        1001.1,
        1010,
        1100.5,
    ]
    assert column(s, "Temperatur") == [3.5, 4, -1.25, 0.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5]
    assert s.frame.index.equals(days("2021-03-01", 12))


def test_thousands_separators_with_comma_and_space():
    assert inspect_csv((FIXTURES / "thousands.csv").read_bytes()).decimal == "."
    s = read("thousands.csv", features=["units"])
    assert column(s) == [
        1234.5,
        2000,
        999.5,
        1_000_000,
        12345.75,
        1001,
        500,
        7500.25,
        3333,
        10000,
        1234,
        2468.5,
    ]
    assert column(s, "units") == [
        1234,
        2000,
        999,
        1000,
        12345,
        1001,
        500,
        7500,
        3333,
        10000,
        1234,
        2468,
    ]


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first", "second", "frequency"),
    [
        ("quarters.csv", "1960-01-01", "1960-04-01", "QS-JAN"),
        ("quarters_dash.csv", "1960-01-01", "1960-04-01", "QS-JAN"),
        ("yyyy_mm.csv", "2019-01-01", "2019-02-01", "MS"),
        ("month_names.csv", "1949-01-01", "1949-02-01", "MS"),
        ("dd_mm_yyyy.csv", "2020-01-10", "2020-01-11", "D"),
        ("mm_dd_yyyy.csv", "2020-01-10", "2020-01-11", "D"),
        ("dd_slash_mm_yyyy.csv", "2020-01-10", "2020-01-11", "D"),
        ("epoch.csv", "2020-01-01 00:00", "2020-01-01 01:00", "h"),
        ("years.csv", "1871-01-01", "1872-01-01", "YS-JAN"),
        ("headerless_years.csv", "1900-01-01", "1901-01-01", "YS-JAN"),
        ("irregular.csv", "2020-01-01", "2020-01-02", None),
    ],
)
def test_date_formats_are_detected_and_the_frequency_inferred(name, first, second, frequency):
    s = read(name)
    index = s.frame.index
    assert isinstance(index, pd.DatetimeIndex) and index.name == "time"
    assert (index[0], index[1]) == (pd.Timestamp(first), pd.Timestamp(second))
    assert s.frequency == frequency


def test_times_with_utc_offsets_are_converted_to_utc():
    s = read("iso_offsets.csv")
    assert s.frame.index[0] == pd.Timestamp("2021-03-26 23:00") and s.frequency == "h"
    assert s.cleaning == ("Converted times with a UTC offset to UTC.",)


def test_ambiguous_slashes_read_as_month_first_unless_told_otherwise():
    data = b"date,value\n" + b"".join(f"{m:02d}/01/2020,{m}\n".encode() for m in range(1, 13))
    assert read_csv(data).frame.index[1] == pd.Timestamp("2020-02-01")
    s = read_csv(data, date_format="%d/%m/%Y")
    assert s.frame.index[1] == pd.Timestamp("2020-01-02") and s.frequency == "D"


def test_date_column_can_be_named_or_switched_off():
    s = read("multi_feature.csv", date_col=None)
    assert isinstance(s.frame.index, pd.RangeIndex) and s.frame.index.name == "step"
    assert s.frequency is None and len(s) == 12
    named = read("years.csv", date_col="year")
    assert named.frame.index[0] == pd.Timestamp("1871-01-01")
    explicit = read("mm_dd_yyyy.csv", date_col="date", date_format="%m/%d/%Y")
    assert explicit.frame.index.equals(days("2020-01-10", 12))


def test_a_file_without_dates_gets_a_step_index():
    preview = inspect_csv((FIXTURES / "no_date.csv").read_bytes())
    assert preview.date_column is None and preview.numeric_columns == ("a", "b")
    s = read("no_date.csv", features=["b"])
    assert s.frame.index.equals(pd.RangeIndex(12, name="step")) and s.frequency is None
    assert column(s, "b") == [float(i * i) for i in range(12)]


def test_rows_with_unreadable_dates_are_dropped_and_reported():
    rows = [f"2020-01-{d:02d},{d}\n" for d in range(1, 14)]
    rows[4] = "2020-13-45,5\n"
    rows[6] = ",7\n"
    s = read_csv(("date,value\n" + "".join(rows)).encode())
    assert len(s) == 11 and 5.0 not in column(s) and 7.0 not in column(s)
    assert s.cleaning == (
        "Dropped 2 rows whose 'date' was missing or not a date (first on line 6: '2020-13-45').",
    )


# --- cleaning -------------------------------------------------------------------------------------


def test_unsorted_rows_are_sorted_and_the_report_says_so():
    s = read("unsorted.csv")
    assert column(s) == [10.0 * d for d in range(1, 13)] and s.frequency == "D"
    assert s.cleaning == ("Sorted the rows by 'date': they were not in time order.",)


def test_duplicate_timestamps_are_averaged():
    s = read("duplicates.csv")
    assert s.frame.index.equals(days("2020-01-01", 11))
    assert column(s) == [1, 3, 3, 4, 6, 6, 7, 8, 9, 10, 11]
    assert s.cleaning == (
        "Averaged 5 rows with a repeated timestamp into 2 rows, one per timestamp.",
    )


def test_missing_values_are_interpolated_by_default():
    s = read("missing.csv")
    assert s.frame.index.equals(days("2020-01-02", 12))
    assert column(s) == [float(v) for v in range(2, 14)]
    assert s.cleaning == (
        "Filled 5 missing values in 'value' by linear interpolation.",
        "Dropped 2 rows at the start or end whose missing values had no neighbour to fill from.",
    )


def test_missing_values_can_be_carried_forward():
    s = read("missing.csv", missing="ffill")
    assert column(s) == [2, 2, 4, 4, 4, 7, 7, 9, 9, 11, 12, 13, 13]
    assert s.cleaning == (
        "Filled 6 missing values in 'value' with the previous value.",
        "Dropped 1 row at the start whose missing values had no neighbour to fill from.",
    )


def test_missing_values_can_be_dropped():
    rows = "".join(f"2020-01-{d:02d},{'NA' if d in (3, 8) else d}\n" for d in range(1, 15))
    s = read_csv(("date,value\n" + rows).encode(), missing="drop")
    assert len(s) == 12 and s.frequency is None  # the gaps make the index irregular
    assert s.cleaning == ("Dropped 2 rows with missing values (2 in 'value').",)


def test_interpolation_weighs_gaps_by_time():
    data = b"date,value\n" + b"".join(
        f"2020-01-{d:02d},{'' if d == 2 else d * 10}\n".encode()
        for d in [1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    )
    # 2020-01-02 lies a quarter of the way from day 1 (10) to day 5 (50)
    assert column(read_csv(data))[1] == 20.0


def test_infinities_count_as_missing():
    s = read("inf.csv")
    assert column(s) == [float(v) for v in range(1, 13)]
    assert s.cleaning == (
        "Treated 2 infinite values in 'value' as missing.",
        "Filled 2 missing values in 'value' by linear interpolation.",
    )


def test_a_constant_target_is_allowed_with_a_warning():
    s = read("constant.csv")
    assert column(s) == [5.0] * 12
    assert s.cleaning == (
        "The target 'value' is constant: any model and the mean baseline will tie.",
    )


# --- step indexes and mostly empty targets -------------------------------------------------------


def rows(header: str, n: int, row) -> bytes:
    """A CSV with `header` and rows row(0) .. row(n - 1)."""
    return (header + "\n" + "".join(row(i) + "\n" for i in range(n))).encode()


@pytest.mark.parametrize(
    "name", ["t", "step", "index", "time", "idx", "Step", "time_step", "rownames", ""]
)
def test_a_step_index_is_never_the_default_target(name):
    data = rows(f"{name},value", 30, lambda i: f"{i + 1},{np.sin(i):.4f}")
    s = read_csv(data)
    assert s.target == "value" and s.features == ()
    assert column(s) == [round(np.sin(i), 4) for i in range(30)]
    preview = inspect_csv(data)
    step = name or "col1"  # an empty header cell, as pandas writes its index
    assert preview.numeric_columns == ("value",) and preview.step_columns == (step,)
    assert read_csv(data, target=step).target == step  # still there when asked for by name


def test_a_headerless_file_counting_from_zero_has_a_step_index_and_no_header():
    s = read_csv(rows("0,0.0", 29, lambda i: f"{i + 1},{(i + 1) * 0.5}"))
    assert s.target == "col2" and column(s) == [i * 0.5 for i in range(30)]


def test_consecutive_integers_under_another_name_are_values():
    preview = inspect_csv((FIXTURES / "no_date.csv").read_bytes())
    assert preview.numeric_columns == ("a", "b") and preview.step_columns == ()
    assert read("no_date.csv").target == "a"


EMPTY_VALUE = (
    "The target column 'value' is 100% empty (30 of 30 rows missing): filling in that many values "
    "would invent the series, so choose a column with values in most rows, or fill in the missing "
    "values."
)


def test_a_step_index_with_an_empty_value_column_is_refused():
    data = rows("t,value", 30, lambda i: f"{i},")
    assert error(data) == EMPTY_VALUE
    with pytest.raises(DataError) as info:
        inspect_csv(data)
    assert str(info.value) == EMPTY_VALUE
    assert error(rows("t,value", 30, lambda i: f"{i},NaN")) == EMPTY_VALUE
    dated = rows("date,t,value", 30, lambda i: f"2020-01-{i + 1:02d},{i},")
    assert error(dated) == EMPTY_VALUE


def test_a_file_with_only_a_step_index_is_refused():
    message = (
        "The file has no column of values to forecast: 't' only counts the rows (a step index of "
        "consecutive whole numbers)."
    )
    assert error(rows("t", 30, str)) == message


@pytest.mark.parametrize(
    ("missing_rows", "share"), [(99, "99%"), (51, "51%"), (995, "over 99%"), (501, "over 50%")]
)
def test_a_mostly_empty_target_is_refused_not_interpolated(missing_rows, share):
    n = 100 if missing_rows < 100 else 1000
    data = rows("t,value", n, lambda i: f"{i},{'' if i < missing_rows else i * 0.5}")
    assert error(data) == (
        f"The target column 'value' is {share} empty ({missing_rows:,} of {n:,} rows missing): "
        "filling in that many values would invent the series, so choose a column with values in "
        "most rows, or fill in the missing values."
    )


def test_the_refusal_names_a_column_that_would_do():
    data = rows(
        "date,sparse,full", 20, lambda i: f"2020-01-{i + 1:02d},{'' if i % 4 else i},{i * 2}"
    )
    assert error(data, target="sparse") == (
        "The target column 'sparse' is 75% empty (15 of 20 rows missing): filling in that many "
        "values would invent the series, so choose a column with values in most rows such as "
        "'full', or fill in the missing values."
    )
    assert error(data) == error(data, target="sparse")  # the first value column is the default
    s = read_csv(data, target="full", features=["sparse"])  # a sparse feature is only filled in
    assert s.target == "full" and s.frame["sparse"].notna().all()


def test_a_target_missing_in_half_its_rows_is_still_filled_in():
    s = read_csv(rows("t,value", 20, lambda i: f"{i},{'' if i % 2 else i}"))
    assert s.target == "value" and s.frame["value"].notna().all()
    assert s.cleaning[0] == "Filled 9 missing values in 'value' by linear interpolation."


# --- preview and inputs ---------------------------------------------------------------------------


def test_inspect_describes_the_file_for_column_pickers():
    p = inspect_csv((FIXTURES / "multi_feature.csv").read_bytes())
    assert p.columns == ("date", "load", "temperature", "humidity", "station")
    assert p.numeric_columns == ("load", "temperature", "humidity") and p.date_column == "date"
    assert (p.delimiter, p.encoding, p.decimal, p.has_header, p.n_rows) == (
        ",",
        "utf-8",
        ".",
        True,
        12,
    )
    assert p.head.shape == (5, 5) and p.head.iloc[0].tolist() == [
        "2020-01-01",
        "100",
        "20.0",
        "50",
        "north",
    ]


def test_bytes_and_paths_read_the_same():
    path = FIXTURES / "years.csv"
    a, b, c = read_csv(path), read_csv(str(path)), read_csv(path.read_bytes(), name="nile-like")
    assert a.frame.equals(b.frame) and a.frame.equals(c.frame)
    assert (a.name, c.name) == ("upload", "nile-like")


# --- properties: nothing but DataError, and every Series keeps its promises ------------------------


def assert_series_invariants(s: Series) -> None:
    frame = s.frame
    assert len(s) >= 10 and list(frame.columns) == [s.target, *s.features]
    assert (
        all(dtype == np.float64 for dtype in frame.dtypes) and np.isfinite(frame.to_numpy()).all()
    )
    index = frame.index
    if isinstance(index, pd.DatetimeIndex):
        assert index.name == "time" and index.is_monotonic_increasing and index.is_unique
    else:
        assert index.equals(pd.RangeIndex(len(frame), name="step")) and s.frequency is None
    assert all("\n" not in note for note in s.cleaning)


def assert_clean_error(e: DataError) -> None:
    message = str(e)
    assert message and "\n" not in message and "Traceback" not in message
    assert not message.startswith(UNEXPECTED), message  # a failure nobody foresaw is a bug


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_raise_only_data_errors(data):
    for call in (inspect_csv, read_csv):
        try:
            result = call(data)
        except DataError as e:
            assert_clean_error(e)
        else:
            if isinstance(result, Series):
                assert_series_invariants(result)


_CELLS = st.one_of(
    st.integers(-10_000, 10_000).map(str),
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(repr),
    st.decimals(-1e6, 1e6, places=2, allow_nan=False).map(lambda d: f"{d:,}"),
    st.decimals(-1e4, 1e4, places=2, allow_nan=False).map(lambda d: str(d).replace(".", ",")),
    st.sampled_from(["", "NA", "n/a", "-", "null", "NaN", "inf", "#REF!", '"', '""', "x", "2020"]),
    st.tuples(st.dates(), st.sampled_from(["%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%YQ1"])).map(
        lambda t: t[0].strftime(t[1])
    ),
    st.integers(1_500_000_000, 1_700_000_000).map(str),
    st.text(max_size=6),
)


@st.composite
def csv_files(draw):
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 4))
    n_rows = draw(st.integers(0, 25))
    header = draw(
        st.lists(
            st.sampled_from(["date", "value", "x", "time", "", "year"]),
            min_size=width,
            max_size=width,
        )
    )
    lines = [delimiter.join(header)] if draw(st.booleans()) else []
    for _ in range(n_rows):
        row = draw(st.lists(_CELLS, min_size=width, max_size=width))
        if draw(st.integers(0, 20)) == 0:  # now and then a ragged row
            row = row[:-1] or ["a", "b"]
        lines.append(delimiter.join(row))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return ("\n".join(lines) + "\n").encode(encoding, errors="replace")


def _dated_numbers(days_offset: int, values: list[float]) -> bytes:
    start = pd.Timestamp("2000-01-01") + pd.Timedelta(days=days_offset)
    rows = [f"{(start + pd.Timedelta(days=i)).date()},{v!r}" for i, v in enumerate(values)]
    return ("date,value\n" + "\n".join(rows) + "\n").encode()


@FAST
@given(
    csv_files(), st.sampled_from(["interpolate", "ffill", "drop"]), st.sampled_from(["auto", None])
)
def test_csv_like_text_raises_only_data_errors(data, missing, date_col):
    try:
        s = read_csv(data, missing=missing, date_col=date_col)
    except DataError as e:
        assert_clean_error(e)
    else:
        assert_series_invariants(s)
    try:
        inspect_csv(data)
    except DataError as e:
        assert_clean_error(e)


@FAST
@given(
    st.integers(0, 10_000),
    st.lists(st.one_of(st.floats(-1e9, 1e9), st.just(float("nan"))), min_size=10, max_size=40),
)
def test_well_formed_files_come_back_as_valid_series(offset, values):
    try:
        s = read_csv(_dated_numbers(offset, values))
    except DataError as e:
        assert_clean_error(e)
        assert str(e).startswith(
            ("Only ", "No column holds numbers", "The target column 'value' is ")
        )
        if str(e).startswith("The target column"):
            assert pd.Series(values).isna().mean() > 0.5
    else:
        assert_series_invariants(s)
        assert s.frequency in {"D", None}
