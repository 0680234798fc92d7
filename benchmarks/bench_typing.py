"""Search as you type, end to end in the browser: a keystroke to its results on screen.

The real app runs under Textual's Pilot at 80x24 on the case; ``/`` opens the
search screen and every keystroke of the fixed queries (bench_search.QUERIES)
is pressed, waiting for the search screen's ``ResultsShown`` messages for that
text (posted once results are drawn, at each stage) before the next key. Two
latencies, from the key press: to the first results drawn (what answers the
keystroke), and to the final order drawn (every group ranked). Each covers
the database work, the worker thread, the messages and the rendering.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench_search import QUERIES
from measure import summary

import db

# Every wait is for a condition, up to this ceiling: a loaded machine slows
# the figures, it does not end the run. A keystroke whose results take longer
# is counted at the ceiling (a lower bound) and reported as such.
CEILING_S = 120.0


def _key(char: str) -> str:
    return "space" if char == " " else char


async def until(condition: Callable[[], bool], ceiling: float = CEILING_S) -> bool:
    """Whether ``condition()`` came to hold within ``ceiling`` seconds, looking
    every millisecond. (Pilot's own pause and press wait for the screen to go
    idle, adding time of their own, and give up after 30 s.)"""
    deadline = time.perf_counter() + ceiling
    while not condition():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.001)
    return True


Shown = list[tuple[str, bool, float]]  # (query, ranked, when drawn)


def drawn_since(shown: Shown, text: str, since: float) -> list[tuple[bool, float]]:
    return [(ranked, when) for query, ranked, when in shown if query == text and when >= since]


def ranked_since(shown: Shown, text: str, since: float) -> bool:
    return any(ranked for ranked, _ in drawn_since(shown, text, since))


async def _type_all(path: Path) -> tuple[list[float], list[float], int]:
    """Milliseconds from each keystroke to its first results drawn and to its
    final order drawn, and how many keystrokes reached the ceiling."""
    from textual import events
    from textual.widgets import Input

    from tui.app import CasebookApp
    from tui.screens.search import SearchScreen

    shown: Shown = []

    class TimedApp(CasebookApp):
        def on_search_screen_results_shown(self, message: SearchScreen.ResultsShown) -> None:
            shown.append((message.query, message.ranked, time.perf_counter()))

    async def results_for(text: str, since: float) -> tuple[float, float, bool]:
        """Seconds from ``since`` to the first results and to the final order
        for ``text`` drawn (the ceiling for what did not come), and whether
        both came."""
        came = await until(partial(ranked_since, shown, text, since))
        drawn = drawn_since(shown, text, since)
        first = drawn[0][1] - since if drawn else CEILING_S
        final = next((when for ranked, when in drawn if ranked), since + CEILING_S) - since
        return first, final, came

    first: list[float] = []
    final: list[float] = []
    missed = 0
    with db.open_case(path, read_only=True) as case:
        app = TimedApp(case, read_only=True)
        async with app.run_test(size=(80, 24)):
            if not await until(lambda: app.is_ready):
                raise SystemExit(f"the browser was not ready within {CEILING_S:.0f} s")
            app.simulate_key("slash")
            if not await until(lambda: isinstance(app.screen, SearchScreen)
                               and bool(app.screen.query(Input))):
                raise SystemExit(f"the search screen did not open within {CEILING_S:.0f} s")
            field = app.screen.query_one(Input)
            for query in QUERIES:
                if field.value:
                    start = time.perf_counter()
                    field.value = ""
                    await results_for("", start)
                for end in range(1, len(query) + 1):
                    char = query[end - 1]
                    start = time.perf_counter()
                    # The key as a terminal sends it (Pilot's press waits for idle).
                    app.post_message(events.Key(_key(char), char))
                    drawn, ranked, came = await results_for(query[:end], start)
                    first.append(drawn * 1000)
                    final.append(ranked * 1000)
                    missed += not came
    return first, final, missed


def measure_case(path: Path) -> dict[str, Any]:
    first, final, missed = asyncio.run(_type_all(path))
    return {"first_results": summary(first), "final_order": summary(final), "at_ceiling": missed,
            "ceiling_s": CEILING_S}
