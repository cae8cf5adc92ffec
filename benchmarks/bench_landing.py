"""The landing page's first second and its cost per visitor, in headless Chromium.

Three measurements, each on a freshly started `streamlit run app.py` (nothing imported by a page
yet, so the first visitor pays for torch's import):

1. cold: open / and wait, with no click, until the loss chart has drawn its first point. The time
   is the browser's own (performance.now(), from the start of the navigation), checked on every
   animation frame; the server is up and Chromium already running, as for a real first visitor.
2. cost: on the same server, once it is warm, the CPU seconds the server spends on one more
   visitor's whole demo (training and drawing), from /proc/<pid>/stat.
3. crowd: a fresh server with the landing page opened in 4 browser sessions at once; the
   server's peak RSS (sampled, and the kernel's VmHWM) and when each session's film ended.

    python benchmarks/bench_landing.py              # ~1 minute on 2 cores
    python benchmarks/bench_landing.py --runs 5 --sessions 4

Linux only (/proc). Uses the test harness's browser helpers (tests/browser.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from bench_rss import ROOT, RssSampler, descendants, start_server, status_kb

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import browser as harness  # noqa: E402 - the harness lives beside the tests

from rnnlib.demo import DemoSpec  # noqa: E402

TARGET_FIRST_POINT_S = 2.0
STEPS = DemoSpec().steps
_LOSS_POINTS_JS = harness.LANDING_LOSS_POINTS_JS  # the loss line's points drawn so far


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of pid and its children so far (/proc/<pid>/stat)."""
    total = 0
    for p in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def visit(chromium, url: str):
    """A new visitor on /: its page, once the navigation has started (no waiting for the script)."""
    page = chromium.new_context(viewport=harness.VIEWPORT).new_page()
    page.goto(url, wait_until="commit")
    return page


def first_point_ms(page) -> float:
    """Milliseconds from the navigation's start to the first drawn loss point."""
    handle = page.wait_for_function(
        f"() => ({_LOSS_POINTS_JS})() > 0 ? performance.now() : 0", polling="raf", timeout=60_000
    )
    return handle.json_value()


def film_end_ms(page) -> float:
    """Milliseconds from the navigation's start until all of the demo's steps are drawn."""
    handle = page.wait_for_function(
        f"() => ({_LOSS_POINTS_JS})() === {STEPS} ? performance.now() : 0", timeout=120_000
    )
    return handle.json_value()


def cold_run(chromium) -> tuple[float, float, float]:
    """(first point ms, film end ms, server CPU s for one more visitor) on a fresh server."""
    process, url = start_server()
    try:
        page = visit(chromium, url)
        first = first_point_ms(page)
        end = film_end_ms(page)
        harness.wait_for_script(page, 60_000)  # the footer's one-off warm-up, after the film
        page.context.close()
        time.sleep(0.5)
        before = cpu_s(process.pid)
        page = visit(chromium, url)
        film_end_ms(page)
        harness.wait_for_script(page, 60_000)
        cost = cpu_s(process.pid) - before
        page.context.close()
    finally:
        harness._kill_group(process)
    return first, end, cost


def crowd_run(chromium, sessions: int) -> tuple[int, int, list[float], list[float]]:
    """(peak RSS kB, idle RSS kB, first point ms, film end ms per session) with `sessions` at once."""
    process, url = start_server()
    sampler = RssSampler(process.pid, every_s=0.05)
    try:
        sampler.start()
        time.sleep(0.5)
        idle_kb = sampler.peak_kb
        pages = [visit(chromium, url) for _ in range(sessions)]
        firsts = [first_point_ms(page) for page in pages]
        ends = [film_end_ms(page) for page in pages]
        for page in pages:
            harness.wait_for_script(page, 120_000)
            harness.assert_no_exception(page)  # sessions share one process: no race may show
        hwm_kb = status_kb(process.pid, "VmHWM")
        hwm_kb += sum(status_kb(c, "VmHWM") for c in descendants(process.pid))
    finally:
        sampler.stop()
        harness._kill_group(process)
    return max(hwm_kb, sampler.peak_kb), idle_kb, firsts, ends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh servers for the cold time")
    parser.add_argument("--sessions", type=int, default=4, help="concurrent visitors on /")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.2f}")
    with harness.chromium() as chromium:
        cold = [cold_run(chromium) for _ in range(args.runs)]
        peak_kb, idle_kb, firsts, ends = crowd_run(chromium, args.sessions)
    for i, (first, end, cost) in enumerate(cold, 1):
        print(f"cold run {i}: first loss point {first / 1000:.2f} s, all {STEPS} steps drawn "
              f"{end / 1000:.2f} s; one more visitor: {cost:.2f} s of server CPU")  # fmt: skip
    median_first = statistics.median(c[0] for c in cold) / 1000
    print(f"median cold first point: {median_first:.2f} s (target < {TARGET_FIRST_POINT_S} s)")
    print(f"median server CPU per visitor (warm): {statistics.median(c[2] for c in cold):.2f} s")
    print(f"{args.sessions} sessions at once: first points "
          f"{', '.join(f'{f / 1000:.2f}' for f in firsts)} s; films ended "
          f"{', '.join(f'{e / 1000:.1f}' for e in ends)} s")  # fmt: skip
    print(f"server RSS idle {idle_kb / 1024:.0f} MB; peak with {args.sessions} sessions on /: "
          f"{peak_kb / 1024:.0f} MB")  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
