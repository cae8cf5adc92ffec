"""``train``: one forecasting run from the command line, the same run as the Train page.

Data: ``--csv PATH`` (with ``--target``, ``--date-col``, ``--features``, ``--no-date``),
``--synthetic NAME`` (series.SYNTHETIC, default parameters) or ``--dataset NAME`` (bundled).
The model flags are those of ``params``, except --input-size and --output-size, which the data's
columns and the strategy decide (giving them is an error); --batch-first changes nothing here, as
forecasting always feeds (batch, time, features) windows.

``--json`` prints one object:

    {"data": {"rows": int, "target": str, "start": str, "end": str, "frequency": str,
              "cleaning": [str, ...]},
     "history": [{"epoch": int, "train_loss": float, "val_loss": float | null}, ...],
     "metrics": {"model": {"mae", "rmse", "mape", "smape", "mase"}, "naive": {...},
                 "seasonal_naive": {...} | null, "drift": {...}, "mean": {...}},
     "stopped": str,
     "preprocessing": {"normalize": str, "transform": str, "lookback": int, "epochs": int,
                       "ensemble": int, "reasons": [str, ...],
                       "candidates": [{"normalize", "transform", "val_mae" (float | null),
                                       "epochs", "seconds"}, ...]}}

start / end are ISO time stamps, or step numbers for data without dates; frequency is a pandas
alias ("D", "MS") or "" when the dates are irregular or absent. A metric that cannot be computed
(MAPE on all-zero targets, say) is null; seasonal_naive is null when its season is longer than
the lookback. val_loss is null without a validation part. ``--save PATH`` writes the checkpoint
(rnnlib.checkpoint) that the Train page can load; ``--log PATH`` appends the run to a run log
(rnnlib.runlog, JSON lines) that the Runs page can load.

Left out, ``--lookback`` (two seasons), ``--normalize`` and ``--transform`` (auto: candidates
tried, the simplest kept within 5% of the lowest validation MAE) and the epochs, patience and
schedule come from the data; ``preprocessing`` says what was chosen and why. Giving ``--epochs``
turns the training half off.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import TYPE_CHECKING, Any

from rnnlib.cli import CLIError, add_spec_arguments, spec_from_args

if TYPE_CHECKING:
    from rnnlib.forecasting import Experiment, ForecastResult
    from rnnlib.series import Series
    from rnnlib.training import Progress

MODELS_AND_BASELINES = ("model", "naive", "seasonal_naive", "drift", "mean")
METRICS = ("mae", "rmse", "mape", "smape", "mase")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="train a forecaster on a CSV or a synthetic series and score it against baselines",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = p.add_argument_group("data (one of --csv, --synthetic, --dataset)")
    source = data.add_mutually_exclusive_group(required=True)
    # Names are checked by make_synthetic / load_dataset, whose errors list them: building the
    # parser must not import torch or pandas, or every command would pay for them.
    source.add_argument("--csv", metavar="PATH", help="a CSV file with a column of numbers")
    source.add_argument(
        "--synthetic", metavar="NAME", help="a generated series: sine, seasonal, ar, ..."
    )
    source.add_argument(
        "--dataset", metavar="NAME", help="a bundled series, e.g. airline_passengers"
    )
    data.add_argument(
        "--target", metavar="COL", help="CSV column to forecast (default: first numeric)"
    )
    data.add_argument("--date-col", metavar="COL", help="CSV date column (default: detected)")
    data.add_argument(
        "--no-date", action="store_true", help="CSV: index rows by step, ignore dates"
    )
    data.add_argument("--features", metavar="COL,...", help="CSV: extra input columns")

    add_spec_arguments(p)
    # The data's width and the strategy's head decide these; a flag for them would be ignored.
    p.set_defaults(input_size=None, output_size=None)

    # Left out, a flag takes its spec's default (WindowSpec, TrainSpec, ForecastSpec).
    g = p.add_argument_group("windows, training and forecast (defaults: the specs')")
    g.add_argument("--lookback", type=int, metavar="L", help="input steps per window")
    g.add_argument("--horizon", type=int, metavar="H", help="steps forecast at once")
    g.add_argument("--epochs", type=int, metavar="E")
    g.add_argument("--lr", type=float)
    g.add_argument("--batch-size", type=int, metavar="B")
    g.add_argument(
        "--loss", choices=("mse", "mae"), help="what training minimises: mse (default) or mae"
    )
    g.add_argument("--seed", type=int, help="weights, shuffling and dropout")
    g.add_argument("--strategy", metavar="S", help="direct, recursive or seq2seq")
    g.add_argument("--gaussian", action="store_true", help="mean and variance head: intervals")
    g.add_argument(
        "--no-skip", dest="skip", action="store_false",
        help="no linear skip from the window's values to the forecast (on by default)",
    )  # fmt: skip
    g.add_argument(
        "--normalize", metavar="N",
        help="target: auto (default), global, window, robust, last or season",
    )  # fmt: skip
    g.add_argument(
        "--transform", metavar="T", help="target: auto (default), none, log, diff or sdiff"
    )
    g.add_argument("--ensemble", type=int, metavar="K", help="K models from K seeds, median")
    p.add_argument("--save", metavar="PATH", help="write the checkpoint to PATH")
    p.add_argument("--log", metavar="PATH", help="append the run to a run log the Runs page loads")
    p.add_argument("--json", action="store_true", help="machine-readable output (see above)")
    p.set_defaults(run=run_train)


def run_train(args: argparse.Namespace) -> int:
    for flag in ("input_size", "output_size"):
        if getattr(args, flag) is not None:
            raise CLIError(
                f"--{flag.replace('_', '-')} is set by train itself (the data's columns and the "
                "strategy): leave it out."
            )
    if args.save and not os.path.isdir(os.path.dirname(os.path.abspath(args.save))):
        raise CLIError(f"Cannot write {args.save!r}: its folder does not exist.")  # before training
    if args.log and not os.path.isdir(os.path.dirname(os.path.abspath(args.log))):
        raise CLIError(f"Cannot write {args.log!r}: its folder does not exist.")
    series = load_series(args)  # before torch is imported: a bad file fails in a second
    from rnnlib.forecasting import run

    exp = experiment_from_args(args)  # a bad setting or run is an RnnlibError: main prints it
    progress = None if args.json else print_epoch
    result = run(series, exp, on_progress=progress, on_candidate=None if args.json else print_stage)
    blob = None
    if args.save:
        from rnnlib.checkpoint import save_checkpoint

        blob = save_checkpoint(result, series)
    if blob is not None:
        try:
            with open(args.save, "wb") as out:
                out.write(blob)
        except OSError as e:
            raise CLIError(f"Cannot write {args.save!r}: {e.strerror or e}.") from None
    if args.log:
        log_run(args, series, result)
    if args.json:
        print(json.dumps(train_json(series, result), allow_nan=False))
    else:
        print(train_text(series, result))
        if args.save:
            print(f"checkpoint saved to {args.save}")
    return 0


def load_series(args: argparse.Namespace) -> Series:
    csv_only = {"--target": args.target, "--date-col": args.date_col, "--features": args.features}
    csv_only["--no-date"] = args.no_date or None
    if args.csv is None:
        given = [flag for flag, value in csv_only.items() if value is not None]
        if given:
            raise CLIError(f"{', '.join(given)} only apply to --csv.")
        if args.dataset is not None:
            from rnnlib.datasets import load_dataset

            return load_dataset(args.dataset)
        from rnnlib.series import make_synthetic

        return make_synthetic(args.synthetic)
    if args.no_date and args.date_col is not None:
        raise CLIError("--date-col and --no-date contradict each other: give one.")
    from rnnlib.csv import read_csv

    features = [c.strip() for c in args.features.split(",")] if args.features else []
    return read_csv(
        args.csv,
        target=args.target,
        date_col=None if args.no_date else (args.date_col or "auto"),
        features=[c for c in features if c],
        name=args.csv,
    )


def log_run(args: argparse.Namespace, series: Series, result: ForecastResult) -> None:
    """--log: append the run to a run log file (rnnlib.runlog), created when missing."""
    from rnnlib.runlog import append_to_file
    from rnnlib.runs import record_from_result

    if args.csv is not None:
        source = {"kind": "csv", "file": os.path.basename(args.csv)}
    elif args.dataset is not None:
        source = {"kind": "sample", "name": args.dataset}
    else:  # the generator's own default parameters, which the Train page's need not match
        source = {"kind": "synthetic", "generator": args.synthetic}
    try:
        append_to_file(args.log, record_from_result(result, series, "cli", source=source))
    except OSError as e:
        raise CLIError(f"Cannot write {args.log!r}: {e.strerror or e}.") from None


def experiment_from_args(args: argparse.Namespace) -> Experiment:
    from rnnlib.forecasting import Experiment, ForecastSpec
    from rnnlib.optim import TrainSpec
    from rnnlib.windows import WindowSpec

    def given(*names: str) -> dict[str, Any]:
        return {n: getattr(args, n) for n in names if getattr(args, n) is not None}

    # input_size / output_size are placeholders: forecasting sets both from the data and strategy.
    model = spec_from_args(argparse.Namespace(**(vars(args) | {"input_size": 1, "output_size": 1})))
    return Experiment(
        model=model,
        windows=WindowSpec(**given("lookback", "horizon", "normalize", "transform")),
        # Explicit epochs switch the choice from the data off; the rest keep TrainSpec's defaults.
        train=TrainSpec(
            **given("epochs", "lr", "batch_size", "seed", "loss"), auto=args.epochs is None
        ),
        forecast=ForecastSpec(
            **given("strategy", "ensemble"), gaussian=args.gaussian, skip=args.skip
        ),
    )


def print_stage(exp, model, stage) -> None:
    if stage.text:
        print(stage.text, file=sys.stderr, flush=True)


def print_epoch(p: Progress) -> None:
    if not p.epoch_end:
        return
    val = "" if p.val_loss is None else f"  val {p.val_loss:.5g}"
    print(f"epoch {p.epoch}/{p.epochs}  train {p.train_loss:.5g}{val}", file=sys.stderr, flush=True)


# --- output --------------------------------------------------------------------------------------


def train_json(series: Series, result: ForecastResult) -> dict[str, Any]:
    """The --json object described in the module docstring; every float finite or None."""
    start, end = (_stamp(series.frame.index[i]) for i in (0, -1))
    history = result.fit.history if result.fit else []
    return {
        "data": {
            "rows": len(series),
            "target": series.target,
            "start": start,
            "end": end,
            "frequency": series.frequency or "",
            "cleaning": list(series.cleaning),
        },
        "history": [
            {"epoch": r.epoch, "train_loss": _finite(r.train_loss), "val_loss": _finite(r.val_loss)}
            for r in history
        ],
        "metrics": {
            name: (
                {k: _finite(v) for k, v in result.metrics[name].items()}
                if name in result.metrics
                else None
            )
            for name in MODELS_AND_BASELINES
        },
        "stopped": result.fit.stopped if result.fit else "",
        "preprocessing": preprocessing_json(result),
    }


def preprocessing_json(result: ForecastResult) -> dict[str, Any]:
    exp, pre = result.experiment, result.preprocessing
    candidates = pre.to_dict()["candidates"] if pre else []
    return {
        "normalize": exp.windows.normalize,
        "transform": exp.windows.transform,
        "lookback": exp.windows.lookback,
        "epochs": exp.train.epochs,
        "ensemble": exp.forecast.ensemble,
        "reasons": list(pre.reasons) if pre else [],
        "candidates": candidates,
    }


def train_text(series: Series, result: ForecastResult) -> str:
    """The data line, the cleaning notes, why training stopped and the metrics table."""
    info = train_json(series, result)
    d = info["data"]
    freq = d["frequency"] or "no regular frequency"
    lines = [
        f"data: {series.name}, {d['rows']} rows of {d['target']!r}, {d['start']} .. {d['end']} ({freq})"
    ]
    lines += [f"  cleaning: {note}" for note in d["cleaning"]]
    pre = info["preprocessing"]
    lines.append(f"preprocessing: normalize {pre['normalize']}, transform {pre['transform']}")
    for c in pre["candidates"] if len(pre["candidates"]) > 1 else []:
        lines.append(
            f"  candidate {c['normalize']} · {c['transform']}: val MAE {_cell(c['val_mae'])}"
        )
    lines += [f"  from the data: {why}" for why in pre["reasons"]]
    lines += [f"stopped: {info['stopped']}", ""]
    table = [("", *METRICS)]
    for name, scores in info["metrics"].items():
        cells = [_cell(scores[m]) for m in METRICS] if scores else ["-"] * len(METRICS)
        table.append((name, *cells))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    lines.append(
        f"(test part, {len(result.windows.test)} forecast origins; MASE season {result.period})"
    )
    return "\n".join(lines)


def _stamp(label) -> str:
    return label.isoformat() if hasattr(label, "isoformat") else str(label)


def _finite(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def _cell(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.4g}"
