"""pages/1_Build.py under AppTest: every widget reaches the spec, and the page shows its numbers."""

import pytest
from pagetest import ok, visitor, widget
from streamlit.testing.v1 import AppTest

from rnnlib.codegen import export_script
from rnnlib.equations import equations
from rnnlib.params import total_params
from rnnlib.spec import ModelSpec, SpecError

PAGE = "pages/1_Build.py"


def run(query: dict | None = None, **widgets) -> AppTest:
    """Open the page (optionally from a URL query), then set widgets by key, in order.

    A widget that an earlier one enables (layer_norm after impl) is still disabled until the
    page reruns, as in the browser, so a rerun comes first then; otherwise one rerun at the end.
    """
    at = visitor(PAGE)
    at.query_params.update(query or {})
    ok(at.run())
    for key, value in widgets.items():
        if widget(at, key).disabled:
            ok(at.run())
        widget(at, key).set_value(value)
    return ok(at.run()) if widgets else at


def count(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Parameters")


def latex(at: AppTest) -> list[str]:
    """Every st.latex body on the page, in order, without the $$ fences AppTest shows."""
    return [x.value.removeprefix("$$\n").removesuffix("\n$$") for x in at.latex]


def expected(**fields) -> str:
    return f"{total_params(ModelSpec(**fields)):,}"


def test_default_page():
    at = run()
    assert count(at) == expected() == "4,513"  # the spec's default LSTM
    assert [t.label for t in at.tabs] == [
        "Parameters",
        "Shapes",
        "Equations",
        "Architecture",
        "Code",
    ]
    assert at.session_state["model_spec"] == ModelSpec().to_dict()
    assert not at.error and not at.warning
    # Parameters tab: the closed form, then one table row per tensor.
    assert latex(at)[0].endswith(r"&= 4{,}513 \end{aligned}")
    tensors = at.dataframe[0].value
    assert tensors["count"].sum() == total_params(ModelSpec())
    assert tensors["tensor"].iloc[0] == "rnn.weight_ih_l0"


@pytest.mark.parametrize("cell", ["gru", "rnn"])
def test_changing_the_cell_changes_the_count(cell):
    at = run(cell=cell)
    assert count(at) == expected(cell=cell)
    assert at.session_state["model_spec"]["cell"] == cell
    # After the parameter formula, the Equations tab's lines.
    assert latex(at)[1:] == equations(ModelSpec(cell=cell))


@pytest.mark.parametrize(
    "widgets",
    [
        dict(hidden_size=64),
        dict(num_layers=3),
        dict(bidirectional=True),
        dict(bias=False),
        dict(proj_size=8),
        dict(input_size=5, output_size=3),
        dict(cell="gru", num_layers=2, bidirectional=True, bias=False),
        dict(cell="rnn", nonlinearity="relu", hidden_size=7),
        dict(impl="scratch", layer_norm=True),
    ],
    ids=lambda w: ",".join(f"{k}={v}" for k, v in w.items()),
)
def test_each_field_reaches_the_exact_count(widgets):
    at = run(**widgets)
    assert count(at) == expected(**widgets)
    assert at.session_state["model_spec"] == ModelSpec(**widgets).to_dict()


def test_invalid_combination_shows_the_spec_error():
    at = run(hidden_size=16, proj_size=16)
    with pytest.raises(SpecError) as e:
        ModelSpec(hidden_size=16, proj_size=16)
    assert [x.value for x in at.error] == [f"This combination cannot be built: {e.value}"]
    assert "proj_size (16) must be smaller than hidden_size (16)" in at.error[0].value
    assert not at.metric  # the page stops before any number that would be wrong


def test_layer_norm_and_projection_cannot_be_combined():
    at = run(impl="scratch", layer_norm=True, proj_size=4)
    assert "layer_norm and proj_size cannot be combined" in at.error[0].value


@pytest.mark.parametrize(
    "cell, impl, enabled",
    [
        ("rnn", "torch", {"nonlinearity"}),
        ("lstm", "torch", {"proj_size"}),
        ("lstm", "scratch", {"proj_size", "layer_norm"}),
        ("gru", "scratch", set()),
    ],
)
def test_options_are_disabled_unless_they_apply(cell, impl, enabled):
    at = run(cell=cell, impl=impl)
    for key in ("nonlinearity", "proj_size", "layer_norm"):
        assert widget(at, key).disabled == (key not in enabled), key


def test_a_disabled_option_left_set_does_not_reach_the_spec():
    # proj_size set on an LSTM, then GRU chosen: the widget keeps 8, the spec gets 0, no error.
    at = run(proj_size=8)
    widget(at, "cell").set_value("gru")
    ok(at.run())
    assert widget(at, "proj_size").value == 8 and widget(at, "proj_size").disabled
    assert not at.error
    assert at.session_state["model_spec"]["proj_size"] == 0
    assert count(at) == expected(cell="gru")


def test_dropout_with_one_layer_warns():
    at = run(dropout=0.2)
    assert [w.value for w in at.warning] == list(ModelSpec(dropout=0.2).warnings())
    assert "num_layers=1" in at.warning[0].value
    assert not run(dropout=0.2, num_layers=2).warning


def test_code_tab_exports_the_spec():
    at = run(cell="gru", bidirectional=True)
    exported = export_script(ModelSpec(cell="gru", bidirectional=True))
    assert at.code[0].value == exported.rstrip("\n")  # st.code drops the final newline
    assert "nn.GRU(" in at.code[0].value


@pytest.mark.parametrize("batch_first", [True, False])
def test_shape_table_predicted_equals_measured(batch_first):
    at = run(batch_first=batch_first, shape_batch=3, shape_seq=7, bidirectional=True)
    table = at.dataframe[1].value
    assert list(table["tensor"]) == ["input", "output", "h_n", "c_n", "prediction"]
    assert list(table["predicted"]) == list(table["measured"])
    assert table["agree"].all()
    first = "(3, 7, 1)" if batch_first else "(7, 3, 1)"
    assert table["predicted"].iloc[0] == first
    assert table["predicted"].iloc[2] == "(2, 3, 32)"  # h_n never puts batch first


# --- bound query params (AppTest feeds at.query_params to the first run, like a page load) -----


def test_a_link_sets_the_widgets():
    at = run(query={"cell": "gru", "hidden_size": "64", "bidirectional": "true"})
    assert widget(at, "cell").value == "gru"
    assert widget(at, "hidden_size").value == 64
    assert widget(at, "bidirectional").value is True
    assert count(at) == expected(cell="gru", hidden_size=64, bidirectional=True)
    # Values equal to the widget's default are dropped from the URL; the others stay.
    assert at.query_params == {"cell": "gru", "hidden_size": "64", "bidirectional": "true"}


def test_a_link_with_scratch_and_layer_norm():
    at = run(query={"impl": "scratch", "layer_norm": "true"})
    assert count(at) == expected(impl="scratch", layer_norm=True)


def test_a_link_value_the_widget_cannot_take_is_dropped():
    # Out of range, not a number, not an option: Streamlit removes the param and uses the default.
    at = run(query={"hidden_size": "5000", "num_layers": "two", "cell": "GRU", "input_size": "3"})
    assert at.query_params == {"input_size": "3"}
    assert count(at) == expected(input_size=3)


def test_a_link_to_an_invalid_combination_shows_the_error():
    at = run(query={"proj_size": "40"})
    assert "proj_size (40) must be smaller than hidden_size (32)" in at.error[0].value
