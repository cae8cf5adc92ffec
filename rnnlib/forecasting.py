"""A whole forecasting experiment: windows -> model -> fit -> honest scores -> forecast past the end.

Honest means: the scaler is fitted on the training part only, every baseline is scored on exactly
the test windows the model is scored on (rolling origin: each test window is one forecast origin),
and MASE is scaled by the in-sample seasonal-naive error of the training part.

The target is preprocessed (``preprocess.py``: a transform, then a per-window or global
normalisation) and every forecast is mapped back to original units before it is scored. With
``auto`` (the default) a few preprocessing candidates are trained and the simplest whose validation
MAE in original units is near the lowest is kept (`defaults.choose`; a short series is scored on
several rolling-origin folds); the test part is never read to choose.

Strategies for a horizon of H steps:
    direct     the head outputs all H steps at once
    recursive  a one-step model is rolled forward, each prediction fed back as the next input
    seq2seq    an encoder reads the window, a decoder writes the H steps (``seq2seq.py``)
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from rnnlib.baselines import BASELINES, detect_period, raw_history
from rnnlib.defaults import choose, describe, plan
from rnnlib.errors import DataError
from rnnlib.metrics import score
from rnnlib.models import SkipModel, build_model
from rnnlib.optim import split_gaussian
from rnnlib.seq2seq import Seq2SeqModel
from rnnlib.series import Series
from rnnlib.spec import ModelSpec
from rnnlib.training import FitResult, Progress, TrainSpec, fit, intra_op_threads, predict
from rnnlib.windows import (
    Split,
    Windows,
    WindowSpec,
    fold_windows,
    last_window,
    make_windows,
    split_boundaries,
    target_index,
)

STRATEGIES = ("direct", "recursive", "seq2seq")
MAX_ENSEMBLE = 9
# Two-sided normal quantiles for the central 80% and 95% intervals.
NORMAL_QUANTILES = {80: 1.2815515655446004, 95: 1.959963984540054}


@dataclass(frozen=True)
class ForecastSpec:
    strategy: str = "direct"  # "direct" | "recursive" | "seq2seq"
    gaussian: bool = False  # Gaussian head (mean and variance, NLL loss) -> 80% / 95% intervals
    period: int = 0  # season for seasonal naive and MASE; 0 = from the frequency or autocorrelation
    ensemble: int = 0  # k models from seeds seed..seed+k-1, median forecast; 0 = from the data
    # After the choice, train the chosen settings once more on the training AND validation rows
    # (for the epochs that were best), so the forecast learns from the most recent data too. In
    # a resolved experiment (a result's), True means the model was refit that way.
    refit: bool = True
    # A linear map of the window's target values added to the network's forecast (models.SkipModel,
    # LSTNet's autoregressive part), direct and recursive strategies; seq2seq's decoder has none.
    skip: bool = True

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise DataError(
                f"Unknown strategy {self.strategy!r}: choose one of {', '.join(STRATEGIES)}."
            )
        if isinstance(self.period, bool) or not isinstance(self.period, int) or self.period < 0:
            raise DataError(
                f"period must be a whole number >= 0 (0 = detect), got {self.period!r}."
            )
        for name in ("refit", "skip"):
            if not isinstance(getattr(self, name), bool):
                raise DataError(f"{name} must be true or false, got {getattr(self, name)!r}.")
        k = self.ensemble
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= MAX_ENSEMBLE:
            raise DataError(
                f"ensemble must be a whole number from 0 to {MAX_ENSEMBLE} (0 = from the data, "
                f"1 = one model), got {k!r}."
            )


@dataclass(frozen=True)
class Experiment:
    model: ModelSpec = ModelSpec()
    windows: WindowSpec = WindowSpec()  # lookback, normalize and transform from the data
    train: TrainSpec = TrainSpec(auto=True)  # epochs, patience and schedule from the data
    forecast: ForecastSpec = ForecastSpec()

    @property
    def resolved(self) -> bool:
        """True when nothing is left to choose from the data."""
        return self.windows.resolved and not self.train.auto and self.forecast.ensemble > 0

    def to_dict(self) -> dict:
        return {
            k: dataclasses.asdict(getattr(self, k))
            for k in ("model", "windows", "train", "forecast")
        }

    @classmethod
    def from_dict(cls, d: dict) -> Experiment:
        """Inverse of to_dict. Settings saved before preprocessing existed mean what they did
        then: the global scaler, no transform, explicit epochs, no refit, no linear skip."""
        try:
            windows = {"normalize": "global", "transform": "none", **d["windows"]}
            forecast = {"refit": False, "ensemble": 1, "skip": False, **d["forecast"]}
            return cls(
                ModelSpec.from_dict(d["model"]), WindowSpec(**windows),
                TrainSpec(**d["train"]), ForecastSpec(**forecast),
            )  # fmt: skip
        except (KeyError, TypeError) as e:
            raise DataError(f"The experiment settings are incomplete or malformed ({e}).") from None


@dataclass(frozen=True)
class Candidate:
    """One preprocessing tried by `run`, scored on the validation part."""

    normalize: str
    transform: str
    val_mae: float  # validation MAE in original units (NaN without a validation part)
    epochs: int  # epochs trained, over all folds
    seconds: float
    folds: int = 1  # rolling-origin folds val_mae is the mean of (1: the validation part alone)


@dataclass(frozen=True)
class Preprocessing:
    """What `run` chose for the target and why: shown under the result and saved with it."""

    normalize: str
    transform: str
    candidates: tuple[Candidate, ...] = ()  # every pair tried, in order (one when none was auto)
    reasons: tuple[str, ...] = ()  # one sentence per setting chosen from the data

    @property
    def text(self) -> str:
        return describe(self.normalize, self.transform)

    @property
    def reasons_text(self) -> str:
        return "; ".join(self.reasons) or "nothing left to choose"

    def to_dict(self) -> dict:
        """Plain JSON (a NaN score, from a run without a validation part, becomes null)."""
        d = dataclasses.asdict(self)
        for c in d["candidates"]:
            c["val_mae"] = None if math.isnan(c["val_mae"]) else c["val_mae"]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Preprocessing:
        cands = tuple(
            Candidate(**{**c, "val_mae": math.nan if c["val_mae"] is None else float(c["val_mae"])})
            for c in d.get("candidates", ())
        )
        return cls(str(d["normalize"]), str(d["transform"]), cands, tuple(d.get("reasons", ())))


@dataclass
class ForecastResult:
    fit: FitResult | None  # None when restored from a checkpoint
    metrics: dict[str, dict[str, float]]  # "model", "naive", "seasonal_naive", "drift", "mean"
    # long: origin, step, time, actual, model, [lower80 ...], one column per baseline
    test: pd.DataFrame
    future: pd.DataFrame  # time, forecast, [lower80, upper80, lower95, upper95]
    coverage: dict[int, float] | None  # empirical coverage of the 80/95% intervals on the test part
    period: int
    windows: Windows
    model: nn.Module
    experiment: Experiment  # resolved: the settings that made this forecast, autos filled in
    preprocessing: Preprocessing | None = None
    requested: Experiment | None = None  # as given, autos included (None: same as experiment)


def model_spec_for(exp: Experiment, input_size: int) -> ModelSpec:
    """The Build page's spec with the input width of the data and the head width of the strategy.

    batch_first is forced on: windows are always (B, T, F), and the layout changes no weight.
    """
    per_step = 2 if exp.forecast.gaussian else 1
    steps = exp.windows.horizon if exp.forecast.strategy == "direct" else 1
    return exp.model.replace(input_size=input_size, output_size=per_step * steps, batch_first=True)


def build_forecaster(exp: Experiment, input_size: int, seed: int | None = None) -> nn.Module:
    """The model `exp` trains: one network, or an Ensemble of exp.forecast.ensemble of them."""
    k = exp.forecast.ensemble
    if k > 1:
        base = exp.train.seed if seed is None else seed
        one = dataclasses.replace(exp, forecast=dataclasses.replace(exp.forecast, ensemble=1))
        return Ensemble([build_forecaster(one, input_size, base + i) for i in range(k)])
    spec = model_spec_for(exp, input_size)
    if exp.forecast.strategy == "seq2seq":
        if spec.bidirectional:
            raise DataError(
                "seq2seq needs a unidirectional model: turn bidirectional off on Build."
            )
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            return _from_zero(Seq2SeqModel(spec, exp.windows.horizon, exp.forecast.gaussian))
    # (lookback 0 is still to be chosen from the data: no skip can be sized yet, and `run`
    # builds the model it trains once the lookback is known)
    skip = None
    if exp.forecast.skip and exp.windows.lookback > 0:
        skip = (exp.windows.lookback, spec.output_size // (2 if exp.forecast.gaussian else 1))
    return _from_zero(build_model(spec, seed=seed, skip=skip))


def _from_zero(model: nn.Module) -> nn.Module:
    """Zero the head (and the linear skip), so an untrained forecaster outputs 0 in normalised
    units: the value its normalisation centres each window on (the last value, the window's mean
    or median). Training then learns the departure from that simple forecast instead of starting
    from random noise, which matters on short series that give only a few dozen windows to learn
    from."""
    with torch.no_grad():
        for p in model.head.parameters():
            p.zero_()
        if isinstance(model, SkipModel):
            for p in model.skip.parameters():
                p.zero_()
    return model


class Ensemble(nn.Module):
    """k forecasters trained from different seeds; the output is their element-wise median.

    The median (not the mean) so one member that went astray does not drag the forecast. For a
    Gaussian head the means and the raw variances each take the median: an approximation.
    """

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: Tensor) -> Tensor:
        return torch.stack([m(x) for m in self.members]).median(dim=0).values


def prepare(series: Series, exp: Experiment) -> Windows:
    """Windows for `exp` (its first candidate when something is auto); DataError when the settings
    cannot work on this series."""
    _check_fits(series, exp)
    return windows_for(series, _with_forecast(plan(series, exp).candidates[0], refit=False))


def windows_for(series: Series, exp: Experiment) -> Windows:
    """Windows of a resolved experiment; a refit one trains on the validation rows too."""
    spec = exp.windows.replace(val_fraction=0.0) if exp.forecast.refit else exp.windows
    return make_windows(series.values(), spec, exp.forecast.period or 1)


def _check_fits(series: Series, exp: Experiment) -> None:
    if exp.forecast.strategy == "recursive" and series.features:
        raise DataError(
            "Recursive forecasting feeds predictions back as inputs, so it needs a univariate series: "
            "drop the extra feature columns or choose the direct or seq2seq strategy."
        )
    if exp.model.bidirectional and exp.forecast.strategy == "seq2seq":
        raise DataError("seq2seq needs a unidirectional model: turn bidirectional off on Build.")


def run(
    series: Series,
    exp: Experiment,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    model: nn.Module | None = None,
    on_candidate: Callable[[Experiment, nn.Module, Stage], None] | None = None,
) -> ForecastResult:
    """Train on the training part (early-stop on validation), then score on the test part.

    Settings left to the data are chosen by `defaults.plan`; with several preprocessing
    candidates each is trained (one model each when an ensemble will be refitted) on each
    cross-validation fold, and the one `defaults.choose` keeps by validation MAE is scored,
    after training it again on the training and validation rows (ForecastSpec.refit) as the ensemble planned. ``model`` (from
    ``build_forecaster``) lets a caller keep a handle on the weights being trained when there is
    one candidate; ``on_candidate(exp, model, stage)`` is told of every model before it trains,
    e.g. by a page whose run can be interrupted.
    """
    _check_fits(series, exp)
    with intra_op_threads(exp.train.threads):
        return _run(series, exp, on_progress, should_stop, model, on_candidate)


def _run(series, exp, on_progress, should_stop, model, on_candidate) -> ForecastResult:
    p = plan(series, exp)
    tried, trained = [], []
    members = p.candidates[0].forecast.ensemble
    for k, planned in enumerate(p.candidates):
        start = time.perf_counter()
        cand = _with_forecast(
            planned, refit=False
        )  # candidates keep their validation part to be compared
        win = windows_for(series, cand)
        if members > 1 and planned.forecast.refit and len(win.val):
            # Compared with one model each; the ensemble is trained once, by the refit below, for
            # the settings chosen. On the quality benchmark this chose as well (MAE / AutoETS
            # 0.97, 0.99, 0.94 for seeds 0-2, against 1.01, 0.99, 0.95) in a third of the time.
            cand = _with_forecast(cand, ensemble=1)
        # the caller's model, when it is the one to train: built for the lookback now chosen
        same = len(p.candidates) == 1 and cand.windows.lookback == exp.windows.lookback
        net = model if model is not None and same else None
        if net is None:
            net = build_forecaster(cand, series.frame.shape[1], seed=cand.train.seed)
        stage = Stage(k + 1, len(p.candidates), cand.windows.normalize, cand.windows.transform)
        fitted, score_, epochs = _cross_validate(
            series, cand, net, win, p.folds, stage, on_progress, should_stop, on_candidate
        )
        tried.append(Candidate(stage.normalize, stage.transform, score_, epochs,
                               time.perf_counter() - start, p.folds))  # fmt: skip
        trained.append((cand, win, net, fitted))
        if should_stop is not None and should_stop():
            break  # stopped by the caller: score the best candidate so far
    cand, win, net, fitted = trained[choose([c.val_mae for c in tried])]
    stopped = should_stop is not None and should_stop()
    if exp.forecast.refit and len(win.val) and fitted.best_epoch > 0 and not stopped:
        cand, win, net, fitted = _refit(
            series,
            _with_forecast(cand, ensemble=members),
            fitted,
            on_progress,
            should_stop,
            on_candidate,
        )
    pre = Preprocessing(cand.windows.normalize, cand.windows.transform, tuple(tried), p.reasons)
    result = evaluate(net, series, cand, win, fitted)
    return dataclasses.replace(result, preprocessing=pre, requested=exp)


def _cross_validate(series, cand, net, win, folds, stage, on_progress, should_stop, on_candidate):
    """Train `net` on fold 0 (the split itself: `win`), then a fresh network like it on each earlier
    fold, and score each on its fold's validation windows (defaults.MIN_VAL_ORIGINS says why and
    when there are several folds).

    Fold f's windows end where its validation part ends, so no fold reads a row after its own
    validation part, and none reads the test part. Returns (fold 0's FitResult: its curve, best
    epoch and model `net`), the mean validation MAE over the folds, and the epochs over all folds).
    """
    values = series.values()
    scores, fitted, epochs = [], None, 0
    for f in range(folds):
        if f:
            win = fold_windows(values, cand.windows, cand.forecast.period or 1, f)
        model = net if f == 0 else build_forecaster(cand, values.shape[1], seed=cand.train.seed)
        if on_candidate is not None:
            on_candidate(cand, model, dataclasses.replace(stage, fold=f + 1, folds=folds))
        done = train_candidate(model, win, cand, on_progress, should_stop)
        fitted = fitted or done
        epochs += len(done.history)
        scores.append(val_mae(model, values[: win.boundaries[1]], win, cand))
        if should_stop is not None and should_stop():
            break
    return fitted, float(np.mean(scores)), epochs


def _with_forecast(exp: Experiment, **changes) -> Experiment:
    """exp with some ForecastSpec fields changed (refit, ensemble)."""
    return dataclasses.replace(exp, forecast=dataclasses.replace(exp.forecast, **changes))


def _refit(series, cand, fitted, on_progress, should_stop, on_candidate):
    """The chosen settings trained again on training + validation rows for its best epoch count.

    Returns (experiment, windows, model, FitResult); the FitResult keeps the chosen candidate's
    loss history (with its validation curve) and says what happened after it.
    """
    epochs = fitted.best_epoch
    final = _with_forecast(cand, refit=True)
    final = dataclasses.replace(final, train=final.train.replace(epochs=epochs, patience=0))
    win = windows_for(series, final)
    net = build_forecaster(final, series.frame.shape[1], seed=final.train.seed)
    if on_candidate is not None:
        stage = Stage(1, 1, cand.windows.normalize, cand.windows.transform, refit=True)
        on_candidate(final, net, stage)
    again = train_candidate(net, win, final, on_progress, should_stop)
    note = (
        f"; then trained again on the training and validation rows for {len(again.history)} epochs"
    )
    kept = dataclasses.replace(
        fitted, model=net, stopped=fitted.stopped + note, device=again.device
    )
    return final, win, net, kept


@dataclass(frozen=True)
class Stage:
    """Which candidate is training: shown beside the progress bar."""

    index: int  # 1-based
    count: int
    normalize: str
    transform: str
    refit: bool = False  # the chosen settings, trained again with the validation rows
    fold: int = 1  # 1-based: 1 is the validation part itself, k is k - 1 stretches earlier
    folds: int = 1

    @property
    def text(self) -> str:
        if self.refit:
            return "final fit on training + validation rows"
        if self.count == 1:
            return ""
        fold = f", fold {self.fold}/{self.folds}" if self.folds > 1 else ""
        return f"candidate {self.index}/{self.count}: {self.normalize} · {self.transform}{fold}"


def train_candidate(
    model: nn.Module, win: Windows, exp: Experiment, on_progress=None, should_stop=None
) -> FitResult:
    """fit `model` (a forecaster, or an Ensemble whose members fit one after another) on `win`."""
    train_spec = exp.train.replace(loss="gaussian_nll" if exp.forecast.gaussian else exp.train.loss)
    one_step = exp.forecast.strategy == "recursive"
    tr, va = win.train, win.val
    target = (lambda y: y[:, :1]) if one_step else (lambda y: y)
    val = (torch.from_numpy(va.X), torch.from_numpy(target(va.y))) if len(va) else None
    data = (torch.from_numpy(tr.X), torch.from_numpy(target(tr.y)))
    if not isinstance(model, Ensemble):
        return fit(model, data, val, train_spec, on_progress=on_progress, should_stop=should_stop)
    fits = [
        fit(m, data, val, train_spec.replace(seed=train_spec.seed + i), on_progress, should_stop)
        for i, m in enumerate(model.members)
    ]
    # The ensemble's history is its first member's; the others trained the same way.
    return dataclasses.replace(fits[0], model=model)


def val_mae(model: nn.Module, values: np.ndarray, win: Windows, exp: Experiment) -> float:
    """MAE of the model's forecasts on the validation windows, in original units (NaN if none)."""
    if len(win.val) == 0:
        return math.nan
    point, _ = forecast_original(model, values, win, win.val, exp)
    actual = values[target_index(win.val.origin, exp.windows.horizon), 0]
    return float(np.mean(np.abs(point - actual)))


def forecast_windows(
    model: nn.Module, split: Split, win: Windows, exp: Experiment
) -> tuple[np.ndarray, np.ndarray | None]:
    """Forecasts for the windows of `split` in TRANSFORMED units: means (n, H), variances or None.

    The model works on normalised values; each window's center and scale map them back.
    """
    H, gaussian = exp.windows.horizon, exp.forecast.gaussian
    c, s = split.center[:, None], split.scale[:, None]
    if exp.forecast.strategy != "recursive":
        mean, var = _split(predict(model, torch.from_numpy(split.X)), gaussian)
        # z = x̃ · s + c + p (the window's profile on its targets), var_z = var · s²
        return mean * s + c + split.target_offset, None if var is None else var * s**2
    # Recursive: roll the window forward in transformed units, normalising it anew at each step,
    # so a window statistic always describes the window the model is reading.
    z = split.target_inputs()
    means, variances = [], []
    for _ in range(H):
        ck, sk = win.target_stats(z)
        p_in, p_next = win.target_profile(z, 1)
        x = ((z - ck[:, None] - p_in) / sk[:, None])[:, :, None].astype(np.float32)
        mean, var = _split(predict(model, torch.from_numpy(x)), gaussian)
        z_next = mean[:, 0] * sk + ck + p_next[:, 0]
        means.append(z_next)
        if var is not None:
            variances.append(var[:, 0] * sk**2)
        # Slide the window one step: drop the oldest input, append the prediction.
        z = np.concatenate([z[:, 1:], z_next[:, None]], axis=1)
    # Recursive variances only describe each one-step error, not the compounding: said in the UI.
    return np.stack(means, 1), (np.stack(variances, 1) if variances else None)


def forecast_original(
    model: nn.Module, values: np.ndarray, win: Windows, split: Split, exp: Experiment
) -> tuple[np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]] | None]:
    """Point forecasts (n, H) in original units, and {80: (lo, hi), 95: ...} for a Gaussian head."""
    z_mean, z_var = forecast_windows(model, split, win, exp)
    mean, var = win.transform.accumulate(z_mean, z_var, values[:, 0], split.origin)
    point = win.transform.point(mean)
    if var is None:
        return point, None
    return point, {
        level: win.transform.bounds(mean, var, z) for level, z in NORMAL_QUANTILES.items()
    }


def _split(out: Tensor, gaussian: bool) -> tuple[np.ndarray, np.ndarray | None]:
    if not gaussian:
        return out.numpy().astype(np.float64), None
    mean, var = split_gaussian(out)
    return mean.numpy().astype(np.float64), var.numpy().astype(np.float64)


def evaluate(
    model: nn.Module, series: Series, exp: Experiment, win: Windows, fit_result=None
) -> ForecastResult:
    """Score on the test windows against the baselines and forecast one horizon past the end."""
    values = series.values()
    test, H = win.test, exp.windows.horizon
    # The split as asked (a refit model's windows have no validation part): MASE's in-sample
    # scale stays the training part's, whatever the model trained on.
    n_train = split_boundaries(len(values), exp.windows)[0]
    insample = values[:n_train, 0]
    # Detected on the training part alone (default max lag: a third of it), not capped at the
    # lookback: MASE needs the true season even when seasonal naive cannot see that far back.
    period = exp.forecast.period or detect_period(insample, series.frequency)
    pred, bounds = forecast_original(model, values, win, test, exp)
    actual = values[target_index(test.origin, H), 0]  # (n, H) in original units
    history = raw_history(values, test.origin, exp.windows.lookback)
    preds = {"model": pred}
    for name, baseline in BASELINES.items():
        if name == "seasonal_naive" and period > exp.windows.lookback:
            continue  # cannot look a whole season back from inside the window
        preds[name] = baseline(history, H, period)
    metrics = {name: score(actual, p, insample, m=period) for name, p in preds.items()}
    times = _times(series.frame.index, series.frequency, len(values) + H)
    idx = target_index(test.origin, H)
    test_df = pd.DataFrame({
        "origin": np.repeat(times[test.origin], H), "step": np.tile(np.arange(1, H + 1), len(test)),
        "time": times[idx.ravel()], "actual": actual.ravel(),
        **{name: p.ravel() for name, p in preds.items()},
    })  # fmt: skip
    coverage = None
    if bounds is not None:
        coverage = {}
        for level, (lo, hi) in bounds.items():
            test_df[f"lower{level}"], test_df[f"upper{level}"] = lo.ravel(), hi.ravel()
            coverage[level] = float(np.mean((actual >= lo) & (actual <= hi)))
    future = _future(model, values, exp, win, times[len(values) :])
    return ForecastResult(fit_result, metrics, test_df, future, coverage, period, win, model, exp)


def _future(model, values, exp, win, future_times) -> pd.DataFrame:
    point, bounds = forecast_original(model, values, win, last_window(values, win), exp)
    df = pd.DataFrame({"time": future_times, "forecast": point[0]})
    for level, (lo, hi) in (bounds or {}).items():
        df[f"lower{level}"], df[f"upper{level}"] = lo[0], hi[0]
    return df


def window_as_seen(result: ForecastResult, series: Series, i: int = -1) -> dict:
    """Test window i in original units and as the model reads it (target channel only).

    {"time_in", "time_out": stamps; "raw_in" (L,), "raw_out" (H,): original units;
     "model_in" (L,), "model_out" (H,): transformed and normalised, what the network trains on;
     "profile" (L + H,) or None: the window's own trend and season ("season" with no transform),
     in original units, the line a network that outputs 0 forecasts}
    """
    test, H, L = (
        result.windows.test,
        result.experiment.windows.horizon,
        result.windows.spec.lookback,
    )
    values = series.values()[:, 0]
    o = int(test.origin[i])
    index = series.frame.index
    return {
        "time_in": index[o - L : o], "time_out": index[o : o + H],
        "raw_in": values[o - L : o], "raw_out": values[o : o + H],
        "model_in": test.X[i, :, 0].astype(np.float64), "model_out": test.y[i].astype(np.float64),
        "profile": _profile(result, i),
    }  # fmt: skip


def _profile(result: ForecastResult, i: int) -> np.ndarray | None:
    """Test window i's profile in original units, when it has one there (see window_as_seen)."""
    win = result.windows
    if win.spec.normalize != "season" or win.transform.kind != "none":
        return None
    return win.test.center[i] + win.test.offset[i]


def _times(index: pd.Index, frequency: str | None, n: int) -> pd.Index:
    """The series' own time stamps extended past its end to n stamps, by its frequency."""
    extra = n - len(index)
    if not isinstance(index, pd.DatetimeIndex):
        return pd.RangeIndex(n, name="step")
    if frequency:
        ahead = pd.date_range(index[-1], periods=extra + 1, freq=frequency)[1:]
    else:  # irregular: step by the median gap, the least surprising guess
        gap = pd.Series(index).diff().median()
        ahead = pd.DatetimeIndex([index[-1] + gap * (k + 1) for k in range(extra)])
    return index.append(ahead.rename(index.name))
