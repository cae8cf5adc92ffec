"""Lessons (placeholder while being built)."""

import streamlit as st

from rnnlib.ui.frame import frame

frame(__file__)
st.title("Lessons")
