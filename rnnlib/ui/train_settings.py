"""Windowing, forecasting and training widgets, shared by Train and Compare; returns plain specs."""

from __future__ import annotations

import streamlit as st

from rnnlib.device import available_devices, describe_device
from rnnlib.forecasting import MAX_ENSEMBLE, STRATEGIES, ForecastSpec
from rnnlib.optim import TrainSpec
from rnnlib.preprocess import AUTO, NORMALIZATION_TEXT, NORMALIZATIONS, TRANSFORM_TEXT, TRANSFORMS
from rnnlib.ui.links import KEEP
from rnnlib.windows import WindowSpec

LEARNING_RATES = [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]
WINDOWS, TRAINING = WindowSpec(), TrainSpec()
NORMALIZE_HELP = "auto: try a few and keep the best on validation. " + "; ".join(
    f"{k}: {v}" for k, v in NORMALIZATION_TEXT.items()
)
TRANSFORM_HELP = "auto: try a few and keep the best on validation. " + "; ".join(
    f"{k}: {v}" for k, v in TRANSFORM_TEXT.items()
)


def window_ui(prefix: str) -> WindowSpec:
    c1, c2, c3 = st.columns(3)
    lookback = c1.number_input(
        "lookback (0 = two seasons)", 0, 500, WINDOWS.lookback, key=f"{prefix}lookback", **KEEP,
        help="Input steps per window; 0 chooses two seasons of the detected season, capped by "
        "the length of the training part.",
    )  # fmt: skip
    horizon = c2.number_input(
        "horizon (steps ahead)", 1, 100, WINDOWS.horizon, key=f"{prefix}horizon", **KEEP
    )
    stride = c3.number_input("stride", 1, 100, WINDOWS.stride, key=f"{prefix}stride", **KEEP)
    val = c1.slider(
        "validation share", 0.05, 0.4, WINDOWS.val_fraction, 0.05, key=f"{prefix}val", **KEEP
    )
    test = c2.slider(
        "test share", 0.05, 0.4, WINDOWS.test_fraction, 0.05, key=f"{prefix}test", **KEEP
    )
    scaling = c3.selectbox(
        "scaling (fit on train only)",
        ["standard", "minmax", "none"],
        key=f"{prefix}scaling",
        **KEEP,
        help="The global scaler: for extra features always, for the target when normalize is global.",
    )
    normalize = c1.selectbox(
        "normalize (target)", [AUTO, *NORMALIZATIONS], key=f"{prefix}normalize", **KEEP,
        help=NORMALIZE_HELP,
    )  # fmt: skip
    transform = c2.selectbox(
        "transform (target)", [AUTO, *TRANSFORMS], key=f"{prefix}transform", **KEEP,
        help=TRANSFORM_HELP,
    )  # fmt: skip
    return WindowSpec(
        int(lookback), int(horizon), int(stride), float(val), float(test), scaling,
        normalize, transform,
    )  # fmt: skip


def forecast_ui(prefix: str) -> ForecastSpec:
    c1, c2, c3 = st.columns(3)
    strategy = c1.selectbox(
        "multi-step strategy", list(STRATEGIES), key=f"{prefix}strategy", **KEEP,
        help="direct: the head outputs every step; recursive: one step fed back; seq2seq: encoder–decoder.",
    )  # fmt: skip
    period = c2.number_input(
        "season (0 = detect)", 0, 500, 0, key=f"{prefix}period", **KEEP,
        help="Used by the seasonal-naive baseline and MASE; detected from the data, else the frequency.",
    )  # fmt: skip
    gaussian = c3.toggle(
        "intervals (Gaussian head)", False, key=f"{prefix}gaussian", **KEEP,
        help="The head predicts a mean and a variance, trained by NLL: 80% and 95% intervals.",
    )  # fmt: skip
    ensemble = c1.number_input(
        "ensemble (0 = from the data)", 0, MAX_ENSEMBLE, 0, key=f"{prefix}ensemble", **KEEP,
        help="Train this many models from consecutive seeds and forecast their median; 0: three "
        "for a small series, one for a long one.",
    )  # fmt: skip
    skip = c2.toggle(
        "linear skip", True, key=f"{prefix}skip", **KEEP,
        help="Add a linear map of the window's own values to the network's forecast (LSTNet's "
        "autoregressive part): the network learns what a linear forecast misses. Not in seq2seq.",
    )  # fmt: skip
    return ForecastSpec(strategy, gaussian, int(period), int(ensemble), skip=skip)


def training_ui(prefix: str) -> TrainSpec:
    auto = st.toggle(
        "epochs, early stopping and lr schedule from the data", True, key=f"{prefix}auto", **KEEP,
        help="About 600 optimiser steps whatever the series' length, early stopping on the "
        "validation loss, learning rate halved on a plateau. Off: the three settings below.",
    )  # fmt: skip
    c1, c2, c3 = st.columns(3)
    optimizer = c1.selectbox(
        "optimizer", ["adam", "adamw", "sgd", "rmsprop"], key=f"{prefix}opt", **KEEP
    )
    lr = c2.select_slider("learning rate", LEARNING_RATES, TRAINING.lr, key=f"{prefix}lr", **KEEP)
    batch = c3.select_slider(
        "batch size", [8, 16, 32, 64, 128, 256], TRAINING.batch_size, key=f"{prefix}batch", **KEEP
    )
    epochs = c1.number_input(
        "epochs", 1, 500, TRAINING.epochs, key=f"{prefix}epochs", disabled=auto, **KEEP
    )
    patience = c2.number_input(
        "early-stop patience (0 = off)", 0, 100, 5, key=f"{prefix}patience", disabled=auto, **KEEP
    )
    clip = c3.number_input(
        "clip grad norm (0 = off)", 0.0, 100.0, TRAINING.clip_grad, 0.5, key=f"{prefix}clip", **KEEP
    )
    schedule = c1.selectbox(
        "lr schedule", ["none", "cosine", "step", "plateau"], key=f"{prefix}schedule",
        disabled=auto, **KEEP,
    )  # fmt: skip
    decay = c2.number_input(
        "weight decay", 0.0, 0.1, 0.0, 0.0001, format="%.4f", key=f"{prefix}wd", **KEEP
    )
    seed = c3.number_input("seed", 0, 1_000_000, TRAINING.seed, key=f"{prefix}seed", **KEEP)
    device = c1.selectbox(
        "device", available_devices(), key=f"{prefix}device", **KEEP,
        help=f"auto picks a GPU when there is one; here: {describe_device()}. Tiny models often "
        "train as fast on the CPU.",
    )  # fmt: skip
    loss = c2.selectbox(
        "loss", ["mse", "mae"], key=f"{prefix}loss", **KEEP,
        help="What training minimises: mse (squared error), or mae (absolute error: the score the "
        "forecast is judged by, and less pulled by outliers). A Gaussian head trains by its "
        "likelihood instead.",
    )  # fmt: skip
    return TrainSpec(
        optimizer=optimizer, lr=float(lr), batch_size=int(batch), epochs=int(epochs), patience=int(patience),
        clip_grad=float(clip), schedule=schedule, weight_decay=float(decay), seed=int(seed), device=device,
        auto=bool(auto), loss=loss,
    )  # fmt: skip
