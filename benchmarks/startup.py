"""Start-up and memory of the browser: the seed case beside a 1M-excerpt case.

    .venv/bin/python benchmarks/startup.py [--excerpts 1000000] [--runs 5]

Each run starts ``casebook open CASE`` in a pseudo-terminal (80x24) with
``CASEBOOK_EXIT_WHEN_READY=1``, so the process exits as soon as its first
full frame is drawn (header counts, the first rows and their detail). The
time is from just before the process starts to its exit; the memory is its
peak RSS. Beside each case, two floors: a bare Python process that opens the
same file with sqlite3 and reads the first page of entities, and a bare
Textual app (Header, Static, Footer) drawing its first frame in the same
pseudo-terminal (the browser's own floor: issue 17 aims at 1.3x it). The figure to
keep near 1.0 is the large case's time and RSS over the seed case's.

Cases are built once into benchmarks/cases/ (git-ignored); results are
printed as a table and written to benchmarks/results/startup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import statistics
import struct
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLOOR = """
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
conn.execute("SELECT count(*) FROM entities").fetchone()
conn.execute("SELECT id, name FROM entities ORDER BY sort_name, id LIMIT 100").fetchall()
"""

# The floor for the browser itself: a minimal Textual app (Header, Static,
# Footer) in the same pseudo-terminal, ending once its first frame is drawn.
TEXTUAL_FLOOR = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("a bare Textual app")
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.exit)

Bare().run()
"""


def run_in_pty(argv: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """(seconds from start to exit, peak RSS in KiB, exit status) of one run."""
    import fcntl
    import termios

    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(env)
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    while True:  # drain the output so the app never blocks on a full pty
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            if not os.read(fd, 65536):
                break
        except OSError:
            break
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    os.close(fd)
    return elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def build_cases(directory: Path, excerpts: int) -> dict[str, Path]:
    """The seed case and a generated one, shared with benchmarks/run.py and
    rebuilt when the schema or the generator has changed since."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from cases import generated_case, seed_case

    say = lambda message: print(message, file=sys.stderr)  # noqa: E731
    return {"seed": seed_case(directory, say).path,
            f"{excerpts:,} excerpts": generated_case(excerpts, directory=directory, say=say).path}


def measure(cases: dict[str, Path], runs: int) -> dict[str, dict[str, list[float]]]:
    env = {"CASEBOOK_EXIT_WHEN_READY": "1", "TERM": "xterm-256color", "COLORTERM": ""}
    # As an installed casebook runs: with its bytecode cached (as Textual's is, by pip).
    # Without this, PYTHONDONTWRITEBYTECODE in the environment makes every run
    # compile casebook's modules again (about 0.3 s), and the floors not.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    app = [sys.executable, "-m", "casebook", "open"]
    floor = [sys.executable, "-c", FLOOR]
    textual_floor = [sys.executable, "-c", TEXTUAL_FLOOR]
    for path in cases.values():   # an untimed run each, which writes the bytecode caches
        run_in_pty([*app, str(path)], env)
    run_in_pty(textual_floor, env)
    results: dict[str, dict[str, list[float]]] = {
        name: {"app_s": [], "app_rss_mb": [], "floor_s": [], "floor_rss_mb": [], "textual_s": []}
        for name in cases
    }
    for _ in range(runs):  # interleaved, so both cases see the same machine
        for name, path in cases.items():
            elapsed, rss, status = run_in_pty([*app, str(path)], env)
            if status != 0:
                raise SystemExit(f"casebook open {path} exited with {status}")
            results[name]["app_s"].append(elapsed)
            results[name]["app_rss_mb"].append(rss / 1024)
            elapsed, rss, _ = run_in_pty([*floor, str(path)], env)
            results[name]["floor_s"].append(elapsed)
            results[name]["floor_rss_mb"].append(rss / 1024)
            elapsed, _, _ = run_in_pty(textual_floor, env)
            results[name]["textual_s"].append(elapsed)
    return results


def report(results: dict[str, dict[str, list[float]]]) -> dict[str, Any]:
    names = list(results)
    median = {name: {key: statistics.median(values) for key, values in columns.items()}
              for name, columns in results.items()}
    print(f"{'case':<22}{'first frame':>13}{'RSS':>10}{'floor':>10}{'floor RSS':>11}"
          f"{'x floor':>9}{'bare Textual':>14}{'x Textual':>11}")
    for name in names:
        m = median[name]
        print(f"{name:<22}{m['app_s']:>12.3f}s{m['app_rss_mb']:>8.1f}MB{m['floor_s']:>9.3f}s"
              f"{m['floor_rss_mb']:>9.1f}MB{m['app_s'] / m['floor_s']:>9.1f}"
              f"{m['textual_s']:>13.3f}s{m['app_s'] / m['textual_s']:>11.2f}")
    base, large = median[names[0]], median[names[-1]]
    ratios = {"first_frame": large["app_s"] / base["app_s"],
              "rss": large["app_rss_mb"] / base["app_rss_mb"],
              "seed_over_bare_textual": base["app_s"] / base["textual_s"],
              "large_over_bare_textual": large["app_s"] / large["textual_s"]}
    print(f"\n{names[-1]} / {names[0]}: first frame {ratios['first_frame']:.2f}x, "
          f"RSS {ratios['rss']:.2f}x  (keep near 1.0)")
    print(f"first frame over a bare Textual app: {names[0]} {ratios['seed_over_bare_textual']:.2f}x, "
          f"{names[-1]} {ratios['large_over_bare_textual']:.2f}x  (aim: 1.3x)")
    return {"median": median, "runs": results, "ratios": ratios}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--excerpts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cases", type=Path, default=ROOT / "benchmarks" / "cases")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "startup.json",
                        help="where the figures go (default benchmarks/results/startup.json)")
    args = parser.parse_args()
    cases = build_cases(args.cases, args.excerpts)
    summary = report(measure(cases, args.runs))
    out = args.json.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"excerpts": args.excerpts, "runs": args.runs, **summary}, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
