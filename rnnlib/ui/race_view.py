"""The Compare page's race widgets, and the race run inside a page run, drawn live and stoppable.

A click on Stop interrupts the race at its next progress report (see ``jobs.py``). The RaceLog
the race fills in place sits in session state meanwhile, so the next run scores what was trained
and says what did not finish.
"""

from __future__ import annotations

import streamlit as st

from rnnlib.defaults import plan
from rnnlib.errors import RnnlibError
from rnnlib.figures.compare import race_curves
from rnnlib.forecasting import Experiment, prepare
from rnnlib.labs.race import (
    MAX_SEEDS,
    ClassificationTask,
    ForecastTask,
    RaceLog,
    RaceProgress,
    race,
)
from rnnlib.limits import check_job, job_slot
from rnnlib.optim import TrainSpec
from rnnlib.spec import CELLS
from rnnlib.ui import jobs, runs_view
from rnnlib.ui.links import KEEP
from rnnlib.ui.session import keep_result
from rnnlib.ui.train_settings import LEARNING_RATES

# Short labels: a bound widget writes its label into the URL (?c_task=memory).
TASKS = {"sum_sign": "sum sign", "memory": "memory"}
CLASSIFICATION_DEFAULTS = ClassificationTask()


def task_ui(prefix: str) -> ClassificationTask:
    """A classification task from widgets; DataError for combinations that cannot work."""
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    name = c1.selectbox(
        "task", list(TASKS), format_func=TASKS.get, key=f"{prefix}task", **KEEP,
        help="sum sign: is the sum of the sequence > 0? memory: the sign of the marked value, k steps back.",
    )  # fmt: skip
    n = c2.number_input(
        "samples",
        20,
        20_000,
        CLASSIFICATION_DEFAULTS.n_samples,
        100,
        key=f"{prefix}samples",
        **KEEP,
    )
    length = c3.number_input(
        "length T", 2, 500, CLASSIFICATION_DEFAULTS.length, key=f"{prefix}length", **KEEP
    )
    delay = c4.number_input(
        "delay k", 0, 499, CLASSIFICATION_DEFAULTS.delay, key=f"{prefix}delay", disabled=name != "memory", **KEEP,
        help="Memory task: a marker channel flags step T-1-k; the label is the sign of the value there.",
    )  # fmt: skip
    if name == "memory":
        st.caption(
            "A second input channel marks the cue; its value must then survive k steps of noise of "
            "the same size. Gates can shut the noise out, a plain RNN adds it into its state: try "
            "k = 10 to 15 and watch the RNN stay near chance (0.5) while the GRU climbs. The LSTM "
            "learns to hold its gates open more slowly: give it more epochs."
        )
    return ClassificationTask(name, int(n), int(length), int(delay))


def race_settings_ui(prefix: str) -> tuple[TrainSpec, tuple[int, ...]]:
    """Shared optimiser settings and the seeds; small defaults so a race takes seconds."""
    c1, c2, c3, c4, c5 = st.columns(5)
    epochs = c1.number_input("epochs", 1, 300, 10, key=f"{prefix}epochs", **KEEP)
    batch = c2.select_slider("batch size", [8, 16, 32, 64, 128], 32, key=f"{prefix}batch", **KEEP)
    lr = c3.select_slider("learning rate", LEARNING_RATES, 0.01, key=f"{prefix}lr", **KEEP)
    first = c4.number_input("first seed", 0, 1_000_000, 0, key=f"{prefix}seed", **KEEP)
    n_seeds = c5.number_input(
        "seeds per cell", 1, MAX_SEEDS, 1, key=f"{prefix}seeds", **KEEP,
        help="Each seed sets the initial weights and the batch order; every cell gets the same ones.",
    )  # fmt: skip
    train = TrainSpec(epochs=int(epochs), batch_size=int(batch), lr=float(lr))
    return train, tuple(range(int(first), int(first) + int(n_seeds)))


class RaceView:
    """Progress bar and the three cells' loss curves, redrawn from the race's progress reports."""

    def __init__(self, container, log: RaceLog, log_y: bool, prefix: str):
        self.bar = container.progress(0.0, text="Race: first batch…")
        self.chart = container.empty()
        self.log, self.log_y, self.prefix, self.throttle = log, log_y, prefix, jobs.Throttle()

    def __call__(self, rp: RaceProgress) -> None:
        p = rp.progress
        if not self.throttle.should_draw():  # the finished race is drawn after
            return
        within = (p.epoch - 1 + p.batch / p.batches) / p.epochs
        self.bar.progress(
            min((rp.run + within) / rp.runs, 1.0),
            text=f"run {rp.run + 1}/{rp.runs}: {rp.cell.upper()}, seed {rp.seed} · epoch {p.epoch}/{p.epochs}"
            f" · loss {p.train_loss:.4g} · {p.samples_per_s:,.0f} samples/s",
        )
        live = (
            None
            if p.epoch_end
            else dict(cell=rp.cell, x=p.epoch - 1 + p.batch / p.batches, loss=p.train_loss)
        )
        fig = race_curves(self.log.curves(), self.log_y, self.log.reference, self.log.loss, live)
        # A fresh key per draw: two identical figures in one run would otherwise share an element id.
        self.chart.plotly_chart(fig, key=f"{self.prefix}live_{self.throttle.draws}")


def run_race(prefix: str, task, spec, train, seeds, hidden, container, log_y: bool) -> None:
    """Race now, drawing into ``container``; the RaceResult lands in session state.

    JobTooLarge / ServerBusy (TrainErrors) when the server's limits (rnnlib.limits) refuse it.
    """
    candidates = 1
    if isinstance(task, ForecastTask):  # the first run also tries every preprocessing candidate
        asked = Experiment(windows=task.windows, train=train, forecast=task.forecast)
        candidates = len(plan(task.series, asked).candidates)
    check_job(train, train_samples(task), runs=len(CELLS) * len(seeds), candidates=candidates)
    log = jobs.start(prefix, RaceLog())
    try:
        with job_slot():  # one slot for the whole race: its runs go one after the other
            view = RaceView(container, log, log_y, prefix)
            result = race(
                task, spec, seeds=seeds, train=train, hidden=hidden, on_progress=view, log=log,
            )  # fmt: skip
    except RnnlibError:  # refused before training (settings, data, limits): nothing to recover
        jobs.finish(prefix)
        raise
    jobs.finish(prefix)
    # The finished runs' curves: the live chart last showed a final refit stage, without validation.
    fig = race_curves(result.curves(), log_y, result.reference, result.loss)
    view.chart.plotly_chart(fig, key=f"{prefix}live_final")
    keep_result("compare", result)
    runs_view.record_race(prefix, log, result)  # the Runs page's log: one run per cell and seed


def train_samples(task) -> int:
    """Training samples of one race run: training windows of a forecast, sequences otherwise."""
    if isinstance(task, ForecastTask):
        return len(
            prepare(task.series, Experiment(windows=task.windows, forecast=task.forecast)).train
        )
    return len(task.split()["train"][1])


def recover_interrupted(prefix: str) -> bool:
    """If the previous run was interrupted mid-race, keep what it had trained. True when it was."""
    return jobs.recover(prefix, lambda log: score_stopped(prefix, log))


def score_stopped(prefix: str, log: RaceLog) -> None:
    """Keep the runs a stopped race finished an epoch of, or say there were none."""
    result = log.result()
    if result is None or not result.runs:
        st.info("The race was stopped before any run finished an epoch: nothing to compare yet.")
        return
    keep_result("compare", result)
    runs_view.record_race(prefix, log, result)
