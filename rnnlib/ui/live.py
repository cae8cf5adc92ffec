"""Training inside a page run, drawn live, and stoppable.

A click on Stop (or on any widget) makes Streamlit rerun the script, which interrupts the run at
its next ``st.*`` call: here, the next progress report. So everything a stopped run needs is kept
in session state while training goes on (the model being trained in place and its loss history),
and the next run turns it into a result with the weights the model had when it was stopped.
"""

from __future__ import annotations

import time

import streamlit as st

from rnnlib.figures.train import loss_curves
from rnnlib.forecasting import Experiment, build_forecaster, evaluate, prepare, run
from rnnlib.series import Series
from rnnlib.training import Progress

DRAW_EVERY_S = 0.25  # redrawing a Plotly chart costs ~10 ms: four times a second is smooth enough


class LiveView:
    """Progress bar and loss chart, updated from fit's progress reports; history kept in place."""

    def __init__(self, container, history: list[dict], log_y: bool):
        self.bar = container.progress(0.0, text="Training: first batch…")
        self.chart = container.empty()
        self.history, self.log_y, self.drawn = history, log_y, 0.0

    def __call__(self, p: Progress) -> None:
        if p.epoch_end:
            self.history.append(dict(epoch=p.epoch, train_loss=p.train_loss, val_loss=p.val_loss))
        now = time.perf_counter()
        if not p.epoch_end and now - self.drawn < DRAW_EVERY_S and self.history:
            return
        self.drawn = now
        done = (p.epoch - 1 + p.batch / p.batches) / p.epochs
        self.bar.progress(
            min(done, 1.0),
            text=f"epoch {p.epoch}/{p.epochs} · batch {p.batch}/{p.batches} · loss {p.train_loss:.4g} · "
            f"{p.samples_per_s:,.0f} samples/s · ETA {p.eta_s:.1f} s",
        )
        live = (
            None if p.epoch_end else {"x": p.epoch - 1 + p.batch / p.batches, "loss": p.train_loss}
        )
        self.chart.plotly_chart(loss_curves(self.history, self.log_y, live))


def train(prefix: str, series: Series, exp: Experiment, container, log_y: bool) -> None:
    """Train now, drawing into ``container``; the outcome lands in session state."""
    model = build_forecaster(exp, series.values().shape[1], seed=exp.train.seed)
    job = dict(model=model, exp=exp, series=series, history=[], started=time.perf_counter())
    st.session_state[f"{prefix}job"] = job
    result = run(series, exp, on_progress=LiveView(container, job["history"], log_y), model=model)
    st.session_state.pop(f"{prefix}job", None)
    history = [
        dict(epoch=h.epoch, train_loss=h.train_loss, val_loss=h.val_loss)
        for h in result.fit.history
    ]
    keep_outcome(prefix, result, series, history, result.fit.stopped)


def recover_interrupted(prefix: str) -> bool:
    """If the previous run was interrupted mid-training, keep what it had. True when it did."""
    job = st.session_state.pop(f"{prefix}job", None)
    if job is None:
        return False
    history = job["history"]
    if not history:
        st.info("Training was stopped before the first epoch finished: nothing to score yet.")
        return True
    model = job["model"].eval()
    win = prepare(job["series"], job["exp"])
    result = evaluate(model, job["series"], job["exp"], win)
    stopped = f"stopped by you after {len(history)} epoch(s); scored with the weights it had then"
    keep_outcome(prefix, result, job["series"], history, stopped)
    return True


def keep_outcome(prefix, result, series, history, stopped) -> None:
    st.session_state[f"{prefix}outcome"] = dict(
        result=result, series=series, history=history, stopped=stopped
    )


def outcome(prefix: str) -> dict | None:
    return st.session_state.get(f"{prefix}outcome")
