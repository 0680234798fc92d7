"""Printing for the command line: text made safe for a terminal, JSON for tools."""

from __future__ import annotations

import json
import re
from typing import Any

import click

from db.text import one_line

# Kept out of JSON output as \\u escapes: C1 controls, bidi overrides, invisible marks.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]")


def echo_json(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    click.echo(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def line(text: str, width: int | None = None) -> str:
    """Untrusted text as one safe line, cut to ``width`` characters."""
    flat = one_line(text)
    if width and len(flat) > width:
        return flat[: width - 1] + "…"
    return flat
