"""python -m rnnlib: params --json against PyTorch's own count, one-line errors, export."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from torch import nn

from rnnlib.cli import main
from rnnlib.params import total_formula
from rnnlib.spec import ModelSpec

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "rnnlib", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def head_count(readout: int, output_size: int) -> int:
    return sum(p.numel() for p in nn.Linear(readout, output_size).parameters())


# (CLI flags, the plain PyTorch core they describe, the head's input width, output_size)
CASES = [
    (
        ["--cell", "lstm", "--input-size", "3", "--hidden-size", "20", "--num-layers", "2"],
        lambda: nn.LSTM(3, 20, num_layers=2),
        20,
        1,
    ),
    (
        [
            "--cell",
            "lstm",
            "--input-size",
            "2",
            "--hidden-size",
            "8",
            "--num-layers",
            "2",
            "--bidirectional",
            "--proj-size",
            "3",
            "--output-size",
            "4",
        ],
        lambda: nn.LSTM(2, 8, num_layers=2, bidirectional=True, proj_size=3),
        6,
        4,
    ),
    (
        ["--cell", "gru", "--hidden-size", "5", "--no-bias"],
        lambda: nn.GRU(1, 5, bias=False),
        5,
        1,
    ),
    (
        [
            "--cell",
            "rnn",
            "--hidden-size",
            "4",
            "--nonlinearity",
            "relu",
            "--num-layers",
            "3",
            "--bidirectional",
            "--impl",
            "scratch",
        ],
        lambda: nn.RNN(1, 4, num_layers=3, nonlinearity="relu", bidirectional=True),
        8,
        1,
    ),
]


@pytest.mark.parametrize(
    "flags, core, readout, output_size",
    CASES,
    ids=[" ".join(case[0]) for case in CASES],
)
def test_params_json_matches_pytorch(flags, core, readout, output_size):
    result = cli("params", *flags, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"total", "formula", "tensors"}
    torch_core = core()
    assert out["total"] == sum(p.numel() for p in torch_core.parameters()) + head_count(
        readout, output_size
    )
    expected = [
        {"name": n, "shape": list(p.shape), "count": p.numel()}
        for n, p in torch_core.named_parameters()
    ]
    expected += [
        {"name": f"head.{n}", "shape": list(p.shape), "count": p.numel()}
        for n, p in nn.Linear(readout, output_size).named_parameters()
    ]
    assert out["tensors"] == expected
    assert out["formula"].endswith(f"= {out['total']}")


def test_params_with_layer_norm_counts_the_scratch_model():
    result = cli(
        "params",
        "--cell",
        "lstm",
        "--impl",
        "scratch",
        "--layer-norm",
        "--hidden-size",
        "4",
        "--json",
    )
    out = json.loads(result.stdout)
    # nn.LSTM(1, 4) + 6 LayerNorm vectors (4 of 4H, 2 of H) + head
    assert out["total"] == sum(p.numel() for p in nn.LSTM(1, 4).parameters()) + 4 * 16 + 2 * 4 + 5
    assert [t["name"] for t in out["tensors"]][4:6] == ["ln_ih_weight_l0", "ln_ih_bias_l0"]


def test_params_table_is_readable(capsys):
    assert main(["params", "--cell", "gru", "--hidden-size", "6"]) == 0
    text = capsys.readouterr().out
    assert "weight_ih_l0" in text and "head.bias" in text
    assert f"formula: {total_formula(ModelSpec(cell='gru', hidden_size=6))}" in text
    assert "b_ih" in text  # the two-bias note


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_invalid_spec_is_one_line_error():
    assert_one_line_error(
        cli("params", "--cell", "gru", "--proj-size", "2"), "proj_size is an LSTM option"
    )


def test_bad_flag_is_one_line_error():
    assert_one_line_error(cli("params", "--hiden-size", "3"), "unrecognized arguments")


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["params", "--hidden-size", "many"], "invalid int value"),
        (["params", "--cell", "transformer"], "invalid choice"),
        (["params", "--hidden-size", "0"], "hidden_size must be between"),
        (
            ["params", "--cell", "lstm", "--layer-norm"],
            "layer_norm is available for the scratch LSTM only",
        ),
        (["export", "--proj-size", "40"], "proj_size (40) must be smaller"),
        (["fit"], "invalid choice"),
        ([], "required"),
    ],
)
def test_usage_errors_in_process(capsys, argv, fragment):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: ")
    assert fragment in captured.err


def test_help_works(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["params", "--help"])
    assert exit_info.value.code == 0
    assert "--proj-size" in capsys.readouterr().out


def test_export_output_runs(tmp_path):
    result = cli(
        "export", "--cell", "gru", "--hidden-size", "4", "--bidirectional", "--output-size", "2"
    )
    assert result.returncode == 0, result.stderr
    path = tmp_path / "model.py"
    path.write_text(result.stdout)
    run = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert run.returncode == 0, run.stderr
    # nn.GRU(1, 4, bidirectional=True) + Linear(8, 2)
    expected = sum(p.numel() for p in nn.GRU(1, 4, bidirectional=True).parameters()) + head_count(
        8, 2
    )
    assert f"parameters: {expected}" in run.stdout.splitlines()


@pytest.mark.parametrize("error", ["BudgetError", "InsideError", "TrainError", "DeviceError"])
def test_any_rnnlib_error_is_one_line_exit_2(capsys, monkeypatch, error):
    import rnnlib
    from rnnlib import budget, device
    from rnnlib.cli import params as cli_params
    from rnnlib.labs import inside

    cls = {
        "BudgetError": budget.BudgetError,
        "InsideError": inside.InsideError,
        "TrainError": rnnlib.TrainError,
        "DeviceError": device.DeviceError,
    }[error]

    def refuse(spec):
        raise cls("cannot do that:\nchange this")

    monkeypatch.setattr(cli_params, "params_json", refuse)
    assert main(["params", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "error: cannot do that: change this\n"


def test_a_reader_that_stops_early_ends_the_command_quietly():
    # `rnnlib params ... | head -c 0`: the pipe is closed before the command writes a byte.
    process = subprocess.Popen(
        [sys.executable, "-m", "rnnlib", "params", "--cell", "lstm", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert stderr == ""  # no traceback, no "Exception ignored" at exit
