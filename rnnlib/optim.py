"""What training minimises and how: TrainSpec (validated in one place), the losses, the optimiser
and the learning-rate schedule it names.

The loop in training.py reads these; nothing here knows about models, data or the UI.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.optim import lr_scheduler

from rnnlib.adam import Adam
from rnnlib.device import PREFERENCES
from rnnlib.errors import RnnlibError

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
SCHEDULES = ("none", "cosine", "step", "plateau")
LOSSES = ("mse", "mae", "bce", "gaussian_nll")

# Upper bounds keep a shared, hosted playground responsive; far above what trains in seconds.
MAX_EPOCHS = 10_000
MAX_BATCH_SIZE = 65_536
MAX_SEED = 2**63 - 1  # torch.Generator.manual_seed takes a 64-bit seed
MAX_BATCHES = 10**12  # a cap above this is no cap; the bound only rejects typos and overflow

STEP_FACTOR = 0.5  # "step" halves the learning rate ...
STEP_PARTS = 3  # ... every epochs // 3 epochs, so the last third runs at a quarter of lr
PLATEAU_FACTOR = 0.5  # "plateau" halves the learning rate ...
PLATEAU_PATIENCE = 2  # ... after 2 epochs without improvement: short runs have few epochs to wait
MIN_VARIANCE = 1e-6  # gaussian_nll: variance = softplus(raw) + 1e-6 never reaches 0


class TrainError(RnnlibError):
    """Training settings or data that cannot work; the one-line message says what to change."""


@dataclass(frozen=True)
class TrainSpec:
    optimizer: str = "adam"  # "adam" | "adamw" | "sgd" | "rmsprop"; Adam needs the least tuning
    lr: float = 1e-2  # high for Adam in general, right for tiny RNNs trained for seconds
    batch_size: int = 32  # small batches: more updates per epoch on short series
    epochs: int = 30  # enough for a sine or a seasonal series with the default LSTM
    weight_decay: float = 0.0  # L2 (Adam, SGD, RMSprop) or decoupled (AdamW); off: models are tiny
    momentum: float = 0.9  # SGD and RMSprop only; 0.9 is the textbook value
    clip_grad: float = 1.0  # max global grad norm (0 = off): RNN gradients can explode
    patience: int = 0  # early stopping after this many epochs without a lower val loss (0 = off)
    schedule: str = "none"  # "none" | "cosine" | "step" (halve every epochs//3) | "plateau"
    loss: str = "mse"  # "mse" | "mae" | "bce" (logits) | "gaussian_nll" (means, then raw variances)
    seed: int = 0  # shuffling and dropout: the same seed gives the same loss history on CPU
    device: str = "auto"  # "auto" | "cpu" | "cuda" | "mps"; "auto" takes a GPU when there is one
    report_every_s: float = 0.1  # per-batch progress at most this often; epoch ends always report
    # torch intra-op threads while training (0 = leave torch's setting; restored afterwards).
    # One: these models are tiny, and two threads on a busy 2-core machine made a forecasting run
    # over 100x slower here (581 s vs 3 s for the README's example), never much faster when idle.
    threads: int = 1
    max_batches: int = 0  # hosted-safety cap on batches over the whole run (0 = no cap)
    # Forecasting only: epochs, patience and schedule are chosen from the data (defaults.plan),
    # and the three values above are ignored; fit itself takes resolved specs only.
    auto: bool = False

    def __post_init__(self) -> None:
        _validate(self)

    def batches_per_epoch(self, n_train: int) -> int:
        """Batches in one pass over n_train samples (the last one may be smaller)."""
        _check_whole("n_train", n_train, 0, 2**62)
        return math.ceil(n_train / self.batch_size)

    def work_units(self, n_train: int) -> int:
        """Batches the whole run asks for: batches_per_epoch x epochs, before any cap.

        A page compares this with max_batches to warn before starting that the run will be cut short.
        """
        return self.batches_per_epoch(n_train) * self.epochs

    def planned_batches(self, n_train: int) -> int:
        """Batches fit will run at most: work_units, or max_batches when that is smaller."""
        work = self.work_units(n_train)
        return min(work, self.max_batches) if self.max_batches else work

    def replace(self, **changes: Any) -> TrainSpec:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _check_whole(name: str, value: Any, low: int, high: int) -> None:
    # bool is an int subclass; True epochs is a bug, not a 1.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise TrainError(f"{name} must be a whole number from {low} to {high}, got {value!r}.")


def _check_real(name: str, value: Any, what: str, ok) -> None:
    # NaN fails every `ok` below: comparisons with NaN are false.
    if isinstance(value, bool) or not isinstance(value, int | float) or not ok(value):
        raise TrainError(f"{name} must be {what}, got {value!r}.")


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise TrainError(f"{name} must be one of {', '.join(choices)}; got {value!r}.")


def _validate(s: TrainSpec) -> None:
    _check_choice("optimizer", s.optimizer, OPTIMIZERS)
    _check_choice("schedule", s.schedule, SCHEDULES)
    _check_choice("loss", s.loss, LOSSES)
    _check_choice("device", s.device, PREFERENCES)
    _check_real("lr", s.lr, "a finite number > 0", lambda v: 0 < v < math.inf)
    _check_whole("batch_size", s.batch_size, 1, MAX_BATCH_SIZE)
    _check_whole("epochs", s.epochs, 1, MAX_EPOCHS)
    _check_real("weight_decay", s.weight_decay, "a finite number >= 0", lambda v: 0 <= v < math.inf)
    _check_real("momentum", s.momentum, "a number in [0, 1)", lambda v: 0 <= v < 1)
    _check_real(
        "clip_grad", s.clip_grad, "a finite number >= 0 (0 = off)", lambda v: 0 <= v < math.inf
    )
    _check_whole("patience", s.patience, 0, MAX_EPOCHS)
    _check_whole("seed", s.seed, 0, MAX_SEED)
    _check_real("report_every_s", s.report_every_s, "a number of seconds >= 0", lambda v: v >= 0)
    _check_whole("max_batches", s.max_batches, 0, MAX_BATCHES)
    _check_whole("threads", s.threads, 0, 1024)
    if not isinstance(s.auto, bool):
        raise TrainError(f"auto must be true or false, got {s.auto!r}.")


# --- losses ----------------------------------------------------------------------------------


def split_gaussian(pred: Tensor) -> tuple[Tensor, Tensor]:
    """(B, 2H) gaussian head -> mean (B, H), variance (B, H): first half means, second raw variances."""
    H = pred.shape[-1] // 2
    # var = softplus(raw) + 1e-6: positive with a smooth gradient, unlike exp (overflows) or abs.
    return pred[..., :H], F.softplus(pred[..., H:]) + MIN_VARIANCE


def _aligned(name: str, pred: Tensor, target: Tensor, width: int) -> Tensor:
    """target shaped like pred (width = target columns pred must hold), or TrainError."""
    if target.dim() == pred.dim() - 1:
        target = target.unsqueeze(-1)  # (B,) labels or one-step targets against a (B, 1) head
    if target.shape[:-1] != pred.shape[:-1] or pred.shape[-1] != width * target.shape[-1]:
        need = "twice as many outputs as target columns (means, then raw variances)"
        raise TrainError(
            f"loss {name!r} needs {need if width == 2 else 'one output per target column'}: "
            f"the model gives {tuple(pred.shape)} for targets {tuple(target.shape)}; "
            "set the model's output_size to match."
        )
    return target


def _mse(pred: Tensor, target: Tensor) -> Tensor:
    return F.mse_loss(pred, _aligned("mse", pred, target, 1))


def _mae(pred: Tensor, target: Tensor) -> Tensor:
    return F.l1_loss(pred, _aligned("mae", pred, target, 1))


def _bce(pred: Tensor, target: Tensor) -> Tensor:
    # On logits: log-sum-exp inside is stable where sigmoid then log would give -inf.
    return F.binary_cross_entropy_with_logits(pred, _aligned("bce", pred, target, 1))


def _gaussian_nll(pred: Tensor, target: Tensor) -> Tensor:
    target = _aligned("gaussian_nll", pred, target, 2)
    mean, var = split_gaussian(pred)
    # -log N(y | mu, var) = (log var + (y - mu)^2 / var + log 2pi) / 2, averaged over all values.
    return F.gaussian_nll_loss(mean, target, var, full=True, eps=MIN_VARIANCE)


_LOSSES = {"mse": _mse, "mae": _mae, "bce": _bce, "gaussian_nll": _gaussian_nll}


def loss_fn(name: str) -> Callable[[Tensor, Tensor], Tensor]:
    """(pred (B, O), target (B, O) or (B,)) -> scalar mean loss; the one definition fit and scoring use."""
    if name not in _LOSSES:
        raise TrainError(f"loss must be one of {', '.join(LOSSES)}; got {name!r}.")
    return _LOSSES[name]


# --- optimiser and schedule ----------------------------------------------------------------------


def make_optimizer(params: list[nn.Parameter], spec: TrainSpec) -> torch.optim.Optimizer:
    """The optimiser spec.optimizer names, with lr, weight decay and (SGD, RMSprop) momentum."""
    lr, wd = spec.lr, spec.weight_decay
    if spec.optimizer == "adamw":
        # Decoupled decay: shrinks weights directly instead of adding wd * w to the gradient.
        return Adam(params, lr=lr, weight_decay=wd, decoupled=True)
    if spec.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=spec.momentum, weight_decay=wd)
    if spec.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=spec.momentum, weight_decay=wd)
    # rnnlib's Adam: torch.optim.Adam's numbers, without its 1.5 s first-use import (adam.py)
    return Adam(params, lr=lr, weight_decay=wd)


def make_scheduler(optimizer: torch.optim.Optimizer, spec: TrainSpec):
    """The per-epoch learning-rate schedule spec.schedule names, or None for a constant lr.

    "plateau" is stepped with a loss (val, else train); the others with no argument.
    """
    if spec.schedule == "cosine":
        # lr_e = lr * (1 + cos(pi * e / epochs)) / 2: from lr down to 0 over the run.
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=spec.epochs)
    if spec.schedule == "step":
        step = max(1, spec.epochs // STEP_PARTS)
        return lr_scheduler.StepLR(optimizer, step_size=step, gamma=STEP_FACTOR)
    if spec.schedule == "plateau":
        return lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="min", factor=PLATEAU_FACTOR, patience=PLATEAU_PATIENCE
        )
    return None
