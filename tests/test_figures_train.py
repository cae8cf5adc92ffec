"""figures/train.py: the Train page's figures, checked as data (no Streamlit, no rendering)."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from rnnlib.figures.train import (
    PART_COLOURS,
    forecast_chart,
    loss_curves,
    series_split,
    window_as_seen,
)
from rnnlib.history import EpochRecord

N, H = 60, 3  # rows of history; forecast horizon


def names(fig) -> list[str]:
    return [t.name for t in fig.data]


def frame(n: int = N) -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=n, freq="D", name="date")
    return pd.DataFrame({"sales": np.sin(np.arange(n) / 3.0)}, index=index)


def scored(horizon: int = H, intervals: bool = False) -> pd.DataFrame:
    """ForecastResult.test's long layout: four origins near the end, `horizon` steps each."""
    times = frame(N + horizon).index
    origins = np.arange(N - horizon - 4, N - horizon)
    rows = []
    for o in origins:
        for step in range(1, horizon + 1):
            t = o + step - 1
            rows.append(dict(origin=times[o], step=step, time=times[t], actual=float(t),
                             model=t + 0.1, naive=t - 1.0, seasonal_naive=t - 0.5))  # fmt: skip
    test = pd.DataFrame(rows)
    if intervals:
        for level, width in ((80, 1.0), (95, 2.0)):
            test[f"lower{level}"], test[f"upper{level}"] = test.model - width, test.model + width
    return test


def future(horizon: int = H, intervals: bool = False) -> pd.DataFrame:
    times = pd.date_range("2024-03-01", periods=horizon, freq="D")
    df = pd.DataFrame({"time": times, "forecast": np.arange(horizon, dtype=float)})
    if intervals:
        for level, width in ((80, 1.0), (95, 2.0)):
            df[f"lower{level}"], df[f"upper{level}"] = df.forecast - width, df.forecast + width
    return df


# --- series_split ---------------------------------------------------------------------------


def test_split_has_one_trace_per_part_that_join_without_gaps():
    fig = series_split(frame(), "sales", (40, 50))
    assert names(fig) == ["train", "validation", "test"]
    assert [t.line.color for t in fig.data] == list(PART_COLOURS.values())
    train, val, test = ([*t.x] for t in fig.data)
    assert len(train) == 40 and train[-1] == val[0] and val[-1] == test[0] and len(test) == 11
    assert fig.layout.xaxis.title.text == "date" and fig.layout.yaxis.title.text == "sales"
    assert fig.layout.title.text == "sales: how the series is split"


def test_split_without_boundaries_is_one_line_named_after_the_target():
    fig = series_split(frame(), "sales", None)
    assert names(fig) == ["sales"] and len(fig.data[0].y) == N


def test_split_on_a_step_index_labels_the_axis_time():
    df = frame().reset_index(drop=True)
    assert series_split(df, "sales", (40, 50)).layout.xaxis.title.text == "time"


# --- loss_curves ----------------------------------------------------------------------------

HISTORY = [EpochRecord(e, train_loss=1.0 / e, val_loss=1.2 / e) for e in (1, 2, 3)]


def test_loss_curves_with_validation():
    fig = loss_curves(HISTORY)
    assert names(fig) == ["train", "validation"]
    assert list(fig.data[1].y) == pytest.approx([1.2, 0.6, 0.4])
    assert fig.layout.xaxis.title.text == "epoch" and fig.layout.yaxis.type in (None, "linear")
    assert fig.layout.xaxis.dtick == 1  # few epochs: a tick per epoch, none in between


def test_loss_curves_of_many_epochs_leave_the_ticks_to_plotly():
    history = [EpochRecord(e, train_loss=1.0, val_loss=None) for e in range(1, 41)]
    assert loss_curves(history).layout.xaxis.dtick is None


def test_loss_curves_without_validation_draw_train_only():
    history = [replace(h, val_loss=None) for h in HISTORY]
    assert names(loss_curves(history)) == ["train"]


def test_loss_curves_log_axis_and_the_live_point():
    fig = loss_curves(HISTORY, log_y=True, live={"x": 3.5, "loss": 0.3})
    assert fig.layout.yaxis.type == "log"
    assert names(fig) == ["train", "validation", "this epoch so far"]
    assert list(fig.data[2].x) == [3.5] and list(fig.data[2].y) == [0.3]


def test_loss_curves_before_the_first_epoch_is_an_empty_chart():
    fig = loss_curves([], live={"x": 0.4, "loss": 1.0})
    assert names(fig) == ["train", "this epoch so far"] and len(fig.data[0].x) == 0


# --- forecast_chart -------------------------------------------------------------------------


def test_forecast_chart_traces_for_a_multi_step_horizon():
    fig = forecast_chart(frame()["sales"], scored(), future(), ("naive", "seasonal_naive"))
    assert names(fig) == [
        "history", "test actual", "model (1 step ahead)", "naive", "seasonal naive",
        "model (last origin, full horizon)", "forecast past the end",
    ]  # fmt: skip
    one_step = fig.data[2]
    assert len(one_step.x) == 4  # one point per origin: step 1 only
    assert len(fig.data[5].x) == H
    assert fig.layout.yaxis.title.text == "sales"


def test_forecast_chart_for_one_step_has_no_full_horizon_and_skips_absent_baselines():
    test = scored(horizon=1).drop(columns="seasonal_naive")
    fig = forecast_chart(frame()["sales"], test, future(1), ("naive", "seasonal_naive"))
    assert names(fig) == [
        "history", "test actual", "model (1 step ahead)", "naive", "forecast past the end",
    ]  # fmt: skip


def test_forecast_chart_draws_interval_bands_when_there_are_bounds():
    fig = forecast_chart(frame()["sales"], scored(intervals=True), future(intervals=True))
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(bands) == 4  # 95% and 80%, on the test part and past the end
    assert [b.name for b in bands if b.showlegend] == ["95% interval", "80% interval"]
    # A band is one closed polygon: upper bound forwards, lower bound backwards.
    test_band = bands[1]
    one = scored(intervals=True).query("step == 1")
    assert list(test_band.y) == pytest.approx([*one.upper80, *one.lower80[::-1]])
    assert names(fig)[-1] == "forecast past the end"


def test_forecast_chart_opens_on_the_test_part_with_as_much_history_before_it():
    test = scored()
    fig = forecast_chart(frame()["sales"], test, future())
    lo, hi = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    first, end = test.time.min(), future().time.max()
    assert lo == end - 2 * (end - first) and end < hi < end + pd.Timedelta(days=1)
    assert fig.layout.legend.orientation == "v"  # a column beside the plot, clear of the title


def test_forecast_chart_range_stops_at_the_start_of_a_short_history():
    history = frame()["sales"].reset_index(drop=True)  # a step index
    steps = scored().assign(time=lambda d: frame(N + H).index.get_indexer(d.time))
    ahead = future().assign(time=range(N, N + H))
    fig = forecast_chart(history.iloc[-8:], steps, ahead)
    assert fig.layout.xaxis.range[0] == history.index[-8]


def test_window_as_seen_shows_one_window_in_two_panels():
    times = pd.date_range("2024-01-01", periods=8, freq="D")
    seen = {
        "time_in": times[:6], "time_out": times[6:],
        "raw_in": np.arange(6.0) + 100, "raw_out": np.array([106.0, 107.0]),
        "model_in": np.linspace(-1, 0, 6), "model_out": np.array([0.2, 0.4]),
    }  # fmt: skip
    fig = window_as_seen(seen, "each window relative to its last value, no transform")
    assert [t.name for t in fig.data] == ["inputs", "targets", "inputs", "targets"]
    assert [len(t.y) for t in fig.data] == [6, 2, 6, 2]
    assert [t.showlegend for t in fig.data] == [True, True, False, False]  # one legend entry each
    assert list(fig.data[2].x) == [-6, -5, -4, -3, -2, -1] and list(fig.data[3].x) == [0, 1]
    assert fig.layout.title.text == "One window, before and after preprocessing"
    # the normalisation and the transform on two lines: one long line runs off the panel
    assert fig.layout.yaxis2.title.text == "each window relative to its last value,<br>no transform"


def test_window_as_seen_draws_the_season_profile_over_both_parts():
    times = pd.date_range("2024-01-01", periods=8, freq="D")
    seen = {
        "time_in": times[:6], "time_out": times[6:],
        "raw_in": np.arange(6.0) + 100, "raw_out": np.array([106.0, 107.0]),
        "model_in": np.zeros(6), "model_out": np.zeros(2), "profile": np.arange(8.0) + 100,
    }  # fmt: skip
    fig = window_as_seen(seen, "each window less its own level and seasonal pattern")
    names = [t.name for t in fig.data]
    assert names == ["inputs", "targets", "inputs", "targets", "window's trend + season"]
    profile = fig.data[-1]
    assert len(profile.y) == 8 and list(profile.x) == list(times) and profile.line.dash == "dash"
    assert profile.xaxis == "x"  # the left panel, in original units
