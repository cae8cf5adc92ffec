"""The RNN Playground's landing page: a small network already learning, and the ways on from it.

`streamlit run app.py` serves this file at / and each page in pages/ at its name (/Train, ...);
rnnlib/ui/frame.py gives every one of them the same tab title, layout and sidebar menu. The text
and the empty charts go out first; the demo (numpy, so no torch import to wait for) trains after
them, and torch is loaded only at the end, for the pages beyond: even a cold server's first visitor
sees the loss fall about a second and a half after opening the page.
"""

import streamlit as st

from rnnlib.ui import demo_view
from rnnlib.ui.frame import frame

available = frame(__file__, threads=False)  # torch is pinned in the footer, after the demo

st.title("RNN Playground")
cell = st.segmented_control(
    "Cell", ["rnn", "lstm", "gru"], default="lstm", required=True, format_func=str.upper,
    key="home_cell", label_visibility="collapsed",
)  # fmt: skip
st.markdown(
    f"**Right now a small {cell.upper()} is learning this wave.** Its loss falls as Adam adjusts "
    "the weights, and its forecast of the last 48 points, which it has never seen, bends from a "
    "guess towards the real series. Pick another cell to race it, or go on:"
)
links = st.container(horizontal=True, vertical_alignment="center")
for link in demo_view.next_steps(available):
    links.page_link(link.path, label=link.label, icon=link.icon, query_params=link.query)
again = links.button("Train again", icon=":material/replay:", key="home_again")

left, right = st.columns(2)
slots = demo_view.Slots(left.empty(), right.empty(), st.empty())
kept = None if again else demo_view.finished(cell)
if kept is None:
    demo_view.play(cell, slots)
else:
    demo_view.draw(kept, slots)

if available:
    st.divider()
    columns = st.columns(len(available))
    for column, page in zip(columns, available, strict=True):
        with column:
            st.page_link(page.path, label=page.label, icon=page.icon)
            st.caption(page.blurb)
demo_view.footer()
