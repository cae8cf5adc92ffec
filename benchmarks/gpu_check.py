"""On a machine with a CUDA GPU: does training pick CUDA and work there, and how fast is it?

    python benchmarks/gpu_check.py

1. scratch cells vs torch.nn (cuDNN) on the GPU: outputs and gradients agree (max abs difference);
2. a forecasting run with device="auto" trains on CUDA and beats the naive baseline;
3. timings on the GPU, medians after warm-up, interleaved in one process:
   scratch LSTM vs nn.LSTM forward+backward at (H=128, B=64, T=50), and one epoch of fit vs the
   same model on the CPU.
Exits 1 when there is no GPU (CI never runs this; nothing in the project needs a GPU).
"""

from __future__ import annotations

import sys
import time

import torch
from _timing import add_repo_to_path, median_ratio

add_repo_to_path()
from rnnlib.forecasting import Experiment, run  # noqa: E402
from rnnlib.models import build_core, build_model  # noqa: E402
from rnnlib.series import make_synthetic  # noqa: E402
from rnnlib.spec import ModelSpec  # noqa: E402
from rnnlib.training import TrainSpec, fit  # noqa: E402


def agreement(cell: str, dev: torch.device) -> float:
    spec = ModelSpec(cell=cell, input_size=3, hidden_size=16, num_layers=2, bidirectional=True)
    ref = build_core(spec).to(dev)
    scr = build_core(spec.replace(impl="scratch")).to(dev)
    scr.load_state_dict(ref.state_dict())
    x = torch.randn(4, 7, 3, device=dev)
    out_r, _ = ref(x)
    out_s, _ = scr(x)
    out_r.square().sum().backward()
    out_s.square().sum().backward()
    diffs = [(out_r - out_s).abs().max()]
    diffs += [
        (a.grad - b.grad).abs().max()
        for a, b in zip(ref.parameters(), scr.parameters(), strict=True)
    ]
    return float(torch.stack(diffs).max().detach())


def fwd_bwd(model: torch.nn.Module, x: torch.Tensor):
    def step():
        out, _ = model(x)
        out.sum().backward()
        torch.cuda.synchronize()

    return step


def one_epoch(device: str):
    X = torch.randn(2000, 24, 1)
    y = torch.randn(2000, 1)
    spec = TrainSpec(epochs=1, batch_size=32, device=device, report_every_s=1e9)
    model = build_model(ModelSpec(hidden_size=32), seed=0)

    def step():
        fit(model, (X, y), None, spec)
        if device == "cuda":
            torch.cuda.synchronize()

    return step


def main() -> int:
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check")
        return 1
    dev = torch.device("cuda")
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}")
    for tf32 in (False, True):
        # cuDNN and cuBLAS may use TF32 (10-bit mantissa) matmuls on Ampere and later: exactness
        # is checked with it off; with it on the differences show what TF32 alone costs.
        torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = tf32
        for cell in ("rnn", "lstm", "gru"):
            diff = agreement(cell, dev)
            print(
                f"scratch vs cuDNN {cell} (TF32 {'on' if tf32 else 'off'}): max |difference| = {diff:.2e}"
            )

    series = make_synthetic("seasonal", n=600, periods=(12,), trend=0.002)
    t = time.perf_counter()
    result = run(series, Experiment(train=TrainSpec(epochs=20, device="auto", report_every_s=1e9)))
    mae = {k: round(v["mae"], 4) for k, v in result.metrics.items()}
    print(
        f"forecast run: device={result.fit.device}, {time.perf_counter() - t:.1f} s, {result.fit.stopped}; MAE {mae}"
    )
    ok = (
        result.fit.device.startswith("cuda")
        and result.metrics["model"]["mae"] < result.metrics["naive"]["mae"]
    )

    H, B, T = 128, 64, 50
    spec = ModelSpec(input_size=H, hidden_size=H)
    ref = build_core(spec).to(dev)
    scr = build_core(spec.replace(impl="scratch")).to(dev)
    x = torch.randn(B, T, H, device=dev)
    t_s, t_r, ratio = median_ratio(fwd_bwd(scr, x), fwd_bwd(ref, x))
    print(
        f"GPU fwd+bwd H={H} B={B} T={T}: scratch {t_s * 1e3:.2f} ms, cuDNN {t_r * 1e3:.2f} ms, ratio {ratio:.2f}x"
    )
    t_gpu, t_cpu, _ = median_ratio(one_epoch("cuda"), one_epoch("cpu"), warmup=2, repeats=7)
    print(
        f"one fit epoch (LSTM H=32, 2000 windows, batch 32): cuda {t_gpu * 1e3:.0f} ms, cpu {t_cpu * 1e3:.0f} ms"
    )
    print(f"gpu check: {'OK' if ok else 'FAILED'}; scratch/cuDNN {ratio:.2f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
