"""The data picker shared by Train and Compare: a synthetic series, a bundled sample, or a CSV."""

from __future__ import annotations

import streamlit as st

from rnnlib.csv import CsvPreview, inspect_csv, read_csv
from rnnlib.datasets import describe_dataset, list_datasets, load_dataset
from rnnlib.errors import RnnlibError
from rnnlib.series import Series, make_synthetic
from rnnlib.ui.links import KEEP

# Per generator: (parameter, label, min, max, default, step). n, noise and seed are common to all.
KNOBS = {
    "sine": [
        ("period", "period (steps)", 2.0, 200.0, 20.0, 1.0),
        ("amplitude", "amplitude", 0.1, 10.0, 1.0, 0.1),
    ],
    "seasonal": [
        ("period", "season (steps)", 2.0, 200.0, 12.0, 1.0),
        ("trend", "trend per step", -0.1, 0.1, 0.01, 0.005),
    ],
    "random_walk": [
        ("drift", "drift per step", -0.01, 0.01, 0.0005, 0.0005),
        ("volatility", "volatility", 0.001, 0.1, 0.01, 0.001),
    ],
    "ar": [("phi1", "φ1", -0.95, 0.95, 0.6, 0.05), ("phi2", "φ2", -0.95, 0.95, -0.3, 0.05)],
    "square": [("period", "period (steps)", 2.0, 200.0, 25.0, 1.0)],
    "sawtooth": [("period", "period (steps)", 2.0, 200.0, 25.0, 1.0)],
    "mackey_glass": [("tau", "delay τ", 2.0, 40.0, 17.0, 1.0)],
}
NOISE = {
    "sine": 0.05,
    "seasonal": 0.1,
    "random_walk": None,
    "ar": 1.0,
    "square": 0.0,
    "sawtooth": 0.0,
    "mackey_glass": None,
}


@st.cache_data(max_entries=64, show_spinner=False)
def synthetic(name: str, params: tuple) -> Series:
    """Cached: a synthetic series is immutable and fully determined by its parameters."""
    p = dict(params)
    if name == "seasonal":
        p["periods"] = (p.pop("period"),)
    if name == "ar":
        p["coefficients"] = (p.pop("phi1"), p.pop("phi2"))
    return make_synthetic(name, **p)


@st.cache_data(show_spinner=False)
def sample(name: str) -> Series:
    return load_dataset(name)


def _synthetic_ui(prefix: str) -> Series:
    name = st.selectbox(
        "Generator",
        list(KNOBS),
        key=f"{prefix}gen",
        format_func=lambda s: s.replace("_", " "),
        **KEEP,
    )
    cols = st.columns(3)
    params = {"n": cols[0].number_input("length n", 50, 20_000, 400, 50, key=f"{prefix}n", **KEEP)}
    for i, (param, label, lo, hi, default, step) in enumerate(KNOBS[name]):
        params[param] = cols[1 + i % 2].number_input(
            label, lo, hi, default, step, key=f"{prefix}{name}_{param}", **KEEP
        )
    if NOISE[name] is not None:
        params["noise"] = cols[0].number_input(
            "noise σ", 0.0, 10.0, NOISE[name], 0.05, key=f"{prefix}{name}_noise", **KEEP
        )
    params["seed"] = cols[0].number_input("data seed", 0, 10_000, 0, key=f"{prefix}dseed", **KEEP)
    return synthetic(name, tuple(sorted(params.items())))


def _csv_ui(prefix: str) -> Series | None:
    upload = st.file_uploader("CSV file", type=["csv", "tsv", "txt"], key=f"{prefix}upload")
    if upload is None:
        st.caption(
            "Delimiters , ; tab |, decimal commas, UTF-8/UTF-16/Latin-1 and most date formats are detected."
        )
        return None
    data = upload.getvalue()
    preview: CsvPreview = inspect_csv(data)
    st.caption(
        f"{preview.n_rows:,} rows · delimiter {preview.delimiter!r} · {preview.encoding} · decimal {preview.decimal!r}"
    )
    st.dataframe(preview.head, hide_index=True, height=150)
    numeric = list(preview.numeric_columns) or list(preview.columns)
    c1, c2 = st.columns(2)
    dates = ["(none: use a step index)", *preview.columns]
    date_default = dates.index(preview.date_column) if preview.date_column in dates else 0
    date_col = c1.selectbox("time column", dates, index=date_default, key=f"{prefix}date_col")
    choices = [c for c in numeric if c != date_col] or numeric
    target = c2.selectbox("target column", choices, key=f"{prefix}target")
    features = st.multiselect(
        "extra input features", [c for c in choices if c != target], key=f"{prefix}features"
    )
    missing = st.radio(
        "missing values", ["interpolate", "ffill", "drop"], horizontal=True, key=f"{prefix}missing"
    )
    return read_csv(
        data, target=target, date_col=None if date_col == dates[0] else date_col,
        features=features, missing=missing, name=upload.name,
    )  # fmt: skip


def data_source_ui(prefix: str) -> Series | None:
    """Widgets for choosing the series; returns it, or None (with a message shown) when there is none."""
    kind = st.segmented_control(
        "Data", ["synthetic", "sample", "csv"], default="synthetic", required=True, key=f"{prefix}source",
        format_func={"synthetic": "Synthetic", "sample": "Sample data", "csv": "Upload CSV"}.get, **KEEP,
    )  # fmt: skip
    try:
        if kind == "sample":
            name = st.selectbox("Sample", list_datasets(), key=f"{prefix}sample", **KEEP)
            st.caption(describe_dataset(name))
            series = sample(name)
        elif kind == "csv":
            series = _csv_ui(prefix)
        else:
            series = _synthetic_ui(prefix)
    except RnnlibError as e:
        st.error(str(e))
        return None
    if series is not None and series.cleaning:
        with st.expander(f"Cleaning report ({len(series.cleaning)})"):
            st.markdown("\n".join(f"- {line}" for line in series.cleaning))
    return series
