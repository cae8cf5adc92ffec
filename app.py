"""The RNN Playground's landing page: what it is and how to use it.

`streamlit run app.py` serves this file at / and each page in pages/ at its name (/Train, ...);
rnnlib/ui/frame.py gives every one of them the same tab title, layout and sidebar menu.
"""

import streamlit as st

from rnnlib.device import describe_device
from rnnlib.ui.frame import frame

available = frame(__file__)  # the pages whose files exist, each linked below and in the sidebar

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
    for column, page in zip(columns, available, strict=True):
        with column:
            st.page_link(page.path, label=page.label, icon=page.icon)
            st.caption(page.blurb)

st.divider()
st.caption(f"Running on {describe_device()}")
