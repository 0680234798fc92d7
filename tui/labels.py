"""Casebook's own words for what it shows: statuses as badges, times as the
browser writes them. Statuses are words, not only colours, so a 16-colour or
NO_COLOR terminal still reads them; the colour is a component class that
the stylesheet decides (``.cb--status-confirmed``)."""

from __future__ import annotations

from textual.content import Content

from .text import TITLE_CHARS, one_line

STATUS_BADGES = {
    "unreviewed": "· unreviewed",
    "confirmed": "✓ confirmed",
    "disputed": "? disputed",
    "denied": "✗ denied",
}
BADGE_WIDTH = max(len(badge) for badge in STATUS_BADGES.values())
DAMAGE_MARK = "⚠ "       # before a row that breaks the format's rules (``db.damage``)


def damage_mark(damage: str) -> tuple[str, str]:
    """Two cells before a damaged item's row or link; nothing for a good one."""
    return (DAMAGE_MARK, ".cb--damaged") if damage else ("", "")


def status_badge(status: str) -> Content:
    """``✓ confirmed`` in its status's style (an unknown status as itself)."""
    if status not in STATUS_BADGES:   # a damaged row: shown as it is, in no status's colours
        return Content.styled(one_line(status, limit=TITLE_CHARS), ".cb--badge")
    return Content.styled(STATUS_BADGES[status], f".cb--status-{status}")


def short_time(timestamp: str) -> str:
    """``2026-11-26T10:05:00.000003Z`` as ``2026-11-26 10:05`` (UTC, as stored)."""
    return one_line(timestamp[:16].replace("T", " "), limit=TITLE_CHARS)
