"""Text helpers shared by search, mention linking and every display.

Folding mirrors FTS5's ``unicode61 remove_diacritics 2`` tokenizer closely
enough that what search matches, highlighting and mention linking match too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

# Letters and digits: the characters unicode61 keeps inside a token.
TOKEN = re.compile(r"[^\W_]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class _WithoutCombiningMarks(dict[int, int | None]):
    """A ``str.translate`` table that drops combining marks, filled as
    characters are met (no start-up cost; lookups in C after the first)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_STRIP_MARKS = _WithoutCombiningMarks()


def fold(text: str) -> str:
    """Lower-case and strip diacritics: ``Auštrevičius`` -> ``austrevicius``."""
    if text.isascii():  # most words: nothing to decompose
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_STRIP_MARKS).lower()


def tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, folded token) for each word of ``text``.

    Offsets index ``text`` itself (code points), so callers can highlight it.
    """
    for match in TOKEN.finditer(text):
        yield match.start(), match.end(), fold(match.group())


def folded_words(text: str) -> list[str]:
    """The folded words of ``text`` (folding the whole text at once is faster
    than word by word, and cuts the same words)."""
    return TOKEN.findall(fold(text))


# -- matches of a query ----------------------------------------------------


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` that match the query terms (the last as a prefix)."""
    if not terms:
        return []
    whole, prefix = set(terms[:-1]), terms[-1]
    return [
        (start, end)
        for start, end, word in tokens(text)
        if word in whole or word.startswith(prefix)
    ]


def focus(text: str, terms: Sequence[str], width: int = 160) -> str:
    """A one-line window of ``text`` around its first match."""
    flat = one_line(text)
    if len(flat) <= width:
        return flat
    spans = highlight_spans(flat, terms)
    start = max(0, spans[0][0] - width // 4) if spans else 0
    end = min(len(flat), start + width)
    start = max(0, end - width)
    first_match = spans[0][0] if spans else end
    if start and not flat[start - 1].isspace():   # begin on a word, not in one
        space = flat.find(" ", start, first_match)
        start = space + 1 if space != -1 else start
    if end < len(flat) and not flat[end].isspace():
        space = flat.rfind(" ", first_match, end)
        end = space if space > start else end
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


# -- terminal safety ------------------------------------------------------

_BIDI_AND_INVISIBLE = {
    0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029,
    0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060,
    0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF,
}


def _placeholder(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode control pictures: ␛ ␀ ␇ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\u27e8U+{code:04X}\u27e9"  # ⟨U+202E⟩


_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f" + "".join(re.escape(chr(c)) for c in sorted(_BIDI_AND_INVISIBLE)) + "]"
)


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """Replace control, C1, bidi-override and invisible characters by visible
    placeholders, so text from a case file can never drive the terminal.

    With ``keep_newlines`` a ``\\n`` stays a line break (tabs become spaces).
    """

    def replace(match: re.Match[str]) -> str:
        ch = match.group()
        if keep_newlines and ch == "\n":
            return ch
        if keep_newlines and ch == "\t":
            return "    "
        return _placeholder(ch)

    return _UNSAFE.sub(replace, text)


def printable(text: str) -> str:
    """Text typed or pasted into a one-line field: control, bidi and invisible
    characters dropped, whitespace runs collapsed to one space. (What
    ``visible`` would show as placeholders is left out: a name never needs it.)"""
    return _UNSAFE.sub("", re.sub(r"[\r\n\t ]+", " ", text)).strip()


# Kept out of JSON text as \\u escapes: C1 controls, bidi overrides, invisible marks
# (json.dumps already escapes C0 controls). The JSON means the same; a terminal
# showing it cannot be driven by it.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]")


def json_safe(json_text: str) -> str:
    """JSON text with terminal-unsafe characters written as ``\\uXXXX`` escapes."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def one_line(text: str) -> str:
    """Visible text on one line: whitespace runs collapse to one space."""
    flattened = re.sub(r"[\r\n\t ]+", " ", text).strip()
    return visible(flattened)
