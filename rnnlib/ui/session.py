"""What pages share through session state: the Build page's model spec and the pages' results."""

from __future__ import annotations

import streamlit as st

from rnnlib.errors import RnnlibError
from rnnlib.spec import ModelSpec

SPEC_KEY = "model_spec"
# Each page's last result, by page: Train keeps a dict (see live.keep_outcome), Compare a RaceResult.
RESULTS = {"train": "t_outcome", "compare": "c_outcome"}


def current_spec() -> ModelSpec:
    """The spec built on the Build page, or the default when Build was never visited."""
    try:
        return ModelSpec.from_dict(st.session_state.get(SPEC_KEY, {}))
    except RnnlibError:  # a stale or hand-edited spec: start from the default
        return ModelSpec()


def remember_spec(spec: ModelSpec) -> None:
    st.session_state[SPEC_KEY] = spec.to_dict()


def page_result(page: str):
    """The last result the page ("train", "compare") left in session state, or None."""
    return st.session_state.get(RESULTS[page])


def keep_result(page: str, result) -> None:
    st.session_state[RESULTS[page]] = result
