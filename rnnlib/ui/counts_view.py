"""The Compare page's parameter section: each cell's counts side by side, optionally at one equal
parameter budget, tensor by tensor, and as the sizes grow."""

import streamlit as st

from rnnlib.budget import (
    counts_table,
    counts_vs_hidden,
    counts_vs_layers,
    group_counts,
    solve_budget,
    tensor_rows,
)
from rnnlib.errors import RnnlibError
from rnnlib.figures.compare import counts_bar, counts_lines
from rnnlib.spec import CELLS, MAX_HIDDEN, MAX_LAYERS, ModelSpec
from rnnlib.ui.links import KEEP


def parameters_section(prefix: str, spec: ModelSpec) -> dict[str, int] | None:
    """Draw the section; return the hidden size per cell when an equal budget is on, else None."""
    st.header("Parameters")
    budget_on = st.toggle(
        "Equal parameter budget", False, key=f"{prefix}budget_on", **KEEP,
        help="Give each cell the hidden size whose count is closest to one budget.",
    )  # fmt: skip
    hidden = None
    if budget_on:
        budget = st.number_input(
            "parameter budget", 1, 50_000_000, 5000, 500, key=f"{prefix}budget", **KEEP
        )
        try:
            hidden = solve_budget(spec, int(budget))
            st.caption(
                f"Hidden sizes for a budget of {int(budget):,}: "
                + ", ".join(f"{c.upper()} {h}" for c, h in hidden.items())
                + ". The race uses them (input and head widths follow its data, so its counts may differ a little)."
            )
        except RnnlibError as e:
            st.error(str(e))
    table = counts_table(spec, hidden)
    st.dataframe(table.style.format({table.columns[-1]: "{:.2f}×"}, thousands=","))
    with st.expander("Every tensor of each cell"):
        for tab, cell in zip(st.tabs([c.upper() for c in CELLS]), CELLS, strict=True):
            tab.dataframe(tensor_rows(spec, cell, (hidden or {}).get(cell)), hide_index=True)
    left, right = st.columns(2)
    left.plotly_chart(counts_bar(group_counts(spec, hidden=hidden)), key=f"{prefix}bar")
    with right:
        log_counts = st.toggle("log-scale parameters", False, key=f"{prefix}log_counts", **KEEP)
        by_hidden, by_layers = st.tabs(["vs hidden size", "vs layers"])
        marks = hidden or dict.fromkeys(CELLS, spec.hidden_size)
        sizes = list(range(1, min(MAX_HIDDEN, 2 * max(16, *marks.values())) + 1))
        by_hidden.plotly_chart(
            counts_lines(sizes, counts_vs_hidden(spec, sizes), "hidden size", log_counts, budget if hidden else None, marks),
            key=f"{prefix}vs_hidden",
        )  # fmt: skip
        layers = list(range(1, MAX_LAYERS + 1))
        by_layers.plotly_chart(
            counts_lines(layers, counts_vs_layers(spec, layers), "layers", log_counts),
            key=f"{prefix}vs_layers",
        )
    return hidden
