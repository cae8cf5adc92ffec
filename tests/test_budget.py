import pytest

from rnnlib.budget import (
    BudgetError,
    budget_range,
    cell_spec,
    compare_counts,
    counts_vs_hidden,
    counts_vs_layers,
    group_counts,
    solve_budget,
    solved_counts,
)
from rnnlib.models import build_model
from rnnlib.params import total_params
from rnnlib.spec import CELLS, MAX_HIDDEN, ModelSpec

SPECS = [
    ModelSpec(),
    ModelSpec(cell="rnn", nonlinearity="relu", input_size=3, hidden_size=7, num_layers=2),
    ModelSpec(cell="gru", hidden_size=5, bias=False, bidirectional=True, output_size=4),
    ModelSpec(cell="lstm", hidden_size=12, proj_size=4, num_layers=3, bidirectional=True),
    ModelSpec(cell="lstm", impl="scratch", layer_norm=True, hidden_size=6),
]


def numel(spec: ModelSpec) -> int:
    return sum(p.numel() for p in build_model(spec).parameters())


@pytest.mark.parametrize("spec", SPECS)
def test_counts_equal_built_models(spec):
    counts = compare_counts(spec)
    assert list(counts) == list(CELLS)
    for cell, n in counts.items():
        assert n == numel(cell_spec(spec, cell))
        assert sum(group_counts(spec)[cell].values()) == n


def test_cell_specific_options_apply_to_their_cell_only():
    spec = ModelSpec(cell="lstm", hidden_size=12, proj_size=4)
    assert cell_spec(spec, "gru").proj_size == 0
    assert cell_spec(spec, "lstm").proj_size == 4
    assert cell_spec(ModelSpec(cell="rnn", nonlinearity="relu"), "gru").nonlinearity == "tanh"
    assert group_counts(spec)["lstm"]["projection"] == 4 * 12
    assert group_counts(spec)["gru"]["projection"] == 0
    # with the same H, the gate count orders the cells: RNN 1 < GRU 3 < LSTM 4 weight blocks
    plain = compare_counts(ModelSpec())
    assert plain["rnn"] < plain["gru"] < plain["lstm"]


def test_counts_vs_hidden_and_layers_are_increasing_and_match():
    spec = ModelSpec(cell="lstm", hidden_size=8, proj_size=3)
    sizes = [1, 2, 3, 4, 8, 16, 64]
    curves = counts_vs_hidden(spec, sizes)
    assert curves["lstm"][:3] == [None, None, None]  # H <= proj_size cannot be built
    for cell, counts in curves.items():
        built = [(h, n) for h, n in zip(sizes, counts, strict=True) if n is not None]
        assert all(a < b for (_, a), (_, b) in zip(built, built[1:], strict=False))
        for h, n in built:
            assert n == total_params(cell_spec(spec, cell, h))
    depth = counts_vs_layers(spec, [1, 2, 3])
    for cell, counts in depth.items():
        assert counts[0] < counts[1] < counts[2]
        assert counts[1] == numel(cell_spec(spec.replace(num_layers=2), cell))


@pytest.mark.parametrize("spec", SPECS[:4])
@pytest.mark.parametrize("budget", [500, 4513, 20_000, 123_457])
def test_solver_is_optimal(spec, budget):
    low, high = budget_range(spec)
    if not low <= budget <= high:
        with pytest.raises(BudgetError):
            solve_budget(spec, budget)
        return
    hidden = solve_budget(spec, budget)
    counts = solved_counts(spec, hidden)
    for cell, h in hidden.items():
        gap = abs(counts[cell] - budget)
        for neighbour in (h - 1, h + 1):
            n = counts_vs_hidden(spec, [neighbour], [cell])[cell][0] if neighbour >= 1 else None
            if n is not None and neighbour <= MAX_HIDDEN:
                assert abs(n - budget) >= gap, (cell, h, neighbour)


def test_budget_of_default_lstm_gives_its_own_size_back():
    spec = ModelSpec()  # LSTM, H = 32: 4513 parameters
    assert solve_budget(spec, compare_counts(spec)["lstm"])["lstm"] == 32
    hidden = solve_budget(spec, 4513)
    assert hidden["rnn"] > hidden["gru"] > hidden["lstm"]


def test_budget_too_small_or_too_big_is_a_clear_error():
    spec = ModelSpec()
    low, high = budget_range(spec)
    assert low == total_params(cell_spec(spec, "lstm", 1))  # the LSTM's smallest model is biggest
    with pytest.raises(BudgetError, match=f"below the smallest LSTM.*use at least {low:,}"):
        solve_budget(spec, low - 1)
    with pytest.raises(BudgetError, match=f"use at most {high:,}"):
        solve_budget(spec, high + 1)
    with pytest.raises(BudgetError, match="whole number"):
        solve_budget(spec, 0)
    assert solve_budget(spec, low)["lstm"] == 1
