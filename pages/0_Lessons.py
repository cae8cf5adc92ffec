"""Lessons: eight short steps through recurrent networks, each one a question, a try and a result."""

import streamlit as st

from rnnlib.errors import RnnlibError
from rnnlib.ui import lessons_view as view
from rnnlib.ui.frame import frame
from rnnlib.ui.lesson_tries import TRIES

frame(__file__)  # tab title, wide layout, one torch thread, the sidebar menu
st.title(":material/school: Lessons")
st.caption(
    "For a student who knows Python and a little about neural networks. Each lesson takes a "
    "minute: read what you will see, answer the question before you press, then press."
)
lesson = view.picker()  # reads ?lesson=N itself; no other widget here is bound to the URL
guess = view.intro(lesson)
try:
    TRIES[lesson.number](lesson)
except RnnlibError as e:
    st.error(str(e))
if view.kept(lesson) is not None:
    view.outro(lesson, guess)
view.go_on(lesson)
