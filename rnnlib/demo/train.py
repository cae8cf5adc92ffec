"""Training the landing page's demo model, one frame at a time (see ``rnnlib.demo``).

In numpy (``tiny.py``), not torch: the page's first loss point must not wait for ``import
torch`` (about 1 s on a cold server). The network is the one ``build_model`` makes, checked
against torch.nn in tests/test_demo_tiny.py.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import numpy as np

from rnnlib.demo import DemoFrame, DemoSpec, demo_series, naive_mae, tiny


def _windows(y: np.ndarray, lookback: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, lookback, 1) inputs and (N, 1) next values, every position of y."""
    x = np.lib.stride_tricks.sliding_window_view(y, lookback)[:-1]  # (N, lookback)
    return x[..., None].copy(), y[lookback:, None].copy()


def demo_frames(spec: DemoSpec | None = None) -> Iterator[DemoFrame]:
    """Train the demo model, yielding a frame after the second step and `spec.frames` times in all.

    The same spec gives the same frames (seeded weights, batches and series)."""
    spec = spec if spec is not None else DemoSpec()
    start = time.perf_counter()
    raw = demo_series(spec.length, spec.seed)
    cut = spec.length - spec.horizon
    # Scaled with the seen part's statistics only: the held-out tail stays unseen.
    mu, sd = raw[:cut].mean(), raw[:cut].std()
    y = (raw - mu) / sd
    x_train, y_train = _windows(y[:cut], spec.lookback)
    params = tiny.init_params(spec.cell, spec.hidden_size, spec.seed)
    opt = tiny.Adam(params, spec.lr)
    rng = np.random.default_rng(spec.seed)
    actual, naive = raw[cut:], naive_mae(raw, spec.horizon)
    losses: list[float] = []
    # the first after two steps: two points make the first visible stretch of a line
    report = {min(2, spec.steps)} | {
        round(spec.steps * (k + 1) / spec.frames) for k in range(spec.frames)
    }
    for step in range(1, spec.steps + 1):
        # the learning rate falls from lr to lr/10 along a cosine: big moves first, then settling
        opt.lr = spec.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - 1) / spec.steps)))
        idx = rng.integers(len(x_train), size=spec.batch_size)
        loss, grads = tiny.loss_and_grads(spec.cell, params, x_train[idx], y_train[idx])
        opt.step(grads)
        losses.append(loss)
        if step in report:
            context = y[cut - spec.lookback : cut]
            forecast = tiny.recursive_forecast(spec.cell, params, context, spec.horizon) * sd + mu
            yield DemoFrame(
                step=step,
                steps=spec.steps,
                losses=tuple(losses),
                series=raw,
                horizon=spec.horizon,
                forecast=forecast,
                forecast_mae=float(np.abs(forecast - actual).mean()),
                naive_mae=naive,
                elapsed_s=time.perf_counter() - start,
            )
