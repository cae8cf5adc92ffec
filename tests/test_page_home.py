"""AppTest of the landing page's live demo: it trains with no click, per cell, and is kept."""

import json

import pytest
from pagetest import APP, TIMEOUT, ok
from streamlit.testing.v1 import AppTest

from rnnlib.demo import DemoSpec
from rnnlib.ui import demo_view


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch):
    # The film's pace is for eyes; the test wants the frames only.
    monkeypatch.setattr(demo_view, "FRAME_S", 0.0)


def demo_charts(at: AppTest) -> dict[str, list[tuple[str, int]]]:
    """{chart title: [(series name, points)]} of the demo's two ECharts charts."""
    out = {}
    for chart in at.get("echarts_chart"):
        option = json.loads(chart.proto.spec)
        out[option["title"]["text"]] = [(s["name"], len(s["data"])) for s in option["series"]]
    return out


def landing() -> AppTest:
    return ok(AppTest.from_file(APP, default_timeout=TIMEOUT).run())


def test_the_demo_trains_with_no_click_and_draws_every_step():
    at = landing()
    spec = DemoSpec()
    seen = demo_charts(at)
    assert seen["Loss, step by step"] == [("training loss", spec.steps)]
    cut = spec.length - spec.horizon
    assert seen[f"Forecast of the last {spec.horizon} points"] == [
        ("seen by the model", cut), ("held out", spec.horizon), ("forecast", spec.horizon)
    ]  # fmt: skip
    assert f"step {spec.steps}/{spec.steps}" in at.caption[0].value
    assert at.session_state["home_cell"] == "lstm"


def test_the_finished_demo_is_kept_on_a_rerun_and_trained_again_on_request(monkeypatch):
    at = landing()
    first = at.caption[0].value
    trained = []
    real = demo_view.play
    monkeypatch.setattr(
        demo_view, "play", lambda cell, slots: trained.append(cell) or real(cell, slots)
    )
    ok(at.run())  # a rerun (any click elsewhere) redraws the kept frame
    assert trained == [] and at.caption[0].value == first
    ok(at.button(key="home_again").click().run())
    assert trained == ["lstm"]
    assert demo_charts(at)["Loss, step by step"][0][1] == DemoSpec().steps


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_another_cell_plays_its_own_demo(cell):
    at = landing()
    lstm = at.session_state["home_demo"]["lstm"]
    ok(at.segmented_control(key="home_cell").set_value(cell).run())
    kept = at.session_state["home_demo"]
    assert set(kept) == {"lstm", cell} and kept["lstm"] is not None
    assert kept[cell].losses != lstm.losses  # its own run, not the LSTM's redrawn
    assert f"small {cell.upper()} is learning" in at.markdown[0].value


def test_the_ways_on_link_to_build_train_with_csv_and_the_lessons():
    at = landing()
    links = [(link.proto.label, link.proto.query_string) for link in at.main.get("page_link")]
    assert links[:3] == [
        ("Build your own", ""), ("Train on your CSV", "t_source=csv"), ("Start the lessons", "")
    ]  # fmt: skip
