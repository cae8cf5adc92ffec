import pytest

from rnnlib.budget import counts_vs_hidden, group_counts
from rnnlib.figures.compare import (
    CELL_COLOURS,
    counts_bar,
    counts_lines,
    epoch_times,
    metric_bars,
    race_curves,
)
from rnnlib.history import EpochRecord
from rnnlib.spec import ModelSpec


def names(fig) -> list[str]:
    return [t.name for t in fig.data]


def test_counts_bar_stacks_groups_and_labels_totals():
    groups = group_counts(ModelSpec(hidden_size=8))
    fig = counts_bar(groups)
    assert names(fig) == ["input weights", "recurrent weights", "biases", "head", "total"]
    assert list(fig.data[0].x) == ["RNN", "LSTM", "GRU"]
    assert fig.layout.barmode == "stack"
    assert list(fig.data[-1].text) == [f"{sum(groups[c].values()):,}" for c in groups]
    assert fig.layout.yaxis.title.text == "parameters"
    with_proj = counts_bar(group_counts(ModelSpec(hidden_size=8, proj_size=2)))
    assert "projection" in names(with_proj)


def test_counts_lines_with_budget_and_marks():
    sizes = [1, 2, 4, 8, 16]
    curves = counts_vs_hidden(ModelSpec(), sizes)
    fig = counts_lines(
        sizes, curves, "hidden size", log_y=True, budget=500, marks={"gru": 8, "rnn": 3}
    )
    assert names(fig)[:4] == ["RNN", "LSTM", "GRU", "budget"]
    assert len(fig.data) == 5  # rnn's mark (3) is not on the x grid, so it is left out
    assert fig.data[4].y == (curves["gru"][3],)
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text == "hidden size"
    assert fig.data[1].line.color == CELL_COLOURS["lstm"]


def _history(*losses):
    return [EpochRecord(i + 1, train_loss=v, val_loss=v + 0.1) for i, v in enumerate(losses)]


def test_race_curves_one_seed_per_cell():
    curves = {"rnn": [_history(1.0, 0.5)], "lstm": [_history(0.9, 0.4)], "gru": [[]]}
    fig = race_curves(curves, reference={"naive": 0.3})
    assert names(fig) == [
        "RNN train", "RNN validation", "LSTM train", "LSTM validation", "naive (validation)",
    ]  # fmt: skip
    assert fig.data[0].line.dash == "solid" and fig.data[1].line.dash == "dash"
    assert fig.data[-1].y == (0.3, 0.3) and fig.data[-1].x == (1, 2)
    assert fig.layout.yaxis.title.text == "mse (scaled units)"
    assert fig.layout.xaxis.title.text == "epoch"


def test_race_curves_band_for_several_seeds_and_live_point():
    curves = {"gru": [_history(1.0, 0.5), _history(0.8, 0.7)]}
    fig = race_curves(curves, log_y=True, loss="bce", live={"cell": "gru", "x": 2.5, "loss": 0.6})
    assert len(fig.data) == 5  # band + mean for train and validation, then the live point
    band, mean = fig.data[0], fig.data[1]
    assert band.fill == "toself" and band.showlegend is False and band.legendgroup == "gru"
    assert mean.name == "GRU train" and mean.y == pytest.approx((0.9, 0.6))
    assert names(fig)[-1] == "GRU this epoch"
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.title.text == "bce"


def test_epoch_times_and_metric_bars():
    fig = epoch_times({"rnn": 0.1, "lstm": 0.3, "gru": 0.2})
    assert (
        list(fig.data[0].x) == ["RNN", "LSTM", "GRU"] and fig.layout.yaxis.title.text == "seconds"
    )
    stats = {"rnn": (0.5, 0.4, 0.7), "lstm": (0.3, 0.3, 0.3)}
    fig = metric_bars(stats, {"naive": 0.6, "seasonal_naive": 0.4}, "MAE")
    cells, base = fig.data
    assert list(cells.x) == ["RNN", "LSTM"] and list(base.x) == ["naive", "seasonal naive"]
    assert cells.error_y.array == pytest.approx((0.2, 0.0))
    assert cells.error_y.arrayminus == pytest.approx((0.1, 0.0))
    assert fig.layout.title.text == "Test MAE"
    single = metric_bars({"rnn": (0.5, 0.5, 0.5)}, {}, "accuracy")
    assert single.data[0].error_y.array is None  # one seed: no error bar
