"""Helpers shared by the page tests (Streamlit's AppTest), each with one meaning.

ok(at): the run raised nothing. clean(at): ok, and the page shows no st.error either.
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from rnnlib.spec import ModelSpec
from rnnlib.ui.session import SPEC_KEY

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 60  # seconds for one page run: tiny models, but the first run imports torch and plotly
# What the Build page would hand over: tiny, so races and runs take a second.
TINY_SPEC = ModelSpec(hidden_size=4)


def visitor(page: str, timeout: float = TIMEOUT) -> AppTest:
    """A new session on `page` ("pages/….py" under the app, which draws every page's menu), not yet
    run: set its session state or URL query first."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.switch_page(page)
    return at


def open_page(
    page: str, spec: ModelSpec | None = None, timeout: float = TIMEOUT, **state
) -> AppTest:
    """`page` ("pages/….py") opened from the landing page, as a visitor gets there, with `spec`
    handed over from Build and `state` put in session state first; checked with ok."""
    at = visitor(page, timeout)
    if spec is not None:
        at.session_state[SPEC_KEY] = spec.to_dict()
    for key, value in state.items():
        at.session_state[key] = value
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    """at, after checking that its last run raised no exception."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def clean(at: AppTest) -> AppTest:
    """at, after checking that its last run raised nothing and shows no st.error."""
    assert not ok(at).error, errors(at)
    return at


def widget(at: AppTest, key: str):
    """The main-area widget with this key."""
    return next(w for w in at.main if getattr(w, "key", None) == key)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly charts on the page by title: {title: {"traces": [names], "layout": ...}}."""
    out = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec["layout"].get("title", {}).get("text", "")
        out[title] = dict(traces=[t.get("name") for t in spec["data"]], layout=spec["layout"])
    return out
