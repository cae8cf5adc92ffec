"""rnnlib.limits: the per-run batch cap, the server-wide training slots, and their messages."""

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rnnlib import limits
from rnnlib.limits import JobSlots, JobTooLarge, ServerBusy, check_job, env_limit
from rnnlib.optim import TrainError, TrainSpec

ROOT = Path(__file__).resolve().parents[1]


def test_check_job_names_the_batches_the_limit_and_the_fix():
    spec = TrainSpec(epochs=300, batch_size=32)  # 6,400 samples -> 200 batches per epoch
    with pytest.raises(JobTooLarge) as e:
        check_job(spec, 6_400, limit=20_000)
    assert str(e.value) == (
        "This run asks for 60,000 batches (300 epochs × 200 batches); the limit here is 20,000: "
        "lower the epochs or use a larger batch size."
    )


def test_check_job_counts_each_candidate_once_per_fold():
    spec = TrainSpec(epochs=10, batch_size=32)  # 100 samples -> 4 batches per epoch
    check_job(spec, 100, candidates=3, folds=2, members=3, limit=360)  # (6 + 3) x 40: allowed
    with pytest.raises(JobTooLarge) as e:
        check_job(spec, 100, candidates=3, folds=2, members=3, limit=359)
    assert str(e.value).startswith(
        "This run asks for 360 batches (9 trainings (3 preprocessing candidates on 2 folds each, "
        "then 3 ensemble members) × 10 epochs × 4 batches)"
    )


def test_check_job_counts_every_run_of_a_race():
    spec = TrainSpec(epochs=10, batch_size=32)  # 100 samples -> 4 batches per epoch
    check_job(spec, 100, runs=3, limit=120)  # exactly at the limit: allowed
    with pytest.raises(JobTooLarge, match=r"^This race asks for 240 batches \(6 runs × 10 epochs × 4 batches\); the limit here is 120: lower the epochs or the seeds, or use a larger batch size\.$"):  # fmt: skip
        check_job(spec, 100, runs=6, limit=120)


def test_default_limit_is_the_module_setting(monkeypatch):
    monkeypatch.setattr(limits, "MAX_BATCHES", 5)
    check_job(TrainSpec(epochs=5, batch_size=32), 32)  # 5 batches
    with pytest.raises(JobTooLarge, match="the limit here is 5:"):
        check_job(TrainSpec(epochs=6, batch_size=32), 32)


def test_limit_errors_are_train_errors_so_pages_show_them():
    # The pages catch (DataError, TrainError) around training; these must be among them.
    assert issubclass(JobTooLarge, TrainError) and issubclass(ServerBusy, TrainError)
    assert issubclass(JobTooLarge, ValueError) and issubclass(ServerBusy, ValueError)


def test_env_limit_reads_whole_numbers_and_rejects_typos(monkeypatch):
    monkeypatch.delenv("RNNLIB_TEST_LIMIT", raising=False)
    assert env_limit("RNNLIB_TEST_LIMIT", 7) == 7
    monkeypatch.setenv("RNNLIB_TEST_LIMIT", " 50_000 ")
    assert env_limit("RNNLIB_TEST_LIMIT", 7) == 50_000
    for bad in ("0", "-3", "1e4", "lots"):
        monkeypatch.setenv("RNNLIB_TEST_LIMIT", bad)
        with pytest.raises(ValueError, match="RNNLIB_TEST_LIMIT must be a whole number >= 1"):
            env_limit("RNNLIB_TEST_LIMIT", 7)


def test_env_vars_set_the_module_limits_at_import():
    # In a fresh interpreter: reloading the module here would swap its exception classes under
    # every module that imported them.
    code = "from rnnlib import limits as m; print(m.MAX_BATCHES, m.MAX_CONCURRENT_JOBS, m.SLOTS.n)"
    env = {**os.environ, "RNNLIB_MAX_BATCHES": "123", "RNNLIB_MAX_JOBS": "2"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["123", "2", "2"]


def test_defaults_without_env_vars():
    assert limits.DEFAULT_MAX_BATCHES == 20_000 and limits.DEFAULT_MAX_JOBS == 4
    if "RNNLIB_MAX_BATCHES" not in os.environ and "RNNLIB_MAX_JOBS" not in os.environ:
        assert (limits.MAX_BATCHES, limits.MAX_CONCURRENT_JOBS) == (20_000, 4)


def test_slots_refuse_the_run_beyond_the_last_from_other_threads():
    slots = JobSlots(2)
    inside, release = threading.Barrier(3), threading.Event()
    errors = []

    def train():
        try:
            with slots.take():
                inside.wait(timeout=5)
                release.wait(timeout=5)
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=train) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait(timeout=5)  # both threads hold a slot now
    with pytest.raises(ServerBusy) as e, slots.take():
        pass
    assert str(e.value) == (
        "The server is already training 2 models for other visitors; try again in a moment."
    )
    release.set()
    for t in threads:
        t.join(timeout=5)
    assert errors == []
    with slots.take():  # both released: a slot is free again
        pass


def test_slot_is_released_when_the_run_raises():
    slots = JobSlots(1)
    with pytest.raises(RuntimeError), slots.take():
        raise RuntimeError("interrupted, as by a Stop click")
    with slots.take():
        pass


def test_job_slot_uses_the_server_wide_slots(monkeypatch):
    monkeypatch.setattr(limits, "SLOTS", JobSlots(1))
    with limits.job_slot():
        with pytest.raises(ServerBusy, match="already training 1 model for"), limits.job_slot():
            pass
    with limits.job_slot():
        pass


# --- wiring: a refused run is a one-line error on the page, never an exception ------------------

APP = ROOT / "app.py"


def press(page: str, button: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page(page)
    at.run()
    at.button(key=button).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(
    "page, button, job",
    [("pages/2_Train.py", "t_train", "t_job"), ("pages/3_Compare.py", "c_race", "c_job")],
)
def test_pages_show_a_refused_run_as_an_error(monkeypatch, page, button, job):
    monkeypatch.setattr(limits, "MAX_BATCHES", 10)
    at = press(page, button)
    (message,) = [e.value for e in at.error]
    # The counts follow the page's defaults; the sentence around them is what a visitor reads.
    # With auto preprocessing the Train run counts its candidates, the race its first run's too.
    runs = (
        r"\d+ preprocessing candidates × "  # the default sine: one model, no ensemble
        if button == "t_train"
        else r"\d+ trainings \(3 runs, \d+ more preprocessing candidates\) × "
    )
    fix = "epochs" if button == "t_train" else "epochs or the seeds,"
    what = "run" if button == "t_train" else "race"
    assert re.fullmatch(
        rf"This {what} asks for [\d,]+ batches \({runs}\d+ epochs × \d+ batches\); the limit here "
        rf"is 10: lower the {fix} or use a larger batch size\.",
        message,
    ), message
    assert job not in at.session_state

    monkeypatch.setattr(limits, "MAX_BATCHES", 10**9)
    monkeypatch.setattr(limits, "SLOTS", JobSlots(1))
    with limits.job_slot():  # another visitor's run holds the only slot
        at = press(page, button)
    assert [e.value for e in at.error] == [
        "The server is already training 1 model for other visitors; try again in a moment."
    ]
    assert job not in at.session_state
