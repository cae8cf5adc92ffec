import pytest
from browser import assert_no_exception, open_page, rerun_after, screenshot

RACE_TIMEOUT_MS = 120_000  # three small models, a few epochs; generous for a shared 2-core machine


@pytest.mark.browser
def test_compare_page_races_three_cells_in_chromium(app_server, page):
    open_page(page, app_server, "Compare")
    assert_no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("h1").first.inner_text().endswith("Compare RNN, LSTM and GRU")

    epochs = page.get_by_label("epochs", exact=True)
    rerun_after(page, lambda: (epochs.fill("3"), epochs.press("Enter")))
    race = page.get_by_role("button", name="Race", exact=True)
    rerun_after(page, race.click, timeout_ms=RACE_TIMEOUT_MS)
    assert_no_exception(page)

    legend = set(main.locator(".legendtext").all_text_contents())
    for cell in ("RNN", "LSTM", "GRU"):
        assert {f"{cell} train", f"{cell} validation"} <= legend, legend
    assert "naive (validation)" in legend
    assert main.get_by_text("Result", exact=True).is_visible()
    assert main.locator('[data-testid="stAlertContentError"]').count() == 0
    screenshot(page, "compare_race")
