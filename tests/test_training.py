import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from rnnlib.classification import sum_sign
from rnnlib.device import pick_device
from rnnlib.models import build_model
from rnnlib.optim import LOSSES, OPTIMIZERS, SCHEDULES
from rnnlib.spec import ModelSpec
from rnnlib.training import (
    Progress,
    TrainError,
    TrainSpec,
    evaluate,
    fit,
    loss_fn,
    predict,
    split_gaussian,
)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models: a second intra-op thread only adds spin-waits (20x slower on a busy machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# Tiny and on the CPU whatever the machine has, so every test is fast and bit-reproducible.
FAST = TrainSpec(epochs=3, batch_size=32, device="cpu", report_every_s=1e9)
SMALL = ModelSpec(cell="lstm", hidden_size=8)


def sine_windows(n: int = 100, lookback: int = 10, horizon: int = 1, phase: float = 0.0):
    """X (n, lookback, 1) windows of a sine; y (n, horizon) the values that follow each window."""
    t = torch.arange(n + lookback + horizon, dtype=torch.float32) * 0.3 + phase
    s = torch.sin(t)
    X = torch.stack([s[i : i + lookback] for i in range(n)]).unsqueeze(-1)
    y = torch.stack([s[i + lookback : i + lookback + horizon] for i in range(n)])
    return X, y


TRAIN = sine_windows(100)
VAL = sine_windows(40, phase=1.0)


def losses(result):
    return [(r.train_loss, r.val_loss, r.grad_norm, r.lr) for r in result.history]


def params_of(model):
    return [p.detach().clone() for p in model.parameters()]


# --- reproducibility -------------------------------------------------------------------------


def test_same_seed_gives_bit_identical_history_and_weights():
    spec = ModelSpec(cell="lstm", hidden_size=8, num_layers=2, dropout=0.3)  # dropout draws too
    before = torch.random.get_rng_state()
    a = fit(build_model(spec, seed=1), TRAIN, VAL, FAST)
    b = fit(build_model(spec, seed=1), TRAIN, VAL, FAST)
    assert losses(a) == losses(b)
    assert all(
        torch.equal(p, q) for p, q in zip(params_of(a.model), params_of(b.model), strict=False)
    )
    assert torch.equal(torch.random.get_rng_state(), before)  # the caller's RNG is untouched


def test_different_seeds_give_different_histories():
    a = fit(build_model(SMALL, seed=1), TRAIN, VAL, FAST)
    b = fit(build_model(SMALL, seed=1), TRAIN, VAL, FAST.replace(seed=1))
    assert [r.train_loss for r in a.history] != [r.train_loss for r in b.history]


# --- learning --------------------------------------------------------------------------------


def test_loss_falls_on_next_value_of_a_sine():
    spec = TrainSpec(epochs=20, lr=1e-2, device="cpu", report_every_s=1e9)
    result = fit(build_model(ModelSpec(hidden_size=16), seed=0), TRAIN, VAL, spec)
    first, last = result.history[0].train_loss, result.history[-1].train_loss
    assert last < first / 4
    assert result.stopped == "completed 20 epochs"
    assert result.device == "cpu"
    assert len(result.history) == 20 and [r.epoch for r in result.history] == list(range(1, 21))


def test_best_weights_are_restored_and_score_the_minimum_val_loss():
    result = fit(build_model(SMALL, seed=0), TRAIN, VAL, FAST.replace(epochs=8, lr=5e-2))
    vals = [r.val_loss for r in result.history]
    assert result.best_epoch == 1 + int(np.argmin(vals))
    assert evaluate(result.model, *VAL) == pytest.approx(min(vals), rel=1e-6)
    assert loss_fn("mse")(predict(result.model, VAL[0]), VAL[1]).item() == pytest.approx(
        min(vals), rel=1e-6
    )


def test_early_stopping_triggers_and_restores_the_best_weights():
    # val asks for the opposite of what train teaches, so val loss rises once training bites.
    Xv, yv = VAL
    result = fit(build_model(SMALL, seed=0), TRAIN, (Xv, -yv), FAST.replace(epochs=30, patience=2))
    best = result.best_epoch
    assert result.stopped == f"early stopping: no improvement for 2 epochs (best epoch {best})"
    assert len(result.history) == best + 2 < 30
    vals = [r.val_loss for r in result.history]
    assert min(vals) == vals[best - 1]
    assert evaluate(result.model, Xv, -yv) == pytest.approx(min(vals), rel=1e-6)


# --- stopping --------------------------------------------------------------------------------


def stop_on_call(n: int):
    calls = []

    def should_stop() -> bool:
        calls.append(1)
        return len(calls) >= n

    return should_stop


def test_should_stop_stops_between_batches_and_keeps_the_best_weights():
    # 100 samples / 32 = 4 batches an epoch: the 8th check comes before batch 4 of epoch 2.
    result = fit(build_model(SMALL, seed=0), TRAIN, VAL, FAST, should_stop=stop_on_call(8))
    assert result.stopped == "stopped by the user after epoch 2, batch 3"
    assert len(result.history) == 1 and result.best_epoch == 1
    assert evaluate(result.model, *VAL) == pytest.approx(result.history[0].val_loss, rel=1e-6)


def test_should_stop_at_an_epoch_boundary_and_before_anything():
    at_boundary = fit(build_model(SMALL, seed=0), TRAIN, None, FAST, should_stop=stop_on_call(5))
    assert at_boundary.stopped == "stopped by the user after epoch 1"
    model = build_model(SMALL, seed=0)
    initial = params_of(model)
    result = fit(model, TRAIN, VAL, FAST, should_stop=lambda: True)
    assert result.stopped == "stopped by the user before the first batch"
    assert result.history == [] and result.best_epoch == 0
    assert all(torch.equal(p, q) for p, q in zip(initial, params_of(result.model), strict=False))


class NaNAfter(nn.Module):
    """Wraps a model; its n-th training forward returns NaN, so divergence happens on cue."""

    def __init__(self, inner: nn.Module, n: int):
        super().__init__()
        self.inner, self.n, self.calls = inner, n, 0

    def forward(self, x):
        out = self.inner(x)
        if self.training:
            self.calls += 1
            if self.calls == self.n:
                return out * float("nan")
        return out


def test_nan_loss_stops_at_once_and_restores_the_last_good_epoch():
    model = NaNAfter(build_model(SMALL, seed=0), n=7)  # epoch 2, batch 3
    snapshots = []
    result = fit(
        model,
        TRAIN,
        None,
        FAST,
        on_progress=lambda p: snapshots.append(params_of(model)) if p.epoch_end else None,
    )
    assert result.stopped == "loss became NaN at epoch 2, batch 3; kept the weights of epoch 1"
    assert len(result.history) == 1 and result.best_epoch == 1
    assert all(
        torch.equal(p, q) for p, q in zip(snapshots[0], params_of(result.model), strict=False)
    )


def test_nan_in_the_first_epoch_restores_the_initial_weights():
    model = NaNAfter(build_model(SMALL, seed=0), n=2)
    initial = params_of(model)
    result = fit(model, TRAIN, VAL, FAST)
    assert result.stopped == "loss became NaN at epoch 1, batch 2; kept the initial weights"
    assert all(torch.equal(p, q) for p, q in zip(initial, params_of(result.model), strict=False))


def test_a_huge_learning_rate_diverges_with_a_stated_reason_and_finite_weights():
    relu = ModelSpec(cell="rnn", nonlinearity="relu", hidden_size=8)
    spec = FAST.replace(optimizer="sgd", lr=1e6, clip_grad=0.0, epochs=5)
    result = fit(build_model(relu, seed=0), (TRAIN[0] * 10, TRAIN[1]), VAL, spec)
    pattern = r"(loss|gradient norm) became (NaN|infinite) at epoch \d+, batch \d+; kept the "
    assert re.match(pattern + r"(initial weights|weights of epoch \d+)$", result.stopped)
    assert all(torch.isfinite(p).all() for p in result.model.parameters())


def test_max_batches_caps_the_run_and_work_units_counts_it():
    spec = FAST.replace(epochs=5, max_batches=6)
    assert spec.batches_per_epoch(100) == 4
    assert spec.work_units(100) == 20 and spec.planned_batches(100) == 6
    assert FAST.replace(epochs=5).planned_batches(100) == 20
    result = fit(build_model(SMALL, seed=0), TRAIN, VAL, spec)
    assert result.stopped == "cap of 6 batches reached (after epoch 2, batch 2)"
    assert len(result.history) == 1
    exact = fit(build_model(SMALL, seed=0), TRAIN, VAL, spec.replace(max_batches=8))
    assert exact.stopped == "cap of 8 batches reached (after epoch 2)"


# --- optimisers, schedules, losses -----------------------------------------------------------


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_trains_with_weight_decay(optimizer):
    spec = FAST.replace(optimizer=optimizer, weight_decay=1e-3, lr=1e-2)
    result = fit(build_model(SMALL, seed=0), TRAIN, VAL, spec)
    assert result.stopped == "completed 3 epochs"
    assert all(math.isfinite(r.train_loss) and r.grad_norm > 0 for r in result.history)


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_every_schedule_runs_per_epoch(schedule):
    spec = FAST.replace(schedule=schedule, epochs=6, lr=0.1, clip_grad=0.0)
    lrs = [r.lr for r in fit(build_model(SMALL, seed=0), TRAIN, VAL, spec).history]
    assert lrs[0] == 0.1
    if schedule == "none":
        assert lrs == [0.1] * 6
    elif schedule == "step":
        assert lrs == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    elif schedule == "cosine":
        assert all(a > b for a, b in zip(lrs, lrs[1:], strict=False))
    else:
        assert all(a >= b for a, b in zip(lrs, lrs[1:], strict=False))


def test_plateau_halves_the_lr_when_the_loss_stalls_even_without_val():
    # lr so small the train loss barely moves: plateau must cut it after its patience.
    spec = FAST.replace(schedule="plateau", epochs=8, optimizer="sgd", lr=1e-6, momentum=0.0)
    lrs = [r.lr for r in fit(build_model(SMALL, seed=0), TRAIN, None, spec).history]
    assert lrs[-1] < lrs[0]


def test_gaussian_nll_trains_a_mean_and_variance_head():
    X, y = sine_windows(100, horizon=2)
    model = build_model(SMALL.replace(output_size=4), seed=0)  # 2 means, then 2 raw variances
    result = fit(model, (X, y), None, FAST.replace(loss="gaussian_nll", epochs=5))
    assert result.history[-1].train_loss < result.history[0].train_loss
    mean, var = split_gaussian(predict(result.model, X))
    assert mean.shape == var.shape == (100, 2) and (var > 0).all()


def test_gaussian_nll_says_the_head_must_be_twice_the_targets():
    with pytest.raises(TrainError, match="twice as many outputs as target columns"):
        fit(build_model(SMALL, seed=0), TRAIN, None, FAST.replace(loss="gaussian_nll"))


def test_bce_trains_a_classifier_on_logits_with_1d_labels():
    X, y = sum_sign(n_samples=100, length=10, seed=0)
    assert y.ndim == 1
    result = fit(build_model(SMALL, seed=0), (X, y), (X, y), FAST.replace(loss="bce", epochs=10))
    assert result.stopped == "completed 10 epochs"
    assert result.history[-1].train_loss < 0.6 < math.log(2)  # log 2: a coin toss
    accuracy = ((predict(result.model, X)[:, 0] > 0).numpy() == (y > 0.5)).mean()
    assert accuracy > 0.8


def test_loss_fn_aligns_1d_targets_instead_of_broadcasting():
    assert loss_fn("mse")(torch.zeros(4, 1), torch.ones(4)).item() == 1.0
    assert loss_fn("mae")(torch.zeros(4, 1), torch.full((4,), 2.0)).item() == 2.0
    with pytest.raises(TrainError, match="one output per target column"):
        loss_fn("mse")(torch.zeros(4, 1), torch.ones(4, 3))
    with pytest.raises(TrainError, match="loss must be one of mse, mae, bce, gaussian_nll"):
        loss_fn("huber")
    assert set(LOSSES) == {"mse", "mae", "bce", "gaussian_nll"}


# --- progress --------------------------------------------------------------------------------


def test_progress_with_a_huge_throttle_reports_each_epoch_end_only():
    seen: list[Progress] = []
    fit(build_model(SMALL, seed=0), TRAIN, VAL, FAST.replace(epochs=4), on_progress=seen.append)
    assert len(seen) == 4
    assert all(p.epoch_end and p.val_loss is not None and p.batch == p.batches == 4 for p in seen)
    assert [p.epoch for p in seen] == [1, 2, 3, 4] and all(p.epochs == 4 for p in seen)
    assert all(p.samples_per_s > 0 and p.elapsed_s > 0 and p.grad_norm > 0 for p in seen)
    assert all(p.eta_s > 0 for p in seen[:-1]) and seen[-1].eta_s == 0


def test_progress_without_throttle_reports_every_batch_then_the_epoch_end():
    seen: list[Progress] = []
    fit(
        build_model(SMALL, seed=0),
        TRAIN,
        None,
        FAST.replace(report_every_s=0),
        on_progress=seen.append,
    )
    assert [(p.epoch, p.batch, p.epoch_end) for p in seen[:4]] == [
        (1, 1, False),
        (1, 2, False),
        (1, 3, False),
        (1, 4, True),
    ]
    assert len(seen) == 3 * 4 and all(p.val_loss is None for p in seen)


# --- inference -------------------------------------------------------------------------------


def test_predict_returns_cpu_outputs_in_eval_mode_and_restores_the_mode():
    model = build_model(SMALL.replace(output_size=3), seed=0)
    model.train()
    out = predict(model, TRAIN[0].numpy(), batch_size=7)
    assert out.shape == (100, 3) and out.device.type == "cpu"
    assert model.training
    with torch.no_grad():
        model.eval()
        assert torch.allclose(out, model(TRAIN[0]), atol=1e-6)


# --- validation at the boundary --------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "optimizer",
            "adagrad",
            "optimizer must be one of adam, adamw, sgd, rmsprop; got 'adagrad'.",
        ),
        ("lr", 0, "lr must be a finite number > 0, got 0."),
        ("lr", float("nan"), "lr must be a finite number > 0, got nan."),
        ("batch_size", 0, "batch_size must be a whole number from 1 to 65536, got 0."),
        ("batch_size", 32.0, "batch_size must be a whole number from 1 to 65536, got 32.0."),
        ("epochs", True, "epochs must be a whole number from 1 to 10000, got True."),
        ("weight_decay", -1e-3, "weight_decay must be a finite number >= 0, got -0.001."),
        ("momentum", 1.0, "momentum must be a number in [0, 1), got 1.0."),
        ("clip_grad", -1, "clip_grad must be a finite number >= 0 (0 = off), got -1."),
        ("patience", -1, "patience must be a whole number from 0 to 10000, got -1."),
        (
            "schedule",
            "linear",
            "schedule must be one of none, cosine, step, plateau; got 'linear'.",
        ),
        ("loss", "huber", "loss must be one of mse, mae, bce, gaussian_nll; got 'huber'."),
        ("seed", -1, "seed must be a whole number from 0 to 9223372036854775807, got -1."),
        ("device", "tpu", "device must be one of auto, cpu, cuda, mps; got 'tpu'."),
        ("report_every_s", -0.1, "report_every_s must be a number of seconds >= 0, got -0.1."),
        (
            "max_batches",
            1.5,
            "max_batches must be a whole number from 0 to 1000000000000, got 1.5.",
        ),
    ],
)
def test_trainspec_rejects_bad_values_with_one_line(field, value, message):
    with pytest.raises(TrainError) as err:
        TrainSpec(**{field: value})
    assert str(err.value) == message
    assert isinstance(err.value, ValueError)


def test_fit_rejects_unusable_data_with_one_line():
    model = build_model(SMALL, seed=0)
    X, y = TRAIN
    cases = [
        ((X[:, :, 0], y), "train X must be 3-D (samples, steps, features); got shape (100, 10)."),
        ((X, y[:50]), "train y must hold one row of targets per sample: X has 100 samples"),
        ((X[:0], y[:0]), "train has 0 samples"),
        ((X, torch.where(y > 0.9, float("nan"), y)), "train data contains NaN or infinite values"),
        ((X.repeat(1, 1, 3), y), "The model cannot read the train inputs of shape (100, 10, 3)"),
        ((X,), "train must be a pair (X, y) of inputs and targets."),
    ]
    for train, message in cases:
        with pytest.raises(TrainError, match=re.escape(message)):
            fit(model, train, None, FAST)
    with pytest.raises(TrainError, match="patience needs a validation set"):
        fit(model, TRAIN, None, FAST.replace(patience=3))
    with pytest.raises(TrainError, match="twice as many outputs"):
        fit(model, TRAIN, VAL, FAST.replace(loss="gaussian_nll"))


def test_an_empty_validation_part_counts_as_none():
    result = fit(build_model(SMALL, seed=0), TRAIN, (VAL[0][:0], VAL[1][:0]), FAST)
    assert all(r.val_loss is None for r in result.history) and result.best_epoch == 3


def test_fit_trains_on_the_picked_device_and_predict_comes_back_to_the_cpu():
    # On a GPU machine this is the CUDA run; everywhere else it repeats the CPU one.
    device = pick_device("auto")
    result = fit(build_model(SMALL, seed=0), TRAIN, VAL, FAST.replace(device="auto"))
    assert result.device == str(device)
    assert next(result.model.parameters()).device.type == device.type
    assert result.stopped == "completed 3 epochs" and len(result.history) == 3
    assert predict(result.model, VAL[0]).device.type == "cpu"
    assert evaluate(result.model, *VAL) == pytest.approx(
        result.history[result.best_epoch - 1].val_loss, rel=1e-5
    )
