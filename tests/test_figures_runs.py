"""rnnlib.figures.runs: one trace per run, the actual series once, names and titles a person reads."""

from dataclasses import replace

from rnnlib.figures.runs import forecast_overlay, loss_overlay, run_colour
from rnnlib.history import EpochRecord

HISTORY = [
    EpochRecord(1, train_loss=1.0, val_loss=1.2, elapsed_s=0.1),
    EpochRecord(2, train_loss=0.5, val_loss=0.7, elapsed_s=0.2),
]
NO_VAL = [replace(h, val_loss=None) for h in HISTORY]


def test_loss_overlay_draws_one_curve_per_run():
    fig = loss_overlay([("#1 LSTM", HISTORY), ("#2 GRU", HISTORY)])
    assert [t.name for t in fig.data] == ["#1 LSTM", "#2 GRU"]
    assert list(fig.data[0].y) == [1.2, 0.7]  # validation by default
    assert fig.data[0].line.color != fig.data[1].line.color
    assert fig.layout.title.text == "Validation loss of the selected runs"
    assert fig.layout.xaxis.title.text == "epoch"
    train = loss_overlay([("#1 LSTM", HISTORY)], "train_loss", log_y=True)
    assert list(train.data[0].y) == [1.0, 0.5] and train.layout.yaxis.type == "log"
    assert train.layout.title.text == "Train loss of the selected runs"


def test_a_run_without_validation_falls_back_to_its_train_loss_dotted():
    fig = loss_overlay([("#1", HISTORY), ("#2", NO_VAL)])
    assert [t.name for t in fig.data] == ["#1", "#2 (train)"]
    assert list(fig.data[1].y) == [1.0, 0.5] and fig.data[1].line.dash == "dot"


def test_forecast_overlay_draws_the_actual_series_once_then_each_run():
    times = ["2024-01-01", "2024-01-02", "2024-01-03"]
    fig = forecast_overlay(
        (times, [1.0, 2.0, 3.0]), [("#1", times, [1.1, 2.1, 2.9]), ("#2", times[1:], [2.2, 3.3])]
    )
    assert [t.name for t in fig.data] == ["actual", "#1", "#2"]
    assert list(fig.data[2].x) == times[1:]
    assert fig.data[1].line.color == run_colour(0) and fig.data[2].line.color == run_colour(1)
    assert fig.layout.title.text == "Test forecasts of the selected runs (1 step ahead)"
