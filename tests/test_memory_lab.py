"""rnnlib.labs.memory_lab: accuracy vs delay per cell, reported as it goes, with validated settings."""

from __future__ import annotations

import pytest
from torch import nn

from rnnlib.classification import memory_task
from rnnlib.labs.inside import InsideError
from rnnlib.labs.memory_lab import LEAD, LabSpec, QuickTrain, accuracy, memory_lab

TINY = QuickTrain(hidden_size=3, n_train=16, epochs=1)


def test_lab_returns_one_accuracy_per_cell_and_delay_and_reports_progress():
    reports = []
    spec = LabSpec(delays=(3, 0), cells=("rnn", "lstm"), n_test=16, train=TINY)
    result = memory_lab(spec, lambda done, total, partial: reports.append((done, total, partial)))
    assert result.delays == (0, 3)  # sorted
    assert result.length == 3 + LEAD + 1 == spec.length
    assert list(result.accuracy) == ["rnn", "lstm"]
    for acc in result.accuracy.values():
        assert len(acc) == 2 and all(0 <= a <= 1 for a in acc)
        assert all(a * 16 == round(a * 16) for a in acc)  # a share of the 16 test samples
    assert [(d, t) for d, t, _ in reports] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    # each partial result is a snapshot: the first report saw one model only
    assert reports[0][2].accuracy == {"rnn": [result.accuracy["rnn"][0]], "lstm": []}
    assert reports[-1][2].accuracy == result.accuracy
    assert result.seconds > 0


def test_a_short_delay_is_learned_well_above_chance():
    spec = LabSpec(
        delays=(0,),
        cells=("rnn",),
        n_test=256,
        train=QuickTrain(hidden_size=8, n_train=256, epochs=6),
    )
    assert memory_lab(spec).accuracy["rnn"][0] > 0.8


class _LastInput(nn.Module):
    """A 'classifier' whose logit is the last input: right exactly when the cue is the last step."""

    def forward(self, x):
        return x[:, -1, :]


def test_accuracy_is_the_share_of_logits_with_the_labels_sign():
    X, y = memory_task(200, 10, 0, seed=0)
    assert accuracy(_LastInput(), X, y) == 1.0
    X, y = memory_task(200, 10, 4, seed=0)
    assert (
        0.3 < accuracy(_LastInput(), X, y) < 0.7
    )  # the last step is noise when the cue is earlier
    assert accuracy(_LastInput(), -X, y) == pytest.approx(1.0 - accuracy(_LastInput(), X, y))


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(delays=()), "Give 1 to 12 delays, got 0."),
        (dict(delays=(2, 2)), "The delays must differ from each other, got [2, 2]."),
        (dict(delays=(1, -1)), "Every delay must be a whole number from 0 to 200, got -1."),
        (dict(cells=()), "cells must be some of rnn, lstm, gru; got []."),
        (dict(n_test=1), "n_test must be a whole number from 2 to 100000, got 1."),
    ],
)
def test_lab_spec_rejects_bad_settings(kw, message):
    with pytest.raises(InsideError) as e:
        LabSpec(**kw)
    assert str(e.value) == message


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(epochs=True), "epochs must be a whole number from 1 to 1000, got True."),
        (dict(hidden_size=0), "hidden_size must be a whole number from 1 to 256, got 0."),
        (dict(lr=0), "lr must be a number > 0, got 0."),
    ],
)
def test_quick_train_rejects_bad_settings(kw, message):
    with pytest.raises(InsideError) as e:
        QuickTrain(**kw)
    assert str(e.value) == message


def test_training_is_reproducible():
    spec = LabSpec(delays=(1,), cells=("gru",), n_test=32, train=TINY.replace(n_train=32, epochs=2))
    a, b = memory_lab(spec), memory_lab(spec)
    assert a.accuracy == b.accuracy
