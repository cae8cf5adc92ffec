"""A whole forecasting experiment: windows -> model -> fit -> honest scores -> forecast past the end.

Honest means: the scaler is fitted on the training part only, every baseline is scored on exactly
the test windows the model is scored on (rolling origin: each test window is one forecast origin),
and MASE is scaled by the in-sample seasonal-naive error of the training part.

Strategies for a horizon of H steps:
    direct     the head outputs all H steps at once
    recursive  a one-step model is rolled forward, each prediction fed back as the next input
    seq2seq    an encoder reads the window, a decoder writes the H steps (``seq2seq.py``)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from rnnlib.baselines import BASELINES, detect_period, raw_history
from rnnlib.errors import DataError
from rnnlib.metrics import score
from rnnlib.models import build_model
from rnnlib.optim import split_gaussian
from rnnlib.seq2seq import Seq2SeqModel
from rnnlib.series import Series
from rnnlib.spec import ModelSpec
from rnnlib.training import FitResult, Progress, TrainSpec, fit, predict
from rnnlib.windows import Windows, WindowSpec, last_window, make_windows, target_index

STRATEGIES = ("direct", "recursive", "seq2seq")
# Two-sided normal quantiles for the central 80% and 95% intervals.
Z = {80: 1.2815515655446004, 95: 1.959963984540054}


@dataclass(frozen=True)
class ForecastSpec:
    strategy: str = "direct"  # "direct" | "recursive" | "seq2seq"
    gaussian: bool = False  # Gaussian head (mean and variance, NLL loss) -> 80% / 95% intervals
    period: int = 0  # season for seasonal naive and MASE; 0 = from the frequency or autocorrelation

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise DataError(
                f"Unknown strategy {self.strategy!r}: choose one of {', '.join(STRATEGIES)}."
            )
        if isinstance(self.period, bool) or not isinstance(self.period, int) or self.period < 0:
            raise DataError(
                f"period must be a whole number >= 0 (0 = detect), got {self.period!r}."
            )


@dataclass(frozen=True)
class Experiment:
    model: ModelSpec = ModelSpec()
    windows: WindowSpec = WindowSpec()
    train: TrainSpec = TrainSpec()
    forecast: ForecastSpec = ForecastSpec()

    def to_dict(self) -> dict:
        return {
            k: dataclasses.asdict(getattr(self, k))
            for k in ("model", "windows", "train", "forecast")
        }

    @classmethod
    def from_dict(cls, d: dict) -> Experiment:
        try:
            return cls(
                ModelSpec.from_dict(d["model"]), WindowSpec(**d["windows"]),
                TrainSpec(**d["train"]), ForecastSpec(**d["forecast"]),
            )  # fmt: skip
        except (KeyError, TypeError) as e:
            raise DataError(f"The experiment settings are incomplete or malformed ({e}).") from None


@dataclass
class ForecastResult:
    fit: FitResult | None  # None when restored from a checkpoint
    metrics: dict[str, dict[str, float]]  # "model", "naive", "seasonal_naive", "drift", "mean"
    test: (
        pd.DataFrame
    )  # long: origin, step, time, actual, model, [lower80 ...], one column per baseline
    future: pd.DataFrame  # time, forecast, [lower80, upper80, lower95, upper95]
    coverage: dict[int, float] | None  # empirical coverage of the 80/95% intervals on the test part
    period: int
    windows: Windows
    model: nn.Module
    experiment: Experiment


def model_spec_for(exp: Experiment, input_size: int) -> ModelSpec:
    """The Build page's spec with the input width of the data and the head width of the strategy.

    batch_first is forced on: windows are always (B, T, F), and the layout changes no weight.
    """
    per_step = 2 if exp.forecast.gaussian else 1
    steps = exp.windows.horizon if exp.forecast.strategy == "direct" else 1
    return exp.model.replace(input_size=input_size, output_size=per_step * steps, batch_first=True)


def build_forecaster(exp: Experiment, input_size: int, seed: int | None = None) -> nn.Module:
    spec = model_spec_for(exp, input_size)
    if exp.forecast.strategy == "seq2seq":
        if spec.bidirectional:
            raise DataError(
                "seq2seq needs a unidirectional model: turn bidirectional off on Build."
            )
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            return Seq2SeqModel(spec, exp.windows.horizon, exp.forecast.gaussian)
    return build_model(spec, seed=seed)


def prepare(series: Series, exp: Experiment) -> Windows:
    """Windows and the fitted scaler; raises DataError when the settings cannot work on this series."""
    if exp.forecast.strategy == "recursive" and series.features:
        raise DataError(
            "Recursive forecasting feeds predictions back as inputs, so it needs a univariate series: "
            "drop the extra feature columns or choose the direct or seq2seq strategy."
        )
    if exp.model.bidirectional and exp.forecast.strategy == "seq2seq":
        raise DataError("seq2seq needs a unidirectional model: turn bidirectional off on Build.")
    return make_windows(series.values(), exp.windows)


def run(
    series: Series,
    exp: Experiment,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    model: nn.Module | None = None,
) -> ForecastResult:
    """Train on the training part (early-stop on validation), then score on the test part.

    ``model`` (from ``build_forecaster``) lets a caller keep a handle on the weights being trained,
    e.g. a page whose run can be interrupted; by default a fresh one is built from the seed.
    """
    win = prepare(series, exp)
    if model is None:
        model = build_forecaster(exp, series.values().shape[1], seed=exp.train.seed)
    train_spec = exp.train.replace(loss="gaussian_nll" if exp.forecast.gaussian else exp.train.loss)
    one_step = exp.forecast.strategy == "recursive"
    tr, va = win.train, win.val
    target = (lambda y: y[:, :1]) if one_step else (lambda y: y)
    val = (torch.from_numpy(va.X), torch.from_numpy(target(va.y))) if len(va) else None
    result = fit(
        model, (torch.from_numpy(tr.X), torch.from_numpy(target(tr.y))), val, train_spec,
        on_progress=on_progress, should_stop=should_stop,
    )  # fmt: skip
    return evaluate(result.model, series, exp, win, result)


def forecast_windows(
    model: nn.Module, X: np.ndarray, exp: Experiment
) -> tuple[np.ndarray, np.ndarray | None]:
    """Scaled predictions for windows X (n, L, F): means (n, H) and variances (n, H) or None."""
    H, gaussian = exp.windows.horizon, exp.forecast.gaussian
    if exp.forecast.strategy != "recursive":
        out = predict(model, torch.from_numpy(X))
        return _split(out, gaussian)
    x = torch.from_numpy(X)
    means, variances = [], []
    for _ in range(H):
        mean, var = _split(predict(model, x), gaussian)
        means.append(mean[:, :1])
        if var is not None:
            variances.append(var[:, :1])
        # Slide the window one step: drop the oldest input, append the prediction.
        x = torch.cat([x[:, 1:], torch.from_numpy(mean[:, :1, None]).to(x.dtype)], dim=1)
    # Recursive variances only describe each one-step error, not the compounding: said in the UI.
    return np.concatenate(means, 1), (np.concatenate(variances, 1) if variances else None)


def _split(out: Tensor, gaussian: bool) -> tuple[np.ndarray, np.ndarray | None]:
    if not gaussian:
        return out.numpy(), None
    mean, var = split_gaussian(out)
    return mean.numpy(), var.numpy()


def evaluate(
    model: nn.Module, series: Series, exp: Experiment, win: Windows, fit_result=None
) -> ForecastResult:
    """Score on the test windows against the baselines and forecast one horizon past the end."""
    values = series.values()
    test, scaler, H = win.test, win.scaler, exp.windows.horizon
    n_train = win.boundaries[0]
    insample = values[:n_train, 0]
    # Detected on the training part alone (default max lag: a third of it), not capped at the
    # lookback: MASE needs the true season even when seasonal naive cannot see that far back.
    period = exp.forecast.period or detect_period(insample, series.frequency)
    mean_s, var_s = forecast_windows(model, test.X, exp)
    pred = scaler.inverse_target(mean_s)
    sd = None if var_s is None else np.sqrt(var_s) * scaler.scale[0]
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
    if sd is not None:
        coverage = {}
        for level, z in Z.items():
            lo, hi = pred - z * sd, pred + z * sd
            test_df[f"lower{level}"], test_df[f"upper{level}"] = lo.ravel(), hi.ravel()
            coverage[level] = float(np.mean((actual >= lo) & (actual <= hi)))
    future = _future(model, values, exp, win, times[len(values) :])
    return ForecastResult(fit_result, metrics, test_df, future, coverage, period, win, model, exp)


def _future(model, values, exp, win, future_times) -> pd.DataFrame:
    x = last_window(values, exp.windows, win.scaler)
    mean_s, var_s = forecast_windows(model, x, exp)
    df = pd.DataFrame({"time": future_times, "forecast": win.scaler.inverse_target(mean_s)[0]})
    if var_s is not None:
        sd = np.sqrt(var_s[0]) * win.scaler.scale[0]
        for level, z in Z.items():
            df[f"lower{level}"], df[f"upper{level}"] = (
                df["forecast"] - z * sd,
                df["forecast"] + z * sd,
            )
    return df


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
