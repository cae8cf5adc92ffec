"""Scratch RNN / LSTM / GRU vs nn.RNN / nn.LSTM / nn.GRU: forward + backward on CPU, one process.

    python benchmarks/bench_scratch.py [--repeats 20] [--threads N] [--cpu-time] [--cells lstm,gru]

Each case times three sides with the same weights: torch's fused module, the scratch module with
its default hand-written backward through time (``backward="manual"``, rnnlib/bptt) and the same
module on the autograd path (``backward="autograd"``: the step functions, differentiated by
autograd), each call ``output.sum().backward()`` with the gradients reset first. H in {32, 128},
B in {32, 64}, T = 50, input 16, batch-first, float32. Wall clock runs every case on one torch
thread and again on two (or on --threads N only); --cpu-time runs one thread and counts only this
thread's CPU time, which other processes cannot inflate. The ratios are scratch / torch.
Targets for the manual backward: <= 1.3x at H=128, <= 3.0x at H=32, for every cell.
"""

from __future__ import annotations

import argparse

import torch
from _timing import add_options, add_repo_to_path, median_ratio, setup

add_repo_to_path()
from rnnlib.models import build_core  # noqa: E402
from rnnlib.spec import CELLS, ModelSpec  # noqa: E402

SIZES = [(128, 64), (128, 32), (32, 64), (32, 32)]  # (hidden_size, batch)
T, INPUT = 50, 16
TARGETS = {128: 1.3, 32: 3.0}  # hidden_size -> the manual backward's target ratio


def fwd_bwd(module: torch.nn.Module, x: torch.Tensor):
    """One training-style call: output.sum().backward(), gradients reset first."""

    def call() -> None:
        module.zero_grad(set_to_none=True)
        output, _ = module(x)
        output.sum().backward()

    return call


def sides(cell: str, H: int):
    """(torch module, scratch manual, scratch autograd) sharing one set of weights."""
    spec = ModelSpec(cell=cell, input_size=INPUT, hidden_size=H, batch_first=True)
    ref = build_core(spec)
    manual = build_core(spec.replace(impl="scratch"))
    auto = build_core(spec.replace(impl="scratch"))
    auto.backward = "autograd"
    for m in (manual, auto):
        m.load_state_dict(ref.state_dict())
    return ref, manual, auto


def check_same(ref, manual, x) -> None:
    """Time only computations that are known to be the same: outputs and gradients agree."""
    grads = []
    for m in (ref, manual):
        m.zero_grad(set_to_none=True)
        out, _ = m(x)
        out.sum().backward()
        grads.append((out.detach(), [p.grad for p in m.parameters()]))
    (out_r, g_r), (out_m, g_m) = grads
    torch.testing.assert_close(out_m, out_r, atol=1e-5, rtol=1e-5)
    for a, b in zip(g_m, g_r, strict=True):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(parser, repeats=20)
    parser.add_argument("--cells", default=",".join(CELLS), help="comma-separated: rnn,lstm,gru")
    args = parser.parse_args()
    cells = [c.strip() for c in args.cells.split(",")]
    thread_counts = [1] if args.cpu_time else [args.threads] if args.threads else [1, 2]
    torch.manual_seed(0)
    worst: dict[tuple[int, int], float] = {}  # (threads, H) -> the worst manual ratio over cells, B
    print(f"{'cell':<5} {'thr':>3} {'H':>4} {'B':>3}  {'torch ms':>9} {'manual ms':>10} "
          f"{'autograd ms':>12} {'manual':>7} {'autograd':>8}")  # fmt: skip
    for threads in thread_counts:
        clock, setting = setup(threads, args.cpu_time)
        print(f"# {setting}, float32 CPU, T={T}, input {INPUT}, forward + backward")
        for cell in cells:
            for H, B in SIZES:
                ref, manual, auto = sides(cell, H)
                x = torch.randn(B, T, INPUT)
                check_same(ref, manual, x)
                t_man, t_ref, r_man = median_ratio(
                    fwd_bwd(manual, x), fwd_bwd(ref, x), args.warmup, args.repeats, clock=clock
                )
                t_auto, _, r_auto = median_ratio(
                    fwd_bwd(auto, x), fwd_bwd(ref, x), args.warmup, args.repeats, clock=clock
                )
                worst[threads, H] = max(worst.get((threads, H), 0.0), r_man)
                print(
                    f"{cell:<5} {threads:>3} {H:>4} {B:>3}  {t_ref * 1e3:>9.2f} {t_man * 1e3:>10.2f} "
                    f"{t_auto * 1e3:>12.2f} {r_man:>6.2f}x {r_auto:>7.2f}x"
                )
    for threads in thread_counts:
        met = [
            f"H={H}: {r:.2f}x {'met' if r <= TARGETS[H] else 'NOT met'} (target <= {TARGETS[H]:.1f}x)"
            for H in sorted(TARGETS, reverse=True)
            if (r := worst.get((threads, H))) is not None
        ]
        print(f"worst manual ratio, {threads} thread(s): " + "; ".join(met))


if __name__ == "__main__":
    main()
