"""Training the landing page's demo model, one frame at a time (see ``rnnlib.demo``).

It trains with a few lines of Adam written here rather than ``torch.optim``: the first
``torch.optim`` optimizer of a process imports ``torch._dynamo`` (about 1.2 s on our 2-core VM),
which a cold server's first visitor would otherwise wait through before the first loss point.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import numpy as np
import torch
from torch import Tensor

from rnnlib.demo import DemoFrame, DemoSpec, demo_series, naive_mae
from rnnlib.models import RecurrentModel, build_model
from rnnlib.spec import ModelSpec


def _windows(y: Tensor, lookback: int) -> tuple[Tensor, Tensor]:
    """(N, lookback, 1) inputs and (N, 1) next values, every position of y."""
    x = y.unfold(0, lookback, 1)[:-1]  # (N, lookback)
    return x.unsqueeze(-1), y[lookback:].unsqueeze(-1)


@torch.no_grad()
def recursive_forecast(model: RecurrentModel, context: Tensor, horizon: int) -> Tensor:
    """Feed each prediction back as the next input: (T,) context -> (horizon,) forecast.

    The state is carried from step to step, so each new value costs one step of the cell."""
    _, state = model.rnn(context.view(1, -1, 1))
    out = []
    for _ in range(horizon):
        nxt = model.head(model.readout(state))  # (1, 1)
        out.append(nxt)
        _, state = model.rnn(nxt.view(1, 1, 1), state)
    return torch.cat(out).view(-1)


class Adam:
    """Adam (Kingma & Ba) as torch.optim.Adam computes it with its defaults, for a few tensors."""

    def __init__(self, params, lr: float, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params = [p for p in params if p.requires_grad]
        self.lr, (self.b1, self.b2), self.eps, self.t = lr, betas, eps, 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        # bias corrections: m and v start at 0, so early averages are scaled back up
        c1, c2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            g = p.grad
            # m_t = β1 m + (1 - β1) g ;  v_t = β2 v + (1 - β2) g²
            m.mul_(self.b1).add_(g, alpha=1 - self.b1)
            v.mul_(self.b2).addcmul_(g, g, value=1 - self.b2)
            # p -= lr · (m_t / c1) / (sqrt(v_t / c2) + ε)
            p.addcdiv_(m, (v / c2).sqrt_().add_(self.eps), value=-self.lr / c1)
            p.grad = None


def demo_frames(spec: DemoSpec | None = None) -> Iterator[DemoFrame]:
    """Train the demo model, yielding a frame after the first step and `spec.frames` times in all.

    The same spec gives the same frames (seeded weights, batches and series)."""
    spec = spec if spec is not None else DemoSpec()
    start = time.perf_counter()
    raw = demo_series(spec.length, spec.seed)
    cut = spec.length - spec.horizon
    # Scaled with the seen part's statistics only: the held-out tail stays unseen.
    mu, sd = raw[:cut].mean(), raw[:cut].std()
    y = torch.tensor((raw - mu) / sd, dtype=torch.float32)
    x_train, y_train = _windows(y[:cut], spec.lookback)
    model = build_model(ModelSpec(cell=spec.cell, hidden_size=spec.hidden_size), seed=spec.seed)
    opt = Adam(model.parameters(), spec.lr)
    gen = torch.Generator().manual_seed(spec.seed)
    actual, naive = raw[cut:], naive_mae(raw, spec.horizon)
    losses: list[float] = []
    report = {1} | {round(spec.steps * (k + 1) / spec.frames) for k in range(spec.frames)}
    for step in range(1, spec.steps + 1):
        # the learning rate falls from lr to lr/10 along a cosine: big moves first, then settling
        opt.lr = spec.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - 1) / spec.steps)))
        idx = torch.randint(len(x_train), (spec.batch_size,), generator=gen)
        loss = torch.mean((model(x_train[idx]) - y_train[idx]) ** 2)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step in report:
            forecast = recursive_forecast(model, y[cut - spec.lookback : cut], spec.horizon)
            forecast = forecast.numpy().astype(float) * sd + mu
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
