import numpy as np
import pytest

from rnnlib.figures.lessons import accuracy_bars, same_outputs
from rnnlib.lessons import LESSONS, LessonError, lesson
from rnnlib.lessons import tries as run
from rnnlib.spec import ModelSpec
from rnnlib.ui.frame import app_root

ROOT = app_root(__file__).parent


def test_eight_lessons_in_the_taught_order():
    assert [x.number for x in LESSONS] == list(range(1, 9))
    assert [x.slug for x in LESSONS] == [
        "shapes", "classifier", "gates", "reach", "bidirectional", "seq2seq", "stock", "scratch",
    ]  # fmt: skip
    for x in LESSONS:
        assert 0 <= x.answer < len(x.choices), x.slug
        assert (ROOT / x.page).exists(), x.page
        assert x.see and x.try_it and x.question and x.meaning


def test_unknown_lesson_is_a_one_line_error():
    assert lesson(4).slug == "reach"
    with pytest.raises(LessonError, match="There is no lesson 9: choose 1 to 8"):
        lesson(9)


def test_shapes_of_a_two_layer_bidirectional_lstm():
    sizes = run.shapes_try(ModelSpec(hidden_size=32, num_layers=2, bidirectional=True))
    assert sizes["h_n"][0] == 4 and sizes["c_n"] == (4, 8, 32)
    assert sizes["output"] == (8, 5, 64)  # batch_first, both directions side by side


def test_sum_sign_classifier_beats_the_majority_class_by_far():
    res = run.classifier_try("lstm")
    acc, majority = res.runs[0].metrics["accuracy"], res.baselines["majority"]["accuracy"]
    assert acc > majority + 0.25
    history = res.runs[0].history
    assert history[-1].train_loss < history[0].train_loss < 0.75  # BCE from about ln 2


def test_gates_lines_are_the_lstm_equations_at_step_t():
    res = run.gates_try(t=5, unit=2)
    assert [line.name for line in res.lines][-1] == "h"
    assert res.recording.steps == 20


def test_reach_untrained_has_one_curve_per_cell_over_every_lag():
    res = run.reach_try(trained=False)
    assert set(res.curves) == {"rnn", "lstm", "gru"}
    assert all(len(c["untrained"]) == 30 for c in res.curves.values())
    # the plain RNN's sensitivity 20 steps back is far below its sensitivity to the last input
    rnn = res.curves["rnn"]["untrained"]
    assert rnn[20] < 0.01 * rnn[0]


def test_bidirectional_reads_the_start_better():
    res = run.bidirectional_try("rnn")
    acc = res.accuracy()
    assert acc["both directions"] > acc["one direction"] + 0.2
    fig = accuracy_bars(acc, res.majority)
    assert [t.name for t in fig.data] == ["test accuracy", "majority class"]
    assert list(fig.data[0].x) == ["one direction", "both directions"]


def test_seq2seq_and_direct_forecast_twelve_steps():
    for strategy in ("direct", "seq2seq"):
        res = run.seq2seq_try(strategy, epochs=3)
        assert res.experiment.forecast.strategy == strategy
        assert res.test["step"].max() == 12


def test_random_walk_lstm_scored_beside_naive():
    res, series = run.stock_try(epochs=3)
    assert {"model", "naive"} <= set(res.metrics)
    assert len(series) == 400


@pytest.mark.parametrize("layer_norm", [False, True])
def test_scratch_lstm_against_torch(layer_norm):
    res = run.scratch_try(layer_norm)
    extra = sum(r.count for r in res.scratch_rows) - sum(r.count for r in res.torch_rows)
    if layer_norm:
        # gain and shift of LayerNorm on the ih and hh pre-activations (4H each) and on c (H), H = 8
        assert res.max_diff > 1e-3 and extra == 2 * (4 * 8) * 2 + 2 * 8
    else:
        assert res.max_diff < 1e-6 and extra == 0
    np.testing.assert_allclose(res.max_diff, np.abs(res.torch_out - res.scratch_out).max())
    fig = same_outputs(res)
    assert [t.name for t in fig.data] == ["y = x", "outputs"]
    assert len(fig.data[1].x) == 4 * 12 * 8
