"""What gate recording costs when it is OFF: ScratchRecurrent(record=False) vs the bare loop.

    python benchmarks/bench_recording.py [--repeats 50] [--threads N] [--cpu-time]

The reference is the same LSTM written as a bare loop inside this script: one input matmul,
``.unbind(0)``, and a copy of ``lstm_step``'s maths with no ``rec`` parameter at all, so it holds
no recording code anywhere (no defaultdict, no ``if rec is not None`` per step, no stacking). It
also skips the module's plumbing (parameter lookup, hx handling, h_n stacking), so the ratio is an
upper bound on what recording-off costs. Before timing, its output is checked to be bitwise
equal to the module's, so both sides do the same arithmetic. Target: <= 1.05x.
"""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F
from _timing import add_options, add_repo_to_path, median_ratio, setup
from torch import Tensor

add_repo_to_path()
from rnnlib.models import build_core  # noqa: E402
from rnnlib.spec import ModelSpec  # noqa: E402

# (label, hidden_size, batch, steps): the small case is where per-step overhead shows most.
CASES = [("H32", 32, 32, 50), ("H128", 128, 64, 50)]
TARGET = 1.05


def bare_lstm_step(xw_t: Tensor, h: Tensor, c: Tensor, w_hh_t: Tensor) -> tuple[Tensor, Tensor]:
    """cells.lstm_step without projection, LayerNorm or recording: the same ops in the same order."""
    # [i f g o] = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    gates = torch.addmm(xw_t, h, w_hh_t)
    i, f, g, o = gates.chunk(4, 1)
    # i_t = σ(i), f_t = σ(f), o_t = σ(o), g_t = tanh(g)
    i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
    g = torch.tanh(g)
    # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    c = torch.addcmul(f * c, i, g)
    # h_t = o_t ⊙ tanh(c_t)
    return o * torch.tanh(c), c


def bare_lstm(x: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor) -> Tensor:
    """One layer, one direction, zero initial state. x: (B, T, I) -> output (B, T, H)."""
    x = x.transpose(0, 1)
    B, H = x.shape[1], w_hh.shape[1]
    xw = F.linear(x, w_ih, b_ih + b_hh)
    w_hh_t = w_hh.t()
    h = c = x.new_zeros(B, H)
    out = []
    for xw_t in xw.unbind(0):
        h, c = bare_lstm_step(xw_t, h, c, w_hh_t)
        out.append(h)
    return torch.stack(out).transpose(0, 1)


def measure(H: int, B: int, T: int, args: argparse.Namespace, clock) -> tuple[float, float, float]:
    """(t_module, t_bare, ratio) for fwd+bwd of a one-layer scratch LSTM with record=False."""
    spec = ModelSpec(cell="lstm", input_size=H, hidden_size=H, impl="scratch")
    scr = build_core(spec)
    # The step functions are where the recording code lives; the default hand-written backward
    # (rnnlib/bptt) has none, and bench_scratch.py times it.
    scr.backward = "autograd"
    scr.record = False
    weights = [scr.weight_ih_l0, scr.weight_hh_l0, scr.bias_ih_l0, scr.bias_hh_l0]
    x = torch.randn(B, T, H)
    assert torch.equal(scr(x)[0], bare_lstm(x, *weights)), "the two sides must compute the same"
    assert scr.recorded == {}

    def with_module() -> None:
        scr.zero_grad(set_to_none=True)
        scr(x)[0].sum().backward()

    def bare() -> None:
        scr.zero_grad(set_to_none=True)
        bare_lstm(x, *weights).sum().backward()

    return median_ratio(with_module, bare, args.warmup, args.repeats, clock=clock)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(parser, repeats=50)
    args = parser.parse_args()
    clock, setting = setup(args.threads, args.cpu_time)
    torch.manual_seed(0)

    print(f"{setting}, float32 CPU, forward + backward")
    print(
        f"{'case':<6} {'H':>4} {'B':>4} {'T':>4}  {'bare loop ms':>12} {'record=False ms':>15} {'ratio':>7}"
    )
    summary = []
    for label, H, B, T in CASES:
        t_mod, t_bare, ratio = measure(H, B, T, args, clock)
        print(
            f"{label:<6} {H:>4} {B:>4} {T:>4}  {t_bare * 1e3:>12.2f} {t_mod * 1e3:>15.2f} {ratio:>6.3f}x"
        )
        summary.append(f"recording-off ratio {label}: {ratio:.3f}x (target <= {TARGET:.2f}x)")
    print("; ".join(summary))


if __name__ == "__main__":
    main()
