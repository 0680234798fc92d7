"""Bounds on JSON from outside (``casebook import``, ``import-annotations``).

A received file may nest 100,000 deep, hold a number of 5,000 digits, or
give one key twice (which of the two is meant?). Each is refused in one line
before it costs memory or a traceback: nesting past :data:`MAX_DEPTH`,
numbers longer than :data:`MAX_NUMBER_CHARS` characters, any key twice in
one object, a line of JSON Lines longer than :data:`MAX_LINE_BYTES` (read no
further: a 2 GB line costs what the bound does). :func:`loads` is ``json.loads`` with these bounds;
:class:`EventBounds` holds a stream of ijson events to them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

MAX_DEPTH = 32            # casebook's own exports nest a few levels
MAX_NUMBER_CHARS = 40     # ids, offsets, versions: far below this
MAX_LINE_BYTES = 8 << 20  # one annotation per line: its note is the only long part

# An opening bracket outside a string, to bound the depth before parsing.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class JSONLimitError(ValueError):
    """JSON that passes a bound: the message is one line."""


def _number(text: str) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        raise JSONLimitError(f"a number of {len(text):,} characters (at most {MAX_NUMBER_CHARS})")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise JSONLimitError(f"the key {json.dumps(key)[:60]} twice in one object")
        found[key] = value
    return found


def check_depth(text: str) -> None:
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise JSONLimitError(f"nested deeper than {MAX_DEPTH} levels")
        elif token in "]}":
            depth -= 1


def loads(text: str) -> Any:
    """``json.loads`` within the bounds; JSONLimitError (or json's own error) if not."""
    check_depth(text)
    return json.loads(text, object_pairs_hook=_pairs, parse_int=_number, parse_float=_number,
                      parse_constant=_constant)


def _constant(name: str) -> Any:
    raise JSONLimitError(f"{name} is not a JSON number")


class EventBounds:
    """Follows ijson events (prefix, event, value), raising JSONLimitError past a bound."""

    def __init__(self) -> None:
        self.keys: list[set[str]] = []   # the keys seen in each open object (arrays: None)
        self.depth = 0

    def see(self, event: str, value: Any) -> None:
        if event in ("start_map", "start_array"):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise JSONLimitError(f"nested deeper than {MAX_DEPTH} levels")
            self.keys.append(set())
        elif event in ("end_map", "end_array"):
            self.depth -= 1
            self.keys.pop()
        elif event == "map_key":
            if value in self.keys[-1]:
                raise JSONLimitError(f"the key {json.dumps(value)[:60]} twice in one object")
            self.keys[-1].add(value)
        elif event == "number" and len(repr(value)) > MAX_NUMBER_CHARS:
            raise JSONLimitError(f"a number of more than {MAX_NUMBER_CHARS} characters")


def bounded_lines(handle: IO[bytes], *, limit: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes]]:
    """(number, bytes) of each line of ``handle``, each read up to ``limit``
    bytes and no further: a longer line raises :class:`JSONLimitError`."""
    number = 0
    while raw := handle.readline(limit + 1):
        number += 1
        if len(raw) > limit and not (len(raw) == limit + 1 and raw.endswith(b"\n")):
            raise JSONLimitError(f"line {number} is longer than {limit:,} bytes, "
                                 "the most a line may hold (it was not read further)")
        yield number, raw
