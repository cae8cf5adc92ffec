import math

import pytest
import torch

from rnnlib.budget import solve_budget
from rnnlib.errors import DataError
from rnnlib.forecasting import ForecastSpec
from rnnlib.history import EpochRecord
from rnnlib.labs.race import (
    ClassificationTask,
    ForecastTask,
    RaceLog,
    epoch_seconds,
    race,
    seed_band,
)
from rnnlib.models import RecurrentModel
from rnnlib.optim import TrainError, TrainSpec
from rnnlib.series import make_synthetic
from rnnlib.spec import ModelSpec, SpecError
from rnnlib.windows import WindowSpec

TINY = ModelSpec(hidden_size=4)
FAST = TrainSpec(epochs=2, batch_size=16, report_every_s=0.0)
# Preprocessing fixed: with auto, the race's first run also trains the other candidates.
FIXED = WindowSpec(lookback=8, normalize="window", transform="none")
SINE = ForecastTask(make_synthetic("sine", n=120, period=6.0), FIXED)
SUM = ClassificationTask("sum_sign", n_samples=80, length=6)


@pytest.fixture
def batches_seen(monkeypatch):
    """{(cell, seed-agnostic call order): [(batch size, sum of inputs), ...]} seen while training."""
    seen: dict[str, list[tuple[int, float]]] = {}
    features = RecurrentModel.features  # what every forecaster and classifier calls first

    def recording(self, x, hx=None):
        if self.training:  # training batches only, not validation or scoring
            seen.setdefault(self.spec.cell, []).append((len(x), round(float(x.sum()), 4)))
        return features(self, x, hx)

    monkeypatch.setattr(RecurrentModel, "features", recording)
    return seen


@pytest.mark.parametrize("task", [SINE, SUM], ids=["forecast", "classification"])
def test_every_cell_sees_the_same_batches_in_the_same_order(task, batches_seen):
    result = race(task, TINY, train=FAST)
    assert set(batches_seen) == {"rnn", "lstm", "gru"}
    assert batches_seen["rnn"] == batches_seen["lstm"] == batches_seen["gru"]
    assert len(batches_seen["rnn"]) > 2 * 2  # several batches per epoch, two epochs
    # the batches differ from one another: a constant stream would make the check vacuous
    assert len(set(batches_seen["rnn"])) > 2
    assert [r.cell for r in result.runs] == ["rnn", "lstm", "gru"]


def test_auto_preprocessing_is_chosen_once_and_shared_by_every_cell(batches_seen):
    """The first run chooses from the data (several candidates); the others reuse its choice."""
    task = ForecastTask(make_synthetic("sine", n=120, period=6.0), WindowSpec(lookback=8))
    result = race(task, TINY, train=FAST)
    pre = result.preprocessing
    assert pre is not None and len(pre.candidates) > 1
    assert (pre.normalize, pre.transform) in {(c.normalize, c.transform) for c in pre.candidates}
    # The first cell trained every candidate, the others only the chosen one; then each trained
    # the chosen settings again on train + validation. The chosen candidate's batches and the
    # final fit's are the same for all three cells.
    rnn, lstm = batches_seen["rnn"], batches_seen["lstm"]
    assert len(rnn) > len(lstm) and lstm == batches_seen["gru"]
    tail = next(k for k in range(len(lstm), 0, -1) if rnn[-k:] == lstm[-k:])
    chosen = lstm[: len(lstm) - tail]  # empty when the chosen candidate was the last one tried
    assert any(rnn[i : i + len(chosen)] == chosen for i in range(len(rnn) - tail))


def test_same_seed_reproduces_and_another_seed_changes(batches_seen):
    a = race(SUM, TINY, train=FAST)
    b = race(SUM, TINY, train=FAST)
    c = race(SUM, TINY, seeds=(1,), train=FAST)
    losses = [[h.train_loss for h in r.history] for r in a.runs]
    assert losses == [[h.train_loss for h in r.history] for r in b.runs]
    assert [r.metrics for r in a.runs] == [r.metrics for r in b.runs]
    assert losses != [[h.train_loss for h in r.history] for r in c.runs]


def test_forecast_result_has_metrics_baselines_and_reference():
    result = race(SINE, TINY, ("rnn", "gru"), seeds=(0, 1), train=FAST)
    assert result.kind == "forecast" and result.finished and result.unfinished == []
    assert [(r.cell, r.seed) for r in result.runs] == [
        ("rnn", 0),
        ("gru", 0),
        ("rnn", 1),
        ("gru", 1),
    ]
    for r in result.runs:
        assert set(r.metrics) == {"mae", "rmse", "mape", "smape", "mase"}
        assert len(r.history) == 2 and r.finished and r.epoch_s > 0
        # the core and head as Build counts them, plus the forecaster's linear skip (lookback 8 -> 1)
        core_and_head = sum(
            p.numel() for p in RecurrentModel(TINY.replace(cell=r.cell)).parameters()
        )
        assert r.params == core_and_head + 8 + 1
    assert {"naive", "seasonal_naive"} <= set(result.baselines)
    assert set(result.reference) == {"naive"} and result.loss == "mse"
    table = result.table()
    assert list(table.index) == ["RNN", "GRU"]
    assert list(table.columns[:5]) == ["hidden", "params", "seeds", "epochs", "s / epoch"]
    assert table.loc["GRU", "seeds"] == 2
    mean, lo, hi = result.metric_stats("mae")["rnn"]
    assert lo <= mean <= hi and lo < hi  # two seeds, two different models
    assert table.loc["RNN", "MAE"] == pytest.approx(mean)
    assert table.columns[-1].startswith("vs ")
    assert list(result.baseline_table().columns) == list(table.columns[5:-1])
    assert len(result.curves()["rnn"]) == 2


def test_classification_scores_against_the_majority_class():
    result = race(
        ClassificationTask("memory", n_samples=60, length=8, delay=3), TINY, ("lstm",), train=FAST
    )
    assert result.kind == "classification" and result.loss == "bce"
    (run,) = result.runs
    assert set(run.metrics) == {"accuracy", "bce"} and 0 <= run.metrics["accuracy"] <= 1
    majority = result.baselines["majority"]
    assert majority["accuracy"] == pytest.approx(0.5, abs=0.2)  # balanced labels
    assert result.reference["majority"] == pytest.approx(math.log(2), abs=0.05)
    assert list(result.table().columns) == [
        "hidden", "params", "seeds", "epochs", "s / epoch", "accuracy", "BCE", "vs majority",
    ]  # fmt: skip
    assert result.table().loc["LSTM", "vs majority"].endswith(" pts")


def test_lstm_learns_sum_sign_with_a_small_budget():
    task = ClassificationTask("sum_sign", n_samples=400, length=10)
    train = TrainSpec(epochs=6, batch_size=16, lr=0.01)
    result = race(task, ModelSpec(hidden_size=8), ("lstm",), train=train)
    assert result.runs[0].params < 400
    assert result.runs[0].metrics["accuracy"] > 0.8
    assert result.baselines["majority"]["accuracy"] < 0.6


def test_equal_budget_hidden_sizes_are_used():
    hidden = solve_budget(TINY, 300)
    result = race(SUM, TINY, train=FAST.replace(epochs=1), hidden=hidden)
    assert {r.cell: r.hidden_size for r in result.runs} == hidden
    assert all(abs(r.params - 300) < 60 for r in result.runs)


def test_stop_between_batches_records_what_finished():
    calls = []

    def should_stop() -> bool:
        calls.append(1)
        return len(calls) > 12  # part-way through the second run

    log = RaceLog()
    result = race(SUM, TINY, train=FAST, should_stop=should_stop, log=log)
    assert not result.finished
    assert result.runs[0].finished and not result.runs[-1].finished
    assert ("gru", 0) in result.unfinished and ("rnn", 0) not in result.unfinished
    assert log.current is None and list(log.runs) == list(result.runs)


def test_an_interrupted_race_is_scored_from_its_log():
    log = RaceLog()

    def interrupt(p):
        if p.cell == "lstm" and p.progress.epoch_end and p.progress.epoch == 1:
            raise KeyboardInterrupt  # what a Streamlit rerun does at the next st.* call

    with pytest.raises(KeyboardInterrupt):
        race(SINE, TINY, train=FAST, on_progress=interrupt, log=log)
    assert log.current["cell"] == "lstm" and len(log.current["history"]) == 1
    assert [len(h) for h in log.curves()["lstm"]] == [1]
    result = log.result()
    assert [(r.cell, r.finished) for r in result.runs] == [("rnn", True), ("lstm", False)]
    assert result.unfinished == [("lstm", 0), ("gru", 0)]
    assert set(result.runs[1].metrics) >= {"mae", "mase"}
    assert RaceLog().result() is None


def test_progress_says_which_run_is_training():
    seen = []
    race(SUM, TINY, ("rnn", "gru"), seeds=(0, 3), train=FAST, on_progress=seen.append)
    ends = [(p.cell, p.seed, p.run, p.runs) for p in seen if p.progress.epoch_end]
    assert ends[::2] == [("rnn", 0, 0, 4), ("gru", 0, 1, 4), ("rnn", 3, 2, 4), ("gru", 3, 3, 4)]


def test_bad_settings_fail_before_training():
    with pytest.raises(TrainError, match="distinct seeds"):
        race(SUM, TINY, seeds=(0, 0))
    with pytest.raises(TrainError, match="distinct seeds"):
        race(SUM, TINY, seeds=tuple(range(6)))
    with pytest.raises(TrainError, match="cells must be"):
        race(SUM, TINY, cells=("lstm", "transformer"))
    with pytest.raises(SpecError, match="proj_size"):
        race(SUM, ModelSpec(hidden_size=8, proj_size=4), hidden={"lstm": 3})
    with pytest.raises(DataError, match="Unknown classification task"):
        ClassificationTask("parity")
    with pytest.raises(DataError, match="delay"):
        race(ClassificationTask("memory", length=5, delay=9), TINY)
    with pytest.raises(DataError, match="use more samples"):
        ClassificationTask(n_samples=3).split()
    with pytest.raises(DataError, match="lookback"):
        race(ForecastTask(make_synthetic("sine", n=60), WindowSpec(lookback=50)), TINY)
    with pytest.raises(DataError, match="seq2seq"):
        race(
            ForecastTask(SINE.series, forecast=ForecastSpec("seq2seq")),
            TINY.replace(bidirectional=True),
        )


def test_seed_band_and_epoch_seconds():
    a = [EpochRecord(1, 1.0, None), EpochRecord(2, 3.0, None)]
    b = [EpochRecord(1, 2.0, None)]
    assert seed_band([a, b], "train_loss") == ([1, 2], [1.5, 3.0], [1.0, 3.0], [2.0, 3.0])
    assert seed_band([a, b], "val_loss") == ([], [], [], [])
    history = [EpochRecord(e, 1.0, None, elapsed_s=s) for e, s in ((1, 1.0), (2, 1.5), (3, 3.5))]
    assert epoch_seconds(history) == 1.0
    assert math.isnan(epoch_seconds([]))
    assert torch.get_default_dtype() == torch.float32


def test_an_auto_race_counts_every_cell_with_the_lookback_it_chose():
    """The first run chooses the lookback (and so the linear skip's size) while it trains: its
    count is the trained model's, like every later run's, not the unresolved one built first."""
    task = ForecastTask(make_synthetic("sine", n=120, period=6.0), WindowSpec())  # lookback 0: auto
    result = race(task, TINY, ("rnn", "gru"), train=FAST)
    extra = [
        r.params - sum(p.numel() for p in RecurrentModel(TINY.replace(cell=r.cell)).parameters())
        for r in result.runs
    ]
    assert extra[0] == extra[1] > 1  # lookback + 1 for the skip, the same for both cells


def test_a_race_with_its_preprocessing_fixed_and_the_lookback_from_the_data_trains():
    """One candidate but the lookback still to choose: the model built before the choice cannot
    be the one trained (its linear skip would not fit the windows)."""
    fixed = WindowSpec(normalize="window", transform="none")  # lookback 0: from the data
    task = ForecastTask(make_synthetic("sine", n=120, period=6.0), fixed)
    result = race(task, TINY, ("rnn", "lstm"), train=FAST)
    assert result.finished and all(math.isfinite(r.metrics["mae"]) for r in result.runs)
