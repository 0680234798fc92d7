r"""Bounds on JSON from outside (``casebook import``, ``import-annotations``).

A received file may nest 100,000 deep, hold a number of 5,000 digits, or
give one key twice (which of the two is meant?). Each is refused in one line
before it costs memory or a traceback: nesting past :data:`MAX_DEPTH`,
numbers longer than :data:`MAX_NUMBER_CHARS` characters, any key twice in
one object, a line of JSON Lines longer than :data:`MAX_LINE_BYTES` (read no
further: a 2 GB line costs what the bound does), and a lone surrogate
(``"\ud800"`` without its pair: no character, which a parser would store as
``?``; :class:`SurrogateScan`). :func:`loads` is ``json.loads`` with these bounds;
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
# Possessive (``*+``): a plain ``*`` keeps a backtracking mark per character
# of a string (1.4 GB for a 10 MB note); the group never takes a bare quote.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*+"|[\[\]{}]')


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
    SurrogateScan().feed(text.encode("utf-8", "surrogatepass"), final=True)
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


# The escapes that matter, in turn: an escaped backslash (consumed, so the "u"
# after one is never read as a \u escape) and a surrogate's \u escape. Other
# escapes (\n, \") are one backslash and cannot shift the reading.
_ESCAPE = re.compile(rb"\\\\|\\u([dD][89a-fA-F][0-9a-fA-F]{2})")
_ESCAPE_BYTES = 6   # \uXXXX, the longest escape


class SurrogateScan:
    r"""Finds a lone surrogate escape in JSON text fed to it in chunks: a high
    one (``\ud800``-``\udbff``) not followed at once by a low one, or a low one
    (``\udc00``-``\udfff``) not just after a high one. A pair is one
    character (``\ud83d\ude00``); a lone one is none, and is refused
    (JSONLimitError) rather than stored as ``?`` or as a code point no UTF-8
    text may hold. Keeps a few bytes between chunks: bounded memory."""

    def __init__(self) -> None:
        self._carry = b""
        self._offset = 0          # where _carry begins in the whole text
        self._high_end = -1       # where the last unpaired high surrogate escape ends

    def feed(self, data: bytes, *, final: bool = False) -> None:
        buffer = self._carry + data
        cutoff = len(buffer) if final else len(buffer) - 2 * _ESCAPE_BYTES
        resume = max(0, cutoff)
        for match in _ESCAPE.finditer(buffer):
            if match.start() >= cutoff:
                resume = match.start()
                break
            resume = max(match.end(), cutoff)
            self._see(match, self._offset + match.start(), self._offset + match.end())
        if final:
            if self._high_end >= 0:
                self._lone(self._high_end - _ESCAPE_BYTES)
            return
        self._carry = buffer[resume:]
        self._offset += resume

    def _see(self, match: re.Match[bytes], start: int, end: int) -> None:
        code = int(match.group(1), 16) if match.group(1) else -1
        if self._high_end >= 0:
            if 0xDC00 <= code <= 0xDFFF and start == self._high_end:
                self._high_end = -1   # a pair: one character
                return
            self._lone(self._high_end - _ESCAPE_BYTES)
        if 0xD800 <= code <= 0xDBFF:
            self._high_end = end
        elif 0xDC00 <= code <= 0xDFFF:
            self._lone(start)

    @staticmethod
    def _lone(at: int) -> None:
        raise JSONLimitError(f"a lone surrogate at byte {at + 1:,} (a \\u escape of half a "
                             "character, which is no text)")
