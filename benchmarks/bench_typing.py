"""Search as you type, end to end in the browser: a keystroke to its results on screen.

The real app runs under Textual's Pilot at 80x24 on the case; ``/`` opens the
search screen and every keystroke of the fixed queries (bench_search.QUERIES)
is pressed, waiting for the search screen's ``ResultsShown`` message for that
text (posted once the results are drawn) before the next key. The latency is
from the key press to that message: the database work, the worker thread,
the messages and the rendering together.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import db

from bench_search import QUERIES
from measure import summary

TIMEOUT_S = 10.0


def has_search_screen() -> bool:
    try:
        from tui.screens.search import SearchScreen
    except ImportError:
        return False
    return hasattr(SearchScreen, "ResultsShown")


def _key(char: str) -> str:
    return "space" if char == " " else char


async def _type_all(path: Path) -> list[float]:
    from textual.widgets import Input

    from tui.app import CasebookApp
    from tui.screens.search import SearchScreen

    shown: list[tuple[str, float]] = []

    class TimedApp(CasebookApp):
        def on_search_screen_results_shown(self, message: SearchScreen.ResultsShown) -> None:
            shown.append((message.query, time.perf_counter()))

    async def results_for(pilot, text: str, since: float) -> float:
        deadline = time.perf_counter() + TIMEOUT_S
        while time.perf_counter() < deadline:
            for query, when in shown:
                if query == text and when >= since:
                    return when
            await pilot.pause(0.001)
        raise TimeoutError(f"no results shown for {text!r} within {TIMEOUT_S} s")

    latencies = []
    with db.open_case(path, read_only=True) as case:
        app = TimedApp(case, read_only=True)
        async with app.run_test(size=(80, 24)) as pilot:
            while not getattr(app, "is_ready", True):
                await pilot.pause(0.01)
            await pilot.press("slash")
            await pilot.pause(0.1)
            for query in QUERIES:
                field = app.screen.query_one(Input)
                if field.value:
                    start = time.perf_counter()
                    field.value = ""
                    await results_for(pilot, "", start)
                for end in range(1, len(query) + 1):
                    start = time.perf_counter()
                    await pilot.press(_key(query[end - 1]))
                    latencies.append((await results_for(pilot, query[:end], start) - start) * 1000)
    return latencies


def measure_case(path: Path) -> dict:
    return summary(asyncio.run(_type_all(path)))
