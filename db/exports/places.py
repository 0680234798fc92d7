"""The country of a place, where its name or an alias names one
(:mod:`db.countries`), with its STIX region. A place whose names name no
country has none: casebook never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..countries import country_named
from ..models import Entity

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


@lru_cache(maxsize=4096)
def _country_named(name: str) -> Country | None:
    territory = country_named(name)
    if territory is None:
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
