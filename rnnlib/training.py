"""fit: a training loop that knows neither the model nor the UI; it reports through callbacks.

Any nn.Module mapping x (B, T, I) -> (B, O) trains here. Batches are sliced straight from tensors
that sit on the device once (no DataLoader: for windows that already fit in memory it only adds
per-batch overhead), shuffled by a torch.Generator seeded from TrainSpec.seed, so the same seed
gives a bit-identical loss history on CPU.

Losses are read back from the device only when needed (every batch on CPU, where that is free;
every few batches or at a progress report on a GPU), so a GPU is never made to wait per batch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from rnnlib.device import pick_device
from rnnlib.history import EpochRecord
from rnnlib.optim import (
    TrainError,
    TrainSpec,
    loss_fn,
    make_optimizer,
    make_scheduler,
    split_gaussian,
)

__all__ = [
    "EpochRecord",
    "FitResult",
    "Progress",
    "TrainError",
    "TrainSpec",
    "evaluate",
    "fit",
    "intra_op_threads",
    "loss_fn",
    "predict",
    "split_gaussian",
]

EVAL_BATCH = 1024  # validation / prediction chunk: large, as no activations are kept for backward
GPU_SYNC_EVERY = 32  # on a GPU, read losses back (and look for NaN) at least every 32 batches


@dataclass(frozen=True)
class Progress:
    """What a UI or CLI is told while training; per-batch reports are throttled, epoch ends are not."""

    epoch: int  # 1-based
    epochs: int
    batch: int  # batches done in this epoch (== batches on an epoch-end report)
    batches: int  # batches per epoch
    train_loss: float  # sample-weighted mean over this epoch so far
    val_loss: float | None  # set on epoch-end reports when there is a validation set
    grad_norm: float  # pre-clip global gradient norm of the latest batch
    lr: float  # learning rate of this epoch
    elapsed_s: float  # since fit started, validation included
    samples_per_s: float  # training samples / elapsed_s
    eta_s: float  # remaining planned batches at the measured pace
    epoch_end: bool

    def record(self) -> EpochRecord:
        """An epoch-end report as the history keeps it (its epoch-mean gradient norm is fit's own)."""
        return EpochRecord(
            self.epoch, self.train_loss, self.val_loss, self.lr, None, self.elapsed_s
        )


@dataclass
class FitResult:
    model: nn.Module  # the module passed in, trained in place and left on `device`
    history: list[EpochRecord]  # one record per completed epoch
    best_epoch: int  # epoch whose weights `model` holds (lowest val loss; no val: last); 0 = none
    stopped: str  # why training ended, for a person
    device: str  # e.g. "cpu" or "cuda"


@contextmanager
def intra_op_threads(n: int) -> Iterator[None]:
    """torch's intra-op thread count set to n inside the block (0 = unchanged), then restored."""
    before = torch.get_num_threads()
    if n == 0 or n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# --- inference -------------------------------------------------------------------------------


def _device_of(model: nn.Module) -> torch.device:
    return next(model.parameters(), torch.empty(0)).device


def _chunks(model: nn.Module, X: Tensor, batch_size: int) -> Iterator[tuple[slice, Tensor]]:
    """(rows, model(X[rows])) in eval mode, no grad; the model's mode is restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for start in range(0, len(X), batch_size):
                rows = slice(start, start + batch_size)
                yield rows, model(X[rows])
    finally:
        model.train(was_training)


def predict(model: nn.Module, X, batch_size: int = EVAL_BATCH, device=None) -> Tensor:
    """X (N, T, I) -> outputs (N, O) on the CPU, in eval mode without gradients.

    Runs on `device` (moving the model there, in place) or else where the model already is.
    """
    if device is not None:
        model.to(device)
    X = torch.as_tensor(X, dtype=torch.float32).to(_device_of(model))
    outs = [out for _, out in _chunks(model, X, batch_size)]
    return torch.cat(outs).cpu() if outs else torch.empty(0)


def _mean_loss(model: nn.Module, X: Tensor, y: Tensor, criterion, batch_size: int) -> float:
    total = torch.zeros((), dtype=torch.float64, device=X.device)
    for rows, out in _chunks(model, X, batch_size):
        # float64: one chunk gives back exactly criterion(out, y), so scores match predict + loss_fn.
        total += criterion(out, y[rows]).double() * len(out)
    return total.item() / len(X)


def evaluate(model: nn.Module, X, y, loss: str = "mse", batch_size: int = EVAL_BATCH) -> float:
    """Sample-weighted mean `loss` of the model on (X, y), in eval mode, where the model is."""
    device = _device_of(model)
    X, y = _as_pair("data", (X, y))
    return _mean_loss(model, X.to(device), y.to(device), loss_fn(loss), batch_size)


# --- data at the boundary --------------------------------------------------------------------


def _as_pair(name: str, pair) -> tuple[Tensor, Tensor]:
    """(X (N, T, I), y (N, O) or (N,)) as float32 tensors, checked; y comes back 2-D."""
    if not isinstance(pair, tuple | list) or len(pair) != 2:
        raise TrainError(f"{name} must be a pair (X, y) of inputs and targets.")
    try:
        X, y = (torch.as_tensor(a, dtype=torch.float32) for a in pair)
    except (TypeError, ValueError, RuntimeError) as e:
        raise TrainError(f"{name} X and y must be numeric arrays or tensors ({e}).") from None
    if X.dim() != 3:
        raise TrainError(
            f"{name} X must be 3-D (samples, steps, features); got shape {tuple(X.shape)}."
        )
    if y.dim() == 1:
        y = y.unsqueeze(1)
    if y.dim() != 2 or len(y) != len(X):
        raise TrainError(
            f"{name} y must hold one row of targets per sample: X has {len(X)} samples, "
            f"y has shape {tuple(y.shape)}."
        )
    if not (torch.isfinite(X).all() and torch.isfinite(y).all()):
        raise TrainError(f"{name} data contains NaN or infinite values; fill or drop them first.")
    return X, y


def _check_model_reads(name: str, model: nn.Module, X: Tensor, y: Tensor, criterion) -> None:
    """One sample through the model and the loss, so a shape mismatch fails before training."""
    try:
        out = next(_chunks(model, X[:1], 1))[1]
    except RuntimeError as e:
        raise TrainError(
            f"The model cannot read the {name} inputs of shape {tuple(X.shape)}: {e}"
        ) from None
    criterion(out, y[:1])


class _Weights:
    """The weights fit hands back: a copy of the best (no val: latest) epoch's, else the initial ones."""

    def __init__(self, model: nn.Module):
        self.model = model
        self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        self.epoch = 0  # 0: the copy holds the initial weights

    def keep(self, epoch: int) -> None:
        for k, v in self.model.state_dict().items():
            self.state[k].copy_(v)  # into the existing copy: no new allocation per epoch
        self.epoch = epoch

    def restore(self) -> None:
        self.model.load_state_dict(self.state)

    def kept(self) -> str:
        return (
            f"kept the weights of epoch {self.epoch}" if self.epoch else "kept the initial weights"
        )


# --- the loop --------------------------------------------------------------------------------


def fit(
    model: nn.Module,
    train: tuple[Tensor, Tensor],
    val: tuple[Tensor, Tensor] | None,
    spec: TrainSpec,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> FitResult:
    """Train `model` in place on train = (X (N, T, I), y (N, O) or (N,)); score on val each epoch.

    X and y may be tensors or arrays; they are checked, made float32 and moved to the device once.

    should_stop() is asked before every batch. With a validation set the weights of the epoch with
    the lowest val loss are restored at the end, however training ended; without one the latest
    weights stay, except after a NaN / infinite loss, which restores the last completed epoch's
    (or the initial) weights. The model is left on the device it trained on (FitResult.device).
    Raises TrainError for unusable data or settings, DeviceError for a device this machine lacks.
    """
    if spec.auto:
        raise TrainError(
            "This TrainSpec says auto (epochs from the data): forecasting.run resolves it; "
            "give fit explicit epochs with auto=False."
        )
    device = pick_device(spec.device)
    criterion = loss_fn(spec.loss)
    X, y = _as_pair("train", train)
    if len(X) == 0:
        raise TrainError("train has 0 samples: make the series longer or the lookback shorter.")
    Xv, yv = _as_pair("val", val) if val is not None else (None, None)
    if Xv is not None and len(Xv) == 0:
        Xv = yv = None  # an empty validation part (val_fraction = 0) is no validation set
    if spec.patience and Xv is None:
        raise TrainError("patience needs a validation set: give val data or set patience to 0.")
    model.to(device)
    X, y = X.to(device), y.to(device)
    _check_model_reads("train", model, X, y, criterion)
    if Xv is not None:
        Xv, yv = Xv.to(device), yv.to(device)
        _check_model_reads("val", model, Xv, yv, criterion)

    was_training = model.training
    # Seed dropout too without disturbing the caller's random state (CPU's is always forked;
    # device_type is left to torch's default on CPU, since older releases reject None).
    accel = {"devices": [device], "device_type": device.type} if device.type != "cpu" else {}
    try:
        with torch.random.fork_rng(**{"devices": [], **accel}), intra_op_threads(spec.threads):
            torch.manual_seed(spec.seed)
            return _train(model, X, y, Xv, yv, spec, criterion, device, on_progress, should_stop)
    finally:
        model.train(was_training)


class _Tally:
    """One epoch's batch losses and pre-clip gradient norms, kept on the device until read back."""

    def __init__(self, sizes: list[int]):
        self.sizes = sizes  # samples per batch; the last batch may be short
        self.reset()

    def reset(self) -> None:
        self.pending: list[Tensor] = []  # loss, norm, loss, norm, ... of batches not read yet
        self.read = 0  # batches already read back
        self.loss_sum = self.norm_sum = self.last_norm = 0.0
        self.samples = 0

    def put(self, loss: Tensor, norm: Tensor) -> None:
        self.pending += (loss.detach(), norm)  # references only: no device work, no sync

    def read_back(self, epoch: int) -> str:
        """Fold the pending batches into the sums; '' or where the first NaN / inf appeared."""
        if not self.pending:
            return ""
        if len(self.pending) == 2:  # the CPU case, batch by batch: .item() is cheapest
            got = [self.pending[0].item(), self.pending[1].item()]
        else:  # one copy to the host, one wait for a GPU
            got = torch.stack(self.pending).tolist()
        self.pending.clear()
        for i, v in enumerate(got):
            if not math.isfinite(v):
                what = "gradient norm" if i % 2 else "loss"
                kind = "NaN" if math.isnan(v) else "infinite"
                return f"{what} became {kind} at epoch {epoch}, batch {self.read + i // 2 + 1}"
        sizes = self.sizes[self.read : self.read + len(got) // 2]
        self.loss_sum += sum(v * s for v, s in zip(got[0::2], sizes, strict=True))
        self.samples += sum(sizes)
        self.norm_sum += sum(got[1::2])
        self.last_norm = got[-1]
        self.read += len(sizes)
        return ""

    @property
    def mean_loss(self) -> float:
        """Sample-weighted, so the epoch's figure compares with a val loss over all samples."""
        return self.loss_sum / self.samples

    @property
    def mean_norm(self) -> float:
        return self.norm_sum / self.read


def _where(epoch: int, batch: int) -> str:
    return f"after epoch {epoch}, batch {batch}" if batch else f"after epoch {epoch - 1}"


def _train(model, X, y, Xv, yv, spec, criterion, device, on_progress, should_stop) -> FitResult:
    n, bs, E = len(X), spec.batch_size, spec.epochs
    B = spec.batches_per_epoch(n)
    planned = spec.planned_batches(n)
    tally = _Tally([min(bs, n - b * bs) for b in range(B)])
    sync_every = 1 if device.type == "cpu" else GPU_SYNC_EVERY
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = make_optimizer(params, spec)
    scheduler = make_scheduler(optimizer, spec)
    shuffle = torch.Generator().manual_seed(spec.seed)
    weights, best_val = _Weights(model), math.inf
    history: list[EpochRecord] = []
    stopped = diverged = ""  # why training ended early; diverged: where a NaN / inf appeared
    done, seen = 0, 0  # done: batches over the run; seen: samples over the run
    start = last_report = time.perf_counter()
    model.train()

    def report(epoch: int, batch: int, loss: float, lr: float, val_loss, end: bool) -> None:
        elapsed = time.perf_counter() - start
        rate = seen / elapsed if elapsed > 0 else 0.0
        eta = (planned - done) * elapsed / done if done else 0.0
        on_progress(
            Progress(
                epoch, E, batch, B, loss, val_loss, tally.last_norm, lr, elapsed, rate, eta, end
            )
        )

    for epoch in range(1, E + 1):
        perm = torch.randperm(n, generator=shuffle).to(device)
        lr = optimizer.param_groups[0]["lr"]
        tally.reset()
        for b in range(B):
            if should_stop is not None and should_stop():
                where = _where(epoch, b) if done else "before the first batch"
                stopped = f"stopped by the user {where}"
                break
            if done == planned:
                stopped = f"cap of {spec.max_batches} batches reached ({_where(epoch, b)})"
                break
            idx = perm[b * bs : (b + 1) * bs]
            loss = criterion(model(X.index_select(0, idx)), y.index_select(0, idx))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if spec.clip_grad > 0:
                norm = nn.utils.clip_grad_norm_(params, spec.clip_grad)  # returns the pre-clip norm
            else:
                norm = nn.utils.get_total_norm([p.grad for p in params if p.grad is not None])
            optimizer.step()
            tally.put(loss, norm)
            done, seen = done + 1, seen + tally.sizes[b]
            due = on_progress is not None and b + 1 < B  # the epoch end reports anyway
            due = due and time.perf_counter() - last_report >= spec.report_every_s
            if due or len(tally.pending) >= 2 * sync_every:
                diverged = tally.read_back(epoch)
                if diverged:
                    break
            if due:
                report(epoch, b + 1, tally.mean_loss, lr, None, False)
                last_report = time.perf_counter()
        if not (stopped or diverged):
            diverged = tally.read_back(epoch)  # the tail a GPU has not read back yet
        if diverged:
            stopped = f"{diverged}; {weights.kept()}"
            weights.restore()
        if stopped:
            break
        val_loss = _mean_loss(model, Xv, yv, criterion, EVAL_BATCH) if Xv is not None else None
        elapsed = time.perf_counter() - start
        history.append(EpochRecord(epoch, tally.mean_loss, val_loss, lr, tally.mean_norm, elapsed))
        if val_loss is None or val_loss < best_val:
            best_val = val_loss if val_loss is not None else best_val
            weights.keep(epoch)
        if on_progress is not None:
            report(epoch, B, tally.mean_loss, lr, val_loss, True)
            last_report = time.perf_counter()
        if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            scheduler.step(val_loss if val_loss is not None else tally.mean_loss)
        elif scheduler is not None:
            scheduler.step()
        if spec.patience and epoch - weights.epoch >= spec.patience:
            stopped = f"early stopping: no improvement for {spec.patience} epochs (best epoch {weights.epoch})"
            break
    if Xv is not None and weights.epoch:
        weights.restore()  # the lowest val loss wins however training ended
    return FitResult(model, history, weights.epoch, stopped or f"completed {E} epochs", str(device))
