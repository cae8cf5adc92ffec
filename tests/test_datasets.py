"""Bundled datasets: the exact well-known values, read through the same path as an upload."""

import pandas as pd
import pytest

from rnnlib.datasets import DATA_DIR, describe_dataset, list_datasets, load_dataset
from rnnlib.errors import DataError

# Box & Jenkins series G, as in R's AirPassengers: one row per year, January to December.
AIRLINE_1949 = [112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118]
AIRLINE_1960 = [417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432]
NILE_FIRST = [1120, 1160, 963, 1210, 1160, 1160, 813, 1230, 1370, 1140]
NILE_LAST = [1020, 906, 901, 1170, 912, 746, 919, 718, 714, 740]


def test_list_datasets_names_the_bundled_files():
    assert list_datasets() == ["airline_passengers", "nile"]
    for name in list_datasets():
        assert describe_dataset(name)
    assert sorted(p.name for p in DATA_DIR.glob("*.csv")) == ["airline_passengers.csv", "nile.csv"]


def test_airline_passengers_is_the_box_jenkins_series():
    s = load_dataset("airline_passengers")
    assert (s.name, s.target, s.features, s.frequency, s.cleaning) == (
        "airline_passengers",
        "passengers",
        (),
        "MS",
        (),
    )
    assert s.frame.index.equals(pd.date_range("1949-01-01", "1960-12-01", freq="MS", name="time"))
    y = s.values()[:, 0]
    assert len(y) == 144 and y.sum() == 40363 and y.min() == 104 and y.max() == 622
    assert y[:12].tolist() == AIRLINE_1949 and y[-12:].tolist() == AIRLINE_1960
    assert y[108:114].tolist() == [340, 318, 362, 348, 363, 435]  # 1958, January to June


def test_nile_is_the_annual_flow_at_aswan():
    s = load_dataset("nile")
    assert (s.name, s.target, s.frequency, s.cleaning) == ("nile", "flow", "YS-JAN", ())
    assert s.frame.index.equals(pd.date_range("1871-01-01", "1970-01-01", freq="YS", name="time"))
    y = s.values()[:, 0]
    assert len(y) == 100 and y.sum() == 91935 and y.min() == 456 and y.max() == 1370
    assert y[:10].tolist() == NILE_FIRST and y[-10:].tolist() == NILE_LAST
    # the well-known drop after the first Aswan dam (1898): the mean falls by about a fifth
    assert y[:28].mean() > 1090 and y[28:].mean() < 860


@pytest.mark.parametrize("name", ["sunspots", "", None, "Nile"])
def test_unknown_dataset_names_are_a_data_error(name):
    with pytest.raises(DataError) as info:
        load_dataset(name)
    assert str(info.value) == f"Unknown dataset {name!r}: choose one of airline_passengers, nile."
