"""The model spec the Build page last produced, shared with the other pages through session state."""

from __future__ import annotations

import streamlit as st

from rnnlib.errors import RnnlibError
from rnnlib.spec import ModelSpec

SPEC_KEY = "model_spec"


def current_spec() -> ModelSpec:
    """The spec built on the Build page, or the default when Build was never visited."""
    try:
        return ModelSpec.from_dict(st.session_state.get(SPEC_KEY, {}))
    except RnnlibError:  # a stale or hand-edited spec: start from the default
        return ModelSpec()


def remember_spec(spec: ModelSpec) -> None:
    st.session_state[SPEC_KEY] = spec.to_dict()
