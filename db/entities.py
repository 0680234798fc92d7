"""Entities (people, organisations, places, documents) and their aliases."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TypeVar

from .casefile import Case, new_uid, utc_now
from .damage import read_model
from .errors import InvalidValueError, NotFoundError
from .models import Entity, Excerpt
from .paging import all_of, check_shown, count_live, live, page_ids, rows_by_id
from .sources import excerpts_by_ids
from .tables import ALIAS_LANGUAGES, ENTITIES, ENTITY_ALIASES, EXCERPT_ENTITIES
from .text import fold, nfc, split_language, with_language

# Aliases travel in one column; \x1f cannot occur in a name we accept.
_ALIAS_SEPARATOR = "\x1f"
_ENTITY_SELECT = (
    f"SELECT {ENTITIES.select(ENTITIES.model_columns)}, (SELECT group_concat(alias, char(31)) FROM "
    "(SELECT alias FROM entity_aliases WHERE entity_id = entities.id ORDER BY alias)) AS aliases, "
    "(SELECT group_concat(alias || char(30) || lang, char(31)) FROM "
    "(SELECT alias, lang FROM alias_languages WHERE entity_id = entities.id ORDER BY alias)) "
    "AS languages FROM entities WHERE id IN"
)
_ADD_ENTITY = ENTITIES.insert(with_id=False)
# An entity as some reader wants it: an Entity, or one with more fields (db/walk's records).
E = TypeVar("E", bound=Entity)


def _entity(row: sqlite3.Row, model: type[E]) -> E:
    aliases = tuple(str(row["aliases"]).split(_ALIAS_SEPARATOR)) if row["aliases"] else ()
    languages = tuple(tuple(pair.split("\x1e", 1)) for pair in
                      str(row["languages"]).split(_ALIAS_SEPARATOR)) if row["languages"] else ()
    return read_model(model, {**{column: row[column] for column in ENTITIES.model_columns},
                               "aliases": aliases, "languages": languages})


def tagged_aliases(aliases: Iterable[str]) -> tuple[tuple[str, ...], dict[str, str]]:
    """Aliases as typed, some with a language tag (``Staatsveiligheid@nl``):
    the aliases without their tags, each once, and the tags by alias."""
    plain: dict[str, None] = {}
    languages: dict[str, str] = {}
    for typed in aliases:
        alias, language = split_language(nfc(typed).strip())
        if alias:
            plain[alias] = None
            if language:
                languages[alias] = language
    return tuple(plain), languages


def tagged_names(entity: Entity) -> list[str]:
    """An entity's aliases as written, with their language tags: ``Staatsveiligheid@nl``."""
    languages = dict(entity.languages)
    return [with_language(alias, languages.get(alias, "")) for alias in entity.aliases]


def normal_aliases(typed: Iterable[str]) -> tuple[str, ...]:
    """Aliases as typed (``Moskva@RU``) as a revision writes them: each once, its
    tag in BCP 47's usual case (``Moskva@ru``); UnknownLanguageError for a tag
    that is no language, InvalidValueError for one alias given two tags."""
    tags: dict[str, str] = {}
    for alias in typed:
        plain, language = split_language(nfc(alias).strip())
        if not plain:
            continue
        if plain in tags and tags[plain] != language:
            raise InvalidValueError(
                f"alias {plain!r} is given twice, tagged {tags[plain] or 'none'} and "
                f"{language or 'none'}: give it once")
        tags[plain] = language
    return tuple(with_language(plain, language) for plain, language in tags.items())


def stored_languages(tx: sqlite3.Connection, entity_id: int) -> dict[str, str]:
    """The language tags of an entity's aliases, by alias, as the file holds them."""
    return {str(alias): str(lang) for alias, lang in tx.execute(
        "SELECT alias, lang FROM alias_languages WHERE entity_id = ?", [entity_id])}


def tags_kept(written: Sequence[str], before: Sequence[str], languages: dict[str, str]
              ) -> tuple[str, ...]:
    """The aliases a stored revision wrote (``written``, replayed by a merge or put
    back by undo), each written plain that was plain in ``before`` too given the
    tag it has here (``languages``). Revisions made before aliases were revised
    with their tags hold them plain, and kept each tag so; one made since holds
    them tagged, and shows a tag taken away as ``X@nl`` before and ``X`` after."""
    plain_before = {alias for alias in before if split_language(alias)[1] == ""}
    kept = []
    for alias in written:
        plain, language = split_language(alias)
        if not language and plain in plain_before and languages.get(plain):
            kept.append(with_language(plain, languages[plain]))
        else:
            kept.append(alias)
    return tuple(kept)


def carry_languages(tx: sqlite3.Connection, kept_id: int, absorbed_id: int,
                    aliases: Sequence[str]) -> None:
    """The language tags of the absorbed entity's aliases that combining it made the
    kept one's (``Мецола@ru`` stays ``Мецола@ru``); uncombining deletes them with the aliases."""
    tx.execute("INSERT OR IGNORE INTO alias_languages (entity_id, alias, lang) "
               "SELECT ?, alias, lang FROM alias_languages WHERE entity_id = ? "
               "AND alias IN (SELECT value FROM json_each(?))",
               [kept_id, absorbed_id, json.dumps(list(aliases), ensure_ascii=False)])


def write_alias_languages(tx: sqlite3.Connection, entity_id: int, languages: dict[str, str]) -> None:
    """Store the language tags of an entity's aliases (each alias already stored)."""
    insert = ALIAS_LANGUAGES.insert(or_replace=True)
    tx.executemany(insert.sql, [insert.values(entity_id=entity_id, alias=alias, lang=language)
                                for alias, language in languages.items()])


def add_entity(
    case: Case, *, kind: str, name: str, description: str = "", aliases: Iterable[str] = (),
    created_by: str = "", created_at: str | None = None,
) -> Entity:
    """A new entity, added by ``created_by`` now (or at ``created_at``: the seed
    case's fixed time); the activity log shows it."""
    plain, languages = tagged_aliases(aliases)   # "Staatsveiligheid@nl": in Dutch
    entity = Entity.model_validate(dict(   # the model checks the kind
        kind=kind, name=nfc(name).strip(), description=nfc(description),
        aliases=plain, languages=tuple(languages.items()), uid=new_uid(),
        created_at=created_at or utc_now(), created_by=created_by,
    ))
    if any(_ALIAS_SEPARATOR in text for text in (entity.name, *entity.aliases)):
        raise InvalidValueError("entity names and aliases cannot contain control characters")
    with case.write() as tx:
        entity_id = tx.execute(
            _ADD_ENTITY.sql, _ADD_ENTITY.values(entity, sort_name=fold(entity.name))).lastrowid
        assert entity_id is not None
        tx.executemany(
            ENTITY_ALIASES.insert().sql,
            [(entity_id, alias) for alias in entity.aliases if alias != entity.name],
        )
        write_alias_languages(tx, entity_id, {alias: language for alias, language in languages.items()
                                              if alias != entity.name})
    return entity.model_copy(update={"id": entity_id})


def add_alias(case: Case, entity_id: int, alias: str) -> None:
    """One more alias, perhaps with a language tag (``Bruxelles@fr``)."""
    alias, language = split_language(nfc(alias).strip())
    with case.write() as tx:
        if tx.execute("SELECT 1 FROM entities WHERE id = ?", [entity_id]).fetchone() is None:
            raise NotFoundError(f"no entity {entity_id}")
        tx.execute(ENTITY_ALIASES.insert(or_ignore=True).sql, [entity_id, alias])
        if language:
            write_alias_languages(tx, entity_id, {alias: language})


def link_excerpt_entity(case: Case, excerpt_id: int, entity_id: int) -> None:
    with case.write() as tx:
        tx.execute(EXCERPT_ENTITIES.insert(or_ignore=True).sql, [excerpt_id, entity_id])


# -- reading --------------------------------------------------------------


def count_entities(case: Case, *, kind: str | None = None, include_retired: bool = False) -> int:
    where, params = ("", []) if kind is None else ("kind = ?", [kind])
    return count_live(case, "entities", where=where, params=params,
                      include_retired=include_retired)


def entities_page(
    case: Case, *, offset: int, limit: int, total: int | None = None, kind: str | None = None,
    include_retired: bool = False,
) -> list[Entity]:
    """Entities in name order (folded), optionally of one kind; retired ones
    left out unless ``include_retired``."""
    if total is None:
        total = count_entities(case, kind=kind, include_retired=include_retired)
    if kind is None:
        ids = page_ids(case, table="entities", order=["sort_name", "id"],
                       offset=offset, limit=limit, total=total, include_retired=include_retired)
    else:
        ids = page_ids(case, table="entities", order=["kind", "sort_name", "id"],
                       where="kind = ?", params=[kind], offset=offset,
                       limit=limit, total=total, include_retired=include_retired)
    return entities_by_ids(case, ids)


def entity_position(case: Case, entity_id: int, *, kind: str | None = None,
                    include_retired: bool = False) -> int:
    entity = case.row("SELECT kind, sort_name, retired FROM entities WHERE id = ?", [entity_id])
    if entity is None:
        raise NotFoundError(f"no entity {entity_id}")
    check_shown("entity", entity_id, entity["retired"], include_retired)
    before = "(sort_name, id) < (?, ?)"
    where, params = (before, [entity["sort_name"], entity_id]) if kind is None else (
        f"kind = ? AND {before}", [kind, entity["sort_name"], entity_id])
    return count_live(case, "entities", where=where, params=params,
                      include_retired=include_retired)


def get_entity(case: Case, entity_id: int) -> Entity:
    found = rows_by_id(case, _ENTITY_SELECT, [entity_id])
    if not found:
        raise NotFoundError(f"no entity {entity_id}")
    return _entity(found[0], Entity)


def entities_by_ids(case: Case, ids: list[int]) -> list[Entity]:
    return entities_read_as(case, ids, Entity)


def entities_read_as(case: Case, ids: list[int], model: type[E]) -> list[E]:
    """The entities of ``ids`` (in that order), each read (and validated) once as
    ``model``: an :class:`Entity`, or a model with more fields."""
    return [_entity(row, model) for row in rows_by_id(case, _ENTITY_SELECT, ids)]


def excerpt_entities(case: Case, excerpt_id: int, *, limit: int = 200,
                     include_retired: bool = True) -> list[Entity]:
    """Entities an excerpt mentions, by name (retired ones left out unless ``include_retired``)."""
    shown = "" if include_retired else " AND e.retired = 0"
    ids = [row[0] for row in case.rows(
        "SELECT e.id FROM excerpt_entities x JOIN entities e ON e.id = x.entity_id "
        f"WHERE x.excerpt_id = ?{shown} ORDER BY e.sort_name LIMIT ?", [excerpt_id, limit],
    )]
    return entities_by_ids(case, ids)


def count_entity_excerpts(case: Case, entity_id: int, *, include_retired: bool = True) -> int:
    hidden = live("excerpts", include_retired=include_retired, column="excerpt_id")
    return int(case.scalar(
        f"SELECT count(*) FROM excerpt_entities WHERE {all_of('entity_id = ?', hidden)}", [entity_id]))


def entity_excerpts(case: Case, entity_id: int, *, offset: int = 0, limit: int = 50,
                    include_retired: bool = True) -> list[Excerpt]:
    """Excerpts that mention an entity, in reading order of their ids (retired ones
    left out unless ``include_retired``)."""
    hidden = live("excerpts", include_retired=include_retired, column="excerpt_id")
    ids = [row[0] for row in case.rows(
        f"SELECT excerpt_id FROM excerpt_entities WHERE {all_of('entity_id = ?', hidden)} "
        "ORDER BY excerpt_id LIMIT ? OFFSET ?", [entity_id, limit, offset],
    )]
    return excerpts_by_ids(case, ids)
