"""The Inside page in a real browser: it renders without an exception, and its default looks right."""

import pytest
from browser import assert_no_exception, open_page, rerun_after, screenshot

from rnnlib.labs.bptt_view import GRAD_LABELS
from rnnlib.labs.inside import LABELS


@pytest.mark.browser
def test_inside_page_default_in_chromium(app_server, page):
    open_page(page, app_server, "Inside")
    assert_no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("h1").first.inner_text().endswith("Inside the cell")
    # the heatmaps and the step-through of the default (fresh, untrained) model
    # plotly.js and KaTeX load lazily, after the script has finished
    main.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    main.locator(".katex").first.wait_for(timeout=30_000)
    # the default LSTM's forward step (i, f, g, o, c, h), then its backward step (∂L/∂h, ∂L/∂c,
    # ∂L/∂o, ∂L/∂i, ∂L/∂f, ∂L/∂g)
    main.locator(".katex").nth(11).wait_for(timeout=30_000)
    assert main.locator(".katex").count() == 12
    # the default LSTM (32 units) on a 40-step sine window: the input on top, one heatmap per
    # recorded quantity below it, and the chosen step as a dotted line through every panel
    chart = main.locator(".js-plotly-plot").filter(has_text="Layer 0: 40 steps")
    assert chart.count() == 1
    panels = chart.locator(".annotation-text").all_text_contents()
    assert panels == ["input x_t"] + [LABELS[n] for n in "ifgoch"], panels
    assert chart.locator(".heatmaplayer .hm").count() == 6
    assert chart.locator(".scatterlayer .trace").count() == 1  # x_t, one input feature
    assert chart.locator(".scatterlayer .point").count() == 40  # one marker per step
    assert chart.locator(".shapelayer path").count() >= 1  # the dotted line at step t
    # backpropagation through the same window: ‖∂L/∂x_t‖ on top, one heatmap per gradient
    back = main.locator(".js-plotly-plot").filter(has_text="Backward through time, layer 0")
    assert back.count() == 1
    panels = back.locator(".annotation-text").all_text_contents()
    assert panels == ["‖∂L/∂x_t‖ (log scale)"] + [GRAD_LABELS[n] for n in "hcifgo"], panels
    assert back.locator(".heatmaplayer .hm").count() == 6
    assert back.locator(".scatterlayer .trace").count() == 1
    assert back.locator(".scatterlayer .point").count() == 40
    assert main.get_by_text("Backward step t = 20, unit 0").count() == 1
    page.mouse.move(0, 0)
    screenshot(page, "inside_default")


@pytest.mark.browser
def test_inside_page_untrained_reach_in_chromium(app_server, page):
    open_page(page, app_server, "Inside")
    main = page.locator('[data-testid="stMain"]')
    # untrained curves only: instant, and enough to draw the reach chart
    main.get_by_text("Quick-training settings").click()
    rerun_after(page, lambda: main.get_by_text("train as well").click())
    rerun_after(page, lambda: main.get_by_role("button", name="Measure gradient reach").click())
    assert_no_exception(page)
    main.get_by_text("How far back the gradient reaches").first.wait_for(timeout=30_000)
    chart = main.locator(".js-plotly-plot").filter(has_text="How far back the gradient reaches")
    titles = chart.locator(".gtitle").all_text_contents()
    assert titles == ["How far back the gradient reaches (memory task, 40 steps)"], titles
    # one untrained curve per cell, over lags 0..39, and the cue's delay marked
    legend = chart.locator(".legendtext").all_text_contents()
    assert legend == ["RNN untrained", "LSTM untrained", "GRU untrained"], legend
    assert chart.locator(".scatterlayer .trace").count() == 3
    assert chart.get_by_text("the cue").count() == 1
    page.mouse.move(0, 0)
    screenshot(page, "inside_reach")
