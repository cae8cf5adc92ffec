"""Four visitors train at once on one server, each on other data: each sees its own result.

Every Streamlit session runs its script in its own thread of the one server process, so state
shared by mistake (module-level, a cache_resource holding a model) would show up here as one
visitor's numbers on another's page. The naive baseline's test MAE depends only on the data, so
it is computed directly with rnnlib for each setting and compared with what each page shows.
"""

import re
import time

import pytest
from browser import VIEWPORT, assert_no_exception, open_page, screenshot, wait_for_script

from rnnlib.defaults import plan
from rnnlib.forecasting import Experiment, build_forecaster, evaluate, prepare
from rnnlib.limits import DEFAULT_MAX_JOBS
from rnnlib.optim import TrainSpec
from rnnlib.scoreboard import LABELS
from rnnlib.ui.data_source import KNOBS, NOISE, synthetic

EPOCHS = 3
LENGTH = 2000  # with batch size 8, ~500 batches a run: long enough for the four runs to overlap
COMMON = f"t_auto=false&t_epochs={EPOCHS}&t_n={LENGTH}&t_batch=8"
TRAIN_TIMEOUT_MS = 240_000  # four runs sharing two cores
# URL query -> (generator, data seed). A bound selectbox takes its displayed label in the URL.
SETTINGS = {
    "t_dseed=1": ("sine", 1),
    "t_gen=square": ("square", 0),
    "t_gen=random+walk": ("random_walk", 0),
    "t_gen=ar&t_dseed=3": ("ar", 3),
}

# The page's results table is a canvas; Glide draws an accessible <table role="grid"> inside it.
_GRID_JS = """table => Array.from(table.querySelectorAll('tr')).map(
    tr => Array.from(tr.querySelectorAll('td, th')).map(td => td.textContent.trim()))"""


def expected_naive_mae(generator: str, data_seed: int) -> float:
    """The naive baseline's test MAE, from rnnlib alone, with the page's default widget values."""
    params = {"n": LENGTH, "seed": data_seed}
    params.update({p: default for p, _, _, _, default, _ in KNOBS[generator]})
    if NOISE[generator] is not None:
        params["noise"] = NOISE[generator]
    series = synthetic(generator, tuple(sorted(params.items())))
    # The page's settings resolved from the data as run() resolves them; the naive forecast's
    # test windows do not depend on the lookback or the preprocessing that auto picks.
    exp = plan(series, Experiment(train=TrainSpec(epochs=EPOCHS))).candidates[0]
    model = build_forecaster(exp, series.values().shape[1], seed=0)  # untrained: naive ignores it
    return evaluate(model, series, exp, prepare(series, exp)).metrics["naive"]["mae"]


def shown_naive_mae(page) -> float:
    """The MAE of the naive row in the page's metrics table (the grid's full-precision text)."""
    tables = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
    for i in range(tables.count()):  # the metrics table: the one with a naive row and an MAE column
        tables.nth(i).scroll_into_view_if_needed()
        header, *body = tables.nth(i).locator('table[role="grid"]').evaluate(_GRID_JS)
        rows = {row[0]: row for row in body}
        if "MAE" in header and LABELS["naive"] in rows:
            break
    assert "MAE" in header and LABELS["naive"] in rows, (header, body)
    return float(rows[LABELS["naive"]][header.index("MAE")])


@pytest.mark.browser
def test_four_sessions_train_at_once_and_each_sees_its_own_result(app_server, browser):
    assert len(SETTINGS) <= DEFAULT_MAX_JOBS  # all four fit in the server's training slots
    expected = {q: expected_naive_mae(*setting) for q, setting in SETTINGS.items()}
    assert len({f"{v:.4g}" for v in expected.values()}) == len(SETTINGS), expected  # all differ

    contexts = [browser.new_context(viewport=VIEWPORT) for _ in SETTINGS]
    try:
        pages = {q: c.new_page() for q, c in zip(SETTINGS, contexts, strict=True)}
        for query, page in pages.items():
            open_page(page, app_server, f"Train?{COMMON}&{query}")
            assert_no_exception(page)
        buttons = {
            q: p.locator('[data-testid="stMain"]').get_by_role("button", name="Train", exact=True)
            for q, p in pages.items()
        }
        started = time.monotonic()
        for button in buttons.values():  # back to back: the four runs overlap on the server
            button.click()
        for page in pages.values():
            page.locator('[data-testid="stMain"]').get_by_text(
                f"Why training ended: completed {EPOCHS} epochs", exact=False
            ).first.wait_for(timeout=TRAIN_TIMEOUT_MS)
            wait_for_script(page)
        took = time.monotonic() - started

        shown, runs = {}, []
        for query, page in pages.items():
            assert_no_exception(page)
            main = page.locator('[data-testid="stMain"]')
            assert main.locator('[data-testid="stAlertContentError"]').count() == 0, query
            assert not main.get_by_text("other data or settings").count(), query
            shown[query] = shown_naive_mae(page)
            runs.append(main.get_by_text("Done in").first.inner_text().partition(" (")[0])
        assert shown == pytest.approx(expected, rel=1e-9)
        page = pages["t_gen=square"]
        page.mouse.move(0, 0)
        screenshot(page, "train_concurrent_square")
        print(
            f"four concurrent runs ({', '.join(runs)}) all over {took:.1f} s after the first click"
        )
    finally:
        for context in contexts:
            context.close()


@pytest.mark.browser
def test_two_sessions_training_at_once_keep_their_own_run_logs(app_server, browser):
    from test_browser_runs import TRAIN, go, runs_table  # the Runs page's browser helpers

    queries = {"sine": TRAIN, "square": f"{TRAIN}&t_gen=square"}
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in queries]
    try:
        pages = {name: c.new_page() for name, c in zip(queries, contexts, strict=True)}
        for name, page in pages.items():
            open_page(page, app_server, queries[name])
        for page in pages.values():  # back to back: the two runs overlap on the server
            page.locator('[data-testid="stMain"]').get_by_role(
                "button", name="Train", exact=True
            ).click()
        for page in pages.values():
            page.locator('[data-testid="stMain"]').get_by_text(
                re.compile("^Why training ended")
            ).wait_for(timeout=TRAIN_TIMEOUT_MS)
            wait_for_script(page)
        for name, page in pages.items():
            go(page, "Runs")
            header, *rows = runs_table(page)
            assert [r[header.index("data")] for r in rows] == [f"{name} (400 rows)"], rows
    finally:
        for context in contexts:
            context.close()
