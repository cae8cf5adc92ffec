"""RNN, LSTM and GRU side by side: parameter counts for the same settings, and equal budgets.

Every count comes from ``params.param_table`` (closed form, checked against ``sum(p.numel())``).
Varying the cell keeps every other field of the spec; the fields that only one cell has are
dropped for the others: ``nonlinearity`` (RNN), ``proj_size`` and ``layer_norm`` (LSTM).

For a fixed cell the count grows strictly with hidden_size H (a G·H² recurrent term plus terms
linear in H), so the hidden size whose count is closest to a budget is found by bisection.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from rnnlib.errors import RnnlibError
from rnnlib.params import GROUPS, param_table, total_params
from rnnlib.spec import CELLS, MAX_HIDDEN, ModelSpec


class BudgetError(RnnlibError):
    """A parameter budget no hidden size can meet; the message says which budgets can."""


def cell_spec(spec: ModelSpec, cell: str, hidden_size: int | None = None) -> ModelSpec:
    """``spec`` with another cell (and optionally another hidden size); raises SpecError if invalid.

    Options the new cell lacks fall back to their defaults, so an LSTM with a projection becomes an
    RNN / GRU without one rather than an error.
    """
    return spec.replace(
        cell=cell,
        hidden_size=spec.hidden_size if hidden_size is None else hidden_size,
        nonlinearity=spec.nonlinearity if cell == "rnn" else "tanh",
        proj_size=spec.proj_size if cell == "lstm" else 0,
        layer_norm=spec.layer_norm if cell == "lstm" else False,
    )


def compare_counts(spec: ModelSpec, cells: Sequence[str] = CELLS) -> dict[str, int]:
    """{cell: total parameters} for ``spec`` with each cell in turn."""
    return {cell: total_params(cell_spec(spec, cell)) for cell in cells}


def group_counts(
    spec: ModelSpec, cells: Sequence[str] = CELLS, hidden: dict[str, int] | None = None
) -> dict[str, dict[str, int]]:
    """{cell: {tensor group: parameters}} with every group of ``params.GROUPS`` present (0 if none).

    hidden: {cell: hidden_size} overrides (e.g. solve_budget's answer); other cells keep spec's.
    """
    hidden = hidden or {}
    out = {}
    for cell in cells:
        counts = dict.fromkeys(GROUPS, 0)
        for row in param_table(cell_spec(spec, cell, hidden.get(cell))):
            counts[row.group] += row.count
        out[cell] = counts
    return out


def _smallest_hidden(spec: ModelSpec, cell: str) -> int:
    """The smallest buildable hidden size: 1, or proj_size + 1 for a projecting LSTM."""
    return spec.proj_size + 1 if cell == "lstm" and spec.proj_size else 1


def _count(spec: ModelSpec, cell: str, hidden_size: int) -> int | None:
    if hidden_size < _smallest_hidden(spec, cell):
        return None
    return total_params(cell_spec(spec, cell, hidden_size))


def counts_vs_hidden(
    spec: ModelSpec, hidden_sizes: Iterable[int], cells: Sequence[str] = CELLS
) -> dict[str, list[int | None]]:
    """{cell: [count at each hidden size]}; None where the cell cannot be built (LSTM, H <= proj_size)."""
    sizes = list(hidden_sizes)
    return {cell: [_count(spec, cell, h) for h in sizes] for cell in cells}


def counts_vs_layers(
    spec: ModelSpec, layers: Iterable[int], cells: Sequence[str] = CELLS
) -> dict[str, list[int]]:
    """{cell: [count at each num_layers]} with the other settings of ``spec``."""
    depths = list(layers)
    return {
        cell: [total_params(cell_spec(spec.replace(num_layers=n), cell)) for n in depths]
        for cell in cells
    }


def _closest_hidden(spec: ModelSpec, cell: str, budget: int) -> int:
    """The hidden size whose count is closest to budget (the smaller one on a tie)."""
    lo, hi = _smallest_hidden(spec, cell), MAX_HIDDEN
    # Bisection for the smallest H whose count reaches the budget; counts grow strictly with H.
    while lo < hi:
        mid = (lo + hi) // 2
        if _count(spec, cell, mid) >= budget:
            hi = mid
        else:
            lo = mid + 1
    if lo > _smallest_hidden(spec, cell):
        below = _count(spec, cell, lo - 1)
        if budget - below <= _count(spec, cell, lo) - budget:
            return lo - 1
    return lo


def budget_range(spec: ModelSpec, cells: Sequence[str] = CELLS) -> tuple[int, int]:
    """(smallest, largest) budget every cell can meet: the largest of the cells' smallest models and
    the smallest of their largest (hidden_size = MAX_HIDDEN)."""
    low = max(_count(spec, c, _smallest_hidden(spec, c)) for c in cells)
    high = min(_count(spec, c, MAX_HIDDEN) for c in cells)
    return low, high


def solve_budget(spec: ModelSpec, budget: int, cells: Sequence[str] = CELLS) -> dict[str, int]:
    """{cell: hidden_size} whose total count (other settings of ``spec``) is closest to ``budget``.

    Raises BudgetError for a budget below the smallest model of some cell (it would come out bigger
    than the budget whatever its size) or above the largest (hidden_size = MAX_HIDDEN).
    """
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise BudgetError(f"The budget must be a whole number of parameters >= 1, got {budget!r}.")
    low, high = budget_range(spec, cells)
    if budget < low:
        smallest = {c: _count(spec, c, _smallest_hidden(spec, c)) for c in cells}
        cell = max(smallest, key=smallest.get)
        raise BudgetError(
            f"A budget of {budget:,} parameters is below the smallest {cell.upper()} with these "
            f"settings ({smallest[cell]:,} at hidden_size {_smallest_hidden(spec, cell)}): "
            f"use at least {low:,}."
        )
    if budget > high:
        raise BudgetError(
            f"A budget of {budget:,} parameters is above what every cell reaches with hidden_size "
            f"{MAX_HIDDEN}: use at most {high:,}."
        )
    return {cell: _closest_hidden(spec, cell, budget) for cell in cells}


def solved_counts(spec: ModelSpec, hidden: dict[str, int]) -> dict[str, int]:
    """{cell: total parameters} at the given hidden size of each cell (e.g. solve_budget's answer)."""
    return {cell: total_params(cell_spec(spec, cell, h)) for cell, h in hidden.items()}


def counts_table(spec: ModelSpec, hidden: dict[str, int] | None = None) -> pd.DataFrame:
    """One row per cell (RNN, LSTM, GRU): hidden size, gate blocks, parameters per tensor group
    (groups no cell has are left out), the total and its ratio to the RNN's (or the first cell's).

    hidden: {cell: hidden_size} overrides, e.g. solve_budget's answer; other cells keep spec's.
    """
    hidden = hidden or {}
    rows = {}
    for cell, groups in group_counts(spec, CELLS, hidden).items():
        s = cell_spec(spec, cell, hidden.get(cell))
        rows[cell.upper()] = {"hidden": s.hidden_size, "gate blocks": s.gates, **groups}
        rows[cell.upper()]["total"] = sum(groups.values())
    table = pd.DataFrame.from_dict(rows, orient="index")
    table = table.loc[:, (table != 0).any(axis=0)]
    table["× first"] = table["total"] / table["total"].iloc[0]
    return table.rename(columns={"× first": f"× {table.index[0]}"})


def tensor_rows(spec: ModelSpec, cell: str, hidden_size: int | None = None) -> list[dict]:
    """params.param_table of ``spec`` with this cell, as plain rows for a table."""
    return [
        dict(tensor=r.name, shape=str(r.shape), count=r.count, formula=r.formula, group=r.group)
        for r in param_table(cell_spec(spec, cell, hidden_size))
    ]
