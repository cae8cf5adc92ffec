"""``params`` and ``export``: the parameter count and a standalone script for a spec.

``params --json`` prints {"total": int, "formula": str, "tensors": [{"name", "shape", "count"}]}.
Tensor names are the core's own, exactly as nn.RNN/LSTM/GRU's named_parameters() gives them
(``weight_ih_l0``, no "rnn." prefix), followed by the head's as ``head.weight`` / ``head.bias``;
``total`` covers both, i.e. sum(p.numel()) of build_model(spec).
"""

from __future__ import annotations

import argparse
import json

from rnnlib import params
from rnnlib.cli import add_spec_arguments, spec_from_args
from rnnlib.spec import ModelSpec


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "params",
        help="count a model's parameters, tensor by tensor",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_spec_arguments(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run_params)

    e = subparsers.add_parser(
        "export",
        help="print a standalone PyTorch script for the model (python -m rnnlib export ... > model.py)",
    )
    add_spec_arguments(e)
    e.add_argument(
        "--seed", type=int, default=0, help="torch.manual_seed in the script (default 0)"
    )
    e.set_defaults(run=run_export)


def tensor_name(row: params.ParamRow) -> str:
    """The core's names as nn.LSTM has them; the head keeps its "head." prefix."""
    return row.name.removeprefix("rnn.")


def params_json(spec: ModelSpec) -> dict:
    return {
        "total": params.total_params(spec),
        "formula": params.total_formula(spec),
        "tensors": [
            {"name": tensor_name(r), "shape": list(r.shape), "count": r.count}
            for r in params.param_table(spec)
        ],
    }


def params_text(spec: ModelSpec) -> str:
    rows = params.param_table(spec)
    table = [("tensor", "shape", "count", "formula", "group")]
    table += [
        (tensor_name(r), "×".join(map(str, r.shape)), f"{r.count:,}", r.formula, r.group)
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    lines = [
        "  ".join(
            cell.rjust(w) if i == 2 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in table
    ]
    mib = 2**20
    lines += [
        "",
        f"total: {params.total_params(spec):,}",
        f"formula: {params.total_formula(spec)}",
        f"one bias per gate block (Keras/labml): {params.single_bias_total(spec):,}",
        f"  {params.BIAS_NOTE}",
        f"multiply-adds per time step (core): {params.macs_per_step(spec):,}; head, once: {params.head_macs(spec):,}",
        f"memory, fp32 weights: {params.memory_bytes(spec) / mib:.3f} MiB; training with Adam "
        f"(weights, grads, 2 moments): {params.training_memory_bytes(spec) / mib:.3f} MiB",
    ]
    return "\n".join(lines)


def run_params(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    print(json.dumps(params_json(spec)) if args.json else params_text(spec))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from rnnlib.codegen import export_script  # imports torch: only this command pays for it

    print(export_script(spec_from_args(args), seed=args.seed), end="")
    return 0
