"""Each lesson's try-it on the Lessons page: its few widgets, one call into rnnlib.lessons.tries,
and the figures the other pages draw. ``TRIES[n](lesson)`` draws lesson n's."""

from __future__ import annotations

import streamlit as st

from rnnlib.lessons import Lesson
from rnnlib.lessons import tries as run
from rnnlib.spec import ModelSpec
from rnnlib.ui.lessons_view import PREFIX, LiveCurve, kept, ran


def _button(lesson: Lesson, label: str) -> bool:
    return st.button(label, type="primary", key=f"{PREFIX}run_{lesson.number}")


def shapes(lesson: Lesson) -> None:
    from rnnlib.figures.build import architecture

    c1, c2, c3, c4 = st.columns(4)
    cell = c1.selectbox(
        "cell", ["lstm", "gru", "rnn"], format_func=str.upper, key=f"{PREFIX}s_cell"
    )
    layers = c2.number_input("num_layers", 1, 3, 1, key=f"{PREFIX}s_layers")
    bi = c3.toggle("bidirectional", False, key=f"{PREFIX}s_bi")
    first = c4.toggle("batch_first", True, key=f"{PREFIX}s_bf")
    spec = ModelSpec(cell=cell, hidden_size=32, num_layers=int(layers), bidirectional=bi,
                     batch_first=first)  # fmt: skip
    if _button(lesson, "Run a forward pass (B = 8, T = 5)"):
        ran(lesson, (spec, run.shapes_try(spec)))
    if (res := kept(lesson)) is not None:
        shown, sizes = res
        st.dataframe(
            {"tensor": list(sizes), "shape": [" × ".join(map(str, s)) for s in sizes.values()]},
            hide_index=True,
        )
        st.caption(f"Measured on {shown.cell.upper()}, hidden 32: equal to the predicted shapes.")
        st.plotly_chart(architecture(shown), key=f"{PREFIX}arch")


def classifier(lesson: Lesson) -> None:
    from rnnlib.figures.compare import race_curves

    c1, c2 = st.columns(2)
    cell = c1.selectbox(
        "cell", ["lstm", "gru", "rnn"], format_func=str.upper, key=f"{PREFIX}c_cell"
    )
    epochs = c2.slider("epochs", 1, 30, 15, key=f"{PREFIX}c_epochs")
    if _button(lesson, "Train the classifier"):
        live = LiveCurve(cell, "bce")
        ran(lesson, run.classifier_try(cell, epochs, on_progress=live))
        live.chart.empty()  # the finished curves, with validation, are drawn below
    if (res := kept(lesson)) is not None:
        acc, base = res.runs[0].metrics["accuracy"], res.baselines["majority"]["accuracy"]
        st.plotly_chart(race_curves(res.curves(), loss="bce"), key=f"{PREFIX}bce")
        st.metric(
            "test accuracy", f"{acc:.1%}", f"{acc - base:+.1%} vs the majority class ({base:.1%})"
        )


def gates(lesson: Lesson) -> None:
    from rnnlib.figures.inside import state_heatmaps

    c1, c2 = st.columns(2)
    t = c1.slider("step t", 0, 19, 10, key=f"{PREFIX}g_t")
    unit = c2.number_input("unit", 0, 7, 0, key=f"{PREFIX}g_unit")
    if _button(lesson, "Run the window through the LSTM"):
        ran(lesson, run.gates_try(int(t), int(unit)))
    if (res := kept(lesson)) is not None:
        left, right = st.columns(2)
        left.plotly_chart(state_heatmaps(res.recording, 0, 0, res.t), key=f"{PREFIX}gates")
        with right:
            st.markdown(f"**Step t = {res.t}, unit {res.unit}**, with the numbers the cell used")
            for line in res.lines:
                st.latex(r"\small " + line.latex)


def reach(lesson: Lesson) -> None:
    from rnnlib.figures.inside import reach_chart

    trained = st.toggle("train each cell for a few seconds first", False, key=f"{PREFIX}r_trained")
    if _button(lesson, "Measure gradient reach"):
        bar = st.progress(0.0, text="measuring…")
        ran(lesson, run.reach_try(trained, lambda i, n, msg: bar.progress(i / n, text=msg)))
    if (res := kept(lesson)) is not None:
        st.plotly_chart(reach_chart(res), key=f"{PREFIX}reach")


def bidirectional(lesson: Lesson) -> None:
    from rnnlib.figures.lessons import accuracy_bars

    cell = st.selectbox(
        "cell", ["rnn", "gru", "lstm"], format_func=str.upper, key=f"{PREFIX}b_cell"
    )
    if _button(lesson, "Train one-way and bidirectional"):
        with st.spinner("Training two models…"):
            ran(lesson, run.bidirectional_try(cell))
    if (res := kept(lesson)) is not None:
        st.plotly_chart(accuracy_bars(res.accuracy(), res.majority), key=f"{PREFIX}bi")


def _forecast(result, series, key: str) -> None:
    from rnnlib.figures.train import forecast_chart
    from rnnlib.scoreboard import metrics_table, verdict

    st.markdown(f"**{verdict(result.metrics)}**")
    st.dataframe(metrics_table(result.metrics).style.format("{:.4g}", na_rep="—"))
    target = series.frame[series.target]
    fig = forecast_chart(target, result.test, result.future, ("naive",))
    st.plotly_chart(fig, key=key)


def seq2seq(lesson: Lesson) -> None:
    from rnnlib.series import seasonal

    if _button(lesson, "Train direct and seq2seq"):
        with st.spinner("Training both strategies…"):
            ran(lesson, {s: run.seq2seq_try(s) for s in ("direct", "seq2seq")})
    if (res := kept(lesson)) is not None:
        series = seasonal(n=240, periods=(12,), trend=0.0, noise=0.1)
        maes = {s: r.metrics["model"]["mae"] for s, r in res.items()}
        st.markdown(
            " · ".join(f"**{s}** test MAE {m:.3f}" for s, m in maes.items())
            + f" · seasonal naive {res['direct'].metrics['seasonal_naive']['mae']:.3f}"
        )
        _forecast(res["seq2seq"], series, f"{PREFIX}s2s")


def stock(lesson: Lesson) -> None:
    seed = st.number_input("price seed", 0, 1000, 0, key=f"{PREFIX}k_seed")
    if _button(lesson, "Train the LSTM on the price"):
        with st.spinner("Training…"):
            ran(lesson, run.stock_try(int(seed)))
    if (res := kept(lesson)) is not None:
        _forecast(*res, f"{PREFIX}stock")


def scratch(lesson: Lesson) -> None:
    from rnnlib.figures.build import param_breakdown
    from rnnlib.figures.lessons import same_outputs

    ln = st.toggle("LayerNorm in the scratch LSTM", False, key=f"{PREFIX}x_ln")
    if _button(lesson, "Compare scratch and nn.LSTM"):
        ran(lesson, run.scratch_try(ln))
    if (res := kept(lesson)) is not None:
        st.markdown(
            f"**Largest difference: {res.max_diff:.3g}** over {len(res.torch_out)} outputs"
            + (" (LayerNorm on: a different function)" if res.layer_norm else "")
        )
        st.plotly_chart(same_outputs(res), key=f"{PREFIX}same")
        left, right = st.columns(2)
        for col, rows, name in (
            (left, res.torch_rows, "nn.LSTM"),
            (right, res.scratch_rows, "scratch"),
        ):
            col.markdown(f"**{name}: {sum(r.count for r in rows):,} parameters**")
            col.dataframe(
                {"tensor": [r.name for r in rows], "shape": [str(r.shape) for r in rows],
                 "count": [r.count for r in rows]}, hide_index=True,
            )  # fmt: skip
        st.plotly_chart(param_breakdown(res.scratch_rows), key=f"{PREFIX}params")


TRIES = {1: shapes, 2: classifier, 3: gates, 4: reach, 5: bidirectional, 6: seq2seq, 7: stock,
         8: scratch}  # fmt: skip
