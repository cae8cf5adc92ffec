"""Figures for the Train page: the data split, live loss curves, and the forecast."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnlib.figures.colours import PART_COLOURS
from rnnlib.history import EpochRecord

if TYPE_CHECKING:  # annotations only: the landing page draws from here before pandas is loaded
    import pandas as pd

BASELINE_DASH = {"naive": "dot", "seasonal_naive": "dash", "drift": "dashdot", "mean": "longdash"}


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 340) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        legend=dict(orientation="h", y=1.02, x=1, xanchor="right", yanchor="bottom"),
    )
    return fig


def series_split(frame: pd.DataFrame, target: str, boundaries: tuple[int, int] | None) -> go.Figure:
    """The target over time, coloured by train / validation / test part (one trace per part)."""
    y = frame[target]
    fig = go.Figure()
    if boundaries is None:
        fig.add_scatter(x=frame.index, y=y, mode="lines", name=target, line=dict(color="#4C78A8"))
    else:
        a, b = boundaries
        # Each part starts at the previous part's last point so the line has no gaps.
        parts = {"train": (0, a), "validation": (max(a - 1, 0), b), "test": (max(b - 1, 0), len(y))}
        for name, (lo, hi) in parts.items():
            if hi - lo > 1 or name == "train":
                fig.add_scatter(
                    x=frame.index[lo:hi], y=y.iloc[lo:hi], mode="lines", name=name,
                    line=dict(color=PART_COLOURS[name]),
                )  # fmt: skip
    return _layout(
        fig, f"{target}: how the series is split", frame.index.name or "time", target, 300
    )


def loss_curves(
    history: Sequence[EpochRecord], log_y: bool = False, live: dict | None = None
) -> go.Figure:
    """Train and validation loss per epoch; ``live`` adds the running loss of the current epoch.

    live: {"x": fractional epoch, "loss"}.
    """
    fig = go.Figure()
    epochs = [h.epoch for h in history]
    fig.add_scatter(
        x=epochs, y=[h.train_loss for h in history], mode="lines+markers", name="train",
        line=dict(color=PART_COLOURS["train"]),
    )  # fmt: skip
    val = [h.val_loss for h in history]
    if any(v is not None for v in val):
        fig.add_scatter(
            x=epochs, y=val, mode="lines+markers", name="validation",
            line=dict(color=PART_COLOURS["validation"]),
        )  # fmt: skip
    if live is not None:
        fig.add_scatter(
            x=[live["x"]], y=[live["loss"]], mode="markers", name="this epoch so far",
            marker=dict(color=PART_COLOURS["train"], symbol="circle-open", size=10),
        )  # fmt: skip
    fig = _layout(fig, "Loss", "epoch", "loss (scaled units)", 320)
    if 0 < len(epochs) <= 12:
        fig.update_xaxes(dtick=1)  # whole epochs: no 1.5 between two points
    if log_y:
        fig.update_yaxes(type="log")
    return fig


def forecast_chart(
    history: pd.Series,
    test: pd.DataFrame,
    future: pd.DataFrame,
    baselines: Sequence[str] = ("naive",),
) -> go.Figure:
    """History, the test part's actual vs one-step-ahead predictions (with intervals when there are
    any), chosen baselines, and the forecast past the end of the data.

    history: the target with its time index; test: ForecastResult.test (long: origin, step, time,
    actual, model, baselines..., lowerXX/upperXX); future: ForecastResult.future.
    """
    one = test[test["step"] == 1]
    fig = go.Figure()
    fig.add_scatter(
        x=history.index, y=history.values, mode="lines", name="history", line=dict(color="#999")
    )
    _intervals(fig, one, one["time"], legend=True)
    fig.add_scatter(
        x=one["time"], y=one["actual"], mode="lines", name="test actual", line=dict(color="black")
    )
    fig.add_scatter(
        x=one["time"], y=one["model"], mode="lines", name="model (1 step ahead)",
        line=dict(color="#E45756", width=2),
    )  # fmt: skip
    for name in baselines:
        if name in one:
            fig.add_scatter(
                x=one["time"], y=one[name], mode="lines", name=name.replace("_", " "),
                line=dict(dash=BASELINE_DASH.get(name, "dot"), width=1),
            )  # fmt: skip
    if test["step"].max() > 1:  # the full horizon from the last test origin
        last = test[test["origin"] == test["origin"].max()]
        fig.add_scatter(
            x=last["time"], y=last["model"], mode="lines+markers", name="model (last origin, full horizon)",
            line=dict(color="#B279A2"),
        )  # fmt: skip
    _intervals(fig, future, future["time"], legend=False, colour="#4C78A8")
    fig.add_scatter(
        x=future["time"], y=future["forecast"], mode="lines+markers", name="forecast past the end",
        line=dict(color="#4C78A8", width=2),
    )  # fmt: skip
    fig = _layout(
        fig, "Forecast on the test part and past the end", "time", history.name or "value", 420
    )
    # Up to nine entries: a column on the right, where a row above would run into the title.
    fig.update_layout(legend=dict(orientation="v", x=1.01, xanchor="left", y=1, yanchor="top"))
    if len(one):
        # Open on the test part, with as much history again before it; double-click shows all.
        end = max(one["time"].iloc[-1], *future["time"])
        span = end - one["time"].iloc[0]
        fig.update_xaxes(range=[max(history.index[0], end - 2 * span), end + span * 0.02])
    return fig


def _intervals(fig, frame: pd.DataFrame, x, legend: bool, colour: str = "#E45756") -> None:
    """The 95% then the 80% band of a frame with lowerXX/upperXX columns, when it has them."""
    for level, alpha in ((95, 0.15), (80, 0.3)):
        if f"lower{level}" in frame:
            name = f"{level}% interval" if legend else None
            _band(fig, x, frame[f"lower{level}"], frame[f"upper{level}"], name, alpha, colour)


def _band(fig, x, lo, hi, name, alpha, colour="#E45756") -> None:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    x = list(x)
    fig.add_scatter(
        x=x + x[::-1], y=list(hi) + list(lo)[::-1], fill="toself", mode="lines",
        line=dict(width=0), fillcolor=f"rgba({r},{g},{b},{alpha})", hoverinfo="skip",
        name=name or "interval", showlegend=name is not None,
    )  # fmt: skip


def window_as_seen(seen: dict, description: str) -> go.Figure:
    """One window twice: in original units (left) and as the model reads it (right).

    seen: forecasting.window_as_seen(...): {"time_in", "time_out", "raw_in", "raw_out",
    "model_in", "model_out", "profile" (optional)}; description: the preprocessing in words, for
    the hover text. A profile is drawn dashed over both parts of the left panel: what the model's
    inputs and targets are measured from.
    """
    fig = make_subplots(1, 2, subplot_titles=("original units", "as the model sees it"))
    steps_in = list(range(-len(seen["model_in"]), 0))
    steps_out = list(range(len(seen["model_out"])))
    for col, (x_in, x_out, y_in, y_out) in enumerate(
        [
            (seen["time_in"], seen["time_out"], seen["raw_in"], seen["raw_out"]),
            (steps_in, steps_out, seen["model_in"], seen["model_out"]),
        ],
        start=1,
    ):
        fig.add_scatter(
            x=list(x_in), y=list(y_in), mode="lines+markers", name="inputs", row=1, col=col,
            line=dict(color=PART_COLOURS["train"]), showlegend=col == 1, legendgroup="in",
        )  # fmt: skip
        fig.add_scatter(
            x=list(x_out), y=list(y_out), mode="lines+markers", name="targets", row=1, col=col,
            line=dict(color=PART_COLOURS["test"]), showlegend=col == 1, legendgroup="out",
        )  # fmt: skip
    if seen.get("profile") is not None:
        fig.add_scatter(
            x=[*seen["time_in"], *seen["time_out"]], y=list(seen["profile"]), mode="lines",
            name="window's trend + season", line=dict(color="#555555", dash="dash"), row=1, col=1,
        )  # fmt: skip
    fig.update_xaxes(title_text="steps from the forecast origin", row=1, col=2)
    # the normalisation and the transform on lines of their own: one long line runs off the panel
    fig.update_yaxes(
        title_text=description.replace(", ", ",<br>"), title_font=dict(size=11), row=1, col=2
    )
    fig = _layout(fig, "One window, before and after preprocessing", "time", "", 320)
    # the legend below the panels: above them it runs into the subplot titles
    fig.update_layout(legend=dict(orientation="h", y=-0.25, x=0.5, xanchor="center", yanchor="top"))
    fig.update_layout(margin=dict(l=10, r=10, t=70, b=10))
    return fig
