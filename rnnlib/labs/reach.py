"""Gradient reach: how strongly the prediction still depends on the input `lag` steps back.

    reach[lag] = mean over samples b of  || ∂ y_b / ∂ x_{b, T-1-lag} ||_2

y_b is the head's first output for sample b (the forecast, or the classifier's logit) and the norm
runs over the input features of that step. Samples do not interact in eval mode, so one backward
pass of sum_b y_b gives every sample's own gradient. lag 0 is the last step of the window.

This is the vanishing-gradient claim, measured: for a plain RNN the chain ∂h_t/∂h_{t-1} multiplies
one Jacobian per step, so reach decays roughly geometrically with the lag; a gated cell can keep
a path (LSTM's additive c_t, GRU's z_t ⊙ h_{t-1}) along which it decays far more slowly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view
from torch import nn

from rnnlib.classification import memory_task
from rnnlib.errors import check_whole
from rnnlib.labs.inside import InsideError, check_cells, core_of
from rnnlib.labs.memory_lab import QuickTrain, accuracy, small_model, train_quickly
from rnnlib.series import sine
from rnnlib.spec import CELLS
from rnnlib.training import predict

REACH_TASKS = ("memory", "sine")
PROBE = 64  # samples averaged per curve: enough for a smooth mean, cheap to backpropagate


def gradient_reach(model: nn.Module, x) -> np.ndarray:
    """x (B, T, I) or one window (T, I), batch first whatever the model's layout -> reach (T,) by lag.

    See the module docstring for the definition. The model is run in eval mode (no dropout) and
    its mode is restored; no parameter gradient is accumulated.
    """
    X = torch.as_tensor(np.asarray(x, dtype=np.float32))
    if X.dim() == 2:
        X = X[None]
    if X.dim() != 3 or X.shape[0] == 0 or X.shape[1] == 0:
        raise InsideError(f"x must have shape (samples, steps, features), got {tuple(X.shape)}.")
    device = next(model.parameters()).device
    X = X.to(device).requires_grad_(True)
    feed = X if core_of(model).batch_first else X.transpose(0, 1)
    was_training = model.training
    model.eval()
    try:
        # cuDNN's RNN backward refuses eval mode; the native kernels compute the same gradient.
        with torch.enable_grad(), torch.backends.cudnn.flags(enabled=False):
            # sum over the batch: sample b's output depends on x_b only, so grad[b] is its own
            (grad,) = torch.autograd.grad(model(feed)[:, 0].sum(), X)
    finally:
        model.train(was_training)
    # ||∂y_b/∂x_{b,t}|| over features, averaged over b -> (T,); flipped so index 0 is the last step
    per_step = grad.detach().double().norm(dim=2).mean(dim=0).flip(0)
    return per_step.cpu().numpy()


@dataclass(frozen=True)
class ReachResult:
    task: str  # "memory" or "sine"
    length: int  # T: lags 0 .. T-1
    delay: int | None  # memory task: the lag of the cue that decides the label
    curves: dict[str, dict[str, np.ndarray]]  # cell -> {"untrained": (T,), ["trained": (T,)]}
    scores: dict[str, float]  # cell -> after training: test accuracy (memory) or test MSE (sine)


def task_data(task: str, length: int, delay: int, n: int, seed: int):
    """(X (n, T, F), y (n,), loss name) for a reach task; memory: the cue sits `delay` steps back
    (F = 2: value and marker), sine: F = 1."""
    if task == "memory":
        X, y = memory_task(n, length, delay, seed=seed)
        return X, y, "bce"
    if task == "sine":
        # next-value forecasting on a noisy sine, period 25 steps; the series starts at a random phase
        rng = np.random.default_rng(seed)
        values = sine(n=n + length + 25, period=25.0, seed=seed).values()[:, 0]
        start = int(rng.integers(25))
        windows = sliding_window_view(values[start : start + n + length], length + 1)[:n]
        return windows[:, :-1, None].astype(np.float32), windows[:, -1].astype(np.float32), "mse"
    raise InsideError(f"task must be one of {', '.join(REACH_TASKS)}; got {task!r}.")


def reach_experiment(
    task: str = "memory",
    cells=CELLS,
    trained: bool = True,
    length: int = 40,
    delay: int = 10,
    quick: QuickTrain | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> ReachResult:
    """Reach curves of each cell on the same task and probe windows, before and (if trained) after
    training; on_progress(done, total, message) after each cell.

    The untrained and trained curves of a cell come from the same initial weights (quick.seed).
    """
    quick = quick if quick is not None else QuickTrain()
    cells = check_cells(cells)
    length = check_whole("length", length, 2, 500, error=InsideError)
    delay = (
        check_whole("delay", delay, 0, length - 1, error=InsideError) if task == "memory" else None
    )
    X, y, loss = task_data(task, length, delay or 0, quick.n_train, quick.seed)
    Xt, yt, _ = task_data(task, length, delay or 0, max(PROBE, 256), quick.seed + 1)
    probe = Xt[:PROBE]
    curves: dict[str, dict[str, np.ndarray]] = {}
    scores: dict[str, float] = {}
    for done, cell in enumerate(cells, 1):
        model = small_model(cell, quick, input_size=X.shape[2])
        curves[cell] = {"untrained": gradient_reach(model, probe)}
        message = f"{cell.upper()}: untrained reach measured"
        if trained:
            train_quickly(model, X, y, quick, loss)  # in place: the same initial weights as above
            curves[cell]["trained"] = gradient_reach(model, probe)
            scores[cell] = accuracy(model, Xt, yt) if loss == "bce" else _mse(model, Xt, yt)
            what = "test accuracy" if loss == "bce" else "test MSE"
            message = f"{cell.upper()}: trained, {what} {scores[cell]:.3g}"
        if on_progress is not None:
            on_progress(done, len(cells), message)
    return ReachResult(task, length, delay, curves, scores)


def _mse(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((predict(model, X)[:, 0].numpy() - y) ** 2))
