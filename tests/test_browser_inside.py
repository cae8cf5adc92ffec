"""The Inside page in a real browser: it renders without an exception, and its default looks right."""

import pytest
from browser import assert_no_exception, open_page, rerun_after, screenshot


@pytest.mark.browser
def test_inside_page_default_in_chromium(app_server, page):
    open_page(page, app_server, "Inside")
    assert_no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("h1").first.inner_text().endswith("Inside the cell")
    # the heatmaps and the step-through of the default (fresh, untrained) model
    # plotly.js and KaTeX load lazily, after the script has finished
    main.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    main.locator(".katex").first.wait_for(timeout=30_000)
    assert main.locator(".katex").count() == 6  # the default LSTM: i, f, g, o, c, h
    screenshot(page, "inside_default")


@pytest.mark.browser
def test_inside_page_untrained_reach_in_chromium(app_server, page):
    open_page(page, app_server, "Inside")
    main = page.locator('[data-testid="stMain"]')
    # untrained curves only: instant, and enough to draw the reach chart
    main.get_by_text("Quick-training settings").click()
    rerun_after(page, lambda: main.get_by_text("train as well").click())
    rerun_after(page, lambda: main.get_by_role("button", name="Measure gradient reach").click())
    assert_no_exception(page)
    main.get_by_text("How far back the gradient reaches").first.wait_for(timeout=30_000)
    screenshot(page, "inside_reach")
