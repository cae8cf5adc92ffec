"""The Runs page in a real browser: three Train runs kept, two overlaid with what differs, one
reopened in Train, and the log downloaded and loaded again in a fresh session."""

import re

import pytest
from browser import VIEWPORT, assert_no_exception, open_page, rerun_after, screenshot

TRAIN_TIMEOUT_MS = 120_000
# Fixed settings, two epochs: each run takes about a second; only the lookback changes.
TRAIN = "Train?t_auto=false&t_epochs=2&t_normalize=global&t_transform=none&t_lookback=24"
ROW_PX = 35  # st.dataframe's default row height; the header row is as tall
# The table is a canvas; Glide draws an accessible <table role="grid"> inside it.
_GRID_JS = """table => Array.from(table.querySelectorAll('tr')).map(
    tr => Array.from(tr.querySelectorAll('td, th')).map(td => td.textContent.trim()))"""


def train_once(page, lookback: int | None = None) -> None:
    main = page.locator('[data-testid="stMain"]')
    if lookback is not None:
        box = page.get_by_label(re.compile(r"^lookback"))
        rerun_after(page, lambda: (box.fill(str(lookback)), box.press("Enter")))
    button = main.get_by_role("button", name="Train", exact=True)
    rerun_after(page, button.click, timeout_ms=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)
    assert main.get_by_text(re.compile(r"^Why training ended: completed 2 epochs")).is_visible()


def go(page, label: str) -> None:
    """Switch page through the sidebar, as a person does (the session and its log stay)."""
    link = page.locator('[data-testid="stSidebar"]').get_by_role("link", name=label)
    rerun_after(page, link.click)
    assert_no_exception(page)


def runs_table(page) -> list[list[str]]:
    grid = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    return grid.locator('table[role="grid"]').evaluate(_GRID_JS)


def without_weights(grid: list[list[str]]) -> list[dict]:
    """Rows as {column: text}, the weights column left out: a log file carries no weights."""
    header, *rows = grid
    return [{k: v for k, v in zip(header, r, strict=True) if k != "weights"} for r in rows]


def tick(page, row: int) -> None:
    """Tick a row's selection box: the first column of the canvas, row 0 below the header."""
    grid = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    y = box["y"] + ROW_PX * (row + 1) + ROW_PX / 2
    rerun_after(page, lambda: page.mouse.click(box["x"] + 18, y))


@pytest.mark.browser
def test_three_runs_compared_reopened_and_carried_to_a_new_session(app_server, browser, tmp_path):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    open_page(page, app_server, TRAIN)
    for lookback in (None, 48, 36):
        train_once(page, lookback)

    go(page, "Runs")
    main = page.locator('[data-testid="stMain"]')
    header, *rows = runs_table(page)
    assert [r[header.index("run")] for r in rows] == ["#1", "#2", "#3"]
    assert [r[header.index("lookback")] for r in rows] == ["24", "48", "36"]
    assert sum(r[header.index("best")] == "★" for r in rows) == 1  # one dataset, one best

    tick(page, 0)
    tick(page, 1)
    assert_no_exception(page)
    loss = main.locator(".js-plotly-plot").filter(has_text="loss of the selected runs")
    loss.wait_for(timeout=30_000)
    assert loss.locator(".scatterlayer .trace").count() == 2  # two curves on the overlay
    assert set(loss.locator(".legendtext").all_text_contents()) == {
        "#1 LSTM 32, sine",
        "#2 LSTM 32, sine",
    }
    forecasts = main.locator(".js-plotly-plot").filter(has_text="Test forecasts")
    assert forecasts.locator(".scatterlayer .trace").count() == 3  # the actual series and two runs
    assert main.get_by_text("lookback 24 → 48").is_visible()
    page.mouse.move(0, 0)
    screenshot(page, "runs_two_selected")

    with page.expect_download() as download:
        main.locator('[data-testid="stExpander"] summary').filter(has_text="Save or load").click()
        main.get_by_role("button", name="Download the log").click()
    log_file = tmp_path / "runs.jsonl"
    download.value.save_as(log_file)
    assert len(log_file.read_text().splitlines()) == 3

    open_button = main.get_by_role("button", name="Open in Train").nth(1)  # run #2
    rerun_after(page, open_button.click)
    page.wait_for_url(re.compile(r"/Train\?"))
    assert "t_lookback=48" in page.url
    assert page.get_by_label(re.compile(r"^lookback")).input_value() == "48"
    assert_no_exception(page)
    screenshot(page, "runs_opened_in_train")

    fresh = browser.new_context(viewport=VIEWPORT).new_page()
    try:
        open_page(fresh, app_server, "Runs")
        assert fresh.get_by_text("No runs yet").is_visible()
        uploader = fresh.locator('[data-testid="stFileUploader"]')
        rerun_after(fresh, lambda: uploader.locator("input[type=file]").set_input_files(log_file))
        rerun_after(fresh, fresh.get_by_role("button", name="Add its runs").click)
        assert fresh.get_by_text("3 run(s) added").is_visible()
        assert without_weights(runs_table(fresh)) == without_weights([header, *rows])
        fresh.mouse.move(0, 0)
        screenshot(fresh, "runs_loaded_in_a_fresh_session")
    finally:
        fresh.context.close()
        context.close()
