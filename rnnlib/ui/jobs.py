"""Running a job inside a page run: the draw throttle, the job kept in session state, recovery.

A click on Stop (or on any widget) makes Streamlit rerun the script, which interrupts a job at its
next ``st.*`` call: its next progress report. So a page keeps what a stopped job needs in session
state while it runs (``start``), drops it when the job ends (``finish``), and on the next run
``recover`` hands what an interrupted job left to the page's own scorer. Train (``live.py``) and
Compare (``race_view.py``) both run their jobs this way; what a job holds is theirs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st

DRAW_EVERY_S = 0.25  # redrawing a Plotly chart costs ~10 ms: four times a second is smooth enough


class Throttle:
    """Says when a live view may draw again: at most once every ``DRAW_EVERY_S`` seconds.

    Epoch ends are throttled too: auto trains a few hundred short epochs (candidates x seeds), and
    a chart per epoch end cost the default run some 3 s of drawing. Pages draw the finished job's
    chart themselves.
    """

    def __init__(self, every_s: float = DRAW_EVERY_S):
        self.every_s, self.drawn, self.draws = every_s, 0.0, 0

    def should_draw(self, force: bool = False) -> bool:
        """True (and counted as a draw) when the last draw is old enough, or when ``force``."""
        now = time.perf_counter()
        if now - self.drawn < self.every_s and not force:
            return False
        self.drawn, self.draws = now, self.draws + 1
        return True


def job_key(prefix: str) -> str:
    return f"{prefix}job"


def start(prefix: str, job: Any) -> Any:
    """Keep the running job in session state, where the next run finds it if this one is stopped."""
    st.session_state[job_key(prefix)] = job
    return job


def finish(prefix: str) -> Any | None:
    """Drop the job from session state (it ended, or is being recovered); the job, or None."""
    return st.session_state.pop(job_key(prefix), None)


def recover(prefix: str, score: Callable[[Any], None]) -> bool:
    """If the previous run was interrupted mid-job, let ``score`` keep what it had. True when so."""
    job = finish(prefix)
    if job is None:
        return False
    score(job)
    return True
