"""The race: RNN, LSTM and GRU trained on the same data, scored the same way, side by side.

Fair means everything but the cell is shared: the data and its windows (or its train / val / test
split), the optimiser settings and, for each seed, the initial-weight seed and the shuffling seed.
``fit`` draws its batch order from a torch.Generator seeded by TrainSpec.seed and the number of
training samples only, so every cell sees the same batches in the same order.

Settings left to the data (lookback 0, normalize or transform "auto", training settings from the
data) are chosen once, by the race's first run, exactly as the Train page chooses them (on the
validation part); every later run reuses that choice, so the windows stay shared.

Two kinds of task:
    ForecastTask        a Series with window and forecast settings; scored by forecasting.evaluate
                        (MAE, RMSE, MASE, ... next to naive, seasonal naive, drift and mean)
    ClassificationTask  sum_sign or memory (delay k); a sigmoid head trained with BCE, scored by
                        accuracy and BCE next to the majority class

A race fills a RaceLog in place as it goes (finished runs, the run in progress with its model and
loss history), so a caller interrupted mid-race still holds everything: ``log.result()`` scores the
unfinished run with the weights it had and says which runs did not finish.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from torch import nn

from rnnlib.budget import cell_spec
from rnnlib.classification import CLASSIFICATION, MAX_SAMPLES, make_classification
from rnnlib.errors import DataError, check_real, check_whole
from rnnlib.forecasting import (
    Ensemble,
    Experiment,
    ForecastSpec,
    Preprocessing,
    build_forecaster,
    evaluate,
    prepare,
    run,
    windows_for,
)
from rnnlib.history import EpochRecord
from rnnlib.models import build_model
from rnnlib.optim import MAX_SEED, TrainError, TrainSpec, loss_fn
from rnnlib.scoreboard import COLUMNS as FORECAST_COLUMNS
from rnnlib.series import Series, whole_in
from rnnlib.spec import CELLS, ModelSpec
from rnnlib.training import Progress, fit, predict
from rnnlib.windows import WindowSpec

MAX_SEEDS = 5  # each seed trains every cell once more: five already takes a while on a CPU
CLASS_COLUMNS = {"accuracy": "accuracy", "bce": "BCE"}
# The metric a results table leads with, and whether higher is better.
HEADLINE = {"forecast": ("mae", False), "classification": ("accuracy", True)}


# --- tasks -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ForecastTask:
    series: Series
    windows: WindowSpec = WindowSpec()
    forecast: ForecastSpec = ForecastSpec()

    kind = "forecast"

    def __post_init__(self) -> None:
        # DataError now, not after a click: the series must hold a window in every part.
        prepare(self.series, Experiment(windows=self.windows, forecast=self.forecast))


@dataclass(frozen=True)
class ClassificationTask:
    name: str = "sum_sign"  # "sum_sign" | "memory"
    n_samples: int = 600  # enough for sum_sign in a few epochs, small enough to race in seconds
    length: int = 20  # time steps per sequence
    delay: int = 15  # memory only: the label is the sign of the value `delay` steps before the end
    seed: int = 0  # data seed (the training seeds are the race's)
    val_fraction: float = 0.2  # split in generation order (already i.i.d.): train | val | test
    test_fraction: float = 0.2

    kind = "classification"

    def __post_init__(self) -> None:
        if self.name not in CLASSIFICATION:
            raise DataError(
                f"Unknown classification task {self.name!r}: choose one of {', '.join(CLASSIFICATION)}."
            )
        for name in ("val_fraction", "test_fraction"):
            value = getattr(self, name)
            check_real(name, value, "a number in (0, 0.5)", lambda v: 0 < v < 0.5, error=DataError)
        whole_in("n_samples", self.n_samples, 2, MAX_SAMPLES)
        whole_in("length", self.length, 2, 10_000)
        if self.name == "memory" and not 0 <= self.delay < self.length:
            raise DataError(
                f"The delay ({self.delay!r}) must be smaller than the length ({self.length}): "
                "the cue has to lie inside the sequence."
            )
        n, (a, b) = self.n_samples, self._bounds()
        if a < 2 or b - a < 1 or n - b < 1:
            raise DataError(
                f"{n} samples leave {a} / {b - a} / {n - b} for train / val / test: use more samples."
            )

    def _bounds(self) -> tuple[int, int]:
        """Rows where the val and test parts begin."""
        n = self.n_samples
        a = int(round(n * (1 - self.val_fraction - self.test_fraction)))
        return a, int(round(n * (1 - self.test_fraction)))

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """X (N, T, 1), y (N,) from the generator; DataError for unusable sizes."""
        params = dict(n_samples=self.n_samples, length=self.length, seed=self.seed)
        if self.name == "memory":
            params["delay"] = self.delay
        return make_classification(self.name, **params)

    def split(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """{"train", "val", "test"}: (X, y) slices in generation order (each non-empty, see __post_init__)."""
        X, y = self.data()
        a, b = self._bounds()
        return {"train": (X[:a], y[:a]), "val": (X[a:b], y[a:b]), "test": (X[b:], y[b:])}


Task = ForecastTask | ClassificationTask


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    """One cell trained with one seed."""

    cell: str
    seed: int
    hidden_size: int
    params: int  # sum(p.numel()) of the model trained, head included
    history: tuple[EpochRecord, ...]  # one per finished epoch
    epoch_s: float  # median seconds per epoch, validation included
    metrics: dict[str, float]  # test scores: mae, rmse, mape, smape, mase | accuracy, bce
    finished: bool  # False: stopped part-way and scored with the weights it had then
    stopped: str  # fit's reason, for a person
    model: nn.Module | None = field(default=None, repr=False, compare=False)  # for the Inside page


@dataclass(frozen=True)
class RaceProgress:
    """fit's progress report, tagged with the run it belongs to."""

    cell: str
    seed: int
    run: int  # 0-based index of this run in the race
    runs: int  # runs planned: len(seeds) * len(cells)
    progress: Progress


@dataclass(frozen=True)
class RaceResult:
    kind: str  # "forecast" | "classification"
    cells: tuple[str, ...]
    seeds: tuple[int, ...]
    runs: tuple[RunResult, ...]  # those that completed at least one epoch, in race order
    baselines: dict[str, dict[str, float]]  # same metrics as RunResult.metrics, per baseline
    reference: dict[str, float]  # baseline -> validation loss in training units (may be empty)
    loss: str  # the loss the curves show (TrainSpec.loss, "bce" or "gaussian_nll")
    # windows (n, T, F) the runs were scored on, in model units: what the Inside page feeds them
    probe: np.ndarray | None = field(default=None, repr=False, compare=False)
    # forecast races: what the first run chose from the data and every run then used
    preprocessing: Preprocessing | None = field(default=None, compare=False)

    @property
    def unfinished(self) -> list[tuple[str, int]]:
        """(cell, seed) of every planned run that did not finish: stopped, or never started."""
        done = {(r.cell, r.seed) for r in self.runs if r.finished}
        return [(c, s) for s in self.seeds for c in self.cells if (c, s) not in done]

    @property
    def finished(self) -> bool:
        return not self.unfinished

    def curves(self) -> dict[str, list[list[dict]]]:
        """{cell: [history of each seed]}, the input of figures.compare.race_curves."""
        return _curves(self.cells, self.runs)

    def by_cell(self) -> dict[str, list[RunResult]]:
        out = {c: [r for r in self.runs if r.cell == c] for c in self.cells}
        return {c: runs for c, runs in out.items() if runs}

    def columns(self) -> dict[str, str]:
        """{metric key: column label} of this kind of task."""
        return FORECAST_COLUMNS if self.kind == "forecast" else CLASS_COLUMNS

    @property
    def headline(self) -> tuple[str, str]:
        """(metric key, label) a results table leads with: MAE, or accuracy."""
        key = HEADLINE[self.kind][0]
        return key, self.columns()[key]

    def epoch_seconds(self) -> dict[str, float]:
        """{cell: median seconds per epoch over its seeds}."""
        return {c: statistics.median(r.epoch_s for r in runs) for c, runs in self.by_cell().items()}

    def metric_stats(self, metric: str) -> dict[str, tuple[float, float, float]]:
        """{cell: (mean, min, max) of a test metric over its seeds}."""
        out = {}
        for cell, runs in self.by_cell().items():
            values = [r.metrics[metric] for r in runs]
            out[cell] = (float(np.mean(values)), min(values), max(values))
        return out

    def table(self) -> pd.DataFrame:
        """One row per cell: size, speed, mean test metrics over seeds, the change vs the best baseline."""
        key, higher = HEADLINE[self.kind]
        rows = {}
        best = _best_baseline(self.baselines, key, higher)
        for cell, runs in self.by_cell().items():
            row = {
                "hidden": runs[0].hidden_size,
                "params": runs[0].params,
                "seeds": len(runs),
                "epochs": float(np.mean([len(r.history) for r in runs])),
                "s / epoch": self.epoch_seconds()[cell],
            }
            for metric, label in self.columns().items():
                row[label] = float(np.mean([r.metrics[metric] for r in runs]))
            if best is not None:
                row[f"vs {best[0]}"] = _versus(row[self.columns()[key]], best[1], self.kind)
            rows[cell.upper()] = row
        return pd.DataFrame.from_dict(rows, orient="index")

    def baseline_table(self) -> pd.DataFrame:
        """One row per baseline with the same metric columns as table()."""
        rows = {
            name.replace("_", " "): {
                label: m.get(k, math.nan) for k, label in self.columns().items()
            }
            for name, m in self.baselines.items()
        }
        return pd.DataFrame.from_dict(rows, orient="index", columns=list(self.columns().values()))


def _best_baseline(baselines, key: str, higher: bool) -> tuple[str, float] | None:
    scores = {n: m[key] for n, m in baselines.items() if not math.isnan(m.get(key, math.nan))}
    if not scores:
        return None
    name = (max if higher else min)(scores, key=scores.get)
    return name.replace("_", " "), scores[name]


def _versus(value: float, ref: float, kind: str) -> str:
    """'-23%' (forecast error vs the best baseline) or '+31 pts' (accuracy vs majority)."""
    if kind == "classification":
        return f"{100 * (value - ref):+.0f} pts"
    return "n/a" if ref == 0 else f"{(value - ref) / ref:+.0%}"


def _curves(cells, runs, current: dict | None = None) -> dict[str, list[list[EpochRecord]]]:
    out: dict[str, list[list[EpochRecord]]] = {c: [] for c in cells}
    for r in runs:
        out[r.cell].append(list(r.history))
    if current is not None:
        out[current["cell"]].append(list(current["history"]))
    return out


def seed_band(
    histories: Sequence[Sequence[EpochRecord]], key: str
) -> tuple[list[int], list[float], list[float], list[float]]:
    """(epochs, mean, min, max) of ``key`` over seeds, at each epoch some seed reached (None skipped)."""
    by_epoch: dict[int, list[float]] = {}
    for history in histories:
        for h in history:
            if getattr(h, key) is not None:
                by_epoch.setdefault(h.epoch, []).append(getattr(h, key))
    epochs = sorted(by_epoch)
    vals = [by_epoch[e] for e in epochs]
    return epochs, [float(np.mean(v)) for v in vals], [min(v) for v in vals], [max(v) for v in vals]


def epoch_seconds(history: Sequence[EpochRecord]) -> float:
    """Median wall time of an epoch from the cumulative elapsed_s of each; nan without epochs."""
    times = [h.elapsed_s for h in history if h.elapsed_s is not None]
    steps = [b - a for a, b in zip([0.0, *times], times, strict=False)]
    return statistics.median(steps) if steps else math.nan


# --- the two kinds of runner: one way to build, train and score per task -------------------------


class _ForecastRunner:
    def __init__(self, task: ForecastTask, base: ModelSpec, train: TrainSpec):
        self.task, self.train = task, train
        # A race compares single models: an ensemble only when asked for by number.
        forecast = task.forecast
        if forecast.ensemble == 0:
            forecast = dataclasses.replace(forecast, ensemble=1)
        self.asked = Experiment(base, task.windows, train, forecast)
        self.resolved: Experiment | None = self.asked if self.asked.resolved else None
        self.preprocessing: Preprocessing | None = None
        self.input_size = task.series.values().shape[1]
        self.loss = "gaussian_nll" if task.forecast.gaussian else train.loss
        self.baselines: dict[str, dict[str, float]] = {}
        # DataError before any run starts (e.g. seq2seq with a bidirectional model)
        self._use(prepare(task.series, self.asked))

    def _use(self, windows) -> None:
        self.windows = windows
        parts = (windows.test, windows.val, windows.train)
        self.probe = next((p.X for p in parts if len(p)), windows.train.X)
        self.reference = self._naive_val_loss()

    def _exp(self, spec: ModelSpec, seed: int) -> Experiment:
        exp = self.resolved or self.asked
        return Experiment(spec, exp.windows, exp.train.replace(seed=seed), exp.forecast)

    def build(self, spec: ModelSpec, seed: int) -> nn.Module:
        return build_forecaster(self._exp(spec, seed), self.input_size, seed=seed)

    def train_and_score(self, model, spec, seed, on_progress, should_stop, on_candidate=None):
        exp = self._exp(spec, seed)
        result = run(self.task.series, exp, on_progress, should_stop, model, on_candidate)
        if self.resolved is None:  # the first run chose from the data: every later run reuses it
            self.resolved, self.preprocessing = result.experiment, result.preprocessing
            # the windows with a validation part: the curves' reference line is drawn on it
            asked = dataclasses.replace(result.experiment.forecast, refit=False)
            self._use(
                windows_for(self.task.series, dataclasses.replace(self.resolved, forecast=asked))
            )
        return result.fit, self._metrics(result.metrics)

    def score(self, model, spec, seed, exp: Experiment | None = None) -> dict[str, float]:
        exp = exp or self._exp(spec, seed)
        windows = windows_for(self.task.series, exp) if exp.resolved else self.windows
        result = evaluate(model, self.task.series, exp, windows)
        return self._metrics(result.metrics)

    def _metrics(self, metrics: dict[str, dict[str, float]]) -> dict[str, float]:
        self.baselines = {k: v for k, v in metrics.items() if k != "model"}  # model-independent
        return metrics["model"]

    def _naive_val_loss(self) -> dict[str, float]:
        """The last-value forecast's validation loss in scaled units: a line the curves should beat."""
        val = self.windows.val
        if not len(val) or self.loss not in ("mse", "mae"):
            return {}
        y = val.y[:, :1] if self.task.forecast.strategy == "recursive" else val.y
        # The last value repeated, in the units the model trains in (transformed, normalised).
        values = self.task.series.values()[:, 0]
        last = np.repeat(values[val.origin - 1][:, None], y.shape[1], axis=1)
        z = self.windows.transform.of_forecast(last, values, val.origin)
        naive = ((z - val.center[:, None] - val.target_offset) / val.scale[:, None]).astype(
            np.float32
        )
        loss = loss_fn(self.loss)(torch.from_numpy(naive), torch.from_numpy(y))
        return {"naive": float(loss)}


class _ClassificationRunner:
    def __init__(self, task: ClassificationTask, base: ModelSpec, train: TrainSpec):
        self.task, self.train, self.loss = task, train.replace(loss="bce"), "bce"
        self.parts = task.split()
        self.probe = self.parts["test"][0]
        y_train, (_, y_val), (_, y_test) = (
            self.parts["train"][1], self.parts["val"], self.parts["test"]
        )  # fmt: skip
        # Majority class of the training part; its rate is the best constant probability.
        rate = float(np.clip(y_train.mean(), 1e-7, 1 - 1e-7))
        majority = float(rate >= 0.5)
        self.baselines = {
            "majority": {
                "accuracy": float(np.mean(y_test == majority)),
                "bce": _constant_bce(y_test, rate),
            }
        }
        self.reference = {"majority": _constant_bce(y_val, rate)}

    def build(self, spec: ModelSpec, seed: int) -> nn.Module:
        width = self.parts["train"][0].shape[2]  # sum sign: 1 channel; memory: value + marker
        return build_model(spec.replace(input_size=width, output_size=1), seed=seed)

    def train_and_score(self, model, spec, seed, on_progress, should_stop, on_candidate=None):
        # on_candidate: one model per run here, nothing is chosen from the data
        train = self.train.replace(seed=seed)
        result = fit(model, self.parts["train"], self.parts["val"], train, on_progress, should_stop)
        return result, self.score(model, spec, seed)

    def score(self, model, spec, seed, exp=None) -> dict[str, float]:
        X, y = self.parts["test"]
        logits = predict(model, X)[:, 0]
        target = torch.from_numpy(y)
        return {
            "accuracy": float(((logits > 0).float() == target).float().mean()),
            "bce": float(loss_fn("bce")(logits, target)),
        }


def _params(model: nn.Module) -> int:
    """sum(p.numel()) of one network: an Ensemble's first member (its members are alike)."""
    one = model.members[0] if isinstance(model, Ensemble) else model
    return sum(p.numel() for p in one.parameters())


def _constant_bce(y: np.ndarray, p: float) -> float:
    # BCE of always answering probability p: -mean(y log p + (1 - y) log(1 - p))
    return float(-np.mean(y * math.log(p) + (1 - y) * math.log(1 - p)))


# --- the race ------------------------------------------------------------------------------------


@dataclass
class RaceLog:
    """A race's state, filled in place while it runs (see the module docstring)."""

    runs: list[RunResult] = field(default_factory=list)
    current: dict | None = None  # cell, seed, hidden_size, spec, model, params, history
    plan: dict | None = None  # cells, seeds, runner, specs (per cell), once the race has started

    @property
    def reference(self) -> dict[str, float]:
        return dict(self.plan["runner"].reference) if self.plan else {}

    @property
    def loss(self) -> str:
        return self.plan["runner"].loss if self.plan else "mse"

    def curves(self) -> dict[str, list[list[dict]]]:
        """{cell: [history of each seed]}, the run in progress included."""
        cells = self.plan["cells"] if self.plan else CELLS
        return _curves(cells, self.runs, self.current)

    def result(self) -> RaceResult | None:
        """What the race has done; a run in progress with an epoch behind it is scored as it stands.

        None before the race has started.
        """
        if self.plan is None:
            return None
        cur, runner = self.current, self.plan["runner"]
        if cur is not None and cur["history"]:
            model = cur["model"].eval()
            metrics = runner.score(model, cur["spec"], cur["seed"], cur.get("exp"))
            n = len(cur["history"])
            self.runs.append(
                _run_result(cur, cur["history"], metrics, False, f"stopped after {n} epoch(s)")
            )
        self.current = None
        return RaceResult(
            runner.task.kind, self.plan["cells"], self.plan["seeds"], tuple(self.runs),
            dict(runner.baselines), dict(runner.reference), runner.loss, runner.probe,
            getattr(runner, "preprocessing", None),
        )  # fmt: skip


def _run_result(cur: dict, history, metrics, finished: bool, stopped: str) -> RunResult:
    history = tuple(history)
    return RunResult(
        cur["cell"], cur["seed"], cur["hidden_size"], cur["params"], history,
        epoch_seconds(history), metrics, finished, stopped, cur["model"],
    )  # fmt: skip


def _check_choices(cells, seeds) -> tuple[tuple[str, ...], tuple[int, ...]]:
    cells, seeds = tuple(cells), tuple(seeds)
    if not cells or any(c not in CELLS for c in cells) or len(set(cells)) != len(cells):
        raise TrainError(f"cells must be distinct names among {', '.join(CELLS)}; got {cells!r}.")
    if not 1 <= len(seeds) <= MAX_SEEDS or len(set(seeds)) != len(seeds):
        raise TrainError(f"Give 1 to {MAX_SEEDS} distinct seeds; got {seeds!r}.")
    seeds = tuple(check_whole("A seed", s, 0, MAX_SEED, error=TrainError) for s in seeds)
    return cells, seeds


def race(
    task: Task,
    base_spec: ModelSpec,
    cells: Sequence[str] = CELLS,
    seeds: Sequence[int] = (0,),
    *,
    train: TrainSpec | None = None,
    hidden: dict[str, int] | None = None,
    on_progress: Callable[[RaceProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    log: RaceLog | None = None,
) -> RaceResult:
    """Train every cell with every seed on ``task`` (seed by seed: RNN, LSTM, GRU, then the next seed).

    base_spec: the model settings; each cell gets them through budget.cell_spec, with its hidden
    size from ``hidden`` (e.g. budget.solve_budget's answer) when given. Input and head widths
    follow the task. train: shared optimiser settings (default TrainSpec()); its seed is replaced by each race seed.
    should_stop() is asked before every batch; once it says yes no further run starts.
    log: filled in place as the race goes, for a caller that may be interrupted.
    Raises DataError / TrainError / SpecError before the first run for unusable settings.
    """
    cells, seeds = _check_choices(cells, seeds)
    train = train if train is not None else TrainSpec()
    hidden = hidden or {}
    specs = {c: cell_spec(base_spec, c, hidden.get(c)) for c in cells}  # SpecError up front
    if isinstance(task, ForecastTask):
        runner = _ForecastRunner(task, base_spec, train)
    else:
        runner = _ClassificationRunner(task, base_spec, train)
    log = log if log is not None else RaceLog()
    log.runs.clear()
    log.current, log.plan = None, dict(cells=cells, seeds=seeds, runner=runner, specs=specs)
    asked = [False]

    def stop() -> bool:
        asked[0] = asked[0] or (should_stop is not None and bool(should_stop()))
        return asked[0]

    plan = [(s, c) for s in seeds for c in cells]
    for i, (seed, cell) in enumerate(plan):
        if stop():
            break
        spec = specs[cell]
        model = runner.build(spec, seed)
        params = _params(model)
        cur = dict(cell=cell, seed=seed, hidden_size=spec.hidden_size, spec=spec, model=model,
                   params=params, history=[])  # fmt: skip
        log.current = cur

        def report(p: Progress, cur=cur, i=i) -> None:
            if p.epoch_end:  # kept before the caller hears of it: the caller may be interrupted
                cur["history"].append(p.record())
            if on_progress is not None:
                on_progress(RaceProgress(cur["cell"], cur["seed"], i, len(plan), p))

        def candidate(exp, model, stage, cur=cur) -> None:
            # auto tries several preprocessings on the first run: follow the one training now
            # (its size too: the lookback, and so the linear skip, is chosen with them)
            cur.update(model=model, exp=exp, history=[], params=_params(model))

        fitted, metrics = runner.train_and_score(model, spec, seed, report, stop, candidate)
        history = fitted.history
        log.current = None
        if history:
            log.runs.append(_run_result(cur, history, metrics, not asked[0], fitted.stopped))
    return log.result()
