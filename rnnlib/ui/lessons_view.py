"""The Lessons page's pieces: the lesson picker with its ticks, one lesson's text, and each
lesson's try-it (widgets → one rnnlib call → the pages' own figures).

A lesson's result is kept in session state under ``l_result_N`` so it survives a rerun; a lesson
whose try-it has run is ticked (``l_done``) for the rest of the visit.
"""

from __future__ import annotations

import streamlit as st

from rnnlib.lessons import LESSONS, Lesson, LessonError, lesson
from rnnlib.ui import jobs
from rnnlib.ui.links import SHOWN

PREFIX = "l_"
DONE = f"{PREFIX}done"  # session state: the numbers of the lessons whose try-it has run
WIDGET = "lesson"  # the picker's key
AT = f"{PREFIX}at"  # the lesson open, kept across page switches (widget state is not)


def done() -> set[int]:
    return st.session_state.setdefault(DONE, set())


def result_key(n: int) -> str:
    return f"{PREFIX}result_{n}"


def picker() -> Lesson:
    """The lesson picker; the chosen lesson. /Lessons?lesson=4 opens lesson 4.

    Not bound with ``bind="query-params"``: that writes the option's label, ticks included, to
    the URL. The number goes there instead, read once per visit and written on every run.
    """
    ticks = done()
    if WIDGET not in st.session_state:  # first run of this visit, or back from another page
        st.session_state[WIDGET] = st.session_state.get(AT) or from_link(
            st.query_params.get("lesson")
        )
    number = st.segmented_control(
        "Lesson", [lesson.number for lesson in LESSONS], required=True,
        format_func=lambda n: f"{'✓ ' if n in ticks else ''}{n}. {LESSONS[n - 1].title}",
        key=WIDGET,
    )  # fmt: skip
    st.session_state[AT] = number
    st.query_params["lesson"] = str(number)
    st.progress(len(ticks) / len(LESSONS), text=f"{len(ticks)} of {len(LESSONS)} lessons done")
    return LESSONS[number - 1]


def from_link(raw: str | None) -> int:
    """The lesson a link asks for; lesson 1, with a word, for one that does not exist."""
    if raw is None:
        return 1
    try:
        return lesson(int(raw)).number
    except (ValueError, LessonError):
        st.toast(
            f"Ignored from the link: lesson={raw[:SHOWN]!r} — choose 1 to {len(LESSONS)}; "
            "lesson 1 is shown instead.",
            icon=":material/link_off:",
        )
        return 1


def intro(lesson: Lesson) -> int | None:
    """What you will see, what to try and the question; the visitor's guess (index) or None."""
    st.subheader(f"{lesson.number}. {lesson.title}{'  ✓' if lesson.number in done() else ''}")
    st.markdown(f"**What you will see.** {lesson.see}")
    st.markdown(f"**Try.** {lesson.try_it}")
    return st.radio(
        f"**Predict first:** {lesson.question}", range(len(lesson.choices)), index=None,
        format_func=lesson.choices.__getitem__, key=f"{PREFIX}guess_{lesson.number}",
    )  # fmt: skip


def outro(lesson: Lesson, guess: int | None) -> None:
    """What the result means, whether the guess was right, and the way on to the page."""
    right = lesson.choices[lesson.answer]
    if guess is None:
        st.info(f"**Answer:** {right}. {lesson.meaning}")
    elif guess == lesson.answer:
        st.success(f"**Right: {right}.** {lesson.meaning}")
    else:
        st.warning(f"**Not quite: {right}.** {lesson.meaning}")


def go_on(lesson: Lesson) -> None:
    """Try it yourself on the lesson's page (its widgets set by URL), and the next lesson."""
    left, right = st.columns([3, 1])
    left.page_link(
        lesson.page, label=f"Try it yourself: {lesson.page_label}", icon=":material/open_in_new:",
        query_params=lesson.query or None,
    )  # fmt: skip
    if lesson.number < len(LESSONS):
        right.button(
            f"Next: lesson {lesson.number + 1}", key=f"{PREFIX}next", on_click=_goto,
            args=(lesson.number + 1,), icon=":material/arrow_forward:",
        )  # fmt: skip


def _goto(number: int) -> None:
    st.session_state[WIDGET] = number


def ran(lesson: Lesson, result) -> None:
    """Keep a try-it's result and tick the lesson."""
    st.session_state[result_key(lesson.number)] = result
    done().add(lesson.number)
    st.rerun()  # the picker's tick and the progress bar above were drawn before this result


def kept(lesson: Lesson):
    return st.session_state.get(result_key(lesson.number))


class LiveCurve:
    """A race's progress drawn as its loss curve, at most a few times a second."""

    def __init__(self, cell: str, loss: str):
        from rnnlib.figures.compare import race_curves

        self.chart, self.history, self.cell, self.loss = st.empty(), [], cell, loss
        self.throttle, self.curves = jobs.Throttle(), race_curves

    def __call__(self, report) -> None:
        p = report.progress
        if p.epoch_end:
            self.history.append(p.record())
        if self.throttle.should_draw(force=len(self.history) <= 1 and p.epoch_end):
            live = {"cell": self.cell, "x": p.epoch - 1 + p.batch / p.batches, "loss": p.train_loss}
            fig = self.curves({self.cell: [self.history]}, loss=self.loss, live=live)
            self.chart.plotly_chart(fig, key=f"{PREFIX}live_{self.throttle.draws}")
