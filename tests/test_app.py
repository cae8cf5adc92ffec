import shutil
from pathlib import Path

import torch
from streamlit.testing.v1 import AppTest

from rnnlib.device import describe_device

APP = Path(__file__).resolve().parents[1] / "app.py"


def run_app(path: Path = APP) -> AppTest:
    at = AppTest.from_file(str(path)).run(timeout=30)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_landing_page_shows_title_and_device_line():
    at = run_app()
    assert [t.value for t in at.title] == ["RNN Playground"]
    footer = at.caption[-1].value
    assert footer == f"Running on {describe_device()}"
    assert f"torch {torch.__version__}" in footer


def test_links_only_the_pages_that_exist(tmp_path):
    # A copy of the app beside a single stub page: exactly that page is linked, the rest are not.
    shutil.copy(APP, tmp_path / "app.py")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "1_Build.py").write_text("import streamlit as st\nst.write('stub')\n")
    links = run_app(tmp_path / "app.py").get("page_link")
    assert [link.proto.label for link in links] == ["Build"]


def test_no_pages_no_links(tmp_path):
    shutil.copy(APP, tmp_path / "app.py")
    at = run_app(tmp_path / "app.py")
    assert len(at.get("page_link")) == 0
    assert "Pages" not in [s.value for s in at.subheader]
