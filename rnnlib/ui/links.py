"""Shareable links: tell the visitor which settings in a link could not be used.

Widgets bound with ``bind="query-params"`` restore themselves from the URL; a value no widget can
take (text for a number, an unknown option, out of range) is dropped by Streamlit without a word.
A link someone shared should not silently do something else, so a page takes the URL's raw
parameters before its widgets exist and, once they do, names each parameter that was dropped.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

SHOWN = 40  # characters of a hostile value worth echoing back
# Every page widget that is part of a shareable configuration: restored from the URL on load,
# written to it on change, and kept across page switches.
KEEP = dict(bind="query-params", persist_state="session")


def _same(raw: str, value) -> bool:
    """Does the URL text mean the widget's current value (labels, case and number formats aside)?"""
    if isinstance(value, bool):
        return raw.strip().lower() == str(value).lower()
    if isinstance(value, int | float):
        try:
            return float(raw) == float(value)
        except ValueError:
            return False
    norm = lambda s: str(s).strip().lower().replace("_", " ")  # noqa: E731
    if isinstance(value, list | tuple):
        return norm(raw) in {norm(v) for v in value}
    return norm(raw) == norm(value)


def link_guard() -> Callable[[], None]:
    """Call before a page's widgets; call the result after them to report dropped link values."""
    raw = st.query_params.to_dict()

    def report() -> None:
        now = st.query_params.to_dict()
        dropped = [
            f"{key}={value[:SHOWN]!r}"
            for key, value in raw.items()
            if key in st.session_state
            and now.get(key) != value
            and not _same(value, st.session_state[key])
        ]
        if dropped:
            st.toast(
                f"Ignored from the link: {', '.join(dropped)} — not a value this page can take; "
                "the default is used instead.",
                icon=":material/link_off:",
            )

    return report
