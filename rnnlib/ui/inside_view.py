"""Widgets and session state for the Inside page: which model and window to look at, and the two
measured experiments (gradient reach, memory lab), whose results are kept in session state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st
from torch import nn

from rnnlib.figures.inside import bptt_heatmaps
from rnnlib.forecasting import Ensemble
from rnnlib.labs.bptt_view import backward_latex, backward_record, backward_step
from rnnlib.labs.inside import InsideError, sine_windows
from rnnlib.labs.memory_lab import LabSpec, QuickTrain, memory_lab
from rnnlib.labs.reach import REACH_TASKS, reach_experiment
from rnnlib.models import build_model
from rnnlib.params import total_params
from rnnlib.spec import CELLS
from rnnlib.ui.links import KEEP
from rnnlib.ui.session import current_spec, page_result

MAX_FRESH_PARAMS = 2_000_000  # a Build spec above this takes seconds to build and to record
DELAY_CHOICES = (0, 1, 2, 3, 5, 8, 10, 15, 20, 30, 40)
QUICK = QuickTrain()


@dataclass(frozen=True, eq=False)
class Source:
    """A model to look inside and the windows it reads: (n, T, I), in the units it was trained on."""

    model: nn.Module
    windows: np.ndarray
    label: str  # for the page: what this model is
    window_label: str  # what a window is, e.g. "test window"


def session_sources() -> dict[str, Source]:
    """Models other pages left in session state: the Train page's result and the Compare race's.

    Any model with an rnnlib core (``.rnn``) and windows shaped (n, T, I) can be added here:
    everything downstream takes a Source, whatever page it came from.
    """
    sources = {}
    outcome = page_result("train")
    if outcome is not None:
        result = outcome.result
        win = result.windows
        parts = [(win.test, "test"), (win.val, "validation"), (win.train, "training")]
        part, name = next(((s, n) for s, n in parts if len(s)), parts[0])
        spec, model = result.experiment.model, result.model
        label = f"the {spec.cell.upper()} trained on the Train page ({outcome.stopped})"
        if isinstance(model, Ensemble):  # its members share one architecture: look at the first
            model = model.members[0]
            label += f"; the first of its {result.experiment.forecast.ensemble} ensemble members"
        seen = "normalised" if result.preprocessing is None else result.preprocessing.normalize
        sources["trained"] = Source(model, part.X, label, f"{name} window ({seen})")
    race = page_result("compare")
    if race is not None and race.probe is not None and len(race.probe):
        several = len(race.seeds) > 1
        for run in race.runs:
            if run.model is not None:
                model = run.model.members[0] if isinstance(run.model, Ensemble) else run.model
                name = f"Race: {run.cell.upper()}" + (f" s{run.seed}" if several else "")
                label = (
                    f"the {run.cell.upper()} from the Compare race (seed {run.seed}; {run.stopped})"
                )
                sources[name] = Source(model, race.probe, label, "test window (scaled)")
    return sources


def fresh_source(prefix: str, length: int) -> Source:
    """An untrained model from the Build page's spec (one input, one output) on sine windows.

    Kept in session state per spec, so moving a slider does not rebuild it.
    """
    spec = current_spec().replace(input_size=1, output_size=1)
    if total_params(spec) > MAX_FRESH_PARAMS:
        raise InsideError(
            f"The Build page's model has {total_params(spec):,} parameters, more than the "
            f"{MAX_FRESH_PARAMS:,} this page builds: make it smaller on Build."
        )
    kept = st.session_state.get(f"{prefix}fresh")
    if kept is None or kept[0] != spec:
        model = build_model(spec, seed=0)
        kept = (spec, model)
        st.session_state[f"{prefix}fresh"] = kept
    label = f"a fresh, untrained {spec.cell.upper()} built from the Build page's spec (seed 0)"
    return Source(kept[1], sine_windows(length), label, "sine window")


def source_ui(prefix: str) -> Source:
    """Pick the model: a model other pages left behind, or a fresh one; returns the Source."""
    sources = session_sources()
    names = [*sources, "fresh"]
    labels = {"trained": "Model trained on Train", "fresh": "Fresh untrained model"}
    left, right = st.columns([1, 2])
    choice = left.segmented_control(
        "Model", names, default=names[0], required=True, format_func=lambda n: labels.get(n, n),
        key=f"{prefix}source_{'_'.join(names)}",  # a new key when the choices change
    )  # fmt: skip
    if choice == "fresh":
        length = right.slider("sine window length (steps)", 5, 120, 40, key=f"{prefix}length")
        return fresh_source(prefix, int(length))
    return sources[choice]


def clamp(key: str, high: int) -> None:
    """Keep a kept widget value inside [0, high] when its range shrinks (e.g. another model)."""
    if key in st.session_state and st.session_state[key] > high:
        st.session_state[key] = high


def quick_ui(prefix: str) -> QuickTrain:
    """Training settings shared by the reach and memory-lab experiments."""
    c1, c2, c3, c4 = st.columns(4)
    hidden = c1.number_input(
        "hidden units", 1, 128, QUICK.hidden_size, key=f"{prefix}q_hidden", **KEEP
    )
    n = c2.number_input("training samples", 8, 4096, QUICK.n_train, 64, key=f"{prefix}q_n", **KEEP)
    epochs = c3.number_input("epochs", 1, 200, QUICK.epochs, key=f"{prefix}q_epochs", **KEEP)
    seed = c4.number_input("seed", 0, 10_000, QUICK.seed, key=f"{prefix}q_seed", **KEEP)
    return QuickTrain(hidden_size=int(hidden), n_train=int(n), epochs=int(epochs), seed=int(seed))


def reach_ui(prefix: str, quick: QuickTrain) -> None:
    """Settings and the button; a finished result is kept in session state for the page to draw."""
    c1, c2, c3, c4 = st.columns(4)
    task = c1.selectbox(
        "task",
        REACH_TASKS,
        key=f"{prefix}r_task",
        format_func={"memory": "memory (classify)", "sine": "sine (forecast)"}.get,
    )
    length = int(c2.slider("window length", 5, 80, 40, key=f"{prefix}r_length", **KEEP))
    clamp(f"{prefix}r_delay", length - 1)
    delay = int(
        c3.slider(
            "cue delay (memory task)",
            0,
            length - 1,
            min(10, length - 1),
            key=f"{prefix}r_delay",
            **KEEP,
            disabled=task != "memory",
        )
    )
    trained = c4.toggle(
        "train as well",
        True,
        key=f"{prefix}r_trained",
        **KEEP,
        help="Off: untrained curves only, instantly.",
    )
    if st.button("Measure gradient reach", type="primary", key=f"{prefix}r_run"):
        bar = st.progress(0.0, text="Measuring…")
        report = lambda done, total, message: bar.progress(done / total, text=message)  # noqa: E731
        st.session_state[f"{prefix}reach_result"] = reach_experiment(
            task, CELLS, trained, length, delay, quick, report
        )
        bar.empty()


def lab_ui(prefix: str, quick: QuickTrain, figure) -> None:
    """Settings and the button; figure(partial result) is drawn as each model finishes.

    The partial result is saved as it grows, so a run interrupted by a click keeps what it had.
    """
    c1, c2 = st.columns([2, 1])
    delays = c1.multiselect(
        "delays k", DELAY_CHOICES, default=LabSpec().delays, key=f"{prefix}l_delays"
    )
    cells = c2.multiselect(
        "cells", CELLS, default=CELLS, format_func=str.upper, key=f"{prefix}l_cells"
    )
    if st.button("Run the memory lab", type="primary", key=f"{prefix}l_run"):
        spec = LabSpec(delays=tuple(delays), cells=tuple(cells), train=quick)
        bar, chart = st.progress(0.0, text="Training…"), st.empty()

        def report(done, total, partial) -> None:
            st.session_state[f"{prefix}lab_result"] = partial
            bar.progress(
                done / total, text=f"{done}/{total} models trained · {partial.seconds:.1f} s"
            )
            chart.plotly_chart(figure(partial))

        st.session_state[f"{prefix}lab_result"] = memory_lab(spec, report)
        bar.empty()
        chart.empty()


def backward_section(
    prefix: str, model: nn.Module, window, layer: int, direction: int, t: int, unit: int
) -> None:
    """Backpropagation through time for the window: the gradient heatmaps and step t's chain rule."""
    st.markdown("#### Backpropagation through time: the same window, backwards")
    back = backward_record(model, window)
    left, right = st.columns([1, 1], gap="medium")
    with left:
        st.plotly_chart(bptt_heatmaps(back, layer, direction, t), key=f"{prefix}bptt")
    with right:
        st.markdown(f"**Backward step t = {t}, unit {unit}**, with the numbers the backward used")
        for line in backward_latex(backward_step(model, back, layer, direction, t, unit)):
            st.latex(r"\small " + line.latex)
        st.caption(
            f"{back.loss}. The backward walks the window in reverse: each step receives ∂L/∂h_t "
            "(and for an LSTM ∂L/∂c_t), multiplies it by each gate's local derivative, the "
            "numbers of the forward step above, and sends ∂L/∂h_{t-1} = ∂L/∂gates · W_hh on to "
            "the step before. These are exactly the gradients rnnlib's hand-written backward "
            "(rnnlib/bptt) computes, recorded in float64."
        )
    st.caption(
        "The top line, ‖∂L/∂x_t‖, is what reaches the input: the gradient-reach figure below is "
        "this curve read by lag (steps before the end) and averaged over windows. Where the "
        "heatmaps fade towards the start of the window, the gradient has vanished."
    )
