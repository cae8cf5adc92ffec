"""python -m rnnlib train: the --json shape, CSV flags, --save, and one-line errors."""

import json
import math
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from rnnlib.checkpoint import load_checkpoint
from rnnlib.cli import main

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--epochs", "2", "--hidden-size", "8"]
METRIC_NAMES = {"mae", "rmse", "mape", "smape", "mase"}


def cli(*args: str) -> subprocess.CompletedProcess:
    # One intra-op thread: a tiny model trains faster without a second one spinning on a busy box.
    env = os.environ | {"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "rnnlib", "train", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def number_or_null(v) -> bool:
    return v is None or (isinstance(v, float) and math.isfinite(v))


@pytest.fixture
def csv_file(tmp_path) -> Path:
    """80 daily rows from 2021-01-01: a date, a distractor, the target and a feature."""
    rows = ["day,other,sales,temp"]
    for i in range(80):
        day = date(2021, 1, 1) + timedelta(days=i)
        rows.append(f"{day},{i % 7},{10 + math.sin(i / 3):.4f},{20 + math.cos(i / 5):.3f}")
    path = tmp_path / "sales.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_json_output_has_the_documented_shape():
    done = cli("--synthetic", "sine", *TINY, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)  # one object, strict JSON (no NaN)
    assert set(out) == {"data", "history", "metrics", "stopped", "preprocessing"}
    pre = out["preprocessing"]
    assert set(pre) == {
        "normalize", "transform", "lookback", "epochs", "ensemble", "reasons", "candidates",
    }  # fmt: skip
    # auto by default: several candidates scored on validation, the chosen one among them
    assert len(pre["candidates"]) > 1
    assert (pre["normalize"], pre["transform"]) in {
        (c["normalize"], c["transform"]) for c in pre["candidates"]
    }
    best = min(pre["candidates"], key=lambda c: c["val_mae"])
    assert (best["normalize"], best["transform"]) == (pre["normalize"], pre["transform"])
    assert pre["lookback"] > 0 and any("lookback" in r for r in pre["reasons"])

    data = out["data"]
    assert set(data) == {"rows", "target", "start", "end", "frequency", "cleaning"}
    assert data["rows"] == 400 and data["target"] == "value"
    assert data["start"].startswith("2020-01-01") and isinstance(data["end"], str)
    assert data["frequency"] == "D" and data["cleaning"] == []

    assert [r["epoch"] for r in out["history"]] == [1, 2]
    for r in out["history"]:
        assert set(r) == {"epoch", "train_loss", "val_loss"}
        assert isinstance(r["train_loss"], float) and isinstance(r["val_loss"], float)

    metrics = out["metrics"]
    assert set(metrics) == {"model", "naive", "seasonal_naive", "drift", "mean"}
    assert set(metrics["model"]) == METRIC_NAMES
    for scores in metrics.values():
        # seasonal_naive is null when the season exceeds the lookback
        assert scores is None or (
            set(scores) == METRIC_NAMES and all(map(number_or_null, scores.values()))
        )
    # the chosen settings are then trained again with the validation rows (ForecastSpec.refit)
    assert out["stopped"].startswith("completed 2 epochs; then trained again on the training")
    assert done.stderr == ""


def test_csv_flags_and_save_give_a_loadable_checkpoint(csv_file, tmp_path, capsys):
    saved = tmp_path / "run.ckpt"
    code = main([
        "train", "--csv", str(csv_file), "--target", "sales", "--date-col", "day",
        "--features", "temp", "--lookback", "8", "--horizon", "2", *TINY,
        "--save", str(saved), "--json",
    ])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)["data"]
    assert data["rows"] == 80 and data["target"] == "sales"
    assert data["start"].startswith("2021-01-01") and data["end"].startswith("2021-03-21")

    restored = load_checkpoint(saved.read_bytes())
    assert restored.series.target == "sales" and restored.series.features == ("temp",)
    assert restored.experiment.windows.horizon == 2
    assert [r.epoch for r in restored.history] == [1, 2]


def test_text_output_is_a_summary_with_epochs_on_stderr(csv_file, capsys):
    args = [
        "--lookback",
        "8",
        "--normalize",
        "last",
        "--transform",
        "none",
        "--ensemble",
        "1",
        *TINY,
    ]
    code = main(["train", "--csv", str(csv_file), "--target", "sales", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("data: ") and "80 rows of 'sales'" in out and "(D)" in out
    assert "stopped: completed 2 epochs" in out
    table = out.split("\n\n")[1].splitlines()
    assert table[0].split() == ["mae", "rmse", "mape", "smape", "mase"]
    assert [row.split()[0] for row in table[1:6]] == [
        "model", "naive", "seasonal_naive", "drift", "mean",
    ]  # fmt: skip
    lines = [line.split()[:2] for line in err.splitlines()]
    assert lines[:3] == [["epoch", "1/2"], ["epoch", "2/2"], ["final", "fit"]]
    assert lines[3:] and all(line[0] == "epoch" for line in lines[3:])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--csv", "/no/such/file.csv"], "Cannot open '/no/such/file.csv'"),
        (["--csv", "{csv}", "--target", "nope"], "Unknown target column 'nope'"),
        (["--csv", "{csv}", "--features", "temp,nope"], "Unknown feature column 'nope'"),
        (["--synthetic", "sine", "--lookback", "500"], "lookback 500"),
        (["--synthetic", "sine", "--cell", "transformer"], "argument --cell: invalid choice"),
        (["--synthetic", "sine", "--epochs", "0"], "epochs must be a whole number from 1"),
        (["--synthetic", "sine", "--lr", "abc"], "argument --lr: invalid float value"),
        (["--synthetic", "sine", "--hidden-size", "0"], "hidden_size must be between 1"),
        (["--synthetic", "sine", "--strategy", "psychic"], "Unknown strategy 'psychic'"),
        (["--synthetic", "sine", "--normalize", "mean"], "Unknown normalize 'mean': choose one of"),
        (["--synthetic", "sine", "--transform", "log"], "log transform needs a series above 0"),
        (
            ["--synthetic", "sine", "--ensemble", "10"],
            "ensemble must be a whole number from 0 to 9",
        ),
        (["--synthetic", "nope"], "Unknown synthetic series 'nope'"),
        (["--dataset", "nope"], "Unknown dataset 'nope'"),
        (["--synthetic", "sine", "--target", "value"], "--target only apply to --csv"),
        (["--synthetic", "sine", "--input-size", "3"], "--input-size is set by train itself"),
        (["--synthetic", "sine", "--csv", "x.csv"], "not allowed with argument"),
        ([], "one of the arguments --csv --synthetic --dataset is required"),
        (
            ["--synthetic", "sine", "--save", "/no/such/dir/x", *TINY],
            "Cannot write '/no/such/dir/x'",
        ),
    ],
)
def test_mistakes_exit_2_with_one_error_line(args, message, csv_file, capsys):
    args = [a.replace("{csv}", str(csv_file)) for a in args]
    code = main(["train", *args])
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if not line.startswith("epoch ")]
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert message in lines[0]


def test_a_mistake_in_a_real_process_prints_no_traceback(tmp_path):
    done = cli("--csv", str(tmp_path / "missing.csv"))
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_the_season_normalisation_is_an_option_of_its_own(capsys):
    """--normalize season trains that one preprocessing and says so in the JSON."""
    code = main(["train", "--synthetic", "sine", "--normalize", "season", "--transform", "none",
                 "--ensemble", "1", *TINY, "--json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    pre = json.loads(out)["preprocessing"]
    assert (pre["normalize"], pre["transform"]) == ("season", "none")
    assert [(c["normalize"], c["transform"]) for c in pre["candidates"]] == [("season", "none")]
    assert number_or_null(json.loads(out)["metrics"]["model"]["mase"])


def test_no_skip_trains_the_network_alone_and_the_checkpoint_says_so(tmp_path, capsys):
    path = tmp_path / "plain.rnnlib"
    code = main(["train", "--synthetic", "sine", "--normalize", "last", "--transform", "none",
                 "--ensemble", "1", "--no-skip", *TINY, "--save", str(path)])  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 0, err
    restored = load_checkpoint(path.read_bytes())
    assert restored.experiment.forecast.skip is False
    assert not any(name.startswith("skip.") for name in restored.model.state_dict())


def test_loss_mae_is_what_training_minimises_and_a_bad_loss_is_refused(tmp_path, capsys):
    path = tmp_path / "mae.rnnlib"
    code = main(["train", "--synthetic", "sine", "--normalize", "last", "--transform", "none",
                 "--ensemble", "1", "--loss", "mae", *TINY, "--save", str(path)])  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 0, err
    assert load_checkpoint(path.read_bytes()).experiment.train.loss == "mae"
    done = cli("--synthetic", "sine", "--loss", "huber")
    assert done.returncode == 2 and "argument --loss: invalid choice: 'huber'" in done.stderr
    assert "Traceback" not in done.stderr
