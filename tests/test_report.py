"""report.py: describe(spec) gathers what the Build page shows, and the parts agree."""

import pytest

from rnnlib.equations import EXPLAIN, equations
from rnnlib.models import build_model
from rnnlib.params import BIAS_NOTE
from rnnlib.report import describe
from rnnlib.shapes import shapes
from rnnlib.spec import ModelSpec

SPECS = [
    ModelSpec(),
    ModelSpec(cell="gru", hidden_size=16, num_layers=2, bidirectional=True, batch_first=False),
    ModelSpec(cell="rnn", nonlinearity="relu", bias=False, input_size=3, output_size=2),
    ModelSpec(cell="lstm", hidden_size=12, proj_size=4, num_layers=3, bidirectional=True),
    ModelSpec(cell="lstm", impl="scratch", layer_norm=True, hidden_size=8, num_layers=2),
]
CLASSES = {"rnn": "nn.RNN(", "lstm": "nn.LSTM(", "gru": "nn.GRU("}


@pytest.fixture(scope="module", params=SPECS, ids=repr)
def spec_and_report(request):
    return request.param, describe(request.param, batch=3, seq_len=5)


def test_total_is_the_sum_of_the_rows_and_of_the_module(spec_and_report):
    spec, report = spec_and_report
    assert report.spec == spec
    assert report.total == sum(r.count for r in report.rows)
    assert report.total == sum(p.numel() for p in build_model(spec).parameters())
    assert report.formula.endswith(f"= {report.total}")
    assert report.weight_bytes == 4 * report.total


def test_single_bias_count(spec_and_report):
    spec, report = spec_and_report
    dropped = spec.gates * spec.hidden_size * spec.num_layers * spec.num_directions
    assert report.single_bias_total == report.total - (dropped if spec.bias else 0)
    assert report.bias_note == BIAS_NOTE


def test_shapes_predicted_equal_measured(spec_and_report):
    spec, report = spec_and_report
    assert report.shapes == shapes(spec, 3, 5)
    assert report.measured_shapes == report.shapes
    assert ("c_n" in report.shapes) == (spec.cell == "lstm")


def test_text_parts(spec_and_report):
    spec, report = spec_and_report
    assert report.equations == equations(spec)
    assert report.explanation == EXPLAIN[spec.cell]
    assert report.warnings == spec.warnings()
    assert CLASSES[spec.cell] in report.code
    assert all(c not in report.code for k, c in CLASSES.items() if k != spec.cell)
    compile(report.code, f"{spec.cell}_model.py", "exec")  # the exported script is valid Python


def test_warnings_pass_through():
    report = describe(ModelSpec(dropout=0.3), batch=2, seq_len=3)
    assert len(report.warnings) == 1 and "num_layers=1" in report.warnings[0]
