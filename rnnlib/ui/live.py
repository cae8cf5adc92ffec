"""Training inside a page run, drawn live, and stoppable.

A click on Stop interrupts the run at its next progress report (see ``jobs.py``). So everything a
stopped run needs is kept in session state while training goes on (the model being trained in
place and its loss history), and the next run turns it into a result with the weights the model
had when it was stopped.
"""

from __future__ import annotations

import dataclasses
import time

import streamlit as st

from rnnlib.checkpoint import load_checkpoint, restored_result
from rnnlib.defaults import plan
from rnnlib.figures.train import loss_curves
from rnnlib.forecasting import Experiment, ForecastResult, evaluate, run, windows_for
from rnnlib.limits import check_job, job_slot
from rnnlib.series import Series, sine
from rnnlib.spec import ModelSpec
from rnnlib.training import EpochRecord, FitResult, Progress, TrainSpec
from rnnlib.ui import jobs, runs_view
from rnnlib.ui.session import TrainOutcome, keep_result
from rnnlib.windows import WindowSpec


class LiveView:
    """Progress bar and loss chart, updated from fit's progress reports; history kept in place."""

    def __init__(self, container, history: list[EpochRecord], log_y: bool):
        self.bar = container.progress(0.0, text="Training: first batch…")
        self.chart = container.empty()
        self.history, self.log_y, self.throttle = history, log_y, jobs.Throttle()
        self.stage = ""  # which preprocessing candidate is training, when auto tries several

    def __call__(self, p: Progress) -> None:
        if p.epoch_end:
            self.history.append(p.record())
        # Until an epoch has finished, every report is drawn: the first loss point shows at once.
        if not self.throttle.should_draw(force=not self.history):
            return
        done = (p.epoch - 1 + p.batch / p.batches) / p.epochs
        self.bar.progress(
            min(done, 1.0),
            text=f"{self.stage + ' · ' if self.stage else ''}epoch {p.epoch}/{p.epochs} · batch {p.batch}/{p.batches} · loss {p.train_loss:.4g} · "
            f"{p.samples_per_s:,.0f} samples/s · ETA {p.eta_s:.1f} s",
        )
        live = (
            None if p.epoch_end else {"x": p.epoch - 1 + p.batch / p.batches, "loss": p.train_loss}
        )
        self.chart.plotly_chart(loss_curves(self.history, self.log_y, live))


@st.cache_resource(show_spinner=False)
def warm_up() -> bool:
    """Train a throwaway 4-step model once per server process, when a training page first opens.

    The first training in a process pays about 1.3 s of one-off torch set-up (measured here;
    a second run of the same size takes 20 ms). Paid on page load, the first visitor's first loss
    point still appears within a fraction of a second of the click. Cached as a resource because
    it is done once per process and holds nothing a visitor owns.
    """
    tiny = Experiment(
        model=ModelSpec(hidden_size=4),
        windows=WindowSpec(
            4, val_fraction=0.2, test_fraction=0.2, normalize="last", transform="none"
        ),
        train=TrainSpec(epochs=1, report_every_s=1e9),
    )
    run(sine(n=40), tiny)
    return True


def train(prefix: str, series: Series, exp: Experiment, container, log_y: bool) -> None:
    """Train now, drawing into ``container``; the outcome lands in session state.

    While it runs, session state holds the job: {"model": trained in place, "exp" (resolved),
    "series", "history": [EpochRecord per finished epoch], "started", "previous": the last
    candidate's (model, exp, history) when auto tries several}, which recover_interrupted reads.
    Raises JobTooLarge / ServerBusy (TrainErrors) before anything is built when the server's
    limits (rnnlib.limits) refuse the run.
    """
    planned = plan(series, exp)
    first = planned.candidates
    n_train = len(windows_for(series, first[0]).train)
    members = first[0].forecast.ensemble
    check_job(first[0].train, n_train, candidates=len(first), members=members, folds=planned.folds)
    with job_slot():  # released however the run ends, a Stop click's interrupt included
        job = dict(model=None, exp=None, series=series, history=[], started=time.perf_counter())
        jobs.start(prefix, job)
        view = LiveView(container, job["history"], log_y)

        def on_candidate(candidate: Experiment, model, stage) -> None:
            if job["model"] is not None and job["history"]:
                job["previous"] = (job["model"], job["exp"], list(job["history"]))
            job["model"], job["exp"] = model, candidate
            job["history"].clear()  # the chart follows the candidate training now
            view.stage = stage.text

        result = run(series, exp, on_progress=view, on_candidate=on_candidate)
    jobs.finish(prefix)
    # The chosen candidate's curves (with validation), not those of the last stage drawn live.
    view.chart.plotly_chart(loss_curves(result.fit.history, log_y), key=f"{prefix}loss_chosen")
    took = time.perf_counter() - job["started"]
    view.bar.progress(
        1.0, text=f"Done in {took:.1f} s (training and scoring): {result.fit.stopped}."
    )
    keep_outcome(prefix, result, series, result.fit.stopped)


def recover_interrupted(prefix: str) -> bool:
    """If the previous run was interrupted mid-training, keep what it had. True when it did."""
    return jobs.recover(prefix, lambda job: score_stopped(prefix, job))


def score_stopped(prefix: str, job: dict) -> None:
    """Score a stopped training job (see ``train``) with the weights it had, or say it had none."""
    model, exp, history = job["model"], job["exp"], job["history"]
    if not history and "previous" in job:  # stopped before the next candidate's first epoch
        model, exp, history = job["previous"]
    if not history or model is None:
        st.info("Training was stopped before the first epoch finished: nothing to score yet.")
        return
    model = model.eval()
    stopped = f"stopped by you after {len(history)} epoch(s); scored with the weights it had then"
    device = str(next(model.parameters()).device)
    # The weights are those of the moment it stopped, not of the best epoch: say so, keep them.
    fit = FitResult(model, list(history), len(history), stopped, device)
    result = evaluate(model, job["series"], exp, windows_for(job["series"], exp), fit)
    keep_outcome(prefix, result, job["series"], stopped)


def restore(prefix: str, data: bytes) -> None:
    """Restore a checkpoint file as the page's outcome; CheckpointError when it is not one."""
    restored = load_checkpoint(data)
    # With its history as a FitResult, the restored run can be saved again without losing it.
    fit = FitResult(restored.model, restored.history, restored.best_epoch, restored.stopped, "cpu")
    result = dataclasses.replace(restored_result(restored), fit=fit)
    keep_outcome(
        prefix,
        result,
        restored.series,
        f"{restored.stopped or 'not recorded'} (restored from a checkpoint)",
        origin="checkpoint",
    )


def keep_outcome(
    prefix: str, result: ForecastResult, series: Series, stopped: str, origin: str = "train"
) -> None:
    """The Train page's result (a TrainOutcome) in session state, and a record in the run log."""
    keep_result("train", TrainOutcome(result, series, stopped))
    runs_view.record_outcome(prefix, result, series, stopped, origin)  # the Runs page's log
