import shutil
from pathlib import Path

import torch
from streamlit.testing.v1 import AppTest

from rnnlib.device import describe_device
from rnnlib.ui.frame import HOME, PAGES, app_root, available

APP_ROOT = Path(__file__).resolve().parents[1]
APP = APP_ROOT / "app.py"


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
    at = run_app(tmp_path / "app.py")
    # The demo's way on to Build, then the page list; the CSV and lessons buttons need their pages.
    assert [link.proto.label for link in at.main.get("page_link")] == ["Build your own", "Build"]
    assert [link.proto.label for link in at.sidebar.get("page_link")] == ["Home", "Build"]


def test_no_pages_no_links(tmp_path):
    shutil.copy(APP, tmp_path / "app.py")
    at = run_app(tmp_path / "app.py")
    assert len(at.get("page_link")) == 0  # no menu either: a lone landing page needs none
    assert "Pages" not in [s.value for s in at.subheader]


def test_every_page_shows_the_same_menu_and_its_own_tab_title():
    # Each page runs on its own (pages/ is the router), so each draws the menu itself.
    home = run_app()
    menu = [(link.proto.label, link.proto.icon) for link in home.sidebar.get("page_link")]
    assert menu == [(page.label, page.icon) for page in (HOME, *PAGES)]
    for page in PAGES:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.switch_page(page.path)
        at.run()
        assert not at.exception, (page.path, [e.value for e in at.exception])
        assert [(link.proto.label, link.proto.icon) for link in at.sidebar.get("page_link")] == menu


def test_frame_finds_the_app_folder_from_app_py_or_a_page():
    assert app_root(APP) == APP_ROOT
    assert app_root(APP_ROOT / "pages" / "2_Train.py") == APP_ROOT
    assert [page.path for page in available(APP_ROOT)] == [page.path for page in PAGES]
