"""Classic public-domain series bundled as CSV files, for one-click use.

They are read through `rnnlib.csv.read_csv`, the same path as an upload, so a bundled dataset is
also a standing test that the reader handles "yyyy-mm" months and bare years.
"""

from __future__ import annotations

from pathlib import Path

from rnnlib.csv import read_csv
from rnnlib.errors import DataError
from rnnlib.series import Series

DATA_DIR = Path(__file__).parent / "data"

# name -> (file in DATA_DIR, one line saying what it is and where it comes from)
DATASETS: dict[str, tuple[str, str]] = {
    "airline_passengers": (
        "airline_passengers.csv",
        "Monthly international airline passengers in thousands, 1949-01 to 1960-12 "
        "(Box & Jenkins, series G; R's AirPassengers).",
    ),
    "nile": (
        "nile.csv",
        "Annual flow of the Nile at Aswan in 10^8 m^3, 1871 to 1970 (R's Nile; Cobb 1978).",
    ),
}


def list_datasets() -> list[str]:
    """Names accepted by `load_dataset`, in display order."""
    return list(DATASETS)


def describe_dataset(name: str) -> str:
    """One line on what the dataset is and where it comes from."""
    return DATASETS[_check_name(name)][1]


def load_dataset(name: str) -> Series:
    """The bundled dataset `name` as a `Series` (DatetimeIndex, target column first)."""
    return read_csv(DATA_DIR / DATASETS[_check_name(name)][0], name=name)


def _check_name(name: str) -> str:
    if not isinstance(name, str) or name not in DATASETS:
        raise DataError(f"Unknown dataset {name!r}: choose one of {', '.join(DATASETS)}.")
    return name
