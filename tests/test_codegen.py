"""codegen.py: the exported script runs on torch alone and builds the model rnnlib builds."""

import ast
import importlib.util
import subprocess
import sys

import pytest
import torch

from rnnlib.codegen import export_script
from rnnlib.models import build_model
from rnnlib.params import total_params
from rnnlib.spec import ModelSpec

# At most six subprocess runs: each pays for a fresh `import torch`.
RUN_SPECS = [
    ModelSpec(cell="lstm", input_size=3, hidden_size=6),
    ModelSpec(cell="gru", hidden_size=5, num_layers=2, bidirectional=True, batch_first=False),
    ModelSpec(
        cell="rnn", nonlinearity="relu", bias=False, num_layers=2, dropout=0.2, output_size=2
    ),
    ModelSpec(
        cell="lstm", input_size=2, hidden_size=6, proj_size=3, num_layers=2, bidirectional=True
    ),
    ModelSpec(cell="gru", hidden_size=4, impl="scratch"),
]

SPECS = RUN_SPECS + [
    ModelSpec(
        cell="rnn",
        input_size=4,
        hidden_size=3,
        bidirectional=True,
        output_size=3,
        batch_first=False,
    ),
    ModelSpec(cell="lstm", hidden_size=4, num_layers=3, bidirectional=True, impl="scratch"),
]


def write(tmp_path, spec, seed=0):
    path = tmp_path / "model.py"
    path.write_text(export_script(spec, seed=seed))
    return path


def load(path):
    module_spec = importlib.util.spec_from_file_location("exported_model", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script_runs(tmp_path_factory):
    """Each RUN_SPECS script run as `python model.py`, all at once: {index: CompletedProcess}."""
    procs = {}
    for i, spec in enumerate(RUN_SPECS):
        folder = tmp_path_factory.mktemp(f"export{i}")
        path = write(folder, spec)
        procs[i] = (
            path,
            subprocess.Popen(
                [sys.executable, str(path)],
                cwd=folder,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
    results = {}
    for i, (path, proc) in procs.items():
        out, err = proc.communicate(timeout=180)
        results[i] = subprocess.CompletedProcess(
            [sys.executable, str(path)], proc.returncode, out, err
        )
    return results


@pytest.mark.parametrize("i", range(len(RUN_SPECS)), ids=lambda i: RUN_SPECS[i].to_json())
def test_script_runs_and_prints_the_count(script_runs, i):
    spec, result = RUN_SPECS[i], script_runs[i]
    assert result.returncode == 0, result.stderr
    assert f"parameters: {total_params(spec)}" in result.stdout.splitlines()
    assert f"prediction: {(4, spec.output_size)}" in result.stdout.splitlines()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.to_json())
def test_script_imports_only_torch(spec):
    tree = ast.parse(export_script(spec))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported == {"torch"}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.to_json())
def test_exported_model_is_rnnlibs_model(tmp_path, spec):
    """Same parameter names, and with rnnlib's weights loaded, the same predictions (same readout)."""
    cls_name = {"rnn": "RNNForecaster", "lstm": "LSTMForecaster", "gru": "GRUForecaster"}[spec.cell]
    exported = getattr(load(write(tmp_path, spec)), cls_name)().eval()
    ours = build_model(spec, seed=1).eval()
    exported.load_state_dict(ours.state_dict())  # strict: names and shapes must all match
    x = torch.randn((4, 6, spec.input_size) if spec.batch_first else (6, 4, spec.input_size))
    with torch.no_grad():
        torch.testing.assert_close(exported(x), ours(x), rtol=1e-5, atol=1e-6)


def test_seeded_script_draws_rnnlibs_initial_weights(tmp_path):
    spec = ModelSpec(cell="lstm", hidden_size=5, num_layers=2)
    module = load(write(tmp_path, spec, seed=3))
    torch.manual_seed(3)
    exported = module.LSTMForecaster()
    ours = build_model(spec, seed=3)
    for (name, a), (_, b) in zip(
        exported.state_dict().items(), ours.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name


def test_output_is_deterministic_and_seed_is_optional():
    spec = ModelSpec(cell="gru", bidirectional=True)
    assert export_script(spec) == export_script(spec)
    assert "torch.manual_seed(0)" in export_script(spec)
    assert "manual_seed" not in export_script(spec, seed=None)


def constructor_args(spec: ModelSpec) -> dict:
    """The keyword arguments of the script's nn.RNN/LSTM/GRU call, as values."""
    for node in ast.walk(ast.parse(export_script(spec))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in (
            "RNN",
            "LSTM",
            "GRU",
        ):
            return {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    raise AssertionError("no nn.RNN/LSTM/GRU call in the script")


def test_constructor_has_only_the_arguments_that_apply():
    base = {"input_size": 1, "hidden_size": 32, "num_layers": 1, "batch_first": True}
    assert constructor_args(ModelSpec(cell="gru")) == base
    assert constructor_args(ModelSpec(cell="rnn", nonlinearity="relu")) == base | {
        "nonlinearity": "relu"
    }
    assert constructor_args(ModelSpec(cell="rnn")) == base | {"nonlinearity": "tanh"}
    assert constructor_args(ModelSpec(cell="lstm", hidden_size=8, proj_size=4)) == base | {
        "hidden_size": 8,
        "proj_size": 4,
    }
    assert constructor_args(ModelSpec(cell="lstm", batch_first=False)) == base | {
        "batch_first": False
    }
    full = ModelSpec(cell="gru", num_layers=2, dropout=0.25, bias=False, bidirectional=True)
    assert constructor_args(full) == base | {
        "num_layers": 2,
        "dropout": 0.25,
        "bias": False,
        "bidirectional": True,
    }
    # dropout with one layer does nothing in PyTorch (it warns), so the script leaves it out
    assert "dropout" not in constructor_args(ModelSpec(num_layers=1, dropout=0.3))
    assert "class GRUForecaster(nn.Module)" in export_script(ModelSpec(cell="gru"))


def test_bidirectional_readout_is_explained():
    script = export_script(ModelSpec(cell="lstm", bidirectional=True))
    assert "torch.cat([h_n[-2], h_n[-1]], dim=1)" in script
    assert "FIRST step" in script


def test_scratch_and_layer_norm_are_flagged(tmp_path):
    spec = ModelSpec(cell="lstm", impl="scratch", layer_norm=True, hidden_size=4)
    script = export_script(spec)
    without_ln = total_params(spec.replace(layer_norm=False))
    assert (
        f"this model has {without_ln} parameters where rnnlib's scratch LSTM has {total_params(spec)}"
        in script
    )
    assert "scratch LSTM" in script and "nn.LSTM" in script
    # The note comes before any code.
    assert script.index("layer_norm=True") < script.index("import torch")
    module = load(write(tmp_path, spec))
    assert sum(p.numel() for p in module.LSTMForecaster().parameters()) == without_ln
