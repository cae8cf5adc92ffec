"""A cold server's first visit to a page URL (a shared link), on a server of its own.

The app has one router, Streamlit's pages/ directory, and every page draws the same sidebar menu
itself (rnnlib/ui/frame.py), so the very first visit a server ever gets looks like every later one:
same menu with labels and icons, same wide layout, same tab title.
"""

import browser as harness
import pytest
from browser import assert_no_exception, open_page, screenshot
from playwright.sync_api import TimeoutError as PlaywrightTimeout

# (label, Material icon name) of the sidebar menu, in order; the current page is highlighted.
MENU = [
    ("Home", "home"),
    ("Lessons", "school"),
    ("Build", "construction"),
    ("Train", "monitoring"),
    ("Compare", "compare_arrows"),
    ("Inside", "visibility"),
    ("Runs", "history"),
]
CENTERED_MAX_WIDTH_PX = 736  # Streamlit's centered layout; wide fills the window

_MENU_JS = """() => [...document.querySelectorAll('[data-testid="stSidebar"] a')].map(a => [
    a.innerText.trim().split('\\n').pop(),
    a.querySelector('[data-testid="stIconMaterial"]')?.innerText.trim() ?? null])"""
_DEFAULT_NAV_JS = """() => document.querySelectorAll('[data-testid="stSidebarNav"]').length"""
_MAIN_WIDTH_JS = """() => document.querySelector('[data-testid="stMainBlockContainer"]')
    .getBoundingClientRect().width"""


def visit(browser, base_url: str, path: str, shot: str | None = None) -> dict:
    """Open base_url/path in a new context (a new visitor); what a person sees of the frame."""
    context = browser.new_context(viewport=harness.VIEWPORT)
    try:
        page = context.new_page()
        open_page(page, base_url, path)
        assert_no_exception(page)
        try:  # the sidebar's elements can land a few hundred ms after the script's end
            page.wait_for_function(f"() => ({_MENU_JS})().length >= {len(MENU)}", timeout=5000)
        except PlaywrightTimeout:
            pass  # compared below, with what is there
        if shot:
            screenshot(page, shot)
        return {
            "menu": [tuple(link) for link in page.evaluate(_MENU_JS)],
            "default_nav": page.evaluate(_DEFAULT_NAV_JS),
            "wide": page.evaluate(_MAIN_WIDTH_JS) > CENTERED_MAX_WIDTH_PX,
            "h1": page.locator("h1").first.inner_text(),
            "tab": page.title(),
        }
    finally:
        context.close()


@pytest.mark.browser
def test_cold_first_visit_to_train_looks_like_every_later_visit(browser):
    with harness.app_server() as base_url:  # a fresh server: /Train is the first page it serves
        cold = visit(browser, base_url, "Train", "router_cold_train")
        visit(browser, base_url, "")
        warm = visit(browser, base_url, "Train", "router_warm_train")

    assert cold == warm
    assert cold["menu"] == MENU
    assert cold["default_nav"] == 0  # Streamlit's file-name list ("app", no icons) never shows
    assert cold["wide"]
    assert cold["h1"].endswith("Train and forecast")
    assert cold["tab"] == "Train · RNN Playground"


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", "Build", "Compare", "Inside", "Runs"])
def test_every_page_opened_by_a_new_visitor_shows_the_menu(browser, app_server, path):
    seen = visit(browser, app_server, path)
    assert seen["menu"] == MENU and seen["default_nav"] == 0 and seen["wide"]
