"""Printing for the command line: text made safe for a terminal, JSON for tools."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

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


def to_stdout(write: Callable[[TextIO], object]) -> None:
    """Call ``write`` with standard output as UTF-8 text whatever the locale;
    a closed pipe (``| head``) ends the output quietly."""
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        write(out)
        out.flush()
    except BrokenPipeError:
        # Nothing more can be written; keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        out.detach()
