"""Peak memory of the Streamlit server through one full visitor session, for hosting budgets.

Starts `streamlit run app.py` on a free loopback port, drives one session in headless Chromium
(Build: change a few widgets; Train: train the default; Compare: a 2-epoch race; Inside: open it),
moving between pages by the sidebar so that it stays one session. Meanwhile it samples the resident
memory of the server process and any children from /proc; at the end it also reads the server's
VmHWM (the kernel's own high-water mark, which catches a peak between two samples).

    python benchmarks/bench_rss.py            # ~1-2 minutes; last line: the peak

Linux only (/proc). Uses the test harness's browser helpers (tests/browser.py).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import browser as harness  # noqa: E402 - the harness lives beside the tests

TARGET_MB = 600  # a free Community Cloud app gets about 1 GB; leave room for a second visitor
TRAIN_TIMEOUT_MS = 300_000


def status_kb(pid: int, field: str) -> int:
    """A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), or 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """pid's children, grandchildren, ... (from /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = [int(k) for k in task.read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
            found += kids
            todo += kids
    return found


class RssSampler(threading.Thread):
    """Samples the summed VmRSS of a process tree every `every_s` seconds; keeps the peak (kB)."""

    def __init__(self, pid: int, every_s: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.every_s = pid, every_s
        self.peak_kb, self.peak_at, self.stage = 0, "", "start"
        self.by_stage: dict[str, int] = {}
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            kb = sum(status_kb(p, "VmRSS") for p in [self.pid, *descendants(self.pid)])
            self.by_stage[self.stage] = max(self.by_stage.get(self.stage, 0), kb)
            if kb > self.peak_kb:
                self.peak_kb, self.peak_at = kb, self.stage
            self._done.wait(self.every_s)

    def stop(self) -> None:
        self._done.set()
        self.join()


def start_server() -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free loopback port, as the test harness does; (process, URL)."""
    port = harness._free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + harness.SERVER_START_TIMEOUT_S
    while not harness._healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            harness._kill_group(process)
            raise RuntimeError(f"streamlit did not start on {url}")
        time.sleep(0.25)
    return process, url


def go(page, name: str) -> None:
    """Open another page through the sidebar: the same session, as a visitor would."""
    link = page.locator('[data-testid="stSidebar"]').get_by_role("link", name=name)
    harness.rerun_after(page, link.click)


def set_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    harness.rerun_after(page, lambda: (box.fill(str(value)), box.press("Enter")))


def one_session(page, url: str, sampler: RssSampler) -> None:
    sampler.stage = "Build"
    harness.open_page(page, url, "Build")
    harness.rerun_after(page, page.get_by_role("radio", name="gru", exact=True).click)
    set_number(page, "hidden_size", 64)
    set_number(page, "num_layers", 2)
    harness.rerun_after(page, page.get_by_role("radio", name="lstm", exact=True).click)
    set_number(page, "hidden_size", 32)
    set_number(page, "num_layers", 1)

    sampler.stage = "Train"
    go(page, "Train")
    main = page.locator('[data-testid="stMain"]')
    train = main.get_by_role("button", name="Train", exact=True)
    harness.rerun_after(page, train.click, timeout_ms=TRAIN_TIMEOUT_MS)
    main.get_by_text("Why training ended").wait_for()

    sampler.stage = "Compare"
    go(page, "Compare")
    set_number(page, "epochs", 2)
    race = main.get_by_role("button", name="Race", exact=True)
    harness.rerun_after(page, race.click, timeout_ms=TRAIN_TIMEOUT_MS)

    sampler.stage = "Inside"
    go(page, "Inside")
    harness.assert_no_exception(page)
    sampler.stage = "end"


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    process, url = start_server()
    sampler = RssSampler(process.pid)
    try:
        sampler.start()
        time.sleep(0.5)
        idle_kb = sampler.peak_kb
        with harness.chromium() as chromium:
            page = chromium.new_context(viewport=harness.VIEWPORT).new_page()
            started = time.monotonic()
            one_session(page, url, sampler)
            took = time.monotonic() - started
        hwm_kb = status_kb(process.pid, "VmHWM")
        rss_kb = status_kb(process.pid, "VmRSS")
        children = descendants(process.pid)
        # Children peak at their own times: summing their high-water marks errs on the high side.
        hwm_kb += sum(status_kb(c, "VmHWM") for c in children)
    finally:
        sampler.stop()
        harness._kill_group(process)
    peak_kb = max(hwm_kb, sampler.peak_kb)
    print(f"session driven in {took:.0f} s; server pid {process.pid}, {len(children)} child(ren)")
    print(f"server RSS after start (idle, nothing imported by a page yet): {idle_kb / 1024:.0f} MB")
    for stage, kb in sampler.by_stage.items():
        print(f"  peak sampled RSS during {stage:8s} {kb / 1024:6.0f} MB")
    print(f"server RSS at the end: {rss_kb / 1024:.0f} MB; VmHWM (kernel high-water mark): "
          f"{hwm_kb / 1024:.0f} MB; highest sample: {sampler.peak_kb / 1024:.0f} MB ({sampler.peak_at})")  # fmt: skip
    print(f"peak server RSS: {peak_kb / 1024:.0f} MB (target < {TARGET_MB} MB)")


if __name__ == "__main__":
    main()
