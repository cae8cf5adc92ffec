"""rnnlib.runlog: the log's cap and kept weights, its table, and a log file read back or refused."""

import json
import math

import pytest

from rnnlib.history import EpochRecord
from rnnlib.runlog import (
    KEPT_WEIGHTS,
    MAX_LOG_BYTES,
    MAX_RUNS,
    MAX_WEIGHT_BYTES,
    TABLE_COLUMNS,
    RunLog,
    RunLogError,
    append_to_file,
    log_line,
    parse_log,
)
from rnnlib.runs import DataInfo, RunRecord

SETTINGS = {
    "model": {"cell": "lstm", "hidden_size": 8},
    "windows": {"lookback": 24},
    "train": {"epochs": 2},
    "forecast": {"strategy": "direct"},
}


def make(i: int, mase: float = 1.0, data: str = "a", **changes) -> RunRecord:
    """A small valid record without training anything (settings are checked on reading only)."""
    from rnnlib.forecasting import Experiment

    settings = Experiment.from_dict(SETTINGS).to_dict()
    return RunRecord(
        id=f"{i:012x}", time="2026-01-31T14:03:12Z", origin="train", settings=settings,
        data=DataInfo(data, 100, (data * 64)[:64] if data in "abcdef" else "0" * 64, "value"),
        metrics={"model": {"mase": mase, "mae": 0.1}, "naive": {"mase": 1.2, "mae": 0.2}},
        history=(EpochRecord(1, train_loss=0.5, val_loss=None, elapsed_s=0.1),),
        seconds=0.1, stopped="completed 1 epochs",
        **changes,
    )  # fmt: skip


# --- the log ------------------------------------------------------------------------------------


def test_the_log_keeps_the_last_runs_and_counts_those_that_dropped_out():
    log = RunLog()
    out = [e for i in range(MAX_RUNS + 5) for e in log.add(make(i))]
    assert len(log) == MAX_RUNS and log.dropped == 5
    assert [e.number for e in out] == [1, 2, 3, 4, 5]  # the oldest, in order
    assert log.entries[0].number == 6 and log.entries[-1].number == MAX_RUNS + 5
    assert log.add(make(MAX_RUNS + 4)) == [] and len(log) == MAX_RUNS  # already there: ignored


def test_weights_are_kept_for_the_newest_runs_only_and_within_the_byte_cap():
    log = RunLog()
    for i in range(KEPT_WEIGHTS + 3):
        log.add(make(i), checkpoint=b"w" * 10)
    assert list(log.weights) == [f"{i:012x}" for i in range(3, KEPT_WEIGHTS + 3)]
    log.add(make(100), checkpoint=b"w" * (MAX_WEIGHT_BYTES + 1))  # too big to keep at all
    assert f"{100:012x}" not in log.weights and len(log.weights) == KEPT_WEIGHTS
    log.remove(f"{KEPT_WEIGHTS + 2:012x}")
    assert (
        f"{KEPT_WEIGHTS + 2:012x}" not in log.weights
        and log.get(f"{KEPT_WEIGHTS + 2:012x}") is None
    )


def test_best_so_far_is_the_lowest_mase_on_each_dataset():
    log = RunLog()
    for record in [make(1, 0.9), make(2, 0.7), make(3, 0.8, "b"), make(4, math.nan, "c")]:
        log.add(record)
    assert log.best() == {f"{2:012x}", f"{3:012x}"}
    table = log.table()
    assert list(table.columns) == TABLE_COLUMNS
    assert table["best"].tolist() == ["", "★", "★", ""]
    assert table["run"].tolist() == ["#1", "#2", "#3", "#4"]
    assert table.loc[0, "MASE"] == 0.9 and table.loc[0, "best baseline"] == "naive"
    assert table.loc[0, "baseline MASE"] == 1.2 and table.loc[0, "time (UTC)"] == "14:03:12"


# --- the file -----------------------------------------------------------------------------------


def test_a_log_reads_back_as_the_same_runs(tmp_path):
    log = RunLog()
    for i in range(3):
        log.add(make(i, 0.5 + i))
    assert parse_log(log.to_jsonl()) == [e.record for e in log.entries]
    path = tmp_path / "runs.jsonl"
    append_to_file(str(path), make(7))
    append_to_file(str(path), make(8))
    assert [r.id for r in parse_log(path.read_bytes())] == [f"{7:012x}", f"{8:012x}"]
    fresh = RunLog()
    assert fresh.extend(parse_log(log.to_jsonl())) == (3, [])
    assert fresh.table().equals(log.table())
    assert fresh.extend(parse_log(log.to_jsonl())) == (0, [])  # loaded twice: nothing new


def envelope(record: RunRecord) -> dict:
    return json.loads(log_line(record))


def resealed(run: dict) -> str:
    """A line with a correct checksum over an edited run: as someone who knows the format forges."""
    import hashlib

    digest = hashlib.sha256(
        json.dumps(run, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    return json.dumps({"kind": "rnnlib-run", "version": 1, "sha256": digest, "run": run})


@pytest.mark.parametrize(
    "data, says",
    [
        (b"", "empty"),
        (b"date,sales\n2024-01-01,3\n", "not an rnnlib run log"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (b'{"kind": "rnnlib-forecast-checkpoint"}', "not an rnnlib run log"),
        (b"[1, 2, 3]", "not an rnnlib run log"),
        (b"[" * 100_000 + b"]" * 100_000, "not an rnnlib run log"),
        (b"x" * (MAX_LOG_BYTES + 1), "limit"),
    ],
)
def test_a_file_that_is_not_a_log_is_refused_in_one_line(data, says):
    with pytest.raises(RunLogError) as e:
        parse_log(data)
    assert says in str(e.value) and "\n" not in str(e.value)


def test_a_tampered_or_forged_log_is_refused_in_one_line():
    line = log_line(make(1))
    good = json.loads(line)
    cases = {
        "changed after it was written": line.replace('"mase": 1.0', '"mase": 0.1'),
        "version 2 (from a newer rnnlib": json.dumps({**good, "version": 2}),
        "malformed": json.dumps({**good, "extra": 1}),
        "is not JSON": line.replace("0.5", "NaN"),
        "out of range": line.replace("0.5", "1e999"),
        "wrong fields (code)": resealed({**good["run"], "code": "__import__('os')"}),
        "not valid settings": resealed(
            {**good["run"], "settings": {**good["run"]["settings"], "model": {"hidden_size": -1}}}
        ),
        "repeats run": line + "\n" + line,
    }
    assert cases["changed after it was written"] != line
    for says, text in cases.items():
        with pytest.raises(RunLogError) as e:
            parse_log(text.encode())
        message = str(e.value)
        assert ("not JSON" in says and "not an rnnlib run log" in message) or says in message, (
            says,
            message,
        )
        assert "\n" not in message


# --- train --log -----------------------------------------------------------------------------------


def test_cli_appends_each_run_to_a_log_the_runs_page_can_read(tmp_path, capsys):
    from rnnlib.cli import main

    path = tmp_path / "runs.jsonl"
    tiny = ["--epochs", "2", "--hidden-size", "4", "--normalize", "global", "--transform", "none"]
    assert main(["train", "--synthetic", "sine", *tiny, "--log", str(path), "--json"]) == 0
    assert main(["train", "--dataset", "nile", *tiny, "--lookback", "12", "--log", str(path)]) == 0
    first, second = parse_log(path.read_bytes())
    assert (first.origin, first.data.name, first.data.source) == (
        "cli",
        "sine",
        {"kind": "synthetic", "generator": "sine"},
    )
    assert second.data.source == {"kind": "sample", "name": "nile"}
    assert second.settings["windows"]["lookback"] == 12 and len(second.history) == 2
    capsys.readouterr()
    assert main(["train", "--synthetic", "sine", "--log", str(tmp_path / "no" / "x.jsonl")]) == 2
    assert "folder does not exist" in capsys.readouterr().err
