"""The country of a place, where its name or an alias names one.

``rigour`` (OpenSanctions' territory data) knows countries and territories by
their names in many languages, and capitals and other places by name
(``Brussels`` is in Belgium). A place whose names name no country, or name a
territory whose sovereignty is not one country's (Crimea), has none:
casebook never guesses.

The names are matched folded for case and diacritics, punctuation dropped
(as ``rigour.territories.lookup_territory`` does, but with casebook's own
folding: rigour's transliteration of its 30,000 names takes seconds, which
every export would pay).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from ..models import Entity
from ..text import folded_words

if TYPE_CHECKING:
    from rigour.territories.territory import Territory

# STIX 2.1 region-ov: UN M49 regions and subregions, as rigour names them.
_STIX_REGIONS = frozenset("""
    africa eastern-africa middle-africa northern-africa southern-africa western-africa americas
    caribbean central-america latin-america-caribbean northern-america south-america asia
    central-asia eastern-asia southern-asia south-eastern-asia western-asia europe eastern-europe
    northern-europe southern-europe western-europe middle-east oceania antarctica
    australia-new-zealand melanesia micronesia polynesia
""".split())


@dataclass(frozen=True)
class Country:
    code: str      # ISO 3166-1 alpha-2, lower case
    name: str
    region: str    # a STIX region-ov value, or ""


def _key(name: str) -> str:
    return " ".join(folded_words(name))


@cache
def _territories_by_name() -> dict[str, Territory]:
    """Strong names first, then weak ones, then places, as rigour ranks them."""
    # Imported here: every command loads the exports, few need countries.
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
def _country_named(name: str) -> Country | None:
    territory = _territories_by_name().get(_key(name))
    if territory is None or not territory.is_country or len(territory.code) != 2:
        return None
    region = ""
    for candidate in (territory.subregion, territory.region):
        slug = (candidate or "").lower().replace(" ", "-")
        if slug in _STIX_REGIONS:
            region = slug
            break
    return Country(code=territory.code, name=territory.name, region=region)


def place_country(place: Entity) -> Country | None:
    """The country the place's name or one of its aliases names, if any."""
    for name in (place.name, *place.aliases):
        country = _country_named(name)
        if country is not None:
            return country
    return None
