import json

import numpy as np
import pytest

from rnnlib.demo import DemoError, DemoSpec, demo_series, first_frame, naive_mae
from rnnlib.demo.train import demo_frames
from rnnlib.figures.demo import demo_forecast_chart, demo_loss_chart


@pytest.fixture(scope="module")
def frames():
    return list(demo_frames(DemoSpec(cell="lstm")))


def test_frames_report_after_two_steps_then_evenly(frames):
    spec = DemoSpec()
    assert [f.step for f in frames][:2] == [2, spec.steps // spec.frames]
    assert len(frames) == spec.frames + 1 and frames[-1].done
    assert [len(f.losses) for f in frames] == [f.step for f in frames]


def test_the_model_learns_to_forecast_the_held_out_tail(frames):
    first, last = frames[0], frames[-1]
    assert np.mean(last.losses[-20:]) < 0.1 * np.mean(first.losses)
    # the forecast of the 48 unseen points beats repeating the last value, by far
    assert last.forecast_mae < 0.3 * last.naive_mae
    assert last.forecast_mae < first.forecast_mae


def test_same_spec_same_frames(frames):
    again = list(demo_frames(DemoSpec(cell="lstm")))
    assert [f.losses for f in again] == [f.losses for f in frames]
    np.testing.assert_array_equal(again[-1].forecast, frames[-1].forecast)


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_every_cell_trains(cell):
    last = list(demo_frames(DemoSpec(cell=cell, steps=40, frames=2)))[-1]
    assert last.step == 40 and np.isfinite(last.forecast).all()


def test_first_frame_needs_no_training():
    spec = DemoSpec()
    f = first_frame(spec)
    assert f.step == 0 and f.losses == () and f.forecast is None
    np.testing.assert_array_equal(f.series, demo_series(spec.length, spec.seed))
    assert f.naive_mae == naive_mae(f.series, spec.horizon)


def test_bad_settings_are_one_line_errors():
    with pytest.raises(DemoError, match="cell must be one of rnn, lstm, gru"):
        DemoSpec(cell="transformer")
    with pytest.raises(DemoError, match="too short"):
        DemoSpec(length=50)
    with pytest.raises(DemoError, match="steps must be at least 1"):
        DemoSpec(steps=0)


def series(option: dict) -> list[tuple[str, int]]:
    """(name, points) of an ECharts option's series."""
    return [(s["name"], len(s["data"])) for s in option["series"]]


def test_charts_show_what_was_trained(frames):
    last = frames[-1]
    loss = demo_loss_chart(last)
    assert series(loss) == [("training loss", last.steps)]
    assert loss["yAxis"]["type"] == "log" and loss["xAxis"]["max"] == last.steps
    assert [y for _, y in loss["series"][0]["data"]] == pytest.approx(last.losses, rel=1e-3)
    fc = demo_forecast_chart(last)
    assert series(fc) == [
        ("seen by the model", last.cut), ("held out", last.horizon), ("forecast", last.horizon)
    ]  # fmt: skip
    assert [x for x, _ in fc["series"][2]["data"]] == list(range(last.cut, len(last.series)))
    json.dumps(fc)  # plain JSON: what st.echarts_chart sends
    empty = first_frame(DemoSpec())
    assert series(demo_loss_chart(empty)) == [("training loss", 0)]
    assert series(demo_forecast_chart(empty))[2] == ("forecast", 0)
