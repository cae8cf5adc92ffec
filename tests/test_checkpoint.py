"""Checkpoints: a round trip gives back the same forecast; anything tampered or foreign is refused."""

import io
import json
import math
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
import torch

from rnnlib import checkpoint
from rnnlib.checkpoint import (
    MAGIC,
    CheckpointError,
    Restored,
    load_checkpoint,
    restored_result,
    save_checkpoint,
)
from rnnlib.csv import read_csv
from rnnlib.forecasting import Experiment, ForecastSpec, run
from rnnlib.series import Series, make_synthetic
from rnnlib.spec import ModelSpec
from rnnlib.training import TrainSpec
from rnnlib.windows import WindowSpec

FAST = TrainSpec(epochs=2, batch_size=32, device="cpu", report_every_s=1e9)


def experiment(strategy="direct", gaussian=False, **model) -> Experiment:
    return Experiment(
        ModelSpec(hidden_size=8, **model),
        WindowSpec(lookback=12, horizon=3, normalize="global", transform="none"),
        FAST,
        ForecastSpec(strategy=strategy, gaussian=gaussian, ensemble=1),
    )


def daily() -> Series:
    return make_synthetic("sine", n=100, period=10.0)


def monthly_with_feature() -> Series:
    base = make_synthetic("seasonal", n=80, freq="MS", start="2010-01-01")
    frame = base.frame.assign(extra=np.cos(np.arange(len(base)) / 3.0))
    return Series(frame, base.target, ("extra",), base.frequency, ("a note",), "monthly")


def stepped() -> Series:
    """A CSV without dates and with a gap: a step index and a cleaning note to carry over."""
    rows = "\n".join("NA" if i == 40 else f"{math.sin(i / 4):.6f}" for i in range(100))
    series = read_csv(f"value\n{rows}\n".encode(), date_col=None, name="upload.csv")
    assert series.cleaning and isinstance(series.frame.index, pd.RangeIndex)
    return series


# --- round trip ----------------------------------------------------------------------------------

CASES = [
    (daily, experiment("direct", gaussian=True, cell="lstm", impl="torch")),
    (stepped, experiment("recursive", cell="gru", impl="scratch")),
    (monthly_with_feature, experiment("seq2seq", gaussian=True, cell="lstm", impl="scratch")),
    (daily, experiment("seq2seq", cell="rnn", impl="torch", num_layers=2)),
]


@pytest.mark.parametrize(
    ("make_series", "exp"),
    CASES,
    ids=["torch-direct", "scratch-recursive", "scratch-seq2seq", "torch-seq2seq"],
)
def test_round_trip_reproduces_the_forecast_and_metrics(make_series, exp):
    series = make_series()
    result = run(series, exp)
    restored = load_checkpoint(save_checkpoint(result, series))
    again = restored_result(restored)

    pd.testing.assert_frame_equal(again.test, result.test)
    pd.testing.assert_frame_equal(again.future, result.future)
    np.testing.assert_equal(again.metrics, result.metrics)  # NaN counts as equal
    assert again.coverage == result.coverage
    assert again.period == result.period
    assert again.fit is None

    assert isinstance(restored, Restored)
    assert restored.experiment == result.experiment and restored.requested == exp
    assert restored.preprocessing == result.preprocessing
    assert restored.history == result.fit.history
    assert restored.stopped == result.fit.stopped
    assert restored.best_epoch == result.fit.best_epoch
    assert not restored.model.training
    got, want = restored.series, series
    assert got.frame.equals(want.frame) and got.frame.index.equals(want.frame.index)
    assert type(got.frame.index) is type(want.frame.index)
    assert got.frame.index.name == want.frame.index.name
    fields = ("target", "features", "frequency", "cleaning", "name")
    assert [getattr(got, f) for f in fields] == [getattr(want, f) for f in fields]
    assert np.array_equal(restored.windows.scaler.center, result.windows.scaler.center)


def test_auto_preprocessing_round_trips_with_its_choice():
    """An auto run saves the pair it chose; the restored model gives the same forecast."""
    series = daily()
    exp = Experiment(
        ModelSpec(hidden_size=8), WindowSpec(lookback=12, horizon=3), FAST, ForecastSpec()
    )
    result = run(series, exp)
    assert len(result.preprocessing.candidates) > 1
    restored = load_checkpoint(save_checkpoint(result, series))
    again = restored_result(restored)
    pd.testing.assert_frame_equal(again.future, result.future)
    assert restored.preprocessing == result.preprocessing
    assert restored.experiment.windows.normalize == result.preprocessing.normalize
    assert restored.requested == exp


def test_a_checkpoint_from_before_preprocessing_still_loads(saved):
    """Files written before normalize/transform existed mean the global scaler, no transform."""

    def old(p):
        meta = json.loads(p["meta"])
        for key in ("normalize", "transform"):
            del meta["experiment"]["windows"][key]
        del meta["experiment"]["train"]["auto"]
        for key in ("preprocessing", "requested", "values_sha256"):
            del meta[key]
        p["meta"] = json.dumps(meta)

    restored = load_checkpoint(tampered(saved, old))
    assert restored.experiment.windows.normalize == "global"
    assert restored.experiment.windows.transform == "none"
    assert restored.preprocessing is None


def test_saving_with_another_series_is_refused():
    series = daily()
    result = run(series, experiment())
    with pytest.raises(CheckpointError, match="not the one the result was trained on"):
        save_checkpoint(result, make_synthetic("sine", n=100, period=10.0, amplitude=2.0))


# --- refusals ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved() -> bytes:
    series = daily()
    return save_checkpoint(run(series, experiment()), series)


def raw(data: bytes) -> dict:
    return torch.load(io.BytesIO(data), weights_only=True)


def resaved(payload: dict) -> bytes:
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def tampered(data: bytes, change) -> bytes:
    payload = raw(data)
    change(payload)
    return resaved(payload)


def with_meta(data: bytes, change) -> bytes:
    def edit(payload):
        meta = json.loads(payload["meta"])
        change(meta)
        payload["meta"] = json.dumps(meta)

    return tampered(data, edit)


def refused(data, match: str) -> str:
    with pytest.raises(CheckpointError, match=match) as info:
        load_checkpoint(data)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_the_saved_file_holds_only_plain_types(saved):
    payload = raw(saved)
    assert payload["magic"] == MAGIC
    assert set(payload) == set(checkpoint.KEYS)
    assert isinstance(json.loads(payload["meta"]), dict)
    assert all(isinstance(t, torch.Tensor) for t in payload["state_dict"].values())


def test_random_bytes_are_refused():
    noise = np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    refused(noise, "not an rnnlib checkpoint")


def test_a_zip_that_is_not_a_checkpoint_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("notes/data.pkl", "hello")
    refused(buffer.getvalue(), "not an rnnlib checkpoint")


def test_a_torch_file_without_our_header_is_refused(saved):
    refused(resaved({"weights": torch.zeros(3)}), "header is missing or wrong")
    refused(tampered(saved, lambda p: p.update(magic="someone-else")), "header is missing or wrong")


def test_a_newer_format_version_is_refused(saved):
    refused(tampered(saved, lambda p: p.update(version=99)), "version 99 by a newer rnnlib")


@pytest.mark.parametrize("key", ["meta", "values", "state_dict"])
def test_missing_parts_are_refused(saved, key):
    refused(tampered(saved, lambda p: p.pop(key)), f"incomplete: missing {key}")


def test_renamed_weights_are_refused(saved):
    def rename(p):
        p["state_dict"]["head.renamed"] = p["state_dict"].pop("head.weight")

    refused(tampered(saved, rename), "weights do not match its model settings")


def test_weights_of_the_wrong_shape_are_refused(saved):
    def grow(p):
        p["state_dict"]["head.weight"] = torch.zeros(3, 99)

    refused(tampered(saved, grow), r"head.weight has shape \(3, 99\)")


def test_weights_that_do_not_match_the_spec_are_refused(saved):
    # The weights are an 8-wide LSTM's; the settings now say 16.
    refused(
        with_meta(saved, lambda m: m["experiment"]["model"].update(hidden_size=16)),
        "has shape .* but the model settings need",
    )


def test_malformed_json_is_refused(saved):
    refused(tampered(saved, lambda p: p.update(meta="{not json")), "settings are not valid JSON")


def test_invalid_spec_values_are_refused(saved):
    refused(
        with_meta(saved, lambda m: m["experiment"]["model"].update(hidden_size=-1)),
        "experiment settings are invalid: hidden_size must be between 1 and",
    )
    refused(
        with_meta(saved, lambda m: m["experiment"]["forecast"].update(strategy="magic")),
        "experiment settings are invalid: Unknown strategy 'magic'",
    )
    refused(
        with_meta(saved, lambda m: m["experiment"]["train"].update(epochs=0)),
        "experiment settings are invalid: epochs must be",
    )


def test_altered_data_is_refused(saved):
    def shift(p):
        p["values"] = p["values"] + 1.0  # the saved scaler no longer describes the data

    refused(tampered(saved, shift), "does not match its fingerprint: the file was altered")

    def poison(p):
        p["values"][5, 0] = float("nan")

    refused(tampered(saved, poison), "series is invalid: .*NaN")


def test_a_file_over_the_size_limit_is_refused(saved, monkeypatch):
    monkeypatch.setattr(checkpoint, "MAX_BYTES", len(saved) - 1)
    refused(saved, "over the .* limit for a checkpoint")


def test_not_bytes_is_refused():
    refused("model.pt", "must be given as bytes, not str")


class Payload:
    """Unpickling this calls open(path, "w"): a file appears if the loader runs code."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_the_malicious_payload_is_live(tmp_path):
    """Guard for the two tests below: plain pickle really would create the file."""
    target = tmp_path / "proof"
    pickle.loads(pickle.dumps(Payload(target))).close()
    assert target.exists()


def test_a_torch_file_carrying_code_is_refused_without_running_it(saved, tmp_path):
    target = tmp_path / "pwned"
    payload = raw(saved) | {"evil": Payload(target)}
    refused(resaved(payload), "not an rnnlib checkpoint")
    assert not target.exists()


def test_a_bare_pickle_carrying_code_is_refused_without_running_it(tmp_path):
    target = tmp_path / "pwned"
    refused(pickle.dumps(Payload(target)), "not an rnnlib checkpoint")
    assert not target.exists()


def test_a_checkpoint_from_before_the_linear_skip_loads_without_one():
    """Settings saved before the skip existed mean no skip: the weights then hold none."""
    series = daily()
    exp = experiment()
    exp = Experiment(exp.model, exp.windows, exp.train, ForecastSpec(ensemble=1, skip=False))
    result = run(series, exp)

    def old(p):
        meta = json.loads(p["meta"])
        del meta["experiment"]["forecast"]["skip"]
        del meta["requested"]["forecast"]["skip"]
        p["meta"] = json.dumps(meta)

    restored = load_checkpoint(tampered(save_checkpoint(result, series), old))
    assert restored.experiment.forecast.skip is False
    pd.testing.assert_frame_equal(restored_result(restored).future, result.future)


def test_the_linear_skip_is_saved_and_restored_with_its_weights(saved):
    restored = load_checkpoint(saved)
    assert restored.experiment.forecast.skip is True
    assert any(name.startswith("skip.") for name in restored.model.state_dict())
