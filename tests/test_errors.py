"""One error family: every error rnnlib raises is an RnnlibError, and the shared checks' messages."""

import math

import numpy as np
import pytest

import rnnlib
from rnnlib.budget import BudgetError
from rnnlib.checkpoint import CheckpointError
from rnnlib.device import DeviceError
from rnnlib.errors import DataError, RnnlibError, check_choice, check_real, check_whole
from rnnlib.labs.inside import InsideError
from rnnlib.limits import JobTooLarge, ServerBusy
from rnnlib.optim import TrainError
from rnnlib.spec import SpecError

FAMILY = [
    DataError,
    CheckpointError,
    SpecError,
    TrainError,
    JobTooLarge,
    ServerBusy,
    BudgetError,
    InsideError,
    DeviceError,
]


@pytest.mark.parametrize("cls", FAMILY, ids=lambda c: c.__name__)
def test_every_error_is_an_rnnlib_error_and_a_value_error(cls):
    assert issubclass(cls, RnnlibError) and issubclass(cls, ValueError)
    error = cls("first line\n  second\tline ")
    assert str(error) == "first line second line"  # one line, as a page shows it


def test_the_subclasses_a_caller_tells_apart():
    assert issubclass(CheckpointError, DataError)
    assert issubclass(JobTooLarge, TrainError) and issubclass(ServerBusy, TrainError)
    assert rnnlib.RnnlibError is RnnlibError


def test_errors_raised_by_rnnlib_are_caught_as_one_class():
    with pytest.raises(RnnlibError, match="hidden_size must be between 1 and 1024, got 0."):
        rnnlib.ModelSpec(hidden_size=0)
    with pytest.raises(RnnlibError, match="epochs must be a whole number from 1 to"):
        rnnlib.TrainSpec(epochs=0)
    with pytest.raises(RnnlibError, match="Unknown dataset"):
        rnnlib.load_dataset("no such data")


# --- the shared checks -----------------------------------------------------------------------


def test_check_whole_accepts_python_and_numpy_integers():
    assert check_whole("n", 3, 1, 5) == 3
    value = check_whole("n", np.int64(5), 1, 5)
    assert value == 5 and type(value) is int
    assert check_whole("n", 10**12, 1) == 10**12  # no upper bound


@pytest.mark.parametrize(
    "value, high, message",
    [
        (0, 5, "n must be a whole number from 1 to 5, got 0."),
        (6, 5, "n must be a whole number from 1 to 5, got 6."),
        (True, 5, "n must be a whole number from 1 to 5, got True."),
        (3.0, 5, "n must be a whole number from 1 to 5, got 3.0."),
        ("3", 5, "n must be a whole number from 1 to 5, got '3'."),
        (0, None, "n must be a whole number >= 1, got 0."),
        (None, None, "n must be a whole number >= 1, got None."),
    ],
)
def test_check_whole_refuses_with_the_callers_error(value, high, message):
    with pytest.raises(TrainError) as e:
        check_whole("n", value, 1, high, error=TrainError)
    assert str(e.value) == message


def test_check_real():
    assert check_real("lr", 1, "a number > 0", lambda v: v > 0) == 1.0
    assert check_real("lr", np.float32(0.5), "a number > 0", lambda v: v > 0) == 0.5
    for bad in (0, -1.0, math.nan, True, "0.1", None):
        with pytest.raises(DataError) as e:
            check_real("lr", bad, "a number > 0", lambda v: v > 0, error=DataError)
        assert str(e.value) == f"lr must be a number > 0, got {bad!r}."


def test_check_choice():
    assert check_choice("cell", "gru", ("rnn", "lstm", "gru")) == "gru"
    for bad in ("GRU", None, ["gru"]):
        with pytest.raises(SpecError) as e:
            check_choice("cell", bad, ("rnn", "lstm", "gru"), error=SpecError)
        assert str(e.value) == f"cell must be one of rnn, lstm, gru; got {bad!r}."


def test_default_error_is_the_base():
    with pytest.raises(RnnlibError) as e:
        check_whole("n", -1, 0)
    assert type(e.value) is RnnlibError
