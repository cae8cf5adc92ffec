"""The Lessons page in Chromium: a learner walks lessons 1 to 8, pressing each try-it button and
"Next", and each lesson's chart shows what it should (trace names, points drawn)."""

import pytest
from browser import assert_no_exception, drawn_traces, open_page, rerun_after, screenshot

from rnnlib.lessons import LESSONS

# Lesson -> {chart title (its start): [(trace name, points drawn)]}, after its button is pressed.
CHARTS = {
    1: {"LSTM: 1 layer(s), unrolled over time": [
        ("input x_t", 4), ("layer 0 forward →", 4), ("head", 1)]},
    2: {"Loss: train solid, validation dashed": [("LSTM train", 15), ("LSTM validation", 15)]},
    # the window (20 steps), then one heatmap row per unit (8) for each gate and state
    3: {"Layer 0: 20 steps": [("x", 20)] + [(name, 8) for name in (
        "i_t input gate", "f_t forget gate", "g_t candidate", "o_t output gate",
        "c_t cell state", "h_t hidden state")]},
    4: {"How far back the gradient reaches (memory task, 30 steps)": [
        ("RNN untrained", 30), ("LSTM untrained", 30), ("GRU untrained", 30)]},
    5: {"Test accuracy": [("test accuracy", 2), ("majority class", 2)]},
    6: {"Forecast on the test part and past the end": [
        ("history", 240), ("test actual", 25), ("model (1 step ahead)", 25), ("naive", 25),
        ("model (last origin, full horizon)", 12), ("forecast past the end", 12)]},
    7: {"Forecast on the test part and past the end": [
        ("history", 400), ("test actual", 60), ("model (1 step ahead)", 60), ("naive", 60),
        ("forecast past the end", 1)]},
    8: {"Scratch vs nn.LSTM: largest difference": [("y = x", 2), ("outputs", 384)],
        "Where the parameters live": [("input weights", 2), ("recurrent weights", 2),
                                      ("biases", 2), ("head", 2)]},
}  # fmt: skip

_DRAWN_JS = """n => [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')]
    .filter(p => p._fullData).length >= n"""


def charts_by_start(page, starts) -> dict[str, list]:
    """The drawn charts whose titles begin with one of `starts`, keyed by that start."""
    drawn = drawn_traces(page)
    return {s: next((t for title, t in drawn.items() if title.startswith(s)), None) for s in starts}


@pytest.mark.browser
def test_a_learner_walks_the_eight_lessons_in_chromium(app_server, page):
    open_page(page, app_server, "Lessons")
    main = page.locator('[data-testid="stMain"]')
    for lesson in LESSONS:
        n = lesson.number
        assert main.locator("h3").first.inner_text().startswith(f"{n}. {lesson.title}")
        assert page.url.endswith(f"lesson={n}")
        assert not page.locator('[data-testid="stToast"]').count()  # a good link, no complaint
        assert not main.locator(".js-plotly-plot").count()  # nothing drawn before the press
        rerun_after(page, lambda n=n: page.locator(f".st-key-l_run_{n} button").click(), 120_000)
        assert_no_exception(page)
        page.wait_for_function(_DRAWN_JS, arg=len(CHARTS[n]), timeout=30_000)
        assert charts_by_start(page, CHARTS[n]) == CHARTS[n], n
        # ticked, the answer shown, and the way on to its page with the lesson's settings
        assert main.locator("h3").first.inner_text().endswith("✓")
        answer = main.locator('[data-testid="stAlert"]', has_text=lesson.choices[lesson.answer])
        assert answer.count() >= 1
        assert main.locator(
            f'a[href*="{lesson.page.split("_", 1)[1].removesuffix(".py")}"]'
        ).count()
        if n in (1, 8):
            page.mouse.move(0, 0)
            screenshot(page, f"lessons_{n}")
        if n < len(LESSONS):
            rerun_after(
                page, lambda n=n: main.get_by_role("button", name=f"Next: lesson {n + 1}").click()
            )
    assert main.get_by_text(f"{len(LESSONS)} of {len(LESSONS)} lessons done").is_visible()
