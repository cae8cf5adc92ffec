from pathlib import Path

import browser as harness
import pytest
import torch
from browser import (
    LANDING_LOSS_POINTS_JS,
    assert_no_exception,
    drawn_echarts,
    open_page,
    rerun_after,
    screenshot,
    wait_for_script,
)

from rnnlib.demo import DemoSpec
from rnnlib.figures.colours import FORECAST_RED, HELD_OUT_GREY, PART_COLOURS

SPEC = DemoSpec()
LOSS = "Loss, step by step"
FORECAST = f"Forecast of the last {SPEC.horizon} points"
CUT = SPEC.length - SPEC.horizon

_LOSS_POINTS_JS = LANDING_LOSS_POINTS_JS
COLOURS = {"seen by the model": PART_COLOURS["train"], "held out": HELD_OUT_GREY,
           "forecast": FORECAST_RED}  # fmt: skip


def demo_charts(page) -> dict[str, list[tuple[str, int]]]:
    """{chart title: [(series name, points drawn)]} of the landing page's two charts."""
    charts = drawn_echarts(page)
    loss = next(c for c in charts if LOSS in c["texts"])
    forecast = next(c for c in charts if FORECAST in c["texts"])
    return {
        LOSS: [("training loss", loss["lines"].get(PART_COLOURS["train"], 0))],
        # legend names shown, each with the points of the line in its colour
        FORECAST: [(name, forecast["lines"].get(colour, 0))
                   for name, colour in COLOURS.items() if name in forecast["texts"]],
    }  # fmt: skip


@pytest.mark.browser
def test_a_fresh_server_shows_the_loss_falling_with_no_click(browser):
    # Its own server: the first visitor of a cold one is who must see it move.
    with harness.app_server() as base_url:
        page = browser.new_context(viewport=harness.VIEWPORT).new_page()
        page.goto(base_url)  # and nothing else: no click, no wait for the script
        first = page.wait_for_function(_LOSS_POINTS_JS, timeout=30_000).json_value()
        # seen while it is still learning: the curve is drawn live, not once at the end
        assert 0 < first < SPEC.steps
        page.wait_for_function(f"() => ({_LOSS_POINTS_JS})() === {SPEC.steps}", timeout=60_000)
        wait_for_script(page)
        assert_no_exception(page)
        seen = demo_charts(page)
        assert seen[LOSS] == [("training loss", SPEC.steps)]
        assert seen[FORECAST] == [
            ("seen by the model", CUT), ("held out", SPEC.horizon), ("forecast", SPEC.horizon)
        ]  # fmt: skip
        main = page.locator('[data-testid="stMain"]')
        assert main.get_by_text(f"step {SPEC.steps}/{SPEC.steps}", exact=False).is_visible()
        for label in ("Build your own", "Train on your CSV", "Start the lessons"):
            assert main.get_by_role("link", name=label).first.is_visible(), label
        page.mouse.move(0, 0)
        screenshot(page, "landing_live")
        page.context.close()


@pytest.mark.browser
def test_landing_page_in_chromium(app_server, page):
    open_page(page, app_server)
    assert demo_charts(page)[LOSS] == [("training loss", SPEC.steps)]
    main = page.locator('[data-testid="stMain"]')
    # another cell races on the same wave: its own run, drawn in full
    rerun_after(page, lambda: page.locator(".st-key-home_cell button", has_text="GRU").click())
    assert main.get_by_text("small GRU is learning", exact=False).is_visible()
    assert demo_charts(page)[LOSS] == [("training loss", SPEC.steps)]
    rerun_after(page, lambda: main.get_by_role("button", name="Train again").click())
    assert demo_charts(page)[LOSS] == [("training loss", SPEC.steps)]
    assert page.title() == "RNN Playground"
    assert page.locator("h1").first.inner_text() == "RNN Playground"
    footer = page.locator('[data-testid="stMain"]').get_by_text("Running on").inner_text()
    assert f"torch {torch.__version__}" in footer
    assert_no_exception(page)
    screenshot(page, "landing")


# The harness's own contract: no browser means skip, except where CI demands one.
@pytest.fixture
def no_chromium(monkeypatch):
    monkeypatch.setattr(harness, "CHROMIUM", Path("/nonexistent/chromium"))


def test_missing_browser_skips_with_reason(no_chromium, monkeypatch):
    monkeypatch.delenv("RNNLIB_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="/nonexistent/chromium not found"):
        harness.require_browser()


def test_missing_browser_fails_when_required(no_chromium, monkeypatch):
    monkeypatch.setenv("RNNLIB_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="RNNLIB_REQUIRE_BROWSER=1 but"):
        harness.require_browser()
