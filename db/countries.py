"""Countries by name, in many languages, and as a people ("Belgian").

``rigour`` (OpenSanctions' territory data) knows countries and territories by
their names in many languages, and capitals and other places by name
(``Brussels`` is in Belgium). A name that names no country, or names a
territory whose sovereignty is not one country's (Crimea), has none:
casebook never guesses.

The names are matched folded for case and diacritics, punctuation dropped
(as ``rigour.territories.lookup_territory`` does, but with casebook's own
folding: rigour's transliteration of its 30,000 names takes seconds, which
every caller would pay). The data is read once, on the first lookup.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from .text import folded_words

if TYPE_CHECKING:
    from rigour.territories.territory import Territory

_LONGEST = 3   # words a country's name runs to, where names name one ("papua new guinea")


def _key(name: str) -> str:
    return " ".join(folded_words(name))


@cache
def _territories_by_name() -> dict[str, Territory]:
    """Strong names first, then weak ones, then places, as rigour ranks them."""
    # Imported here: few commands need countries.
    from rigour._core import territories_jsonl  # the data file rigour reads its names from
    from rigour.data import iter_jsonl_text
    from rigour.territories import get_territory

    ranked: list[dict[str, Territory]] = [{}, {}, {}]
    for data in iter_jsonl_text(territories_jsonl()):
        territory = get_territory(data["code"])
        if territory is None:
            continue
        names = [*data.get("names_strong", []), territory.name, territory.full_name]
        for rank, group in enumerate((names, data.get("names_weak", []), data.get("places", []))):
            for name in group:
                ranked[rank].setdefault(_key(name), territory)
    found: dict[str, Territory] = {}
    for mapping in reversed(ranked):
        found.update(mapping)
    return found


@lru_cache(maxsize=4096)
def country_named(name: str) -> Territory | None:
    """The country (one with an ISO 3166-1 alpha-2 code) ``name`` names, if any."""
    territory = _territories_by_name().get(_key(name))
    if territory is None or not territory.is_country or len(territory.code) != 2:
        return None
    return territory


def countries_named(names: Iterable[str]) -> frozenset[str]:
    """The codes of the countries words of these names name, by name or as a
    people ("Belgian Ministry of Foreign Affairs": be; "Embassy of North
    Korea": kp, not Korea's kr), the longest run of words first."""
    found: set[str] = set()
    for name in names:
        words = folded_words(name)
        at = 0
        while at < len(words):
            for size in range(min(_LONGEST, len(words) - at), 0, -1):
                country = country_named(" ".join(words[at:at + size]))
                if country is not None:
                    found.add(country.code)
                    at += size
                    break
            else:
                at += 1
    return frozenset(found)
