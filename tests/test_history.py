"""rnnlib.history: the one loss-history record, and its trip through JSON."""

import json
import math

import pytest

from rnnlib.errors import DataError
from rnnlib.history import EpochRecord
from rnnlib.training import Progress


def test_numbers_that_are_not_finite_become_none_so_records_compare_by_value():
    a = EpochRecord(3, math.nan, math.inf, lr=0.01, grad_norm=float("nan"), elapsed_s=1.5)
    assert (a.train_loss, a.val_loss, a.grad_norm) == (None, None, None)
    assert a == EpochRecord(3, None, None, lr=0.01, elapsed_s=1.5)
    assert EpochRecord(1, 0.5, None) != EpochRecord(1, 0.25, None)


def test_a_record_survives_json():
    record = EpochRecord(2, 0.5, 0.75, lr=1e-3, grad_norm=2.0, elapsed_s=0.3)
    text = json.dumps(record.to_dict(), allow_nan=False)
    assert json.loads(text) == {
        "epoch": 2, "train_loss": 0.5, "val_loss": 0.75, "lr": 1e-3, "grad_norm": 2.0, "elapsed_s": 0.3,
    }  # fmt: skip
    assert EpochRecord.from_dict(json.loads(text)) == record


def test_rows_written_before_lr_was_kept_still_load():
    old = {"epoch": 1, "train_loss": 0.5, "val_loss": None, "elapsed_s": 0.1}
    assert EpochRecord.from_dict(old) == EpochRecord(1, 0.5, None, elapsed_s=0.1)


@pytest.mark.parametrize(
    "row",
    [
        [],
        {"epoch": 1, "train_loss": 0.5},  # val_loss missing
        {"epoch": 1, "train_loss": 0.5, "val_loss": None, "code": "import os"},
        {"epoch": "1", "train_loss": 0.5, "val_loss": None},
        {"epoch": True, "train_loss": 0.5, "val_loss": None},
        {"epoch": -1, "train_loss": 0.5, "val_loss": None},
        {"epoch": 1, "train_loss": "0.5", "val_loss": None},
        {"epoch": 1, "train_loss": 0.5, "val_loss": None, "lr": False},
    ],
)
def test_rows_that_are_not_records_are_refused_with_one_line(row):
    with pytest.raises(DataError) as e:
        EpochRecord.from_dict(row)
    assert "\n" not in str(e.value)


def test_an_epoch_end_report_becomes_the_record_the_history_keeps():
    p = Progress(4, 10, 8, 8, 0.5, 0.6, 3.0, 0.01, 2.5, 100.0, 1.0, True)
    # The batch's gradient norm is no epoch mean: fit's own records carry that.
    assert p.record() == EpochRecord(4, 0.5, 0.6, lr=0.01, grad_norm=None, elapsed_s=2.5)
