import pytest
from pagetest import APP, TINY_SPEC, errors, ok, open_page
from streamlit.testing.v1 import AppTest

from rnnlib.budget import budget_range, compare_counts, solve_budget
from rnnlib.labs.race import ClassificationTask, RaceLog, race
from rnnlib.optim import TrainSpec
from rnnlib.spec import ModelSpec

PAGE = "pages/3_Compare.py"


def open_compare(spec: ModelSpec | None = None) -> AppTest:
    return open_page(PAGE, spec)


def frame(at: AppTest, column: str):
    """The first table on the page with this column (or index label)."""
    return next(
        d.value for d in at.dataframe if column in d.value.columns or column in d.value.index
    )


def tiny_race_settings(at: AppTest) -> AppTest:
    at.number_input(key="c_epochs").set_value(1)
    return at


def test_default_page_shows_the_counts_of_the_three_cells():
    at = open_compare()
    assert errors(at) == []
    table = frame(at, "total")
    assert list(table.index) == ["RNN", "LSTM", "GRU"]
    expected = compare_counts(ModelSpec())
    assert dict(zip(["rnn", "lstm", "gru"], table["total"], strict=True)) == expected
    assert not at.button(key="c_race").disabled


def test_counts_follow_the_build_spec():
    spec = ModelSpec(cell="lstm", hidden_size=12, proj_size=4, num_layers=2, bidirectional=True)
    at = open_compare(spec)
    table = frame(at, "total")
    assert list(table["total"]) == list(compare_counts(spec).values())
    assert table.loc["LSTM", "projection"] > 0 and table.loc["GRU", "projection"] == 0
    assert "proj_size 4 (LSTM only)" in at.caption[0].value


def test_budget_mode_shows_the_solved_hidden_sizes():
    at = open_compare()
    at.toggle(key="c_budget_on").set_value(True).run(timeout=60)
    ok(at).number_input(key="c_budget").set_value(20_000).run(timeout=60)
    solved = solve_budget(ModelSpec(), 20_000)
    table = frame(ok(at), "total")
    assert dict(zip(["rnn", "lstm", "gru"], table["hidden"], strict=True)) == solved
    assert any(f"RNN {solved['rnn']}" in c.value for c in at.caption)


def test_budget_too_small_is_a_one_line_error():
    at = open_compare()
    at.toggle(key="c_budget_on").set_value(True).run(timeout=60)
    low, _ = budget_range(ModelSpec())
    ok(at).number_input(key="c_budget").set_value(low - 1).run(timeout=60)
    (message,) = errors(ok(at))
    assert "below the smallest LSTM" in message and "\n" not in message
    assert list(frame(at, "total")["hidden"]) == [32, 32, 32]  # falls back to Build's size


def test_a_tiny_forecast_race_shows_three_result_rows_that_stay():
    at = open_compare(TINY_SPEC)
    at.number_input(key="c_n").set_value(100)
    at.number_input(key="c_lookback").set_value(6)
    tiny_race_settings(at).button(key="c_race").click().run(timeout=120)
    assert errors(ok(at)) == []
    results = frame(at, "s / epoch")
    assert list(results.index) == ["RNN", "LSTM", "GRU"]
    # Build's counts plus the linear skip of the forecaster (lookback 6 -> one step: 6 + 1)
    assert list(results["params"]) == [n + 7 for n in compare_counts(TINY_SPEC).values()]
    assert any("linear skip" in c.value for c in at.caption)
    assert {"MAE", "MASE"} <= set(results.columns)
    assert frame(at, "naive").columns[0] == "MAE"
    at.switch_page("app.py")
    ok(at.run(timeout=60))
    at.switch_page(PAGE)
    assert list(frame(ok(at.run(timeout=60)), "s / epoch").index) == ["RNN", "LSTM", "GRU"]


def test_classification_race_with_equal_budget_reports_accuracy_vs_majority():
    at = open_compare(TINY_SPEC)
    at.toggle(key="c_budget_on").set_value(True).run(timeout=60)
    ok(at).number_input(key="c_budget").set_value(300)
    at.button_group(key="c_kind").set_value("classification").run(timeout=60)
    ok(at).selectbox(key="c_task").set_value("memory").run(timeout=60)
    at.number_input(key="c_samples").set_value(100)
    at.number_input(key="c_length").set_value(8)
    at.number_input(key="c_delay").set_value(3)
    tiny_race_settings(at).button(key="c_race").click().run(timeout=120)
    assert errors(ok(at)) == []
    results = frame(at, "s / epoch")
    assert list(results.index) == ["RNN", "LSTM", "GRU"]
    assert {"accuracy", "BCE", "vs majority"} <= set(results.columns)
    assert list(results["hidden"]) == list(solve_budget(TINY_SPEC, 300).values())
    assert list(frame(at, "majority").index) == ["majority"]


def test_a_delay_longer_than_the_sequence_is_an_error_and_disables_race():
    at = open_compare(TINY_SPEC)
    at.button_group(key="c_kind").set_value("classification").run(timeout=60)
    ok(at).selectbox(key="c_task").set_value("memory").run(timeout=60)
    ok(at).number_input(key="c_length").set_value(10).run(timeout=60)  # the delay stays at 15
    (shown,) = errors(ok(at))
    assert "delay (15) must be smaller than the length (10)" in shown
    assert at.button(key="c_race").disabled
    at.selectbox(key="c_task").set_value("sum_sign").run(timeout=60)  # no delay in sum_sign
    assert errors(ok(at)) == [] and not at.button(key="c_race").disabled


def test_a_series_too_short_for_the_windows_is_an_error():
    at = open_compare(TINY_SPEC)
    at.number_input(key="c_n").set_value(50)
    at.number_input(key="c_lookback").set_value(200).run(timeout=60)
    (shown,) = errors(ok(at))
    assert "lookback" in shown and at.button(key="c_race").disabled


def test_a_race_interrupted_by_a_click_is_scored_on_the_next_run():
    # What Stop does: the click reruns the script, which interrupts the race mid-run; the RaceLog
    # left in session state is turned into a result by the next run.
    log = RaceLog()

    def interrupt(p):
        if p.cell == "lstm" and p.progress.epoch_end:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        task = ClassificationTask(n_samples=60, length=5)
        race(task, TINY_SPEC, train=TrainSpec(epochs=2), on_progress=interrupt, log=log)
    at = AppTest.from_file(APP)
    at.session_state["c_job"] = log
    at.switch_page(PAGE)
    ok(at.run(timeout=60))
    assert list(frame(at, "s / epoch").index) == ["RNN", "LSTM"]
    (warning,) = [w.value for w in at.warning]
    assert warning == "Not finished (scored as they stood): LSTM seed 0, GRU seed 0"


def test_a_race_with_the_season_normalisation_scores_every_cell():
    at = open_compare(TINY_SPEC)
    at.number_input(key="c_n").set_value(100)
    at.number_input(key="c_lookback").set_value(12)
    at.selectbox(key="c_normalize").set_value("season")
    at.selectbox(key="c_transform").set_value("none")
    tiny_race_settings(at).button(key="c_race").click().run(timeout=120)
    assert errors(ok(at)) == []
    results = frame(at, "s / epoch")
    assert list(results.index) == ["RNN", "LSTM", "GRU"] and results["MAE"].notna().all()


def test_a_race_without_the_linear_skip_counts_exactly_what_build_counts():
    at = open_compare(TINY_SPEC)
    at.number_input(key="c_n").set_value(100)
    at.number_input(key="c_lookback").set_value(6)
    at.toggle(key="c_skip").set_value(False)
    tiny_race_settings(at).button(key="c_race").click().run(timeout=120)
    assert errors(ok(at)) == []
    results = frame(at, "s / epoch")
    assert list(results["params"]) == list(compare_counts(TINY_SPEC).values())
