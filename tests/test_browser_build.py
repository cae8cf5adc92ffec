"""The Build page in a real browser: the count follows the widgets, and the URL carries the spec.

What these tests pin down about Streamlit 1.67's ``bind="query-params"`` (see README, Pages):
a change writes ``?key=label`` into the URL at once (a value equal to the default is removed),
opening or reloading that URL restores the widgets, and the params come back after a visit to
another page through the sidebar.
"""

import pytest
from browser import assert_no_exception, open_page, rerun_after, screenshot, wait_for_script
from playwright.sync_api import expect

from rnnlib.params import total_params
from rnnlib.spec import ModelSpec

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def patient_expect():
    """Widgets are lazily loaded: after "script finished" they can stay skeletons for seconds on
    a loaded machine (measured: 3-4 s with 2 busy cores), past expect()'s 5 s default."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the tests that follow


def count(page):
    """The "Parameters" metric's value (a locator, so expect() can wait on it)."""
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Parameters")
    return metric.locator('[data-testid="stMetricValue"]')


def expected(**fields) -> str:
    return f"{total_params(ModelSpec(**fields)):,}"


def query(page) -> str:
    return page.url.partition("?")[2]


def type_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    rerun_after(page, lambda: (box.fill(str(value)), box.press("Enter")))


def toggle(page, label: str) -> None:
    switch = page.locator('[data-testid="stCheckbox"]').filter(has_text=label).locator("label")
    rerun_after(page, switch.click)


def choose_cell(page, cell: str) -> None:
    rerun_after(page, page.get_by_role("radio", name=cell, exact=True).click)


def test_count_follows_the_widgets_and_the_url_carries_them(app_server, browser, page):
    open_page(page, app_server, "Build")
    assert_no_exception(page)
    expect(count(page)).to_have_text(expected())
    assert query(page) == ""
    # The table's grid draws on a canvas only once scrolled into view: draw it for the shot.
    page.locator('[data-testid="stDataFrame"]').first.scroll_into_view_if_needed()
    screenshot(page, "build_default")

    choose_cell(page, "gru")
    expect(count(page)).to_have_text(expected(cell="gru"))
    expect(page.get_by_role("radio", name="gru", exact=True)).to_be_checked()
    assert query(page) == "cell=gru"  # written on change
    type_number(page, "hidden_size", 64)
    expect(count(page)).to_have_text(expected(cell="gru", hidden_size=64))
    assert query(page) == "cell=gru&hidden_size=64"
    assert_no_exception(page)
    screenshot(page, "build_gru")

    # Reloading (a new Streamlit session) restores the widgets from the URL.
    page.reload()
    wait_for_script(page)
    expect(count(page)).to_have_text(expected(cell="gru", hidden_size=64))
    expect(page.get_by_label("hidden_size", exact=True)).to_have_value("64")

    # Another page through the sidebar, then back: the params come back with the widgets.
    nav = page.locator('[data-testid="stSidebar"] a')
    rerun_after(page, nav.filter(has_text="Home").click)
    assert query(page) == ""
    rerun_after(page, nav.filter(has_text="Build").click)
    expect(count(page)).to_have_text(expected(cell="gru", hidden_size=64))
    assert query(page) == "cell=gru&hidden_size=64"

    # Back to a default value: its param leaves the URL.
    type_number(page, "hidden_size", ModelSpec().hidden_size)
    assert query(page) == "cell=gru"

    # The link, opened by someone else (a new context: no cookies, a new session).
    other = browser.new_context(viewport=page.viewport_size)
    try:
        visitor = other.new_page()
        open_page(visitor, app_server, "Build?cell=gru&hidden_size=64")
        expect(count(visitor)).to_have_text(expected(cell="gru", hidden_size=64))
        expect(visitor.get_by_role("radio", name="gru", exact=True)).to_be_checked()
        expect(visitor.get_by_label("hidden_size", exact=True)).to_have_value("64")
        assert query(visitor) == "cell=gru&hidden_size=64"
        assert_no_exception(visitor)
    finally:
        other.close()


def test_bidirectional_architecture(app_server, page):
    open_page(page, app_server, "Build")
    toggle(page, "bidirectional")
    expect(count(page)).to_have_text(expected(bidirectional=True))
    assert query(page) == "bidirectional=true"
    page.get_by_role("tab", name="Architecture").click()
    panel = page.get_by_role("tabpanel", name="Architecture")
    chart = panel.locator('[data-testid="stPlotlyChart"]')
    expect(chart).to_be_visible()
    # Plotly drew the diagram: a marker group per row and the row labels at the left.
    expect(chart.locator("g.trace.scatter")).to_have_count(4)  # input, →, ←, head
    for label in ("input", "layer 0 →", "layer 0 ←"):
        expect(chart.locator("g.annotation-text-g").filter(has_text=label).first).to_be_visible()
    expect(panel.get_by_text("after the FIRST step")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "build_bidirectional_architecture")


def test_projection_not_smaller_than_hidden_shows_the_error(app_server, page):
    open_page(page, app_server, "Build")
    type_number(page, "proj_size (0 = off)", 32)
    alert = page.locator('[data-testid="stAlertContentError"]')
    expect(alert).to_contain_text("This combination cannot be built")
    expect(alert).to_contain_text("proj_size (32) must be smaller than hidden_size (32)")
    expect(count(page)).to_have_count(0)
    assert_no_exception(page)
    screenshot(page, "build_error")
    # A smaller projection clears it.
    type_number(page, "proj_size (0 = off)", 8)
    expect(count(page)).to_have_text(expected(proj_size=8))
    expect(alert).to_have_count(0)
