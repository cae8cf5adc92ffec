"""Scratch LSTM vs nn.LSTM: forward + backward on CPU, same weights, same process.

    python benchmarks/bench_scratch_lstm.py [--repeats 30] [--threads N] [--cpu-time]

One step of the scratch LSTM is one addmm on h plus elementwise ops, driven from Python, so it
pays the interpreter and autograd bookkeeping per step; nn.LSTM runs the whole unroll in C++.
The ratio says what readability costs. Targets: <= 2.0x at H=128, <= 4.0x at H=32, where the
per-step maths is too small to hide the per-step overhead.
"""

from __future__ import annotations

import argparse

import torch
from _timing import add_options, add_repo_to_path, median_ratio, setup

add_repo_to_path()
from rnnlib.models import build_core  # noqa: E402
from rnnlib.spec import ModelSpec  # noqa: E402

# (label, hidden_size, batch, steps, target ratio); input_size = hidden_size in both.
CASES = [("H128", 128, 64, 50, 2.0), ("H32", 32, 32, 50, 4.0)]


def fwd_bwd(module: torch.nn.Module, x: torch.Tensor):
    """One training-style call: output.sum().backward(), gradients reset first."""

    def call() -> None:
        module.zero_grad(set_to_none=True)
        output, _ = module(x)
        output.sum().backward()

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(parser, repeats=30)
    args = parser.parse_args()
    clock, setting = setup(args.threads, args.cpu_time)
    torch.manual_seed(0)

    print(f"{setting}, float32 CPU, forward + backward")
    print(
        f"{'case':<6} {'H':>4} {'B':>4} {'T':>4}  {'nn.LSTM ms':>11} {'scratch ms':>11} {'ratio':>7}"
    )
    summary = []
    for label, H, B, T, target in CASES:
        spec = ModelSpec(cell="lstm", input_size=H, hidden_size=H, batch_first=True)
        ref = build_core(spec)
        scr = build_core(spec.replace(impl="scratch"))
        scr.load_state_dict(ref.state_dict())
        x = torch.randn(B, T, H)
        # Time only a computation that is known to be the same one.
        torch.testing.assert_close(scr(x)[0], ref(x)[0], atol=1e-5, rtol=1e-5)
        t_scr, t_ref, ratio = median_ratio(
            fwd_bwd(scr, x), fwd_bwd(ref, x), args.warmup, args.repeats, clock=clock
        )
        print(
            f"{label:<6} {H:>4} {B:>4} {T:>4}  {t_ref * 1e3:>11.2f} {t_scr * 1e3:>11.2f} {ratio:>6.2f}x"
        )
        summary.append(f"ratio {label}: {ratio:.2f}x (target <= {target:.1f}x)")
    print("; ".join(summary))


if __name__ == "__main__":
    main()
