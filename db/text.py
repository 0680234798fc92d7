"""Text helpers shared by search, mention linking and every display.

:func:`fold` is the one folding of casebook: the search indexes are fed text
folded by it (``search_text``, registered in SQLite as ``casebook_search_text``)
and queries are folded by it, so they agree in every script. FTS5's
``unicode61`` then only cuts words (``remove_diacritics 0``, combining marks
kept inside words): docs/case-file.md, Search.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import unicodedata
from collections.abc import Iterator, Sequence

from anyascii import anyascii

from .errors import UnknownLanguageError

# Letters, digits and marks: the characters unicode61 keeps inside a token
# with ``categories 'L* N* Co M*'`` (a Devanagari vowel sign stays in its word).
# Possessive (``++``): a plain ``+`` over the group keeps a backtracking mark
# per character, 1.4 GB for one 10 MB word; nothing follows, so nothing changes.
TOKEN = re.compile(r"(?:[^\W_]|[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf-\u05c7"
                   r"\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0903\u093a-\u094f"
                   r"\u0951-\u0957\u0962\u0963\u0981-\u0983\u09bc-\u09d7\u0e31\u0e34-\u0e3a"
                   r"\u0e47-\u0e4e\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u3099\u309a\ufe20-\ufe2f])++")


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


class _WithoutNonspacingMarks(dict[int, int | None]):
    """Like :class:`_WithoutCombiningMarks`, for every nonspacing mark (Mn):
    Thai vowels above and below, Hebrew points and Arabic harakat among them."""

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        kept = None if unicodedata.category(ch) == "Mn" or unicodedata.combining(ch) else code
        self[code] = kept
        return kept


_STRIP_NONSPACING = _WithoutNonspacingMarks()

# Letters that are not a base letter plus a mark, so decomposing leaves them:
# folded explicitly (after casefold, so upper case is covered).
_LETTERS = str.maketrans({
    "ł": "l", "ø": "o", "æ": "ae", "đ": "d", "ð": "d", "ı": "i", "œ": "oe", "þ": "th",
    "ħ": "h", "ŀ": "l", "ŧ": "t", "ƒ": "f", "ĸ": "k", "ŋ": "n", "ɨ": "i", "ʉ": "u",
    "ß": "ss", "ſ": "s", "ꝺ": "d",
})


def fold(text: str) -> str:
    """Casebook's one folding, for the search index and queries alike:
    compatibility forms (NFKC), case folded, diacritics removed in every
    script (NFKD without nonspacing marks, then NFC, which recomposes Hangul),
    and ``ł ø æ đ ß ı œ þ`` and friends: ``Łódź`` -> ``lodz``,
    ``Μέτσολα`` -> ``μετσολα``, ``が`` -> ``か``."""
    if text.isascii():  # most words: nothing to decompose
        return text.lower()
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = unicodedata.normalize("NFKD", folded).translate(_STRIP_NONSPACING).translate(_LETTERS)
    return unicodedata.normalize("NFC", folded)


# Scripts written without spaces between words (Han, kana, Thai, Lao, Khmer,
# Myanmar): their runs are indexed as overlapping pairs of characters, so a
# word is found anywhere in a sentence (benchmarks/bench_scripts.py).
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]+"
)


def _pairs(run: str) -> list[str]:
    """``社長か`` -> ``社長 長か か``: every character begins a token, so a
    one-character query finds it as a prefix."""
    return [run[i:i + 2] for i in range(len(run))]


def index_words(word: str) -> list[str]:
    """The index's tokens for one folded word: itself, or its unspaced runs
    cut into pairs and its other parts kept whole."""
    if word.isascii() or not _UNSPACED.search(word):
        return [word]
    out: list[str] = []
    last = 0
    for match in _UNSPACED.finditer(word):
        if match.start() > last:
            out.append(word[last:match.start()])
        out.extend(_pairs(match.group()))
        last = match.end()
    if last < len(word):
        out.append(word[last:])
    return out


def query_phrases(word: str) -> list[tuple[str, bool]]:
    """A folded query word as FTS5 phrases, each with whether it may be a
    prefix: an unspaced run of two characters or more is the phrase of its
    pairs (found mid-sentence), a single character is a prefix."""
    if word.isascii() or not _UNSPACED.search(word):
        return [(word, True)]
    phrases: list[tuple[str, bool]] = []
    last = 0
    for match in _UNSPACED.finditer(word):
        if match.start() > last:
            phrases.append((word[last:match.start()], False))
        run = match.group()
        pairs = [run[i:i + 2] for i in range(len(run) - 1)] or [run]
        phrases.append((" ".join(pairs), len(run) == 1))
        last = match.end()
    if last < len(word):
        phrases.append((word[last:], True))
    return phrases


def search_text(text: str | None) -> str:
    """What a search index is fed for ``text``: its folded words, separated
    by single spaces, unspaced scripts in pairs (SQLite calls it as
    ``casebook_search_text``)."""
    if not text:
        return ""
    return " ".join(token for word in folded_words(text) for token in index_words(word))


def register_functions(conn: sqlite3.Connection) -> None:
    """Give a connection the SQL functions the search-index triggers call.
    A writer without them (a plain sqlite3 shell) is refused with
    ``no such function``: it cannot leave an index out of step."""
    conn.create_function("casebook_search_text", 1, search_text, deterministic=True)
    conn.create_function("casebook_transliterated_text", 1, transliterate, deterministic=True)


def tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, folded token) for each word of ``text``.

    Offsets index ``text`` itself (code points), so callers can highlight it.
    """
    for match in TOKEN.finditer(text):
        found = match.group()
        if found.isascii():   # most words: folding is lower case, and cuts nothing
            yield match.start(), match.end(), found.lower()
            continue
        for word in TOKEN.findall(fold(found)):
            yield match.start(), match.end(), word


# Marks written only to point vowels, and mostly left out (Hebrew niqqud and
# cantillation, Arabic harakat): not spelt, so a pointed word is spelt as it
# is written unpointed (``مُحَمَّد`` and ``محمد`` are both ``mhmd``).
_UNPOINTED = {code: None for code in (*range(0x0591, 0x05C8), *range(0x0610, 0x06EE))
              if unicodedata.category(chr(code)) == "Mn"}
# A run of katakana is one word (``ハンバーグ``: mostly a loanword or a name),
# spelt whole; other unspaced characters are spelt one at a time, each with the
# marks written on it (Thai ``ทู``: ``thu``).
_MARKS_IN_UNSPACED = "".join(
    re.escape(chr(code)) for start, end in ((0x0E00, 0x0F00), (0x1000, 0x10A0), (0x1780, 0x1800),
                                            (0x3040, 0x3100))
    for code in range(start, end) if unicodedata.category(chr(code)).startswith("M"))
_SPELT_APART = re.compile(f"[\u30a1-\u30fa\u30fc-\u30ff]+|.[{_MARKS_IN_UNSPACED}]*", re.DOTALL)


def _spelt_apart(run: re.Match[str]) -> str:
    return " ".join(_SPELT_APART.findall(run.group()))


def latin_spelling(word: str) -> list[str]:
    """The Latin spelling of one word as written (anyascii, offline), as ASCII
    lower-case words: compatibility forms and case folded first (NFKC,
    casefold), its marks kept, so ``ハンバーグ`` is ``hanbagu`` and ``दूतावास``
    ``dutavas``, ``Мецола`` is ``metsola``; an ASCII word is itself, lower case.
    A run of Han, hiragana or Thai is spelt a character at a time (``社長`` ->
    ``she zhang``): as one word it would be a whole sentence."""
    if word.isascii():
        return [word.lower()]
    written = unicodedata.normalize("NFKC", word).casefold().translate(_UNPOINTED)
    if _UNSPACED.search(written):
        written = _UNSPACED.sub(_spelt_apart, written)
    return TOKEN.findall(anyascii(written).lower())


def latin_spellings(word: str) -> tuple[str, ...]:
    """Every Latin spelling the transliterated indexes hold for one word as
    written: :func:`latin_spelling`'s, then that of the word folded where it
    adds words (``Европейският`` is ``evropeyskiyat`` and ``evropeiskiyat``:
    ``й`` is also spelt ``i``, as files indexed before schema v13 spelt it).
    A query is spelt by :func:`latin_spelling`, always among these."""
    if word.isascii():
        return (word.lower(),)
    # Cached: a text repeats its words (but a huge one is not kept).
    return _latin_spellings(word) if len(word) <= 64 else _spellings(word)


def _spellings(word: str) -> tuple[str, ...]:
    spelt = dict.fromkeys(latin_spelling(word))
    folded = fold(word)
    if folded != word:
        spelt.update(dict.fromkeys(
            latin for part in TOKEN.findall(folded) for latin in latin_spelling(part)))
    return tuple(spelt)


_latin_spellings = functools.lru_cache(maxsize=16384)(_spellings)


def written_words(text: str, limit: int) -> list[str]:
    """The first ``limit`` different words of ``text`` as written (marks kept),
    in order, a repeated one where it is met again (a query's last word is the
    prefix being typed)."""
    words: list[str] = []
    seen: set[str] = set()
    for match in TOKEN.finditer(text):
        word = match.group()
        if word not in seen and len(seen) == limit:
            break
        seen.add(word)
        words.append(word)
    return words


def transliterate(text: str | None) -> str:
    """What the transliterated search indexes are fed for ``text``: its words
    spelt in Latin as written (:func:`latin_spellings`), each once (anyascii,
    offline): ``Роберта Мецола`` -> ``roberta metsola``. A text whose folded
    words are all ASCII already (``Łódź`` folds to ``lodz``) gives ``""`` and
    is left out of those indexes: the folded index finds it. A text with some
    word in another script keeps its ASCII words too, so a query mixing both
    finds it."""
    if not text or text.isascii():
        return ""
    if all(word.isascii() for word in folded_words(text)):
        return ""
    words: dict[str, None] = {}  # in order of first appearance, each once
    for written in TOKEN.findall(text):
        words.update(dict.fromkeys(latin_spellings(written)))
    return " ".join(words)


# ISO 639-1 codes: an alias written ``Staatsveiligheid@nl`` is in Dutch.
_LANGUAGES = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())
# A tag after the last "@": a two-letter language, perhaps with subtags, in any case
# (BCP 47 tags are case-insensitive: written back in their usual case, ``sr-Latn``, ``fr-BE``).
_LANGUAGE_TAG = re.compile(r"^(.*\S)@([A-Za-z]{2})((?:-[A-Za-z0-9]{2,8})*)$", re.DOTALL)


def split_language(alias: str) -> tuple[str, str]:
    """An alias and its language tag: ``Staatsveiligheid@nl`` ->
    ``("Staatsveiligheid", "nl")``, ``Μέτσολα@el`` -> ``("Μέτσολα", "el")``;
    ``("Sûreté", "")`` without one. Only an ISO 639-1 code (and subtags,
    ``@sr-Latn``) is a tag, in any case and stored in BCP 47's usual one
    (``Moskva@RU`` -> ``ru``, ``@SR-LATN`` -> ``sr-Latn``); ``john@aol`` is one
    alias. Two letters that are no ISO 639-1 code (``@xx``) raise
    UnknownLanguageError: a tag mistyped is not taken for part of the name."""
    found = _LANGUAGE_TAG.match(alias)
    if found is None:
        return alias, ""
    language = found.group(2).lower()
    if language not in _LANGUAGES:
        raise UnknownLanguageError(
            f"alias {alias!r}: {found.group(2)!r} after '@' is not an ISO 639-1 language code "
            "(a language tag is written like Staatsveiligheid@nl or Beograd@sr-Latn)")
    return found.group(1).strip(), language + "".join(
        f"-{_subtag_case(part)}" for part in found.group(3).split("-")[1:])


def _subtag_case(subtag: str) -> str:
    """BCP 47's usual case of a subtag: a script title-cased, a region upper-cased."""
    if len(subtag) == 4 and subtag.isalpha():
        return subtag.title()
    if len(subtag) == 2 and subtag.isalpha():
        return subtag.upper()
    return subtag.lower()


def with_language(alias: str, language: str) -> str:
    """The alias as it is written with its tag: ``Staatsveiligheid@nl``."""
    return f"{alias}@{language}" if language else alias


def folded_words(text: str) -> list[str]:
    """The folded words of ``text`` (folding the whole text at once is faster
    than word by word, and cuts the same words)."""
    return TOKEN.findall(fold(text))


# -- matches of a query ----------------------------------------------------


def highlight_spans(text: str, terms: Sequence[str], *,
                    transliterated: bool = False) -> list[tuple[int, int]]:
    """Spans of ``text`` that match the query terms (the last as a prefix);
    ``transliterated``: words in other scripts match by their Latin spelling
    (``Мецола`` for ``metsola``)."""
    return list(_match_spans(text, terms, transliterated=transliterated))


def _match_spans(text: str, terms: Sequence[str], *,
                 transliterated: bool = False) -> Iterator[tuple[int, int]]:
    """``highlight_spans`` one at a time, for a caller that needs only the first."""
    if not terms:
        return
    whole, prefix = set(terms[:-1]), terms[-1]
    unspaced = [term for term in terms if _UNSPACED.match(term)]

    def matches(word: str) -> bool:
        return (word in whole or word.startswith(prefix)
                or any(term in word for term in unspaced))

    for match in TOKEN.finditer(text):   # each word as written: a match lights all of it
        written = match.group()
        folded = [written.lower()] if written.isascii() else TOKEN.findall(fold(written))
        if any(matches(word) for word in folded) or (
                transliterated and not written.isascii()
                and any(matches(latin) for latin in latin_spellings(written))):
            yield match.span()


def focus(text: str, terms: Sequence[str], width: int = 160, *,
          transliterated: bool = False) -> str:
    """A one-line window of ``text`` around its first match."""
    flat = one_line(text)
    if len(flat) <= width:
        return flat
    first = next(_match_spans(flat, terms, transliterated=transliterated), None)
    start = max(0, first[0] - width // 4) if first else 0
    end = min(len(flat), start + width)
    start = max(0, end - width)
    first_match = first[0] if first else end
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


_WHITESPACE_RUN = re.compile(r"[\r\n\t ]+")


def one_line(text: str, *, limit: int | None = None) -> str:
    """Visible text on one line: whitespace runs collapse to one space.
    With ``limit``, at most that many characters of it (then ``…``): the
    work is done on a prefix of ``text``, never on all of a huge one."""
    if limit is not None:
        flat, rest = cut_line(text, limit)
        return visible(flat) + ("…" if rest else "")
    return visible(_WHITESPACE_RUN.sub(" ", text).strip())


def cut_line(text: str, limit: int) -> tuple[str, int]:
    """The first ``limit`` characters of ``text`` on one line (whitespace runs
    collapsed, ends stripped; not yet :func:`visible`), and how many
    characters of ``text`` itself that leaves out (0: all of it is there).

    Only a prefix of ``text`` is read, a few times ``limit`` long (longer
    only while whitespace runs shrink it): a 10 MB name costs what a short
    one does (issue 17, point 7)."""
    limit = max(limit, 0)
    end = max(limit * 2, 64)
    while True:
        prefix = text[:end]
        flat = _WHITESPACE_RUN.sub(" ", prefix).lstrip()
        if end >= len(text):
            flat = flat.rstrip()
            if len(flat) <= limit:
                return flat, 0
            break
        if len(flat) > limit:
            break
        end *= 4
    # ``flat`` has more than ``limit`` characters: find where in ``text`` the
    # first ``limit`` of them end (a whitespace run stands for one character).
    position = len(prefix) - len(prefix.lstrip())
    kept = 0
    for run in _WHITESPACE_RUN.finditer(prefix, position):
        word = run.start() - position
        if kept + word >= limit:
            break
        kept += word + 1
        position = run.end()
        if kept >= limit:
            return flat[:limit], len(text) - position
    return flat[:limit], len(text) - (position + limit - kept)


def cut_block(text: str, *, lines: int, chars: int) -> tuple[str, int]:
    """The first ``lines`` lines of ``text`` and at most ``chars`` characters
    of them, and how many characters that leaves out (0: all of it)."""
    end = -1
    for _ in range(max(lines, 1)):
        end = text.find("\n", end + 1, chars)
        if end == -1:
            break
    if end == -1:
        end = min(len(text), chars)
    return text[:end], len(text) - end
