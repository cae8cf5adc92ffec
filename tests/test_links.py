"""A shared link's values that no widget can take are named in a notice, never silently dropped."""

from pagetest import visitor
from streamlit.testing.v1 import AppTest

from rnnlib.ui.links import _same

BUILD = "pages/1_Build.py"


def open_build(**params) -> AppTest:
    at = visitor(BUILD)
    at.query_params.update(params)
    at.run()
    assert not at.exception
    return at


def toasts(at: AppTest) -> list[str]:
    return [t.value for t in at.toast]


def test_a_valid_link_restores_the_widgets_without_a_notice():
    at = open_build(cell="gru", hidden_size="64")
    assert at.session_state["cell"] == "gru" and at.session_state["hidden_size"] == 64
    assert toasts(at) == []


def test_malformed_and_hostile_values_are_named_and_defaults_used():
    at = open_build(cell="<script>alert(1)</script>", hidden_size="abc", num_layers="99")
    assert at.session_state["cell"] == "lstm" and at.session_state["hidden_size"] == 32
    (notice,) = toasts(at)
    assert notice.startswith("Ignored from the link:")
    for part in ("cell='<script>alert(1)</script>'", "hidden_size='abc'", "num_layers='99'"):
        assert part in notice
    assert not at.error  # the page still builds the default model


def test_a_default_value_in_a_link_is_not_reported():
    assert toasts(open_build(cell="lstm", hidden_size="32", bias="True")) == []


def test_same_understands_labels_numbers_and_booleans():
    assert _same("64", 64) and _same("0.05", 0.05) and _same("TRUE", True)
    assert _same("random walk", "random_walk") and _same("Sample data", "sample data")
    assert not _same("abc", 32) and not _same("false", True) and not _same("gru", "lstm")


def train_from_link(**params) -> list[dict]:
    at = visitor("pages/2_Train.py", timeout=120)
    at.session_state["model_spec"] = {"hidden_size": 8}
    at.query_params.update(params)
    at.run()
    at.button(key="t_train").click().run()
    assert not at.exception and not at.error
    return at.session_state["t_outcome"].history


def test_the_same_link_trains_the_same_curve_in_a_new_session():
    link = dict(
        t_gen="square", t_dseed="3", t_auto="False", t_epochs="3", t_seed="7", t_patience="0",
        t_normalize="window", t_transform="none",
    )  # fmt: skip
    first, second = train_from_link(**link), train_from_link(**link)
    assert len(first) == 3
    curve = lambda history: [(h.train_loss, h.val_loss) for h in history]  # noqa: E731
    assert curve(first) == curve(second)
    assert curve(train_from_link(**{**link, "t_seed": "8"})) != curve(first)


def test_inside_page_settings_come_from_the_link_too():
    at = visitor("pages/4_Inside.py")
    at.session_state["model_spec"] = {"hidden_size": 6}
    at.query_params.update(i_unit="3", i_q_epochs="4", i_r_length="30", i_q_hidden="many")
    at.run()
    assert not at.exception and not at.error
    assert at.number_input(key="i_unit").value == 3
    assert at.number_input(key="i_q_epochs").value == 4
    assert at.slider(key="i_r_length").value == 30
    (notice,) = toasts(at)
    assert "i_q_hidden='many'" in notice
