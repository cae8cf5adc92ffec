"""Command line: ``rnnlib <command> ...`` or ``python -m rnnlib <command> ...``, the same results as the app.

Each command lives in a module named in SUBCOMMANDS; the module defines

    add_parser(subparsers) -> None   # subparsers.add_parser(...), then set_defaults(run=fn)

where ``fn(args) -> int`` is the exit status. To add ``train``: write rnnlib/cli/train.py with its
own add_parser (use add_spec_arguments / spec_from_args below for the model flags) and append
"rnnlib.cli.train" to SUBCOMMANDS.

Mistakes a person can fix (a bad flag, or any RnnlibError: an invalid spec, bad data, training
settings) exit with status 2 and print one line ``error: <message>`` on stderr, never a
traceback; ``--help`` exits 0. Output piped into a reader that stops early (``| head``) ends
quietly with status 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import sys
from pathlib import Path

from rnnlib.errors import RnnlibError
from rnnlib.spec import CELLS, IMPLS, NONLINEARITIES, ModelSpec

SUBCOMMANDS = ("rnnlib.cli.params", "rnnlib.cli.train")

USAGE_ERROR = 2  # argparse's own status for a usage error; ours for every fixable mistake
BROKEN_PIPE = 1  # output cut short by its reader, as Python's signal docs suggest


class CLIError(RnnlibError):
    """A usage mistake; main() prints its message as one ``error:`` line."""


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse would print the usage block and exit; we want one line, printed by main().
        raise CLIError(message)


def add_spec_arguments(parser: argparse.ArgumentParser) -> None:
    """The ModelSpec fields as flags; defaults come from ModelSpec itself."""
    d = ModelSpec()
    g = parser.add_argument_group("model spec (defaults as in rnnlib.spec.ModelSpec)")
    g.add_argument("--cell", choices=CELLS, default=d.cell)
    g.add_argument("--input-size", type=int, default=d.input_size, metavar="I")
    g.add_argument("--hidden-size", type=int, default=d.hidden_size, metavar="H")
    g.add_argument("--num-layers", type=int, default=d.num_layers, metavar="L")
    g.add_argument(
        "--nonlinearity", choices=NONLINEARITIES, default=d.nonlinearity, help="RNN only"
    )
    g.add_argument("--bias", action=argparse.BooleanOptionalAction, default=d.bias)
    g.add_argument("--batch-first", action=argparse.BooleanOptionalAction, default=d.batch_first)
    g.add_argument("--dropout", type=float, default=d.dropout, metavar="P")
    g.add_argument(
        "--bidirectional", action=argparse.BooleanOptionalAction, default=d.bidirectional
    )
    g.add_argument(
        "--proj-size", type=int, default=d.proj_size, metavar="N", help="LSTM only, 0 = off"
    )
    g.add_argument("--impl", choices=IMPLS, default=d.impl)
    g.add_argument(
        "--layer-norm",
        action=argparse.BooleanOptionalAction,
        default=d.layer_norm,
        help="scratch LSTM only",
    )
    g.add_argument("--output-size", type=int, default=d.output_size, metavar="O")


def spec_from_args(args: argparse.Namespace) -> ModelSpec:
    """The ModelSpec named by add_spec_arguments' flags; raises SpecError if it is invalid."""
    fields = {f.name for f in dataclasses.fields(ModelSpec)}
    return ModelSpec(**{k: v for k, v in vars(args).items() if k in fields})


def build_parser() -> ArgumentParser:
    # The console script is called rnnlib; anything else was started as python -m rnnlib.
    prog = "rnnlib" if Path(sys.argv[0]).name == "rnnlib" else "python -m rnnlib"
    parser = ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name in SUBCOMMANDS:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except RnnlibError as e:  # CLIError included
        print("error: " + " ".join(str(e).split()), file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # the reader left early (`| head`): nothing to say, nothing to show
        # Python flushes stdout again at exit; pointed at /dev/null, that flush cannot fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
