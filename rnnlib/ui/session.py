"""What pages share through session state: the Build page's model spec and the pages' results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from rnnlib.errors import RnnlibError
from rnnlib.spec import ModelSpec

if TYPE_CHECKING:
    from rnnlib.forecasting import ForecastResult
    from rnnlib.history import EpochRecord
    from rnnlib.series import Series

SPEC_KEY = "model_spec"
# Each page's last result, by page: Train keeps a TrainOutcome, Compare a labs.race.RaceResult.
RESULTS = {"train": "t_outcome", "compare": "c_outcome"}


@dataclass(frozen=True)
class TrainOutcome:
    """The Train page's last run: its forecast, the series it was made on, and why training ended."""

    result: ForecastResult
    series: Series
    stopped: str  # for a person: finished, stopped by you, or restored from a checkpoint

    @property
    def history(self) -> list[EpochRecord]:
        """The chosen model's loss history ([] for a result restored without one)."""
        return self.result.fit.history if self.result.fit else []


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
