"""The landing page's live demo, drawn as it trains, and kept once it has finished.

Each visitor's demo trains in their own page run (nothing is shared between sessions), in numpy:
under a second of one core, drawn at a steady pace so the eye can follow it. A finished demo is kept in
session state per cell, so a rerun (a click elsewhere on the page) redraws it instead of training
again; *Train again* or another cell plays a fresh one.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import streamlit as st

from rnnlib.ui import pin_threads

FRAME_S = 0.2  # between draws: 21 frames make a 4 s film, smooth enough and cheap to send
KEY = "home_demo"  # session state: {cell: the last DemoFrame of its finished demo}


class Slots(NamedTuple):
    """Where a frame is drawn: st.empty() placeholders, each redrawn in place."""

    loss: object
    forecast: object
    status: object


class NextStep(NamedTuple):
    path: str
    label: str
    icon: str
    query: dict | None = None  # widget values for the page, through its URL binding


NEXT_STEPS = (
    NextStep("pages/1_Build.py", "Build your own", ":material/construction:"),
    NextStep(
        "pages/2_Train.py", "Train on your CSV", ":material/upload_file:", {"t_source": "csv"}
    ),
    NextStep("pages/0_Lessons.py", "Start the lessons", ":material/school:"),
)


def next_steps(available) -> list[NextStep]:
    """The landing page's buttons to pages that exist (st.page_link refuses any other)."""
    there = {page.path for page in available}
    return [step for step in NEXT_STEPS if step.path in there]


def finished(cell: str):
    """The kept last frame of this cell's finished demo, or None."""
    return st.session_state.get(KEY, {}).get(cell)


def status_text(frame) -> str:
    if frame.forecast is None:
        return "Starting: building the model…"
    verdict = "beats" if frame.forecast_mae < frame.naive_mae else "does not beat yet"
    return (
        f"step {frame.step}/{frame.steps} · loss {frame.losses[-1]:.3g} · forecast error (MAE) "
        f"{frame.forecast_mae:.3f}, which {verdict} repeating the last value ({frame.naive_mae:.3f})"
    )


def draw(frame, slots: Slots) -> None:
    from rnnlib.figures.demo import HEIGHT, demo_forecast_chart, demo_loss_chart

    # SVG: crisp at any zoom, and a browser test can read the drawn lines back
    slots.loss.echarts_chart(demo_loss_chart(frame), height=HEIGHT, renderer="svg")
    slots.forecast.echarts_chart(demo_forecast_chart(frame), height=HEIGHT, renderer="svg")
    slots.status.caption(status_text(frame))


def play(cell: str, slots: Slots) -> None:
    """Train the demo for `cell` now, drawing every frame into the slots; keep the last one."""
    from rnnlib.demo import DemoSpec, first_frame

    spec = DemoSpec(cell=cell)
    # The empty charts first: the browser loads the chart library while the first steps train.
    draw(first_frame(spec), slots)
    from rnnlib.demo.train import demo_frames  # numpy only: no torch import to wait for

    due = time.perf_counter()
    last = None
    for last in demo_frames(spec):
        draw(last, slots)
        due += FRAME_S
        time.sleep(max(0.0, due - time.perf_counter()))
    st.session_state.setdefault(KEY, {})[cell] = last


def footer() -> None:
    """Where it runs; then the one-off torch set-up the next page's first training would pay."""
    from rnnlib.device import describe_device
    from rnnlib.ui.live import warm_up

    pin_threads()
    st.caption(f"Running on {describe_device()}")
    warm_up()  # about 1.3 s once per server process, after the demo rather than before it
