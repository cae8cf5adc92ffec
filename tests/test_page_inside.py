"""The Inside page under AppTest: each cell's default view, a Train-page model, both experiments
with tiny settings, and bad inputs shown as one-line errors rather than exceptions."""

from __future__ import annotations

import pytest
from pagetest import TIMEOUT, clean, visitor
from streamlit.testing.v1 import AppTest

from rnnlib.forecasting import Experiment, ForecastSpec, run
from rnnlib.optim import TrainSpec
from rnnlib.series import make_synthetic
from rnnlib.spec import ModelSpec
from rnnlib.ui.session import TrainOutcome
from rnnlib.windows import WindowSpec

PAGE = "pages/4_Inside.py"


def _page(spec: ModelSpec | None = None, **state) -> AppTest:
    at = visitor(PAGE)
    if spec is not None:
        at.session_state["model_spec"] = spec.to_dict()
    for key, value in state.items():
        at.session_state[key] = value
    return at.run(timeout=TIMEOUT)


def _forward_lines(at: AppTest) -> list[str]:
    """The forward step's equations: the backward step's all hold ∂L."""
    return [e.value for e in at.latex if r"\partial L" not in e.value]


def _backward_lines(at: AppTest) -> list[str]:
    return [e.value for e in at.latex if r"\partial L" in e.value]


def _tiny_settings(at: AppTest) -> AppTest:
    at.number_input(key="i_q_hidden").set_value(2)
    at.number_input(key="i_q_n").set_value(8)
    at.number_input(key="i_q_epochs").set_value(1)
    return at


@pytest.mark.parametrize("cell, lines, back", [("rnn", 1, 2), ("lstm", 6, 6), ("gru", 4, 4)])
def test_default_view_for_each_cell(cell, lines, back):
    at = clean(_page(ModelSpec(cell=cell, hidden_size=6)))
    # one forward equation per recorded quantity, then the backward step's: ∂L/∂h_t and one per
    # gradient the cell keeps, each with numbers
    forward = _forward_lines(at)
    backward = _backward_lines(at)
    assert (len(forward), len(backward)) == (lines, back)
    assert "from step" in backward[0]  # ∂L/∂h_t = (from above) + (from step t+1)
    # the forward heatmaps and the backward ones; no experiment has run yet
    assert len(at.get("plotly_chart")) == 2
    assert "fresh, untrained " + cell.upper() in at.caption[0].value
    assert [b.label for b in at.button] == ["Measure gradient reach", "Run the memory lab"]


def test_bidirectional_stack_shows_the_chosen_layer_and_direction():
    spec = ModelSpec(cell="gru", hidden_size=5, num_layers=2, bidirectional=True, impl="scratch")
    at = clean(_page(spec))
    at.selectbox(key="i_layer").set_value(1)
    at.selectbox(key="i_direction").set_value(1)
    at.slider(key="i_t").set_value(0)
    at = clean(at.run(timeout=TIMEOUT))
    assert "h_{t+1}" in at.latex[0].value  # the backward direction reads the next step's state
    assert "**Step t = 0, unit 0**" in at.markdown[1].value
    # the backward step of the same layer and direction: the backward direction reads t = 0
    # last, so ∂L/∂h_0 gets nothing from a later step (t-1 does not exist), all from the head
    assert "**Backward step t = 0, unit 0**" in at.markdown[3].value
    assert "from step }t-1" in _backward_lines(at)[0] and r" + 0 \\" in _backward_lines(at)[0]


def test_indices_are_clamped_when_the_model_shrinks():
    at = clean(_page(ModelSpec(cell="lstm", hidden_size=8)))
    at.number_input(key="i_unit").set_value(7)
    at = clean(at.run(timeout=TIMEOUT))
    at.session_state["model_spec"] = ModelSpec(cell="rnn", hidden_size=3).to_dict()
    at = clean(at.run(timeout=TIMEOUT))
    assert at.number_input(key="i_unit").value == 2


@pytest.fixture(scope="module", params=["direct", "seq2seq"])
def train_outcome(request):
    """What the Train page leaves in session state, from a one-epoch run on a short sine."""
    series = make_synthetic("sine", n=80)
    exp = Experiment(
        ModelSpec(cell="lstm", hidden_size=4), WindowSpec(lookback=8, horizon=2),
        TrainSpec(epochs=1, seed=0), ForecastSpec(strategy=request.param),
    )  # fmt: skip
    result = run(series, exp)
    return TrainOutcome(result, series, "completed 1 epochs")


def test_a_model_trained_on_the_train_page_is_looked_at_by_default(train_outcome):
    at = clean(_page(t_outcome=train_outcome))
    assert "LSTM trained on the Train page" in at.caption[0].value
    window = at.slider(key="i_window")
    # the window as the model reads it, named by the normalisation the Train run chose
    normalize = at.session_state["t_outcome"].result.preprocessing.normalize
    assert window.label == f"test window ({normalize})"
    assert window.max == len(train_outcome.result.windows.test) - 1
    assert len(_forward_lines(at)) == 6
    assert at.slider(key="i_t").max == 7  # the lookback
    window.set_value(2)
    clean(at.run(timeout=TIMEOUT))


def test_gradient_reach_button_with_tiny_settings():
    at = clean(_page(ModelSpec(cell="rnn", hidden_size=3)))
    _tiny_settings(at).slider(key="i_r_length").set_value(6)
    at.slider(key="i_r_delay").set_value(2)
    at = clean(at.button(key="i_r_run").click().run(timeout=TIMEOUT))
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # the forward and backward heatmaps, then the reach chart
    assert "How far back the gradient reaches" in charts[2].proto.spec
    assert at.caption[-1].value.startswith("After training, test accuracy: RNN")
    result = at.session_state["i_reach_result"]
    assert result.length == 6 and set(result.curves) == {"rnn", "lstm", "gru"}
    at = clean(at.run(timeout=TIMEOUT))  # kept in session state: drawn again without a click
    assert len(at.get("plotly_chart")) == 3


def test_memory_lab_button_with_tiny_settings():
    at = clean(_page(ModelSpec(cell="gru", hidden_size=3)))
    _tiny_settings(at).multiselect(key="i_l_delays").set_value([0, 2])
    at.multiselect(key="i_l_cells").set_value(["rnn", "gru"])
    at = clean(at.button(key="i_l_run").click().run(timeout=TIMEOUT))
    result = at.session_state["i_lab_result"]
    assert result.delays == (0, 2) and list(result.accuracy) == ["rnn", "gru"]
    assert at.caption[-1].value.startswith("4 models trained in")
    assert "Remembering one value for k steps" in at.get("plotly_chart")[-1].proto.spec


def test_bad_inputs_are_one_line_errors():
    at = clean(_page(ModelSpec(cell="lstm", hidden_size=3)))
    at.multiselect(key="i_l_delays").set_value([])
    at = at.button(key="i_l_run").click().run(timeout=TIMEOUT)
    assert not at.exception
    assert [e.value for e in at.error] == ["Give 1 to 12 delays, got 0."]


def test_a_model_too_big_to_build_here_is_an_error_not_a_wait():
    at = _page(ModelSpec(cell="lstm", hidden_size=1024, num_layers=4))
    assert not at.exception
    assert len(at.error) == 1 and "make it smaller on Build" in at.error[0].value
    assert [b.label for b in at.button] == ["Measure gradient reach", "Run the memory lab"]


@pytest.mark.parametrize("task", ["forecast", "memory"])
def test_each_model_of_a_compare_race_can_be_looked_at(task):
    from rnnlib.labs.race import ClassificationTask, ForecastTask, race

    if task == "forecast":
        data = ForecastTask(make_synthetic("sine", n=80), WindowSpec(lookback=8))
    else:
        data = ClassificationTask("memory", n_samples=40, length=8, delay=3)
    result = race(data, ModelSpec(hidden_size=3), train=TrainSpec(epochs=1))
    at = clean(_page(c_outcome=result))
    source = at.segmented_control[0]
    assert source.options == ["Race: RNN", "Race: LSTM", "Race: GRU", "Fresh untrained model"]
    for name, cell, lines in [("Race: GRU", "GRU", 4), ("Race: LSTM", "LSTM", 6)]:
        source.set_value(name)
        at = clean(at.run(timeout=TIMEOUT))
        assert f"the {cell} from the Compare race" in at.caption[0].value
        assert len(_forward_lines(at)) == lines
        assert at.slider(key="i_window").max == len(result.probe) - 1
        source = at.segmented_control[0]
