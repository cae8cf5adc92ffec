"""The model's test error beside the baselines', as a table and one honest sentence."""

from __future__ import annotations

import math

import pandas as pd

LABELS = {
    "model": "model",
    "naive": "naive (last value)",
    "seasonal_naive": "seasonal naive",
    "drift": "drift",
    "mean": "window mean",
}
COLUMNS = {"mae": "MAE", "rmse": "RMSE", "mape": "MAPE %", "smape": "sMAPE %", "mase": "MASE"}


def metrics_table(metrics: dict[str, dict[str, float]]) -> pd.DataFrame:
    """One row per forecaster (model first), one column per metric; lower is better everywhere."""
    rows = {
        LABELS.get(name, name): {COLUMNS[k]: v for k, v in m.items() if k in COLUMNS}
        for name, m in metrics.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index")[[c for c in COLUMNS.values()]]


def verdict(metrics: dict[str, dict[str, float]], key: str = "mae") -> str:
    """E.g. 'The model's MAE is 23% lower than the best baseline (seasonal naive).'"""
    model = metrics["model"][key]
    baselines = {n: m[key] for n, m in metrics.items() if n != "model" and not math.isnan(m[key])}
    if not baselines or math.isnan(model):
        return "No baseline could be scored on these windows."
    best = min(baselines, key=baselines.get)
    ref = baselines[best]
    if ref == 0:
        return f"The best baseline ({LABELS[best]}) is exact on the test part; nothing to beat."
    change = (model - ref) / ref
    if change < 0:
        return f"The model's {COLUMNS[key]} is {-change:.0%} lower than the best baseline ({LABELS[best]})."
    return (
        f"The model does not beat the best baseline ({LABELS[best]}): its {COLUMNS[key]} is {change:.0%} "
        "higher. Try more epochs, a longer lookback, or check the series has learnable structure."
    )
