"""The RNN Playground: the router of its pages, and the landing page (what it is, how to use it).

Pages live in pages/, one file each; only the files that exist are listed, so a page can be added
or removed without touching this file beyond PAGES.
"""

from pathlib import Path

import streamlit as st

from rnnlib.device import describe_device
from rnnlib.ui import pin_threads

# Pages run inside this script (st.navigation below), so one call here covers them.
pin_threads()

HERE = Path(__file__).parent

# (page file, label, icon, what you do there). Pages are written separately; only existing ones are linked.
PAGES = [
    ("pages/1_Build.py", "Build", ":material/construction:", "Assemble a cell, count its weights."),
    ("pages/2_Train.py", "Train", ":material/monitoring:", "Fit a series, watch the loss."),
    ("pages/3_Compare.py", "Compare", ":material/compare_arrows:", "The three cells, same data."),
    ("pages/4_Inside.py", "Inside", ":material/visibility:", "Step through the gates."),
    ("pages/5_Runs.py", "Runs", ":material/history:", "Every run kept, side by side."),
]

available = [page for page in PAGES if (HERE / page[0]).exists()]
# Set once here for every page: each page's title and icon come from its st.Page below.
st.set_page_config(page_title="RNN Playground", page_icon=":material/cyclone:", layout="wide")


def home() -> None:
    st.title("RNN Playground")
    st.markdown(
        """
    A hands-on playground for recurrent networks — **RNN, LSTM and GRU** — that hides nothing:

    - **Build** a model from widgets: cell type, sizes, number of layers.
    - **Count** every parameter exactly, weight by weight and bias by bias, the way PyTorch lays them out.
    - **Train** on a synthetic series or your own CSV, with a live loss curve.
    - **Forecast** and see the error scored against naive baselines, so "good" means *better than repeating the last value*.
    - **Compare** the three cells on the same data, and **look inside** the gates as a sequence flows through.
    """
    )

    st.subheader("How to use it")
    st.markdown(
        """
    1. Open **Build** in the sidebar and choose a cell; the parameter table updates as you move the widgets.
    2. Go to **Train**, pick a synthetic series or upload a CSV, and press *Train*: the loss curve draws live.
    3. Read the forecast panel: the model's error sits next to the naive baselines it has to beat.
    4. Use **Compare** and **Inside** to see how the three cells differ and what their gates do.
    """
    )

    if available:
        st.subheader("Pages")
        columns = st.columns(len(available))
        for column, (path, label, icon, blurb) in zip(columns, available, strict=True):
            with column:
                st.page_link(path, label=label, icon=icon)
                st.caption(blurb)

    st.divider()
    st.caption(f"Running on {describe_device()}")


nav = [st.Page(home, title="Home", icon=":material/home:", default=True)]
nav += [st.Page(path, title=label, icon=icon, url_path=label) for path, label, icon, _ in available]
st.navigation(nav).run()
