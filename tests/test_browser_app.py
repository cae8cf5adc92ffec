from pathlib import Path

import browser as harness
import pytest
import torch
from browser import assert_no_exception, open_page, screenshot


@pytest.mark.browser
def test_landing_page_in_chromium(app_server, page):
    open_page(page, app_server)
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
