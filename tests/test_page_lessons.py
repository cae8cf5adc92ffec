"""AppTest of the Lessons page: every lesson's try-it runs and draws its figure; links and ticks."""

import pytest
from pagetest import ok, visitor

from rnnlib.lessons import LESSONS

PAGE = "pages/0_Lessons.py"
# The figures each lesson's try-it draws (plotly charts), after its button is pressed.
CHARTS = {1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 2}


def open_lessons(query: str | None = None):
    at = visitor(PAGE)
    if query is not None:
        at.query_params["lesson"] = query
    return ok(at.run())


def chosen(at) -> int:
    return at.session_state["lesson"]


def test_opens_on_lesson_one_with_nothing_done():
    at = open_lessons()
    assert chosen(at) == 1
    assert at.subheader[0].value == "1. Shapes in, shapes out"
    assert not at.get("plotly_chart")
    assert "0 of 8 lessons done" in at.get("progress")[0].proto.text


def test_a_link_opens_a_given_lesson():
    at = open_lessons("4")
    assert chosen(at) == 4 and at.subheader[0].value.startswith("4. Why plain RNNs forget")
    assert at.query_params["lesson"] in ("4", ["4"])


@pytest.mark.parametrize("raw", ["9", "four"])
def test_a_bad_link_says_so_and_opens_lesson_one(raw):
    at = open_lessons(raw)
    assert chosen(at) == 1
    assert any(f"lesson={raw!r}" in t.proto.body for t in at.get("toast"))


@pytest.mark.parametrize("number", [lesson.number for lesson in LESSONS])
def test_each_try_runs_and_draws_its_figure(number):
    at = open_lessons(str(number))
    ok(at.button(key=f"l_run_{number}").click().run())
    assert not at.error, [e.value for e in at.error]
    assert len(at.get("plotly_chart")) == CHARTS[number]
    assert number in at.session_state["l_done"]
    assert "1 of 8 lessons done" in at.get("progress")[0].proto.text
    # the answer is shown once the result is there
    assert any(LESSONS[number - 1].choices[LESSONS[number - 1].answer] in b.value
               for b in (*at.info, *at.success, *at.warning))  # fmt: skip


def test_a_right_guess_is_told_so_and_a_wrong_one_corrected():
    at = open_lessons("1")
    at.radio(key="l_guess_1").set_value(2).run()
    ok(at.button(key="l_run_1").click().run())
    assert at.success and at.success[0].value.startswith("**Right: 4.**")
    at.radio(key="l_guess_1").set_value(0).run()
    assert at.warning and at.warning[0].value.startswith("**Not quite: 4.**")


def test_next_goes_to_the_next_lesson_and_the_link_follows():
    at = open_lessons("2")
    ok(at.button(key="l_next").click().run())
    assert chosen(at) == 3 and at.query_params["lesson"] in ("3", ["3"])


def test_each_lesson_links_to_its_page_with_settings():
    for lesson in LESSONS:
        at = open_lessons(str(lesson.number))
        link = next(
            x for x in at.main.get("page_link") if x.proto.label.startswith("Try it yourself")
        )
        assert link.proto.page.endswith(lesson.page.split("_", 1)[1].removesuffix(".py"))
        for key, value in lesson.query.items():
            assert f"{key}={value}" in link.proto.query_string, (lesson.slug, link.proto)


def test_shapes_try_with_bad_combination_is_one_red_line():
    at = open_lessons("1")
    at.selectbox(key="l_s_cell").set_value("rnn").run()
    ok(at.button(key="l_run_1").click().run())
    assert not at.error  # every combination offered builds
