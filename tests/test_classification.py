"""Sequence classification tasks: the label really is the stated function of the input."""

import numpy as np
import pytest

from rnnlib.classification import CLASSIFICATION, make_classification, memory_task, sum_sign
from rnnlib.errors import DataError


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_tasks_return_float32_sequences_and_binary_labels(name):
    x, y = make_classification(name, n_samples=64, length=12, seed=0)
    width = {"sum_sign": 1, "memory": 2}[name]  # memory: value channel + marker channel
    assert x.shape == (64, 12, width) and y.shape == (64,)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert set(np.unique(y).tolist()) == {0.0, 1.0}


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_tasks_are_deterministic_per_seed_and_balanced(name):
    x1, y1 = make_classification(name, n_samples=101, seed=5)
    x2, y2 = make_classification(name, n_samples=101, seed=5)
    x3, _ = make_classification(name, n_samples=101, seed=6)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not np.array_equal(x1, x3)
    assert y1.sum() == 51  # ceil(101 / 2) positives: chance accuracy is exactly one half


def test_sum_sign_label_is_the_sign_of_the_sum():
    x, y = sum_sign(n_samples=500, length=7, seed=2)
    assert np.array_equal(y, (x.astype(np.float64).sum(axis=(1, 2)) > 0).astype(np.float32))
    assert abs(float(x.mean())) < 0.05 and abs(float(x.std()) - 1.0) < 0.05  # still standard normal


@pytest.mark.parametrize("delay", [0, 3, 9])
def test_memory_label_is_the_sign_of_the_value_delay_steps_before_the_end(delay):
    x, y = memory_task(n_samples=300, length=10, delay=delay, seed=1)
    assert np.array_equal(y, (x[:, 10 - 1 - delay, 0] > 0).astype(np.float32))
    assert np.abs(x).max() <= 1.0
    # no other step carries the label: the last step agrees with it only about half the time
    if delay > 0:
        assert 0.35 < ((x[:, -1, 0] > 0) == (y > 0)).mean() < 0.65
    # the marker channel flags exactly the cue step in every sample
    marker = np.zeros((300, 10), dtype=np.float32)
    marker[:, 10 - 1 - delay] = 1.0
    assert np.array_equal(x[:, :, 1], marker)


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        (
            "memory",
            {"length": 10, "delay": 10},
            "delay must be a whole number from 0 to 9, got 10.",
        ),
        ("memory", {"delay": -1}, "delay must be a whole number from 0 to 29, got -1."),
        ("sum_sign", {"n_samples": 1}, "n_samples must be a whole number from 2 to 100000, got 1."),
        ("sum_sign", {"length": 1.5}, "length must be a whole number, got 1.5."),
        ("parity", {}, "Unknown classification task 'parity': choose one of sum_sign, memory."),
        (
            "memory",
            {"lag": 2},
            "memory has no parameter 'lag': its parameters are n_samples, length, delay, seed.",
        ),
    ],
)
def test_bad_task_settings_give_one_line_messages(name, params, message):
    with pytest.raises(DataError) as info:
        make_classification(name, **params)
    assert str(info.value) == message
