"""rnnlib: RNN, LSTM and GRU built from a spec, counted, trained and scored against naive baselines.

The names a notebook needs are here, so ``import rnnlib`` is enough::

    import rnnlib

    spec = rnnlib.ModelSpec(cell="gru", hidden_size=32)
    result = rnnlib.run(rnnlib.make_synthetic("seasonal"), rnnlib.Experiment(model=spec))

Importing rnnlib is light and changes nothing: each name is imported from its module on first use
(PEP 562), so torch loads only when a name that needs it is touched. Streamlit is never imported
here; only ``rnnlib.ui`` (the app's helpers) uses it.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"  # pyproject.toml reads it from here

# public name -> the module that defines it
_EXPORTS = {
    # errors: every fixable mistake is an RnnlibError (a ValueError) with a one-line message
    "RnnlibError": "rnnlib.errors",
    "DataError": "rnnlib.errors",
    "SpecError": "rnnlib.spec",
    "TrainError": "rnnlib.optim",
    "CheckpointError": "rnnlib.checkpoint",
    # a model: spec -> torch module, counted
    "ModelSpec": "rnnlib.spec",
    "build_model": "rnnlib.models",
    "total_params": "rnnlib.params",
    "total_formula": "rnnlib.params",
    # data
    "Series": "rnnlib.series",
    "make_synthetic": "rnnlib.series",
    "read_csv": "rnnlib.csv",
    "load_dataset": "rnnlib.datasets",
    "list_datasets": "rnnlib.datasets",
    # training and forecasting
    "WindowSpec": "rnnlib.windows",
    "TrainSpec": "rnnlib.optim",
    "fit": "rnnlib.training",
    "predict": "rnnlib.training",
    "EpochRecord": "rnnlib.history",
    "ForecastSpec": "rnnlib.forecasting",
    "Experiment": "rnnlib.forecasting",
    "run": "rnnlib.forecasting",
    # checkpoints
    "save_checkpoint": "rnnlib.checkpoint",
    "load_checkpoint": "rnnlib.checkpoint",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rnnlib' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:  # so a notebook's tab completion lists the lazy names too
    return sorted({*globals(), *_EXPORTS})
