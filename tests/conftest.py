"""Fixtures shared by the whole suite. The browser harness itself lives in tests/browser.py."""

import browser as harness
import pytest
import torch

# Tiny models train 10x+ slower when two intra-op threads fight over a busy 2-core machine.
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def app_server(browser):
    """Base URL of `streamlit run app.py` on a free loopback port, for the whole session."""
    harness.require_browser()  # skip (or fail in CI) before paying for a server no test can use
    with harness.app_server() as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser():
    """Playwright Browser on Debian's /usr/bin/chromium, shared by the session."""
    harness.require_browser()
    with harness.chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    """A fresh page in its own context (no shared cookies or session), 1400x1000."""
    context = browser.new_context(viewport=harness.VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()
