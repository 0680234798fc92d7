"""Timing helpers shared by the benchmark scripts: plain wall-clock figures."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


def clock_ms(action: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds ``action`` took, and what it returned."""
    start = time.perf_counter()
    result = action()
    return (time.perf_counter() - start) * 1000, result


def best_of(repeats: int, action: Callable[[], Any]) -> float:
    """The median of ``repeats`` runs, in ms (one noisy run does not decide)."""
    return statistics.median(clock_ms(action)[0] for _ in range(repeats))


def p95(values: list[float]) -> float:
    """95th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Figure:
    """One line of the report: a measure on the seed case and on the large case."""

    section: str
    name: str
    unit: str
    seed: float | None = None
    large: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p95": p95(values), "max": max(values),
            "count": len(values)}
