"""Windowing, forecasting and training widgets, shared by Train and Compare; returns plain specs."""

from __future__ import annotations

import streamlit as st

from rnnlib.device import available_devices, describe_device
from rnnlib.forecasting import STRATEGIES, ForecastSpec
from rnnlib.optim import TrainSpec
from rnnlib.ui.links import KEEP
from rnnlib.windows import WindowSpec

LEARNING_RATES = [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]
W, T = WindowSpec(), TrainSpec()


def window_ui(prefix: str) -> WindowSpec:
    c1, c2, c3 = st.columns(3)
    lookback = c1.number_input(
        "lookback (input steps)", 2, 500, W.lookback, key=f"{prefix}lookback", **KEEP
    )
    horizon = c2.number_input(
        "horizon (steps ahead)", 1, 100, W.horizon, key=f"{prefix}horizon", **KEEP
    )
    stride = c3.number_input("stride", 1, 100, W.stride, key=f"{prefix}stride", **KEEP)
    val = c1.slider("validation share", 0.05, 0.4, W.val_fraction, 0.05, key=f"{prefix}val", **KEEP)
    test = c2.slider("test share", 0.05, 0.4, W.test_fraction, 0.05, key=f"{prefix}test", **KEEP)
    scaling = c3.selectbox(
        "scaling (fit on train only)",
        ["standard", "minmax", "none"],
        key=f"{prefix}scaling",
        **KEEP,
    )
    return WindowSpec(int(lookback), int(horizon), int(stride), float(val), float(test), scaling)


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
    return ForecastSpec(strategy=strategy, gaussian=gaussian, period=int(period))


def training_ui(prefix: str) -> TrainSpec:
    c1, c2, c3 = st.columns(3)
    optimizer = c1.selectbox(
        "optimizer", ["adam", "adamw", "sgd", "rmsprop"], key=f"{prefix}opt", **KEEP
    )
    lr = c2.select_slider("learning rate", LEARNING_RATES, T.lr, key=f"{prefix}lr", **KEEP)
    batch = c3.select_slider(
        "batch size", [8, 16, 32, 64, 128, 256], T.batch_size, key=f"{prefix}batch", **KEEP
    )
    epochs = c1.number_input("epochs", 1, 500, T.epochs, key=f"{prefix}epochs", **KEEP)
    patience = c2.number_input(
        "early-stop patience (0 = off)", 0, 100, 5, key=f"{prefix}patience", **KEEP
    )
    clip = c3.number_input(
        "clip grad norm (0 = off)", 0.0, 100.0, T.clip_grad, 0.5, key=f"{prefix}clip", **KEEP
    )
    schedule = c1.selectbox(
        "lr schedule", ["none", "cosine", "step", "plateau"], key=f"{prefix}schedule", **KEEP
    )
    decay = c2.number_input(
        "weight decay", 0.0, 0.1, 0.0, 0.0001, format="%.4f", key=f"{prefix}wd", **KEEP
    )
    seed = c3.number_input("seed", 0, 1_000_000, T.seed, key=f"{prefix}seed", **KEEP)
    device = c1.selectbox(
        "device", available_devices(), key=f"{prefix}device", **KEEP,
        help=f"auto picks a GPU when there is one; here: {describe_device()}. Tiny models often "
        "train as fast on the CPU.",
    )  # fmt: skip
    return TrainSpec(
        optimizer=optimizer, lr=float(lr), batch_size=int(batch), epochs=int(epochs), patience=int(patience),
        clip_grad=float(clip), schedule=schedule, weight_decay=float(decay), seed=int(seed), device=device,
    )  # fmt: skip
