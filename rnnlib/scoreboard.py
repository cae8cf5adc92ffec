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
    # reindex: a metric no forecaster has is an empty (NaN) column, not a KeyError
    return pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(COLUMNS.values()))


def verdict(metrics: dict[str, dict[str, float]], key: str = "mae") -> str:
    """One sentence comparing the model with the best baseline on `key`, e.g.
    "The model's MAE is 23% lower than that of the best baseline, seasonal naive."

    NaN scores (a metric undefined on these points) are left out; without a finite model score
    or any baseline score there is nothing to compare, and the sentence says which.
    """
    column = COLUMNS[key]
    model = metrics["model"][key]
    baselines = {n: m[key] for n, m in metrics.items() if n != "model" and math.isfinite(m[key])}
    if not math.isfinite(model):
        return f"The model's {column} is not a finite number on the test part: nothing to compare."
    if not baselines:
        return f"No baseline has a finite {column} on the test part: nothing to compare with."
    best = min(baselines, key=baselines.get)
    ref, label = baselines[best], LABELS.get(best, best)
    if ref == 0:
        return f"The best baseline, {label}, is exact on the test part: nothing to beat."
    change = (model - ref) / ref
    if abs(change) < 0.005:
        return f"The model's {column} ties with that of the best baseline, {label} (within 0.5%)."
    if change < 0:
        return (
            f"The model's {column} is {-change:.0%} lower than that of the best baseline, {label}."
        )
    return (
        f"The model does not beat the best baseline, {label}: its {column} is {change:.0%} "
        "higher. Try more epochs, a longer lookback, or check the series has learnable structure."
    )


def candidates_table(preprocessing) -> pd.DataFrame:
    """One row per preprocessing candidate `auto` tried: its validation MAE, epochs and seconds,
    and the number of rolling-origin folds the MAE is the mean of when there were several.

    The chosen row is marked; the test part played no part in the choice, so it is not shown here.
    """
    chosen = (preprocessing.normalize, preprocessing.transform)
    folds = any(c.folds > 1 for c in preprocessing.candidates)
    return pd.DataFrame(
        [
            {
                "normalize": c.normalize,
                "transform": c.transform,
                "validation MAE": c.val_mae,
                **({"folds": c.folds} if folds else {}),
                "epochs": c.epochs,
                "seconds": round(c.seconds, 2),
                "chosen": "✓" if (c.normalize, c.transform) == chosen else "",
            }
            for c in preprocessing.candidates
        ]
    )


def ensemble_text(k: int) -> str:
    """What the scored model is, for the verdict line: one network or a median of k."""
    return "one network" if k == 1 else f"the median of {k} networks trained from {k} seeds"
