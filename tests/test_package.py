"""rnnlib as an installable package: its public names, a light import, the console script."""

import ast
import json
import os
import subprocess
import sys
import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from setuptools import find_packages

import rnnlib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# What a notebook user reaches for first (issue 9); more may be exported.
NOTEBOOK_NAMES = [
    "ModelSpec",
    "build_model",
    "total_params",
    "TrainSpec",
    "WindowSpec",
    "ForecastSpec",
    "Experiment",
    "run",
    "fit",
    "read_csv",
    "make_synthetic",
    "load_checkpoint",
    "load_dataset",
    "RnnlibError",
]


def python(code: str) -> str:
    """Run ``code`` in a fresh interpreter with the repository on the path; its stdout."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    env.pop("RNNLIB_THREADS", None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_notebook_names_are_public():
    assert set(NOTEBOOK_NAMES) <= set(rnnlib.__all__)


def test_every_public_name_resolves_and_is_listed_by_dir():
    assert len(set(rnnlib.__all__)) == len(rnnlib.__all__)
    for name in rnnlib.__all__:
        value = getattr(rnnlib, name)
        assert getattr(value, "__module__", "").startswith("rnnlib."), name
        assert name in dir(rnnlib)


def test_public_names_are_the_objects_their_modules_define():
    from rnnlib.forecasting import Experiment, run
    from rnnlib.spec import ModelSpec
    from rnnlib.training import fit

    assert rnnlib.ModelSpec is ModelSpec
    assert rnnlib.Experiment is Experiment
    assert rnnlib.run is run
    assert rnnlib.fit is fit
    assert rnnlib.ModelSpec() == ModelSpec()


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        rnnlib.nope  # noqa: B018
    assert not hasattr(rnnlib, "nope")


def test_star_import_gives_exactly_all():
    names = json.loads(
        python(
            "ns = {}; exec('from rnnlib import *', ns); import json; print(json.dumps(sorted(ns)))"
        )
    )
    assert sorted(set(names) - {"__builtins__"}) == sorted(rnnlib.__all__)


def test_version_is_single_sourced():
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "rnnlib.__version__"}
    parts = rnnlib.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts), rnnlib.__version__


def test_import_is_light_and_never_pulls_streamlit():
    loaded = python(
        "import sys, rnnlib\n"
        "print(sorted(m for m in ('torch', 'pandas', 'plotly', 'streamlit') if m in sys.modules))"
    )
    assert loaded == "[]"
    # Using the names loads what they need, and still never streamlit.
    loaded = python(
        "import sys, rnnlib\n"
        "rnnlib.run, rnnlib.read_csv, rnnlib.load_checkpoint, rnnlib.ModelSpec()\n"
        "print('torch' in sys.modules, 'streamlit' in sys.modules)"
    )
    assert loaded == "True False"


def test_importing_the_ui_helpers_leaves_torch_threads_alone():
    threads = python(
        "import torch\n"
        "torch.set_num_threads(2)\n"
        "import rnnlib.ui\n"
        "before = torch.get_num_threads()\n"
        "rnnlib.ui.pin_threads()\n"
        "print(before, torch.get_num_threads())"
    )
    assert threads == "2 1"


def test_every_page_pins_threads_through_its_frame_call():
    # Each page runs on its own (pages/ is the router), so each one's first call, frame(), pins.
    for script in sorted((ROOT / "pages").glob("*.py")):
        assert "frame(__file__)" in script.read_text(), script.name
    # The landing page's demo trains in numpy; it pins (importing torch) in its footer, after
    # the demo, before the warm-up that trains with torch.
    assert "frame(__file__, threads=False)" in (ROOT / "app.py").read_text()
    footer = (ROOT / "rnnlib/ui/demo_view.py").read_text().split("def footer")[1]
    assert footer.index("pin_threads()") < footer.index("warm_up()")
    threads = python(
        "import torch\n"
        "from unittest import mock\n"
        "torch.set_num_threads(2)\n"
        "from rnnlib.ui import frame\n"
        "with mock.patch.object(frame, 'st'):\n"
        "    frame.frame('pages/2_Train.py')\n"
        "print(torch.get_num_threads())"
    )
    assert threads == "1"


def test_console_script_resolves_to_the_cli(capsys):
    target = PYPROJECT["project"]["scripts"]["rnnlib"]
    main = EntryPoint(name="rnnlib", value=target, group="console_scripts").load()
    from rnnlib.cli import main as cli_main

    assert main is cli_main
    assert main(["params", "--cell", "lstm", "--hidden-size", "8", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 361


def test_only_rnnlib_is_packaged_with_its_data():
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    packages = find_packages(str(ROOT), include=find["include"])
    assert "rnnlib" in packages and "rnnlib.figures" in packages and "rnnlib.ui" in packages
    assert all(p == "rnnlib" or p.startswith("rnnlib.") for p in packages)
    globs = PYPROJECT["tool"]["setuptools"]["package-data"]["rnnlib"]
    data = [p.relative_to(ROOT / "rnnlib") for p in (ROOT / "rnnlib" / "data").iterdir()]
    assert data and all(any(p.match(g) for g in globs) for p in data)


def test_streamlit_is_only_an_extra():
    core = " ".join(PYPROJECT["project"]["dependencies"])
    for name in ("torch", "numpy", "pandas", "plotly"):
        assert name in core
    assert "streamlit" not in core
    assert any(
        d.startswith("streamlit") for d in PYPROJECT["project"]["optional-dependencies"]["app"]
    )


def test_readme_library_example_uses_only_public_names():
    """The README's example starts with ``import rnnlib`` and names only what rnnlib exports.

    Running it trains a model for half a minute, so here it is only read; the fresh-venv check
    in the issue runs it verbatim.
    """
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```python\n", 1)[1].split("```", 1)[0]
    tree = ast.parse(block)
    assert isinstance(tree.body[0], ast.Import) and tree.body[0].names[0].name == "rnnlib"
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "rnnlib"
    }
    assert used and used <= set(rnnlib.__all__)
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert len(imports) == 1
