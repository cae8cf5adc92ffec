"""What one hosted server lets its visitors train: a size cap per run and a number of runs at once.

Both are settings of the machine, not of the model, so they come from the environment:

    RNNLIB_MAX_BATCHES   batches one training run (or one whole race) may ask for  (default 20,000)
    RNNLIB_MAX_JOBS      training runs the server does at the same time           (default 4)

Read once, at import: set them before starting `streamlit run app.py`. check_job rejects a run
that is too large before anything is built; job_slot refuses a run while every slot is taken.
Both raise a TrainError subclass, so a page that already shows TrainError shows these too.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from rnnlib.optim import TrainError, TrainSpec

DEFAULT_MAX_BATCHES = 20_000  # ~a minute of the default LSTM on one shared CPU core
DEFAULT_MAX_JOBS = 4  # each run takes a core while it trains; more only slows all of them down


class JobTooLarge(TrainError):
    """A run that asks for more batches than this server allows; the message says what to lower."""


class ServerBusy(TrainError):
    """Every training slot is taken by other sessions; the message asks to try again."""


def env_limit(name: str, default: int) -> int:
    """The whole number >= 1 in environment variable ``name``, or ``default`` when it is unset."""
    raw = os.environ.get(name, "").strip().replace("_", "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        # Raised at import, i.e. when the server starts: a typo must not silently lift the cap.
        raise ValueError(f"{name} must be a whole number >= 1, got {os.environ[name]!r}.")
    return int(raw)


MAX_BATCHES = env_limit("RNNLIB_MAX_BATCHES", DEFAULT_MAX_BATCHES)
MAX_CONCURRENT_JOBS = env_limit("RNNLIB_MAX_JOBS", DEFAULT_MAX_JOBS)


def check_job(
    train: TrainSpec,
    n_train: int,
    runs: int = 1,
    limit: int | None = None,
    candidates: int = 1,
    members: int = 1,
    folds: int = 1,
) -> None:
    """Raise JobTooLarge when ``runs`` runs of ``train`` on ``n_train`` samples exceed the cap.

    runs: how many models are trained one after the other (a race: cells x seeds).
    candidates: preprocessing candidates `auto` tries in the first run (each one more pass).
    folds: rolling-origin folds each candidate trains on (an earlier fold has fewer rows, so
    counting each as a whole training over-counts a little).
    members: a seed ensemble's size: the chosen settings are then trained again as that many
    models (forecasting.run compares candidates with one model each).
    limit: the cap in batches; default MAX_BATCHES.
    """
    limit = MAX_BATCHES if limit is None else limit
    per_epoch = train.batches_per_epoch(n_train)
    passes = runs - 1 + candidates * folds + (members if members > 1 else 0)
    total = passes * train.work_units(n_train)
    if total <= limit:
        return
    what = "run" if runs == 1 else "race"
    parts = f"{train.epochs:,} epochs × {per_epoch:,} batches"
    counted = [f"{runs} runs"] if runs > 1 else []
    if candidates > 1:
        counted.append(
            f"{candidates - 1} more preprocessing candidates"
            if runs > 1
            else f"{candidates} preprocessing candidates"
        )
        if folds > 1:
            counted[-1] += f" on {folds} folds each"
    if members > 1:
        counted.append(f"then {members} ensemble members")
    if len(counted) == 1:  # "3 runs × ..." or "3 preprocessing candidates × ..."
        parts = f"{counted[0]} × {parts}"
    elif counted:
        parts = f"{passes} trainings ({', '.join(counted)}) × {parts}"
    fix = "the epochs" if runs == 1 else "the epochs or the seeds,"
    raise JobTooLarge(
        f"This {what} asks for {total:,} batches ({parts}); the limit here is {limit:,}: "
        f"lower {fix} or use a larger batch size."
    )


class JobSlots:
    """At most ``n`` training runs at once; a run that finds no free slot is refused, not queued.

    Refused rather than queued: a queued visitor would see a frozen page with no way to tell why.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self._free = threading.BoundedSemaphore(n)

    @contextmanager
    def take(self) -> Iterator[None]:
        """Hold one slot for the ``with`` block; ServerBusy at once when none is free.

        The slot is released however the block ends, including Streamlit's rerun interrupt.
        """
        if not self._free.acquire(blocking=False):
            raise ServerBusy(
                f"The server is already training {self.n} model{'s' * (self.n != 1)} for other "
                "visitors; try again in a moment."
            )
        try:
            yield
        finally:
            self._free.release()


# The one piece of deliberate module-level state in rnnlib. Every Streamlit session runs in its
# own thread of the same process, so the slots must be shared by all of them to mean anything:
# they guard the shared machine's cores, and they hold no visitor data (only a count).
SLOTS = JobSlots(MAX_CONCURRENT_JOBS)


def job_slot() -> AbstractContextManager[None]:
    """Hold one of the server's MAX_CONCURRENT_JOBS training slots; ServerBusy when none is free."""
    return SLOTS.take()
