"""Figures for the landing page's live demo: the loss falling, and the forecast bending to the wave.

ECharts options (plain dicts for ``st.echarts_chart``), not plotly figures like the other pages:
the landing page's first point must be on screen within two seconds of a cold visit, and in
headless Chromium on two cores plotly.js alone takes about a second to load and draw its first
chart, ECharts about a third of that (benchmarks/bench_landing.py). Building a dict also
imports nothing.

Every series is ``[[x, y], ...]`` on value axes, so a chart says what it shows: its series'
names and point counts.
"""

from __future__ import annotations

import numpy as np

from rnnlib.demo import DemoFrame  # torch-free: the charts can be drawn before torch loads
from rnnlib.figures.colours import FORECAST_RED, HELD_OUT_GREY, PART_COLOURS

HEIGHT = 300
LOSS_TITLE = "Loss, step by step"
DIGITS = 4  # significant digits sent: a frame's message stays a few kB


def forecast_title(horizon: int) -> str:
    return f"Forecast of the last {horizon} points"


def _points(x: np.ndarray, y) -> list[list[float]]:
    y = np.asarray(y, dtype=float)
    return [[int(a), float(f"{b:.{DIGITS}g}")] for a, b in zip(x, y, strict=True)]


def _line(name: str, data: list, colour: str, width: float = 2, dash: str = "solid") -> dict:
    return {
        "name": name, "type": "line", "data": data, "symbol": "none",
        "lineStyle": {"color": colour, "width": width, "type": dash},
        "itemStyle": {"color": colour},
    }  # fmt: skip


def _axis(name: str, **more) -> dict:
    return {"type": "value", "name": name, "nameLocation": "middle", "nameGap": 30, **more}


def _chart(title: str, x: dict, y: dict, series: list[dict], legend: bool) -> dict:
    return {
        # Each frame replaces the last a few times a second: tweening would lag behind it.
        "animation": False,
        "title": {"text": title, "textStyle": {"fontSize": 15}},
        "legend": {"show": legend, "right": 0, "top": 24},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 28, "right": 16, "top": 64, "bottom": 40},
        "xAxis": x,
        "yAxis": y,
        "series": series,
    }


def demo_loss_chart(frame: DemoFrame) -> dict:
    """Training MSE per Adam step so far (one point per step), on a log scale, x fixed to all steps."""
    steps = np.arange(1, len(frame.losses) + 1)
    loss = _line("training loss", _points(steps, frame.losses), PART_COLOURS["train"], 1.5)
    # Fixed axes: the curve grows into the frame instead of the frame rescaling under it.
    x = _axis("Adam step", min=0, max=frame.steps)
    y = _axis("mean squared error (scaled)", type="log", nameGap=44)
    return _chart(LOSS_TITLE, x, y, [loss], legend=False)


def demo_forecast_chart(frame: DemoFrame) -> dict:
    """The series the model trains on, the held-out tail, and the model's recursive forecast of it."""
    n, cut = len(frame.series), frame.cut
    t = np.arange(n)
    forecast = [] if frame.forecast is None else _points(t[cut:], frame.forecast)
    series = [
        _line("seen by the model", _points(t[:cut], frame.series[:cut]), PART_COLOURS["train"]),
        _line("held out", _points(t[cut:], frame.series[cut:]), HELD_OUT_GREY, dash="dotted"),
        _line("forecast", forecast, FORECAST_RED, width=3),
    ]
    lo, hi = float(frame.series.min()), float(frame.series.max())
    pad = 0.25 * (hi - lo)
    # y fixed around the series: an untrained forecast far off the wave cannot squash the chart
    y = _axis("value", min=round(lo - pad, 2), max=round(hi + pad, 2))
    return _chart(
        forecast_title(frame.horizon), _axis("time step", min=0, max=n - 1), y, series, True
    )
