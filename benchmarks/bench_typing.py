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
from pathlib import Path
from typing import Any

from bench_search import QUERIES
from measure import summary

import db

TIMEOUT_S = 10.0


def has_search_screen() -> bool:
    try:
        from tui.screens.search import SearchScreen
    except ImportError:
        return False
    return hasattr(SearchScreen, "ResultsShown")


def _key(char: str) -> str:
    return "space" if char == " " else char


async def _type_all(path: Path) -> tuple[list[float], list[float]]:
    from textual.widgets import Input

    from tui.app import CasebookApp
    from tui.screens.search import SearchScreen

    shown: list[tuple[str, bool, float]] = []

    class TimedApp(CasebookApp):
        def on_search_screen_results_shown(self, message: SearchScreen.ResultsShown) -> None:
            shown.append((message.query, getattr(message, "ranked", True), time.perf_counter()))

    async def results_for(pilot, text: str, since: float) -> tuple[float, float]:
        """When the first results and the final order for ``text`` were drawn."""
        deadline = time.perf_counter() + TIMEOUT_S
        while time.perf_counter() < deadline:
            drawn = [(ranked, when) for query, ranked, when in shown
                     if query == text and when >= since]
            final = [when for ranked, when in drawn if ranked]
            if final:
                return drawn[0][1], final[0]
            await pilot.pause(0.001)
        raise TimeoutError(f"no results shown for {text!r} within {TIMEOUT_S} s")

    first, final = [], []
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
                    drawn, ranked = await results_for(pilot, query[:end], start)
                    first.append((drawn - start) * 1000)
                    final.append((ranked - start) * 1000)
    return first, final


def measure_case(path: Path) -> dict[str, Any]:
    first, final = asyncio.run(_type_all(path))
    return {"first_results": summary(first), "final_order": summary(final)}
