"""The frame every page shares: its browser-tab title, the wide layout, one torch thread, and the
sidebar menu of the playground's pages.

The app has one router, Streamlit's `pages/` directory: `streamlit run app.py` serves app.py as the
landing page and each `pages/N_Name.py` at `/Name`. `.streamlit/config.toml` turns the default
file-name menu off (`client.showSidebarNavigation = false`) and `frame()` draws this one instead,
with labels and icons. Every page calls `frame()` first, so a shared link opened on a cold server
looks the same as every later visit: each page runs on its own, never through another script.
"""

from pathlib import Path
from typing import NamedTuple

import streamlit as st

from rnnlib.ui import pin_threads


class Page(NamedTuple):
    path: str  # relative to the app's folder, as st.page_link and st.switch_page take it
    label: str
    icon: str
    blurb: str  # what you do there, for the landing page


HOME = Page("app.py", "Home", ":material/home:", "What the playground is, and how to use it.")
PAGES = (
    Page("pages/0_Lessons.py", "Lessons", ":material/school:", "Eight short lessons, by doing."),
    Page("pages/1_Build.py", "Build", ":material/construction:", "Assemble a cell, count its weights."),
    Page("pages/2_Train.py", "Train", ":material/monitoring:", "Fit a series, watch the loss."),
    Page("pages/3_Compare.py", "Compare", ":material/compare_arrows:", "The three cells, same data."),
    Page("pages/4_Inside.py", "Inside", ":material/visibility:", "Step through the gates."),
    Page("pages/5_Runs.py", "Runs", ":material/history:", "Every run kept, side by side."),
)  # fmt: skip
APP_TITLE = "RNN Playground"
APP_ICON = ":material/cyclone:"


def app_root(script: str | Path) -> Path:
    """The folder holding app.py, from the path of app.py or of a page in its pages/."""
    folder = Path(script).resolve().parent
    return folder.parent if folder.name == "pages" else folder


def available(root: Path) -> list[Page]:
    """The pages whose files exist under root: a page can be added or removed without edits here
    beyond PAGES (st.page_link refuses a file Streamlit has not found)."""
    return [page for page in PAGES if (root / page.path).exists()]


def frame(script: str | Path, threads: bool = True) -> list[Page]:
    """Set up the page whose file is `script` (pass __file__); return the pages that exist.

    threads=False leaves pin_threads() (and pandas) to the page: it imports torch (about 1 s on
    a cold server), which the landing page does only once its demo has run."""
    root = app_root(script)
    here = Path(script).resolve().relative_to(root).as_posix()
    pages = available(root)
    this = next((page for page in (HOME, *pages) if page.path == here), None)
    title = APP_TITLE if this in (None, HOME) else f"{this.label} · {APP_TITLE}"
    st.set_page_config(page_title=title, page_icon=APP_ICON, layout="wide")
    if threads:
        pin_threads()
        # Before any plotly figure: plotly looks pandas up in sys.modules without importing it,
        # and may find the module half-built while another session's thread is importing it
        # ("partially initialized module 'pandas'", seen with 4 visitors at once). An import
        # here waits for that one to finish. The landing page draws no plotly figure.
        import pandas  # noqa: F401
    if pages:  # a lone landing page needs no menu
        with st.sidebar:
            for page in (HOME, *pages):
                st.page_link(page.path, label=page.label, icon=page.icon)
    return pages
