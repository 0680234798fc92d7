"""Printing for the command line: text made safe for a terminal, JSON for tools."""

from __future__ import annotations

import json
from typing import Any

import click

from db.text import json_safe, one_line


def echo_json(value: Any) -> None:
    click.echo(json_safe(json.dumps(value, ensure_ascii=False, indent=2)))


def line(text: str, width: int | None = None) -> str:
    """Untrusted text as one safe line, cut to ``width`` characters."""
    flat = one_line(text)
    if width and len(flat) > width:
        return flat[: width - 1] + "…"
    return flat
