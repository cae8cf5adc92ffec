"""One epoch of rnnlib's fit vs a minimal hand-written PyTorch loop over the same batches.

    python benchmarks/bench_fit.py [--repeats 15] [--threads N] [--device cpu|auto|cuda]

Both sides train the same LSTM (hidden 32, lookback 24, input 1, horizon 1) from identical initial
weights on ~2000 sine windows, batch 32, Adam with clip_grad_norm_ 1.0, drawing the shuffle from
a torch.Generator with the same seed; the script first checks that both end with bit-identical
weights (on CPU), so the timing compares the same work. What fit adds: input checks, a dry
forward, weight snapshots, loss / grad-norm bookkeeping, should_stop and throttled progress.
Target: fit / manual <= 1.05x.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from _timing import add_repo_to_path, median_ratio

add_repo_to_path()
from rnnlib.device import pick_device  # noqa: E402
from rnnlib.models import build_model  # noqa: E402
from rnnlib.spec import ModelSpec  # noqa: E402
from rnnlib.training import TrainSpec, fit  # noqa: E402

LOOKBACK, WINDOWS, HIDDEN, BATCH, SEED = 24, 2000, 32, 32, 0
TARGET = 1.05


def sine_windows(device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """X (WINDOWS, LOOKBACK, 1), y (WINDOWS, 1): a noisy sine with period 25, next value as target."""
    t = np.arange(WINDOWS + LOOKBACK)
    rng = np.random.default_rng(SEED)
    s = np.sin(2 * np.pi * t / 25) + 0.05 * rng.standard_normal(t.size)
    X = np.stack([s[i : i + LOOKBACK] for i in range(WINDOWS)])[..., None]
    y = s[LOOKBACK:, None]
    return (torch.tensor(X, dtype=torch.float32, device=device),
            torch.tensor(y, dtype=torch.float32, device=device))  # fmt: skip


def manual_epoch(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, spec: TrainSpec):
    """The loop a person writes by hand: shuffle, slice, forward, loss, backward, clip, step."""
    optimizer = torch.optim.Adam(model.parameters(), lr=spec.lr)
    perm = torch.randperm(len(X), generator=torch.Generator().manual_seed(spec.seed)).to(X.device)
    model.train()
    for start in range(0, len(X), spec.batch_size):
        idx = perm[start : start + spec.batch_size]
        loss = torch.nn.functional.mse_loss(model(X[idx]), y[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), spec.clip_grad)
        optimizer.step()
    if X.device.type == "cuda":
        torch.cuda.synchronize()  # fit reads its losses back at the epoch end, so it has waited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("--device", default="cpu", help="cpu (default), auto or cuda")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    spec = TrainSpec(
        epochs=1,
        batch_size=BATCH,
        lr=1e-2,
        clip_grad=1.0,
        seed=SEED,
        device=args.device,
        threads=0,  # torch's setting (--threads) for both loops, not fit's default of one
    )
    X, y = sine_windows(device)
    model = build_model(ModelSpec(cell="lstm", hidden_size=HIDDEN), seed=SEED).to(device)
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    reports = []

    def with_fit() -> torch.nn.Module:
        model.load_state_dict(initial)
        # A UI's callback: the default 0.1 s throttle decides how often it is called.
        return fit(
            model, (X, y), None, spec, on_progress=reports.append, should_stop=lambda: False
        ).model

    def by_hand() -> torch.nn.Module:
        model.load_state_dict(initial)
        manual_epoch(model, X, y, spec)
        return model

    # Time only a computation that is known to be the same one.
    after_fit = {k: v.clone() for k, v in with_fit().state_dict().items()}
    after_hand = by_hand().state_dict()
    same = all(torch.equal(after_fit[k], after_hand[k]) for k in after_fit)
    if device.type == "cpu" and not same:
        raise SystemExit("fit and the manual loop ended with different weights: not the same work")

    t_fit, t_hand, ratio = median_ratio(with_fit, by_hand, warmup=args.warmup, repeats=args.repeats)
    batches = -(-WINDOWS // BATCH)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}")
    print(f"LSTM H={HIDDEN}, lookback {LOOKBACK}, {WINDOWS} windows, batch {BATCH} ({batches} batches),"
          f" Adam + clip 1.0; same weights after one epoch: {same}")  # fmt: skip
    print(f"{'loop':<8} {'ms/epoch':>9} {'us/batch':>9} {'samples/s':>10}")
    for name, t in (("manual", t_hand), ("fit", t_fit)):
        print(f"{name:<8} {t * 1e3:>9.1f} {t / batches * 1e6:>9.0f} {WINDOWS / t:>10.0f}")
    print(f"fit/manual ratio: {ratio:.2f}x (target <= {TARGET:.2f}x)")


if __name__ == "__main__":
    main()
