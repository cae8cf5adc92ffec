"""Real-browser test harness: `streamlit run app.py` on a loopback port, driven by Debian's Chromium.

conftest.py wraps app_server() and chromium() into the fixtures `app_server`, `browser` and `page`;
page tests import the helpers:

    from browser import assert_no_exception, open_page, rerun_after, screenshot

"The script finished", in Streamlit 1.67's DOM: `[data-testid="stApp"]` carries
`data-test-connection-state="CONNECTED"` and `data-test-script-state="notRunning"` ("initial" until
the first run), `[data-testid="stStatusWidget"]` (the "Running..." badge) is gone, and
`[data-testid="stMainBlockContainer"]` holds an element. After a click that state may still be the
previous run's, so rerun_after() also waits for the server's `script_finished` websocket message.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
# Everything that would make Chromium phone home or wait on the network: these machines are offline.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 1000}
MAX_SHOT_HEIGHT = 12_000  # px; keeps a runaway page from producing a giant PNG
SERVER_START_TIMEOUT_S = 60
SCRIPT_TIMEOUT_MS = 30_000
# Page -> [number of script runs finished], fed by the page's websocket (see rerun_after).
_finished_runs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# True once the script's last run is over and its output is on the page.
_SCRIPT_FINISHED_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
    const state = app.getAttribute('data-test-script-state');
    if (state !== 'notRunning' && state !== 'compilationError') return false;
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    return document.querySelector(
        '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]') !== null;
}"""

_NO_PLACEHOLDERS_JS = """() => !document.querySelector('[data-testid="stSkeleton"]')"""

_APP_STATE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app ? [app.getAttribute('data-test-script-state'),
                  app.getAttribute('data-test-connection-state')] : 'no stApp element';
}"""


def browser_unavailable_reason() -> str | None:
    """Why real-browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -r requirements-dev.txt"
    return None


def require_browser() -> None:
    """Skip the calling test when no browser is available; fail instead under RNNLIB_REQUIRE_BROWSER=1."""
    reason = browser_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("RNNLIB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"RNNLIB_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser test skipped: {reason}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace") if path.exists() else "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


@contextmanager
def app_server(script: str = "app.py") -> Iterator[str]:
    """Run `streamlit run <script>` from the repo root; yield its base URL; kill it afterwards.

    The server gets its own process group so that teardown also ends anything it spawned;
    its output goes to tests/screenshots/streamlit-server.log.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_path = SCREENSHOTS / "streamlit-server.log"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", script]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--server.headless", "true"]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(base_url):
            if process.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with code {process.returncode} before answering "
                    f"{base_url}/_stcore/health; log tail:\n{_tail(log_path)}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"streamlit did not answer {base_url}/_stcore/health within "
                    f"{SERVER_START_TIMEOUT_S} s; log tail:\n{_tail(log_path)}"
                )
            time.sleep(0.25)
        yield base_url
    finally:
        _kill_group(process)


def _kill_group(process: subprocess.Popen) -> None:
    for sig, grace_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace_s)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def chromium() -> Iterator[object]:
    """Launch Debian's Chromium through Playwright (never a downloaded browser); yield the Browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def wait_for_script(page, timeout_ms: int = SCRIPT_TIMEOUT_MS) -> None:
    """Block until Streamlit has finished running the page's script and rendered its output."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(_SCRIPT_FINISHED_JS, timeout=timeout_ms)
    except PlaywrightTimeout:
        state = page.evaluate(_APP_STATE_JS)
        assert_no_exception(page)  # the likelier story, when there is one
        pytest.fail(
            f"{page.url}: script not finished after {timeout_ms} ms "
            f"(script/connection state {state})",
            pytrace=False,
        )


def _count_finished_runs(page) -> None:
    """Count the app's finished script runs on page (in _finished_runs), from its websocket."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    runs = _finished_runs[page] = [0]

    def on_frame(payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg.FromString(payload)
        # A run cut short by st.rerun() or a new widget value is not the end of the chain.
        if msg.WhichOneof("type") == "script_finished":
            runs[0] += msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))


def open_page(page, base_url: str, path: str = "", timeout_ms: int = SCRIPT_TIMEOUT_MS) -> None:
    """Navigate to base_url/path and wait for the script.

    path is the page's URL name: "" for app.py, "Build" for pages/1_Build.py (number prefix dropped).
    """
    if page not in _finished_runs:
        _count_finished_runs(page)
    # The server's script_finished, not the DOM alone: a fast page's first frame can show the
    # main area before the sidebar's elements arrive, with the script state already "notRunning".
    rerun_after(page, lambda: page.goto(f"{base_url.rstrip('/')}/{path.lstrip('/')}"), timeout_ms)


def rerun_after(page, action: Callable[[], object], timeout_ms: int = SCRIPT_TIMEOUT_MS) -> None:
    """Do `action` (a click, a fill...) and wait until the rerun it triggers has finished.

    The DOM alone cannot tell a finished rerun from the run before it (a fast run never shows
    "running"), so this waits for the server's next `script_finished` message, then for the DOM.
    An action that triggers no rerun times out here. `page` must have been opened with open_page.
    """
    runs = _finished_runs.get(page)
    if runs is None:
        raise RuntimeError("rerun_after needs a page opened with open_page()")
    before = runs[0]
    action()
    deadline = time.monotonic() + timeout_ms / 1000
    while runs[0] == before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no script run finished within {timeout_ms} ms of the action")
        page.wait_for_timeout(50)  # lets Playwright deliver websocket events meanwhile
    wait_for_script(page, max(1, int((deadline - time.monotonic()) * 1000)))


# [[trace name, points drawn]] of each plotly chart in the main area, by its title (tags such as
# <b> stripped). plotly.js
# decodes the base64 ("bdata") arrays plotly.py sends into _fullData, so this counts what it drew.
_TRACES_JS = """() => Object.fromEntries([...document.querySelectorAll(
    '[data-testid="stMain"] .js-plotly-plot')].filter(p => p._fullData).map(p => [
        (p._fullLayout?.title?.text ?? '').replace(/<[^>]+>/g, ''),
        p._fullData.map(t => [t.name, (t.y ?? t.z ?? []).length])]))"""


def drawn_traces(page) -> dict[str, list[tuple[str, int]]]:
    """{chart title: [(trace name, points drawn)]} of the plotly charts drawn in the main area."""
    return {
        title: [(name, count) for name, count in traces]
        for title, traces in page.evaluate(_TRACES_JS).items()
    }


# Each ECharts chart drawn as SVG in the main area: its texts (title, axis names, legend) and,
# per stroke colour, the most points of a line in that colour ("M x y L x y ..." has one point
# per command). Series lines are the unfilled paths; legend samples are filled.
_ECHARTS_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stEChartsChart"] svg')].map(svg => {
        const lines = {};
        for (const path of svg.querySelectorAll('path')) {
            const stroke = path.getAttribute('stroke'), d = path.getAttribute('d') || '';
            if (!stroke || path.getAttribute('fill') !== 'none') continue;
            const points = (d.match(/[ML]/g) || []).length;
            lines[stroke] = Math.max(lines[stroke] || 0, points);
        }
        return {texts: [...svg.querySelectorAll('text')].map(t => t.textContent), lines};
    }).filter(chart => chart.texts.length)"""


# Points of the landing page's loss line drawn so far (0 before its first stretch): the blue,
# unfilled path of the chart titled "Loss, step by step". Shared by its test and bench_landing.
LANDING_LOSS_POINTS_JS = """() => {
    const chart = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stEChartsChart"] svg')]
        .find(svg => [...svg.querySelectorAll('text')].some(t => t.textContent === 'Loss, step by step'));
    const line = chart && [...chart.querySelectorAll('path[fill="none"][stroke="#4C78A8"]')][0];
    return line ? (line.getAttribute('d').match(/[ML]/g) || []).length : 0;
}"""


def drawn_echarts(page) -> list[dict]:
    """[{"texts": [...], "lines": {stroke colour: points}}] of the ECharts charts on the page."""
    return page.evaluate(_ECHARTS_JS)


def assert_no_exception(page) -> None:
    """Fail when the page shows a Streamlit exception box, quoting what it says."""
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        texts = "\n---\n".join(boxes.all_inner_texts())
        pytest.fail(f"page shows {boxes.count()} exception(s):\n{texts}", pytrace=False)


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG to tests/screenshots/<name>.png and return its path.

    Streamlit scrolls inside `stMain`, not the document, so Playwright's full_page alone stops at
    the viewport: the viewport is stretched to the content's height for the shot, then restored.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # A new browser context loads each widget's code on first use: grey placeholders meanwhile.
    try:
        page.wait_for_function(_NO_PLACEHOLDERS_JS, timeout=10_000)
    except Exception:  # noqa: BLE001 - a shot with placeholders still says more than none
        pass
    viewport = page.viewport_size
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 0"
    )
    if viewport and height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": min(height, MAX_SHOT_HEIGHT)})
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if viewport:
            page.set_viewport_size(viewport)
    return path
