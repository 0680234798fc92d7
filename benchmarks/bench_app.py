"""The browser as a person meets it: process start to first full frame, and
memory, for the seed case and the large case.

``casebook open PATH`` runs in a pseudo-terminal of 80x24 with
``CASEBOOK_EXIT_WHEN_READY=1``: the app exits as soon as its first full
frame is on the screen, so the process's lifetime is its start-up time and
its peak RSS (from ``wait4``) what opening the case costs.
"""

from __future__ import annotations

import fcntl
import os
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import bench_typing
from measure import Figure

SECTION = "browser"


def has_browser() -> bool:
    from casebook.cli import cli
    return "open" in cli.commands


def start_once(path: Path, *, columns: int = 80, lines: int = 24) -> tuple[float, float]:
    """Seconds from exec to exit when ready, and peak RSS in MiB."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    env = {**os.environ, "CASEBOOK_EXIT_WHEN_READY": "1", "TERM": "xterm-256color",
           "COLUMNS": str(columns), "LINES": str(lines)}
    env.pop("NO_COLOR", None)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "casebook", "open", "--read-only", str(path)],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
    )
    os.close(slave)
    try:
        while True:  # drain the screen, or the app blocks writing it
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
    finally:
        os.close(master)
    if child.returncode:
        raise RuntimeError(f"casebook open {path} exited with {child.returncode}")
    return seconds, usage.ru_maxrss / 1024


def measure_case(path: Path, *, repeats: int) -> dict:
    start_once(path)  # warm the page cache and Python's bytecode cache
    runs = [start_once(path) for _ in range(repeats)]
    return {"start_s": statistics.median(run[0] for run in runs),
            "rss_mib": statistics.median(run[1] for run in runs), "runs": runs}


def run(seed_path: Path, large_path: Path, *, repeats: int = 5) -> tuple[list[Figure], dict]:
    if not has_browser():
        note = "not measured: the browser (issue 3, 'casebook open') is not on this branch"
        return [Figure(SECTION, "start to first full frame", "s", note=note),
                Figure(SECTION, "peak RSS", "MiB", note=note),
                Figure(SECTION, "search per keystroke, end to end in the app", "ms", note=note)], {}
    seed = measure_case(seed_path, repeats=repeats)
    large = measure_case(large_path, repeats=repeats)
    figures = [
        Figure(SECTION, "start to first full frame (80x24, pty)", "s", seed["start_s"], large["start_s"]),
        Figure(SECTION, "peak RSS", "MiB", seed["rss_mib"], large["rss_mib"]),
    ]
    raw = {"seed": seed, "large": large}
    if not bench_typing.has_search_screen():
        figures.append(Figure(SECTION, "search per keystroke, end to end in the app", "ms",
                              note="not measured: the browser posts no ResultsShown message"))
        return figures, raw
    typed = {"seed": bench_typing.measure_case(seed_path),
             "large": bench_typing.measure_case(large_path)}
    for stat in ("median", "p95"):
        figures.append(Figure(SECTION, f"search per keystroke, end to end (Pilot), {stat}", "ms",
                              typed["seed"][stat], typed["large"][stat]))
    raw["typing"] = typed
    return figures, raw
