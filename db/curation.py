"""Curating a case: revising items, retiring and restoring them, combining
duplicate entities, judging proposed duplicates.

Every change is on the record and nothing is deleted: a revision keeps who
changed which fields from what to what (``revisions``), a retirement or a
restoration who and why (``retirements``, the latest row is the item's
state), a combination exactly what it moved (``combinations``), so that
``uncombine`` puts it back. Each write is one ``BEGIN IMMEDIATE``
transaction. An item's ``version`` moves with every change to it (a
claim's with its marks too), and a change made against a version that is no
longer current is refused with who changed what (:class:`StaleRevisionError`),
as marks are.

Works the same for every kind of item: what a kind's fields are and how they
are stored is on its record in :mod:`db.kinds`.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import ValidationError

from .building import _check_entities
from .casefile import Case, new_uid, utc_now
from .claims import add_claim
from .countries import countries_named
from .entities import (
    add_entity,
    carry_languages,
    link_excerpt_entity,
    normal_aliases,
    stored_languages,
    tagged_names,
    tags_kept,
)
from .errors import InvalidValueError, NotFoundError, NothingToUndoError, StaleRevisionError
from .events import add_event
from .item_links import ItemLink, item_links
from .kinds import ENTITY, RELATIONSHIP, RELATIONSHIP_ENDS, ItemKind, item_kind
from .marks import CLAIM_MARKS, RELATIONSHIP_MARKS, Marked, timestamp_after
from .models import PAIR_JUDGEMENTS, STANCES, DuplicatePair, Entity, Model
from .paging import keyset_pages, keyset_rows, live
from .relationships import add_relationship
from .schema import CURATED_TABLES
from .sources import get_excerpt
from .tables import (
    CLAIM_ENTITIES,
    COMBINATIONS,
    DUPLICATE_JUDGEMENTS,
    ENTITY_ALIASES,
    RETIREMENTS,
    REVISION_CONFLICTS,
    REVISIONS,
)
from .text import fold, nfc, split_language, with_language

# The kinds of item that carry marks: a mark is a change to them too.
_MARKED: dict[str, Marked[Any]] = {"claim": CLAIM_MARKS, "relationship": RELATIONSHIP_MARKS}
# Fields an item cannot be without.
_REQUIRED = {"name", "title", "statement"}
JUDGEMENTS = PAIR_JUDGEMENTS


class Revision(Model):
    """A ``revisions`` row: ``fields`` maps each changed field to [old, new]."""

    uid: str
    item_kind: str
    item_uid: str
    version: int
    annotator: str
    at: str
    fields: dict[str, tuple[Any, Any]]
    note: str = ""
    undoes: str = ""


class Retirement(Model):
    uid: str
    item_kind: str
    item_uid: str
    retired: bool
    annotator: str
    at: str
    reason: str = ""


class Combination(Model):
    uid: str
    kept_uid: str
    absorbed_uid: str
    annotator: str
    at: str
    note: str = ""
    moved: dict[str, Any] = {}
    undone_by: str = ""
    undone_at: str = ""


class FieldConflict(Model):
    """A field revised on both sides of a merge to different values
    (``revision_conflicts``). ``ours`` is the revision this file had first,
    ``theirs`` the one a merge brought in; ``now`` the value standing (the
    later revision's, until the conflict is settled)."""

    id: int
    item_kind: str
    item_uid: str
    item_id: int | None
    field: str
    ours: Revision
    theirs: Revision
    now: Any = None
    detected_at: str
    detected_by: str = ""
    resolved_at: str = ""
    resolved_by: str = ""


class ItemState(Model):
    """What ``casebook show`` prints: an item, its version and state, its history."""

    kind: str
    item: dict[str, Any]
    retired: bool
    revisions: tuple[Revision, ...] = ()
    retirements: tuple[Retirement, ...] = ()
    combinations: tuple[Combination, ...] = ()
    conflicts: tuple[FieldConflict, ...] = ()    # its fields revised differently, not yet settled
    damage: str = ""      # what is wrong with the item's row (``db.damage``), if anything
    links: tuple[ItemLink, ...] = ()   # the items linked to it (``db.item_links``)

    def revisable_values(self) -> dict[str, Any]:
        """The fields a revision may change, in the kind's order, as revisions hold
        them (an entity's aliases with their tags, ``Staatsveiligheid@nl``): what an
        edit form is prefilled with."""
        values = {name: self.item[name] for name in _kind(self.kind).revisable}
        if "aliases" in values:
            languages = {str(alias): str(lang) for alias, lang in self.item.get("languages", ())}
            values["aliases"] = [with_language(alias, languages.get(alias, ""))
                                 for alias in values["aliases"]]
        return values


# -- reading -----------------------------------------------------------------


def _kind(kind: str | ItemKind) -> ItemKind:
    if isinstance(kind, ItemKind):
        return kind
    try:
        return item_kind(kind)
    except ValueError as error:
        raise InvalidValueError(str(error)) from None


def _row(tx: sqlite3.Connection | Case, kind: ItemKind, item_id: int) -> sqlite3.Row:
    """The item's uid, version and retired flag; NotFoundError if there is none."""
    version = "version" if "version" in kind.table.columns else "0 AS version"  # (excerpts)
    sql = f"SELECT id, uid, {version}, retired FROM {kind.table} WHERE id = ?"
    found: sqlite3.Row | None = (
        tx.row(sql, [item_id]) if isinstance(tx, Case) else tx.execute(sql, [item_id]).fetchone())
    if found is None:
        raise NotFoundError(f"no {kind.singular} {item_id}")
    return found


def get_item(case: Case, kind: str | ItemKind, item_id: int) -> Model:
    kind = _kind(kind)
    found = kind.items(case, [item_id])
    if not found:
        raise NotFoundError(f"no {kind.singular} {item_id}")
    return found[0]


def is_retired(case: Case, kind: str | ItemKind, item_id: int) -> bool:
    return bool(_row(case, _kind(kind), item_id)["retired"])


def item_state(case: Case, kind: str | ItemKind, item_id: int, *, links: bool = False,
               include_retired: bool = False) -> ItemState:
    """An item with its history, and with ``links`` the items linked to it
    (retired ones only with ``include_retired``)."""
    kind = _kind(kind)
    with case.snapshot():
        row = _row(case, kind, item_id)
        stored = get_item(case, kind, item_id)
        item = stored.model_dump(mode="json")
        item["version"] = row["version"]
        return ItemState(
            kind=kind.name, item=item, retired=bool(row["retired"]),
            revisions=tuple(revisions(case, kind=kind.name, item_uid=row["uid"])),
            retirements=tuple(retirements(case, kind=kind.name, item_uid=row["uid"])),
            combinations=tuple(_combinations_of(case, row["uid"])) if kind is ENTITY else (),
            conflicts=tuple(field_conflicts(case, kind=kind.name, item_uid=row["uid"])),
            damage=getattr(stored, "damage", ""),
            links=item_links(case, kind.name, item_id, include_retired=include_retired)
            if links else (),
        )


def revisions(case: Case, *, kind: str | None = None, item_uid: str | None = None,
              annotator: str | None = None, limit: int | None = None,
              newest_first: bool = False) -> list[Revision]:
    where, params = _filters(kind=kind, item_uid=item_uid, annotator=annotator)
    order = "DESC" if newest_first else ""
    rows = case.rows(f"SELECT {REVISIONS.select()} FROM revisions {where} "
                     f"ORDER BY at {order}, rowid {order} LIMIT ?", [*params, limit or -1])
    return [_revision(row) for row in rows]


def retirements(case: Case, *, kind: str | None = None, item_uid: str | None = None,
                annotator: str | None = None) -> list[Retirement]:
    where, params = _filters(kind=kind, item_uid=item_uid, annotator=annotator)
    return [Retirement(**dict(row)) for row in case.rows(
        f"SELECT {RETIREMENTS.select()} FROM retirements {where} ORDER BY at, rowid", params)]


def _combinations_of(case: Case, entity_uid: str) -> list[Combination]:
    return [_combination(row) for row in case.rows(
        f"SELECT {COMBINATIONS.select()} FROM combinations WHERE kept_uid = ? OR absorbed_uid = ? "
        "ORDER BY at, rowid", [entity_uid, entity_uid])]


def _filters(*, kind: str | None, item_uid: str | None, annotator: str | None
             ) -> tuple[str, list[Any]]:
    conditions, params = [], []
    for column, value in (("item_kind", kind), ("item_uid", item_uid), ("annotator", annotator)):
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    return ("WHERE " + " AND ".join(conditions) if conditions else ""), params


def _revision(row: sqlite3.Row | dict[str, Any]) -> Revision:
    return Revision(**{**dict(row), "fields": json.loads(row["fields"])})


def _combination(row: sqlite3.Row) -> Combination:
    return Combination(**{**dict(row), "moved": json.loads(row["moved"])})


def uid_of(case: Case, kind: str | ItemKind, item_id: int) -> str:
    return str(_row(case, _kind(kind), item_id)["uid"])


def id_of_uid(case: Case, kind: str | ItemKind, uid: str) -> int | None:
    found = case.scalar(f"SELECT id FROM {_kind(kind).table} WHERE uid = ?", [uid])
    return None if found is None else int(found)


# -- revising ----------------------------------------------------------------


def revise(case: Case, kind: str | ItemKind, item_id: int, changes: dict[str, Any], *,
           annotator: str, expected_version: int | None = None, note: str = "") -> Revision:
    """Change some fields of an item, on the record; returns the revision.

    Refused (nothing written) for an unknown field, a value the item's model
    refuses, a retired item, no change at all, or, with ``expected_version``,
    an item that changed since that version (StaleRevisionError).
    """
    kind = _kind(kind)
    annotator = _check_annotator(annotator)
    changes = _normalised(kind, changes)
    with case.write() as tx:
        row = _current(tx, kind, item_id, expected_version)
        current = get_item(case, kind, item_id)
        proposed = _validated(kind, current, changes)
        changed = {name: (_jsonable(_value(current, name)), _jsonable(value))
                   for name, value in proposed.items() if not _same(name, _value(current, name), value)}
        if not changed:
            raise InvalidValueError(
                f"{kind.singular} {item_id} already has those values: nothing was changed")
        kind.write(tx, item_id, {name: proposed[name] for name in changed})
        return _record_revision(tx, kind, row, changed, annotator=annotator, note=note)


def undo_own_latest_revision(case: Case, kind: str | ItemKind, item_id: int, *, annotator: str,
                             expected_version: int | None = None) -> Revision:
    """Take back the annotator's own latest revision of an item: a new revision
    that puts the fields back (nothing is deleted). Refused if the latest
    revision not yet undone is someone else's, or there is none."""
    kind = _kind(kind)
    annotator = _check_annotator(annotator)
    with case.write() as tx:
        row = _current(tx, kind, item_id, expected_version)
        target = tx.execute(
            f"SELECT {REVISIONS.select()} FROM revisions r WHERE item_kind = ? AND item_uid = ? "
            "AND undoes = '' AND NOT EXISTS (SELECT 1 FROM revisions u WHERE u.undoes = r.uid) "
            "ORDER BY at DESC, rowid DESC LIMIT 1", [kind.name, row["uid"]]).fetchone()
        if target is None:
            revised = tx.execute("SELECT 1 FROM revisions WHERE item_kind = ? AND item_uid = ? LIMIT 1",
                                 [kind.name, row["uid"]]).fetchone()
            raise NothingToUndoError(f"nothing to undo on {kind.singular} {item_id}: " + (
                "each of its revisions is undone already" if revised else "no revisions"))
        if set(json.loads(target["fields"])) & set(RELATIONSHIP_ENDS):
            raise NothingToUndoError(
                f"nothing to undo on {kind.singular} {item_id}: its latest revision moved it "
                f"with a combination of entities ({target['note']}); uncombine to take it back")
        if target["annotator"] != annotator:
            raise NothingToUndoError(
                f"nothing to undo on {kind.singular} {item_id}: its latest revision is by "
                f"{target['annotator']} ({target['at']}), not by you")
        current = get_item(case, kind, item_id)
        put_back = {name: _stored(tx, item_id, name, old, new)
                    for name, (old, new) in json.loads(target["fields"]).items()}
        kind.write(tx, item_id, put_back)
        back = {name: (_jsonable(_value(current, name)), _jsonable(value))
                for name, value in put_back.items()}
        return _record_revision(tx, kind, row, back, annotator=annotator,
                                note="undo", undoes=target["uid"])


def _record_revision(tx: sqlite3.Connection, kind: ItemKind, row: sqlite3.Row,
                     changed: dict[str, tuple[Any, Any]], *, annotator: str, note: str,
                     undoes: str = "", uid: str | None = None) -> Revision:
    version = _bump(tx, kind, row)
    revision = Revision(
        uid=uid or new_uid(), item_kind=kind.name, item_uid=row["uid"], version=version,
        annotator=annotator, at=_after_latest(tx, kind, row["uid"]), fields=changed,
        note=nfc(note).strip(), undoes=undoes)
    insert = REVISIONS.insert()
    tx.execute(insert.sql, insert.values(revision, fields=json.dumps(changed, ensure_ascii=False)))
    return revision


def _normalised(kind: ItemKind, changes: dict[str, Any]) -> dict[str, Any]:
    if not kind.revisable:
        raise InvalidValueError(f"an {kind.singular} cannot be revised (its text is verbatim); "
                                "retire it instead")
    if not changes:
        raise InvalidValueError("nothing to change: give FIELD=VALUE")
    normal: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in kind.revisable:
            raise InvalidValueError(f"{'an' if kind.singular[0] in 'aeiou' else 'a'} "
                                    f"{kind.singular} has no field {name!r} to revise "
                                    f"(choose {', '.join(kind.revisable)})")
        if name == "aliases":   # "VSSE | Staatsveiligheid@nl": each with its language tag, if any
            normal[name] = normal_aliases(value.split("|") if isinstance(value, str) else list(value))
        elif isinstance(value, str):
            normal[name] = nfc(value).strip() if name != "description" else nfc(value)
        else:
            normal[name] = value
        if name in _REQUIRED and not normal[name]:
            raise InvalidValueError(f"{'an' if kind.singular[0] in 'aeiou' else 'a'} "
                                    f"{kind.singular} needs a {name}")
    return normal


@contextlib.contextmanager
def _named_errors() -> Iterator[None]:
    """A value a model refuses as one InvalidValueError line naming the field."""
    try:
        yield
    except ValidationError as error:
        first = error.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidValueError(f"{where + ': ' if where else ''}{message}") from None


def _validated(kind: ItemKind, current: Model, changes: dict[str, Any]) -> dict[str, Any]:
    """The changed fields as the kind's model takes them (a kind it knows, dates
    that match their precision), checked with the rest of the item."""
    with _named_errors():
        checked = kind.model.model_validate({**current.model_dump(), **changes})
    values = checked.model_dump()
    if "aliases" in changes:   # an entity's own name is not an alias of it
        values["aliases"] = tuple(a for a in changes["aliases"] if split_language(a)[0] != values["name"])
    return {name: values[name] for name in changes}


def _value(item: Model, name: str) -> Any:
    """A field's value as a revision holds it: an entity's aliases with their
    language tags (``Staatsveiligheid@nl``), so that a tag's change is one."""
    if name == "aliases" and isinstance(item, Entity):
        return tuple(tagged_names(item))
    return item.model_dump()[name]


def _same(name: str, old: Any, new: Any) -> bool:
    """Whether a field would not change: aliases are a set (read back in name order)."""
    return set(old) == set(new) if name == "aliases" else bool(old == new)


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _stored(tx: sqlite3.Connection, item_id: int, name: str, value: Any, other: Any) -> Any:
    """A value a stored revision holds (``other``: the revision's other side), to write
    again: aliases it holds plain keep the tags they have (:func:`db.entities.tags_kept`)."""
    if name == "aliases":
        return tags_kept(value, other, stored_languages(tx, item_id))
    return value


# -- retiring and restoring ------------------------------------------------------


def retire(case: Case, kind: str | ItemKind, item_id: int, *, reason: str, annotator: str,
           expected_version: int | None = None) -> Retirement:
    """Retire an item (a soft delete): it leaves panes, search and exports by
    default and keeps its links and history. A reason is required."""
    reason = nfc(reason).strip()
    if not reason:
        raise InvalidValueError("retiring needs a reason: say why")
    return _set_retired(case, _kind(kind), item_id, True, reason=reason, annotator=annotator,
                        expected_version=expected_version)


def restore(case: Case, kind: str | ItemKind, item_id: int, *, annotator: str, reason: str = "",
            expected_version: int | None = None) -> Retirement:
    """Bring a retired item back."""
    return _set_retired(case, _kind(kind), item_id, False, reason=nfc(reason).strip(),
                        annotator=annotator, expected_version=expected_version)


def _set_retired(case: Case, kind: ItemKind, item_id: int, retired: bool, *, reason: str,
                 annotator: str, expected_version: int | None) -> Retirement:
    annotator = _check_annotator(annotator)
    with case.write() as tx:
        row = _current(tx, kind, item_id, expected_version, allow_retired=True)
        if bool(row["retired"]) == retired:
            raise InvalidValueError(
                f"{kind.singular} {item_id} is {'already' if retired else 'not'} retired: "
                "nothing was changed")
        return _record_retirement(tx, kind, row, retired, reason=reason, annotator=annotator)


def _record_retirement(tx: sqlite3.Connection, kind: ItemKind, row: sqlite3.Row, retired: bool,
                       *, reason: str, annotator: str, uid: str | None = None) -> Retirement:
    _bump(tx, kind, row)
    retirement = Retirement(uid=uid or new_uid(), item_kind=kind.name, item_uid=row["uid"],
                            retired=retired, annotator=annotator,
                            at=_after_latest(tx, kind, row["uid"]), reason=reason)
    insert = RETIREMENTS.insert()
    tx.execute(insert.sql, insert.values(retirement, retired=int(retired)))
    return retirement


def settle_retired(tx: sqlite3.Connection) -> None:
    """The retired flag of every item that has retirements, from its latest one
    (after a bulk load, which may bring retirements before their items)."""
    for kind, table in CURATED_TABLES.items():
        tx.execute(
            f"UPDATE {table} SET retired = (SELECT r.retired FROM retirements r "
            f"WHERE r.item_kind = ?1 AND r.item_uid = {table}.uid "
            "ORDER BY r.at DESC, r.uid DESC LIMIT 1) "
            "WHERE uid IN (SELECT item_uid FROM retirements WHERE item_kind = ?1)", [kind])


# -- combining entities -------------------------------------------------------------

# The links an entity has, each table's other end and how to name it in any copy.
_ENTITY_LINKS: dict[str, tuple[str, str]] = {
    "excerpt_entities": ("excerpt_id", "excerpts"),
    "event_entities": ("event_id", "events"),
}


def combine(case: Case, kept_id: int, absorbed_ids: Sequence[int], *, annotator: str,
            note: str = "") -> list[Combination]:
    """Make the absorbed entities one with the kept one: their names become its
    aliases, their links move to it, and each is retired ("combined into"),
    history kept. Returns a combination per absorbed entity."""
    annotator = _check_annotator(annotator)
    absorbed_ids = list(dict.fromkeys(absorbed_ids))
    if not absorbed_ids:
        raise InvalidValueError("combining needs at least two entities")
    if kept_id in absorbed_ids:
        raise InvalidValueError(f"entity {kept_id} cannot be combined with itself")
    with case.write() as tx:
        kept_row = _current(tx, ENTITY, kept_id, None)
        rows = [_current(tx, ENTITY, absorbed_id, None) for absorbed_id in absorbed_ids]
        return [_combine_one(case, tx, kept_row, row, annotator=annotator, note=nfc(note).strip())
                for row in rows]


def _combine_one(case: Case, tx: sqlite3.Connection, kept_row: sqlite3.Row,
                 absorbed_row: sqlite3.Row, *, annotator: str, note: str) -> Combination:
    kept_id, absorbed_id = kept_row["id"], absorbed_row["id"]
    kept = get_item(case, ENTITY, kept_id)
    absorbed = get_item(case, ENTITY, absorbed_id)
    assert isinstance(kept, Entity) and isinstance(absorbed, Entity)
    have = {kept.name, *kept.aliases}
    aliases_added = [name for name in dict.fromkeys([absorbed.name, *absorbed.aliases])
                     if name not in have]
    tx.executemany(ENTITY_ALIASES.insert(or_ignore=True).sql,
                   [(kept_id, alias) for alias in aliases_added])
    carry_languages(tx, kept_id, absorbed_id, aliases_added)
    moved: dict[str, Any] = {"aliases_added": aliases_added}
    for table, (other, other_table) in _ENTITY_LINKS.items():
        links = tx.execute(
            f"SELECT o.uid, EXISTS (SELECT 1 FROM {table} k WHERE k.entity_id = ? "
            f"AND k.{other} = x.{other}) AS shared FROM {table} x JOIN {other_table} o "
            f"ON o.id = x.{other} WHERE x.entity_id = ? ORDER BY o.uid", [kept_id, absorbed_id],
        ).fetchall()
        moved[table] = {"moved": [r["uid"] for r in links if not r["shared"]],
                        "shared": [r["uid"] for r in links if r["shared"]]}
        tx.execute(f"UPDATE OR IGNORE {table} SET entity_id = ? WHERE entity_id = ?",
                   [kept_id, absorbed_id])
        tx.execute(f"DELETE FROM {table} WHERE entity_id = ?", [absorbed_id])
    links = tx.execute(
        "SELECT x.uid, x.role, c.uid AS claim_uid, EXISTS (SELECT 1 FROM claim_entities k "
        "WHERE k.entity_id = ? AND k.claim_id = x.claim_id AND k.role = x.role) AS shared "
        "FROM claim_entities x JOIN claims c ON c.id = x.claim_id WHERE x.entity_id = ? "
        "ORDER BY x.uid", [kept_id, absorbed_id],
    ).fetchall()
    moved["claim_entities"] = {
        "moved": [r["uid"] for r in links if not r["shared"]],
        "shared": [[r["uid"], r["claim_uid"], r["role"]] for r in links if r["shared"]],
    }
    tx.execute("UPDATE OR IGNORE claim_entities SET entity_id = ? WHERE entity_id = ?",
               [kept_id, absorbed_id])
    tx.execute("DELETE FROM claim_entities WHERE entity_id = ?", [absorbed_id])
    combination_uid = new_uid()
    moved["relationships"] = move_relationships(
        tx, combination_uid, kept_row["uid"], absorbed_row["uid"], annotator=annotator,
        note=f"combined entity {absorbed_id} into entity {kept_id}")
    _bump(tx, ENTITY, kept_row)
    if not absorbed_row["retired"]:
        _record_retirement(tx, ENTITY, absorbed_row, True, annotator=annotator,
                           reason=f"combined into entity {kept_id} ({kept.name})")
    combination = Combination(
        uid=combination_uid, kept_uid=kept_row["uid"], absorbed_uid=absorbed_row["uid"],
        annotator=annotator, at=_after_latest(tx, ENTITY, kept_row["uid"]), note=note, moved=moved)
    insert = COMBINATIONS.insert()
    tx.execute(insert.sql, insert.values(combination, moved=json.dumps(moved, ensure_ascii=False)))
    return combination


def _derived_uid(*parts: str) -> str:
    """The uid of a record a combination makes: the same in every copy that makes it
    (combining here, or a merge replaying the combination there), so merging the
    copies back does not bring it twice."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "casebook:" + ":".join(parts)))


def move_relationships(tx: sqlite3.Connection, combination_uid: str, kept_uid: str,
                       absorbed_uid: str, *, annotator: str, note: str) -> dict[str, list[str]]:
    """The absorbed entity's relationships (either end, retired ones too) moved to the
    kept entity, each a revision of the relationship's ``subject`` or ``object`` (entity
    uids), its evidence and marks with it. One that would link the kept entity to itself
    is retired instead (a relationship never has one entity at both ends). Returns the
    uids moved at each end and retired, for uncombine."""
    moved: dict[str, list[str]] = {"subject": [], "object": [], "retired": []}
    kept = tx.execute("SELECT id FROM entities WHERE uid = ?", [kept_uid]).fetchone()
    absorbed = tx.execute("SELECT id FROM entities WHERE uid = ?", [absorbed_uid]).fetchone()
    if kept is None or absorbed is None:
        return moved
    kept_id, absorbed_id = int(kept[0]), int(absorbed[0])
    rows = tx.execute(
        "SELECT id, uid, version, retired, subject_entity_id, object_entity_id "
        "FROM relationships WHERE subject_entity_id = ?1 UNION "
        "SELECT id, uid, version, retired, subject_entity_id, object_entity_id "
        "FROM relationships WHERE object_entity_id = ?1 ORDER BY id", [absorbed_id]).fetchall()
    for row in rows:
        end = "subject" if row["subject_entity_id"] == absorbed_id else "object"
        other = row["object_entity_id"] if end == "subject" else row["subject_entity_id"]
        if other == kept_id:
            if not row["retired"]:
                _record_retirement(tx, RELATIONSHIP, row, True, annotator=annotator,
                                   reason=f"{note}: it would link entity {kept_id} to itself",
                                   uid=_derived_uid(combination_uid, row["uid"], "retired"))
                moved["retired"].append(row["uid"])
            continue
        RELATIONSHIP.write(tx, row["id"], {end: kept_uid})
        uid = _derived_uid(combination_uid, row["uid"], end)
        if tx.execute("SELECT 1 FROM revisions WHERE uid = ?", [uid]).fetchone() is None:
            _record_revision(tx, RELATIONSHIP, row, {end: (absorbed_uid, kept_uid)},
                             annotator=annotator, note=note, uid=uid)
        moved[end].append(row["uid"])
    return moved


def _give_back_relationships(tx: sqlite3.Connection, combination_uid: str, kept_uid: str,
                             absorbed_uid: str, *, annotator: str, note: str) -> None:
    """Undo :func:`move_relationships` for a combination, as its records say (those
    made when combining, and those a merge made following it): each relationship
    moved from the absorbed entity that is still at the kept one goes back (a
    revision), each it retired and not restored since is restored. What is back
    already (a merge bringing the uncombine's own records) is left alone."""
    found = {uid: tx.execute("SELECT id FROM entities WHERE uid = ?", [uid]).fetchone()
             for uid in (kept_uid, absorbed_uid)}
    if None in found.values():
        return
    kept_id, absorbed_id = found[kept_uid][0], found[absorbed_uid][0]
    for end in RELATIONSHIP_ENDS:
        moved = json.dumps({end: [absorbed_uid, kept_uid]}, ensure_ascii=False)
        rows = tx.execute(
            f"SELECT id, uid, version, retired FROM relationships WHERE {end}_entity_id = ? "
            "AND uid IN (SELECT item_uid FROM revisions WHERE item_kind = 'relationship' "
            "AND fields = ?) ORDER BY id", [kept_id, moved]).fetchall()
        for row in rows:
            RELATIONSHIP.write(tx, row["id"], {end: absorbed_uid})
            _record_revision(tx, RELATIONSHIP, row, {end: (kept_uid, absorbed_uid)},
                             annotator=annotator, note=note,
                             uid=_derived_uid(combination_uid, row["uid"], end, "back"))
    looped = tx.execute(
        "SELECT id, uid, version, retired FROM relationships WHERE subject_entity_id = ?1 "
        "AND object_entity_id = ?2 AND retired = 1 UNION SELECT id, uid, version, retired "
        "FROM relationships WHERE subject_entity_id = ?2 AND object_entity_id = ?1 "
        "AND retired = 1 ORDER BY id", [absorbed_id, kept_id]).fetchall()
    for row in looped:
        latest = tx.execute("SELECT uid FROM retirements WHERE item_kind = 'relationship' AND "
                            "item_uid = ? ORDER BY at DESC, uid DESC LIMIT 1", [row["uid"]]).fetchone()
        if latest is not None and latest[0] == _derived_uid(combination_uid, row["uid"], "retired"):
            _record_retirement(tx, RELATIONSHIP, row, False, annotator=annotator, reason=note,
                               uid=_derived_uid(combination_uid, row["uid"], "restored"))


def follow_combinations(tx: sqlite3.Connection) -> int:
    """Relationships still at an entity a standing combination absorbed (ones a merge
    brought from a copy that had not combined them) moved on to the kept entity, by
    the combination's annotator, in the order the combinations were made. Returns
    how many combinations had some to move."""
    standing = tx.execute(
        "SELECT c.uid, c.kept_uid, c.absorbed_uid, c.annotator, a.id AS absorbed_id, k.id AS kept_id "
        "FROM combinations c JOIN entities a ON a.uid = c.absorbed_uid "
        "JOIN entities k ON k.uid = c.kept_uid WHERE c.undone_at = '' "
        "AND (EXISTS (SELECT 1 FROM relationships r WHERE r.subject_entity_id = a.id) "
        "OR EXISTS (SELECT 1 FROM relationships r WHERE r.object_entity_id = a.id)) "
        "ORDER BY c.at, c.rowid").fetchall()
    for row in standing:
        move_relationships(tx, row["uid"], row["kept_uid"], row["absorbed_uid"],
                           annotator=row["annotator"],
                           note=f"combined entity {row['absorbed_id']} into entity "
                                f"{row['kept_id']}")
    return len(standing)


def uncombine(case: Case, absorbed_id: int, *, annotator: str) -> Combination:
    """Undo the latest combination that absorbed this entity: its links, its
    names on the kept entity and its standing come back exactly as they were."""
    annotator = _check_annotator(annotator)
    with case.write() as tx:
        absorbed_row = _row(tx, ENTITY, absorbed_id)
        found = tx.execute(
            f"SELECT {COMBINATIONS.select()} FROM combinations WHERE absorbed_uid = ? "
            "AND undone_at = '' ORDER BY at DESC, rowid DESC LIMIT 1", [absorbed_row["uid"]],
        ).fetchone()
        if found is None:
            raise InvalidValueError(f"entity {absorbed_id} was not combined into another: "
                                    "nothing to uncombine (give the entity that was absorbed)")
        combination = _combination(found)
        kept = tx.execute("SELECT id, uid, version, retired FROM entities WHERE uid = ?",
                          [combination.kept_uid]).fetchone()
        _restore_links(tx, kept["id"], absorbed_id, combination.moved)
        _give_back_relationships(tx, combination.uid, combination.kept_uid,
                                 combination.absorbed_uid, annotator=annotator,
                                 note=f"uncombined entity {absorbed_id} from entity {kept['id']}")
        at = utc_now()
        tx.execute("UPDATE combinations SET undone_by = ?, undone_at = ? WHERE uid = ?",
                   [annotator, at, combination.uid])
        _bump(tx, ENTITY, kept)
        if absorbed_row["retired"]:
            _record_retirement(tx, ENTITY, absorbed_row, False, annotator=annotator,
                               reason=f"uncombined from entity {kept['id']}")
        return combination.model_copy(update={"undone_by": annotator, "undone_at": at})


def _restore_links(tx: sqlite3.Connection, kept_id: int, absorbed_id: int,
                   moved: dict[str, Any]) -> None:
    tx.executemany("DELETE FROM entity_aliases WHERE entity_id = ? AND alias = ?",
                   [(kept_id, alias) for alias in moved.get("aliases_added", [])])
    for table, (other, other_table) in _ENTITY_LINKS.items():
        links = moved.get(table, {})
        for uid in links.get("moved", []):
            tx.execute(f"UPDATE {table} SET entity_id = ? WHERE entity_id = ? AND {other} = "
                       f"(SELECT id FROM {other_table} WHERE uid = ?)", [absorbed_id, kept_id, uid])
        for uid in links.get("shared", []):
            tx.execute(f"INSERT OR IGNORE INTO {table} ({other}, entity_id) "
                       f"SELECT id, ? FROM {other_table} WHERE uid = ?", [absorbed_id, uid])
    links = moved.get("claim_entities", {})
    tx.executemany("UPDATE claim_entities SET entity_id = ? WHERE uid = ?",
                   [(absorbed_id, uid) for uid in links.get("moved", [])])
    for uid, claim_uid, role in links.get("shared", []):
        tx.execute(f"INSERT OR IGNORE INTO claim_entities ({CLAIM_ENTITIES.select()}) "
                   "SELECT id, ?, ?, ? FROM claims WHERE uid = ?", [absorbed_id, role, uid, claim_uid])


# -- likely duplicates ---------------------------------------------------------------

# A block of entities sharing the start of a word is compared pair by pair only up to this
# size: a word in every other name ("operation") proposes nothing.
_BLOCK_LIMIT = 60
_PREFIX = 4
# A name inside another counts from this many letters: "Logvinov" in "Kirill
# Logvinov", not "EU" in "Permanent Mission to the EU".
_CONTAINED = 5
CLOSE_SPELLING = 88.0
# A close spelling is one when the words that differ are spellings of each other
# ("Kiril Logvinof", "Aleksandr"/"Alexander"), not other words ("Belgian"/"Russian",
# "to the EU"/"to NATO", "Nord Stream 1"/"2"), however alike the rest.
CLOSE_WORDS = 75.0


def likely_duplicates(case: Case, *, limit: int = 50, include_judged: bool = False
                      ) -> list[DuplicatePair]:
    """Pairs of entities of one kind, not retired, that may be one: the same
    folded name or alias, one name containing the other's words, or a close
    spelling (rapidfuzz). Pairs judged same or not the same are left out;
    skipped ones come back. At most ``limit``, best first."""
    return list(_first(_duplicate_pairs(case, include_judged=include_judged), limit))


def _first(pairs: Iterator[DuplicatePair], limit: int) -> Iterator[DuplicatePair]:
    for count, pair in enumerate(pairs):
        if count >= limit:
            return
        yield pair


def _duplicate_pairs(case: Case, *, include_judged: bool) -> Iterator[DuplicatePair]:
    """Pairs with the same folded name first, read from the index of folded
    names (so the first screen comes at once however many entities there
    are), then the same folded alias (a dictionary of forms, after one walk
    of the entities), then pairs from blocks of entities sharing the start of
    a word."""
    judged = set() if include_judged else _judged_pairs(case)
    seen: set[tuple[int, int]] = set()

    def proposed(pairs: dict[tuple[int, int], tuple[str, float]]) -> Iterator[DuplicatePair]:
        ranked = sorted(pairs.items(), key=lambda item: (-_RANK[item[1][0]], -item[1][1], item[0]))
        for (first, second), (reason, score) in ranked:
            if (first, second) in seen:
                continue
            seen.add((first, second))
            a, b = ENTITY.items(case, [first, second])
            assert isinstance(a, Entity) and isinstance(b, Entity)
            if tuple(sorted((a.uid, b.uid))) in judged or _other_countries(a, b):
                continue
            yield DuplicatePair(a=a, b=b, reason=reason, score=score)

    yield from proposed({pair: ("same name", 100.0) for pair in _same_name_pairs(case)})
    names: dict[int, list[tuple[str, ...]]] = {}
    by_form: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    by_word: dict[tuple[str, str], list[int]] = {}
    for row in keyset_rows(case, "SELECT id, kind, name, aliases FROM entities", key=["id"],
                           where="retired = 0", page=5000):
        folded = [fold(name).split() for name in [row["name"], *row["aliases"].split(" | ")]]
        forms = list(dict.fromkeys(tuple(words) for words in folded if words))
        names[row["id"]] = forms
        for form in forms:
            by_form.setdefault((row["kind"], form), []).append(row["id"])
        # Blocks by the first letters of each word: a shared word, or a close spelling of one.
        for word in {word[:_PREFIX] for form in forms for word in form}:
            by_word.setdefault((row["kind"], word), []).append(row["id"])
    same: dict[tuple[int, int], tuple[str, float]] = {}
    for ids in by_form.values():
        if len(ids) > _BLOCK_LIMIT:   # a name many share (a common surname) says nothing
            continue
        for i, first in enumerate(ids):
            for second in ids[i + 1:]:
                if first != second:
                    same[(min(first, second), max(first, second))] = ("same name", 100.0)
    yield from proposed(same)
    found: dict[tuple[int, int], tuple[str, float]] = {}
    for ids in by_word.values():
        if len(ids) < 2 or len(ids) > _BLOCK_LIMIT:
            continue
        for i, first in enumerate(ids):
            for second in ids[i + 1:]:
                pair = (min(first, second), max(first, second))
                if pair in found or pair in seen or first == second:
                    continue
                why = _alike(names[first], names[second])
                if why is not None:
                    found[pair] = why
    yield from proposed(found)


def _same_name_pairs(case: Case) -> list[tuple[int, int]]:
    """Pairs of entities of one kind, not retired, whose folded names are the
    same, from the index of folded names (``entities_by_kind``), in id order;
    a name more than ``_BLOCK_LIMIT`` share says nothing and is left out."""
    pairs: list[tuple[int, int]] = []
    for row in case.rows(
            # (the retired left out through their partial index: the scan reads the index alone)
            f"SELECT group_concat(id) FROM (SELECT kind, sort_name, id FROM entities "
            f"WHERE {live('entities')} ORDER BY kind, sort_name, id) GROUP BY kind, sort_name "
            "HAVING count(*) BETWEEN 2 AND ?", [_BLOCK_LIMIT]):
        ids = sorted(int(i) for i in str(row[0]).split(","))
        pairs += [(first, second) for i, first in enumerate(ids) for second in ids[i + 1:]]
    return sorted(pairs)


_RANK = {"same name": 3, "one name contains the other": 2, "close spelling": 1}


def _alike(first: list[tuple[str, ...]], second: list[tuple[str, ...]]) -> tuple[str, float] | None:
    from rapidfuzz import fuzz  # here: the browser's start-up does not load it

    best: tuple[str, float] | None = None
    for a in first:
        for b in second:
            if a == b:
                return "same name", 100.0
            score = fuzz.ratio(" ".join(a), " ".join(b))
            shorter = a if len(a) < len(b) else b
            if (set(a) < set(b) or set(b) < set(a)) and len(" ".join(shorter)) >= _CONTAINED:
                candidate = ("one name contains the other", score)
            elif score >= CLOSE_SPELLING and _differ_in_spelling(a, b):
                candidate = ("close spelling", score)
            else:
                continue
            if best is None or (_RANK[candidate[0]], candidate[1]) > (_RANK[best[0]], best[1]):
                best = candidate
    return best


def _differ_in_spelling(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """The words of one name not in the other are a close spelling of the other's."""
    from rapidfuzz import fuzz  # here: the browser's start-up does not load it

    only_first = " ".join(word for word in first if word not in second)
    only_second = " ".join(word for word in second if word not in first)
    return not only_first or not only_second or fuzz.ratio(only_first, only_second) >= CLOSE_WORDS


def _other_countries(a: Entity, b: Entity) -> bool:
    """Each entity's names name a country the other's do not: the Russian and the
    Chinese MFA, the Austrian and the Australian embassy in Brussels, however alike
    their names (the Russian embassy and the Russian embassy in Brussels may be one)."""
    first = countries_named([a.name, *a.aliases])
    second = countries_named([b.name, *b.aliases]) if first else frozenset()
    return bool(first - second) and bool(second - first)


def _judged_pairs(case: Case) -> set[tuple[str, ...]]:
    """Pairs whose latest judgement is same or not the same."""
    return {(row[0], row[1]) for row in case.rows(
        "SELECT entity_a, entity_b FROM (SELECT entity_a, entity_b, judgement, row_number() OVER ("
        "PARTITION BY entity_a, entity_b ORDER BY at DESC, rowid DESC) AS newest "
        "FROM duplicate_judgements) WHERE newest = 1 AND judgement != 'skip'")}


def judge_pair(case: Case, first_id: int, second_id: int, judgement: str, *,
               annotator: str) -> str:
    """Record a judgement of a proposed pair (same, not_same, skip); returns its uid."""
    annotator = _check_annotator(annotator)
    if judgement not in JUDGEMENTS:
        raise InvalidValueError(f"unknown judgement {judgement!r} (choose {', '.join(JUDGEMENTS)})")
    if first_id == second_id:
        raise InvalidValueError(f"entity {first_id} cannot be judged against itself")
    with case.write() as tx:
        a, b = sorted((_row(tx, ENTITY, first_id)["uid"], _row(tx, ENTITY, second_id)["uid"]))
        uid = new_uid()
        insert = DUPLICATE_JUDGEMENTS.insert()
        tx.execute(insert.sql, insert.values(None, uid=uid, entity_a=a, entity_b=b,
                                             judgement=judgement, annotator=annotator,
                                             at=utc_now()))
        return uid


def judge_duplicate(case: Case, pair: DuplicatePair, judgement: str, *, annotator: str) -> bool:
    """Judge a pair from the likely-duplicates queue; the same: the second is
    combined into the first (``uncombine`` undoes it). Returns whether it was combined."""
    a, b = pair.a.id or 0, pair.b.id or 0
    judge_pair(case, a, b, judgement, annotator=annotator)
    if judgement != "same":
        return False
    combine(case, a, [b], annotator=annotator, note="the same (likely-duplicates queue)")
    return True


# -- shared ----------------------------------------------------------------------------


def _check_annotator(annotator: str) -> str:
    if not annotator.strip():
        raise InvalidValueError("an annotator name is required")
    return annotator.strip()


def _current(tx: sqlite3.Connection, kind: ItemKind, item_id: int, expected_version: int | None,
             *, allow_retired: bool = False) -> sqlite3.Row:
    """The item's row, refused if retired or moved past ``expected_version``."""
    row = _row(tx, kind, item_id)
    if expected_version is not None and row["version"] != expected_version:
        who, what, at = _latest_change(tx, kind, row["uid"], item_id)
        raise StaleRevisionError(kind.singular, item_id, expected_version, row["version"],
                                 who, what, at)
    if row["retired"] and not allow_retired:
        raise InvalidValueError(f"{kind.singular} {item_id} is retired (restore it first)")
    return row


def _latest_change(tx: sqlite3.Connection, kind: ItemKind, uid: str, item_id: int
                   ) -> tuple[str | None, str, str | None]:
    """Who made the item's latest change, what it was, when."""
    candidates = []
    revision = tx.execute("SELECT annotator, at, fields, undoes FROM revisions WHERE item_kind = ? "
                          "AND item_uid = ? ORDER BY at DESC, rowid DESC LIMIT 1",
                          [kind.name, uid]).fetchone()
    if revision:
        fields = ", ".join(json.loads(revision["fields"]))
        what = f"undid a revision of {fields}" if revision["undoes"] else f"revised {fields}"
        candidates.append((revision["at"], revision["annotator"], what))
    retirement = tx.execute("SELECT annotator, at, retired, reason FROM retirements WHERE "
                            "item_kind = ? AND item_uid = ? ORDER BY at DESC, rowid DESC LIMIT 1",
                            [kind.name, uid]).fetchone()
    if retirement:
        what = "retired it" if retirement["retired"] else "restored it"
        candidates.append((retirement["at"], retirement["annotator"], what))
    marked = _MARKED.get(kind.name)
    if marked is not None:
        mark = tx.execute(f"SELECT annotator, created_at, status, kind FROM {marked.log} "
                          f"WHERE {marked.item_column} = ? ORDER BY created_at DESC, id DESC "
                          "LIMIT 1", [item_id]).fetchone()
        if mark:
            what = {"note": "added a note", "undo": "undid a mark"}.get(
                mark["kind"], f"marked it {mark['status']}")
            candidates.append((mark["created_at"], mark["annotator"], what))
    if kind is ENTITY:
        combined = tx.execute("SELECT annotator, at, undone_by, undone_at FROM combinations "
                              "WHERE kept_uid = ? ORDER BY max(at, undone_at) DESC LIMIT 1",
                              [uid]).fetchone()
        if combined:
            if combined["undone_at"]:
                candidates.append((combined["undone_at"], combined["undone_by"],
                                   "uncombined an entity from it"))
            else:
                candidates.append((combined["at"], combined["annotator"],
                                   "combined another entity into it"))
    if not candidates:
        return None, "changed it", None
    at, who, what = max(candidates)
    return who, what, at


def _bump(tx: sqlite3.Connection, kind: ItemKind, row: sqlite3.Row) -> int:
    if "version" not in kind.table.columns:
        return 0
    tx.execute(f"UPDATE {kind.table} SET version = version + 1 WHERE id = ?", [row["id"]])
    return int(row["version"]) + 1


def _after_latest(tx: sqlite3.Connection, kind: ItemKind, uid: str) -> str:
    """Now, or just after the item's latest record if the clock says otherwise,
    so an item's history is in the order it was made."""
    latest = tx.execute(
        "SELECT max(at) FROM (SELECT max(at) AS at FROM revisions WHERE item_kind = ?1 AND "
        "item_uid = ?2 UNION ALL SELECT max(at) FROM retirements WHERE item_kind = ?1 AND "
        "item_uid = ?2)", [kind.name, uid]).fetchone()[0]
    return timestamp_after(latest)


# -- settling revision conflicts ----------------------------------------------------------

_CONFLICT_COLUMNS = REVISION_CONFLICTS.select()


def field_conflict_pages(case: Case, *, kind: str | None = None, item_uid: str | None = None,
                         include_settled: bool = False, page: int = 200
                         ) -> Iterator[list[FieldConflict]]:
    """Fields revised differently on both sides of a merge, in the order they
    were found (by id, a page at a time by key): the open ones, or every one
    with ``include_settled``."""
    conditions: list[str] = [] if include_settled else ["resolved_at = ''"]
    params: list[Any] = []
    for column, value in (("item_kind", kind), ("item_uid", item_uid)):
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    for rows in keyset_pages(case, f"SELECT {_CONFLICT_COLUMNS} FROM revision_conflicts",
                             key=("id",), where=" AND ".join(conditions), params=params, page=page):
        yield [_field_conflict(case, row) for row in rows]


def field_conflicts(case: Case, *, kind: str | None = None, item_uid: str | None = None,
                    include_settled: bool = False, limit: int = 200) -> list[FieldConflict]:
    """The first ``limit`` of :func:`field_conflict_pages` (an item's, for its history)."""
    return next(field_conflict_pages(case, kind=kind, item_uid=item_uid,
                                     include_settled=include_settled, page=limit), [])


def _field_conflict(case: Case | sqlite3.Connection, row: sqlite3.Row) -> FieldConflict:
    read = case.rows if isinstance(case, Case) else (
        lambda sql, params: case.execute(sql, params).fetchall())
    found = {r["uid"]: r for r in read(
        f"SELECT rowid, {REVISIONS.select()} FROM revisions WHERE uid IN (?, ?)",
        [row["revision_a"], row["revision_b"]])}
    if len(found) < 2:
        raise NotFoundError(f"conflict {row['id']} names a revision this file lacks")
    # Ours: the revision this file had first; theirs: the one a merge brought in.
    ours, theirs = sorted(found.values(), key=lambda r: r["rowid"])
    kind = _kind(row["item_kind"])
    item = read(f"SELECT id FROM {kind.table} WHERE uid = ?", [row["item_uid"]])
    item_id = int(item[0][0]) if item else None
    now = None
    if item_id is not None and isinstance(case, Case):
        current = get_item(case, kind, item_id)
        if row["field"] in current.model_dump():
            now = _jsonable(_value(current, row["field"]))   # aliases with their tags
    return FieldConflict(
        id=row["id"], item_kind=row["item_kind"], item_uid=row["item_uid"], item_id=item_id,
        field=row["field"], ours=_revision(_without_rowid(ours)),
        theirs=_revision(_without_rowid(theirs)), now=now, detected_at=row["detected_at"],
        detected_by=row["detected_by"], resolved_at=row["resolved_at"],
        resolved_by=row["resolved_by"])


def _without_rowid(row: sqlite3.Row) -> dict[str, Any]:
    return {key: row[key] for key in row.keys() if key != "rowid"}


def settle_conflict(case: Case, conflict_id: int, keep: str, *, annotator: str,
                    note: str = "") -> Revision:
    """Settle a field revised differently on both sides of a merge: ``keep``
    is ``ours`` (the revision this file had first), ``theirs`` (the one a
    merge brought in) or a value of the field's own. Writes a revision of the
    field (even when the value standing is the one kept: the decision is on
    the record), with a note naming the conflict, and marks it settled; one
    transaction. Refused for a conflict settled already or a retired item."""
    annotator = _check_annotator(annotator)
    with case.write() as tx:
        row = tx.execute(f"SELECT {_CONFLICT_COLUMNS} FROM revision_conflicts WHERE id = ?",
                         [conflict_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no conflict {conflict_id} (casebook conflicts lists them)")
        if row["resolved_at"]:
            raise InvalidValueError(f"conflict {conflict_id} was settled by {row['resolved_by']} "
                                    f"at {row['resolved_at']}: nothing was changed")
        conflict = _field_conflict(tx, row)
        kind = _kind(conflict.item_kind)
        if conflict.item_id is None:
            raise NotFoundError(f"conflict {conflict_id} is about a {kind.singular} this file lacks")
        field = conflict.field
        if keep in ("ours", "theirs"):
            chosen = conflict.ours if keep == "ours" else conflict.theirs
            before, value = chosen.fields[field]
            value = _stored(tx, conflict.item_id, field, value, before)
            how = f"kept {keep} ({chosen.annotator})"
        else:
            value, how = keep, "kept a value of its own"
        changes = _normalised(kind, {field: value})
        item = _current(tx, kind, conflict.item_id, None)
        current = get_item(case, kind, conflict.item_id)
        new = _validated(kind, current, changes)[field]
        old = _value(current, field)
        if old != new:
            kind.write(tx, conflict.item_id, {field: new})
        said = f"settles conflict {conflict_id}: {how}" + (f"; {nfc(note).strip()}"
                                                           if note.strip() else "")
        revision = _record_revision(tx, kind, item, {field: (_jsonable(old), _jsonable(new))},
                                    annotator=annotator, note=said)
        tx.execute("UPDATE revision_conflicts SET resolved_at = ?, resolved_by = ? WHERE id = ?",
                   [revision.at, annotator, conflict_id])
        return revision


# -- adding items ----------------------------------------------------------------------

# The fields ``add`` takes for each kind, and those it needs.
ADDABLE: dict[str, tuple[str, ...]] = {
    "entity": ("kind", "name", "aliases", "description"),
    "event": ("title", "date_start", "date_end", "date_precision", "description"),
    "claim": ("statement", "claimant"),
    "relationship": ("subject", "object", "type", "role", "start", "end", "description"),
}
_NEEDED: dict[str, tuple[str, ...]] = {"entity": ("kind", "name"), "event": ("title",),
                                       "claim": ("statement",),
                                       "relationship": ("subject", "object", "type")}
# Evidence as given: an excerpt id, or (excerpt id, stance) for a claim's or a relationship's.
EvidenceGiven = int | tuple[int, str]


def _evidence_pairs(kind: str, evidence: Sequence[EvidenceGiven]) -> list[tuple[int, str]]:
    pairs = [(item, "supports") if isinstance(item, int) else item for item in evidence]
    for excerpt_id, stance in pairs:
        if stance not in STANCES:
            raise InvalidValueError(f"--evidence {excerpt_id}:{stance}: unknown stance "
                                    f"(choose {', '.join(STANCES)})")
        if stance != "supports" and kind not in ("claim", "relationship"):
            raise InvalidValueError(f"--evidence {excerpt_id}:{stance}: a stance is for the "
                                    "evidence of a claim or a relationship")
    return pairs


def _entity_field(fields: dict[str, str], name: str) -> int:
    value = fields[name].strip()
    if not value.isdigit():
        raise InvalidValueError(f"{name}={value!r}: give an entity id")
    return int(value)


def add_item(case: Case, kind: str, fields: dict[str, str], *,
             evidence: Sequence[EvidenceGiven] = (), entity_ids: Sequence[int] = (),
             annotator: str = "") -> Model:
    """A new entity, event, claim or relationship from FIELD=VALUE pairs, with
    excerpts as its evidence (an entity: excerpts that mention it; a claim's
    or a relationship's with a stance) and, for an event or a claim, the
    entities it is about. One transaction; nothing is written if anything is
    wrong."""
    if kind not in ADDABLE:
        raise InvalidValueError(f"cannot add a {kind!r} (choose {', '.join(ADDABLE)})")
    for name in fields:
        if name not in ADDABLE[kind]:
            raise InvalidValueError(f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} has no field "
                                    f"{name!r} (choose {', '.join(ADDABLE[kind])})")
    for name in _NEEDED[kind]:
        if not fields.get(name, "").strip():
            raise InvalidValueError(f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} needs "
                                    f"{name}=VALUE")
    if kind in ("entity", "relationship") and entity_ids:
        raise InvalidValueError("--entity is for events and claims")
    pairs = _evidence_pairs(kind, evidence)
    if kind == "relationship":
        made = add_relationship(
            case, subject_entity_id=_entity_field(fields, "subject"),
            object_entity_id=_entity_field(fields, "object"), type=fields["type"].strip(),
            role=fields.get("role", ""), start=fields.get("start", ""), end=fields.get("end", ""),
            description=fields.get("description", ""), evidence=pairs, created_by=annotator)
        return get_item(case, kind, made.id or 0)
    with case.write(), _named_errors():
        for excerpt_id, _ in pairs:
            get_excerpt(case, excerpt_id)
        _check_entities(case, list(entity_ids))
        item: Model
        if kind == "entity":
            aliases = normal_aliases(fields.get("aliases", "").split("|"))   # one tag an alias
            entity = add_entity(case, kind=fields["kind"], name=fields["name"], aliases=aliases,
                                description=fields.get("description", ""), created_by=annotator)
            for excerpt_id, _ in pairs:
                link_excerpt_entity(case, excerpt_id, entity.id or 0)
            item = entity
        elif kind == "event":
            item = add_event(case, **fields, entity_ids=entity_ids,
                             excerpt_ids=[excerpt_id for excerpt_id, _ in pairs], created_by=annotator)
        else:
            item = add_claim(case, statement=fields["statement"],
                             claimant=fields.get("claimant", ""), entity_ids=entity_ids,
                             evidence=pairs, created_by=annotator)
        assert item.id is not None   # it has just been written
        found = item_kind(kind).items(case, [item.id])
        return found[0]


# -- the activity log ---------------------------------------------------------------------


class Activity(Model):
    """One thing that happened to the case, for the activity log."""

    at: str
    annotator: str
    action: str         # added, revised, undid a revision, retired, restored, combined,
                        # uncombined, judged, mark, note, undo, ingest
    kind: str           # the kind of item it happened to
    item_uid: str
    item_id: int | None = None
    detail: str = ""


# Each branch: when, who, what, the item it happened to, and (src, n) to order
# ties the same way at every read (the branch, then the row's place in its table).
_ACTIVITY = """
SELECT at, annotator, CASE undoes WHEN '' THEN 'revised' ELSE 'undid a revision' END AS action,
       item_kind AS kind, item_uid, fields AS detail, '' AS other, 1 AS src, rowid AS n FROM revisions
UNION ALL
SELECT at, annotator, CASE retired WHEN 1 THEN 'retired' ELSE 'restored' END, item_kind, item_uid,
       reason, '', 2, rowid FROM retirements
UNION ALL
SELECT at, annotator, 'combined', 'entity', kept_uid, note, absorbed_uid, 3, rowid FROM combinations
UNION ALL
SELECT undone_at, undone_by, 'uncombined', 'entity', kept_uid, '', absorbed_uid,
       4, rowid FROM combinations WHERE undone_at != ''
UNION ALL
SELECT at, annotator, 'judged', 'entity', entity_a, judgement, entity_b, 5, rowid
FROM duplicate_judgements
UNION ALL
SELECT a.created_at, a.annotator, a.kind, 'claim', c.uid, a.status || ' ' || a.note, '', 6, a.rowid
FROM annotations a JOIN claims c ON c.id = a.claim_id
UNION ALL
SELECT a.created_at, a.annotator, a.kind, 'relationship', r.uid, a.status || ' ' || a.note, '',
       7, a.rowid
FROM relationship_annotations a JOIN relationships r ON r.id = a.relationship_id
UNION ALL
SELECT added_at, '', 'ingest', 'source', uid, title, '', 8, rowid FROM sources
UNION ALL
SELECT created_at, created_by, 'added', 'relationship', uid, type, '', 9, rowid FROM relationships
WHERE created_at != ''
UNION ALL
SELECT created_at, created_by, 'added', 'entity', uid, name || ' (' || kind || ')', '', 10, rowid
FROM entities
WHERE created_at != ''
UNION ALL
SELECT created_at, created_by, 'added', 'event', uid, title, '', 11, rowid FROM events
WHERE created_at != ''
UNION ALL
SELECT created_at, created_by, 'added', 'claim', uid, statement, '', 12, rowid FROM claims
WHERE created_at != ''
"""
# What a combination, an uncombination or a judgement says of the other entity it names.
_OTHER_ENTITY = {"combined": "absorbed", "uncombined": "gave back", "judged": "as"}
_NEWEST_FIRST = "at DESC, src, n DESC"


def _activity_filter(case: Case, *, kind: str | None, item_id: int | None,
                     annotator: str | None) -> tuple[str, list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    if item_id is not None:
        if kind is None:
            raise InvalidValueError("--id needs --kind")
        conditions.append("kind = ? AND item_uid = ?")
        params += [kind, uid_of(case, kind, item_id)]
    elif kind is not None:
        if kind != "source":
            _kind(kind)   # a kind there is
        conditions.append("kind = ?")
        params.append(kind)
    if annotator is not None:
        conditions.append("annotator = ?")
        params.append(annotator)
    return ("WHERE " + " AND ".join(conditions) if conditions else ""), params


def activity(case: Case, *, kind: str | None = None, item_id: int | None = None,
             annotator: str | None = None, limit: int = 200, offset: int = 0) -> list[Activity]:
    """Everything done to the case, newest first: additions of sources (ingests),
    entities, events, claims and relationships (those added before schema v11
    have no time and are not listed), revisions, retirements, combinations, judgements and marks; a page at a
    time (``offset``, ``limit``), sorted and cut in SQL."""
    where, params = _activity_filter(case, kind=kind, item_id=item_id, annotator=annotator)
    rows = case.rows(f"SELECT at, annotator, action, kind, item_uid, detail, other FROM ({_ACTIVITY}) "
                     f"{where} ORDER BY {_NEWEST_FIRST} LIMIT ? OFFSET ?",
                     [*params, limit, max(0, offset)])
    return [Activity(at=row["at"], annotator=row["annotator"], action=row["action"],
                     kind=row["kind"], item_uid=row["item_uid"], detail=_detail(case, row),
                     item_id=_id_for(case, row["kind"], row["item_uid"]))
            for row in rows]


def _detail(case: Case, row: sqlite3.Row) -> str:
    """An entry's detail; the other entity a combination or a judgement names, by id
    and name (``absorbed entity 89 (Ivan Petrov)``), or its uid if this file lacks it."""
    if row["action"] not in _OTHER_ENTITY:
        return str(row["detail"])
    found = case.row("SELECT id, name FROM entities WHERE uid = ?", [row["other"]])
    other = f"entity {found['id']} ({found['name']})" if found is not None else str(row["other"])
    words = [_OTHER_ENTITY[row["action"]], other, str(row["detail"])]
    if row["action"] == "judged":
        words = [str(row["detail"]), *words[:2]]
    return " ".join(word for word in words if word)


def count_activity(case: Case, *, kind: str | None = None, item_id: int | None = None,
                   annotator: str | None = None) -> int:
    """How many entries :func:`activity` has with these filters."""
    where, params = _activity_filter(case, kind=kind, item_id=item_id, annotator=annotator)
    return int(case.scalar(f"SELECT count(*) FROM ({_ACTIVITY}) {where}", params))


def activity_annotators(case: Case, *, limit: int = 200) -> list[str]:
    """Everyone who has done something to the case, by name."""
    return [row[0] for row in case.rows(
        f"SELECT DISTINCT annotator FROM ({_ACTIVITY}) WHERE annotator != '' "
        "ORDER BY annotator LIMIT ?", [limit])]


def _id_for(case: Case, kind: str, uid: str) -> int | None:
    table = "sources" if kind == "source" else str(_kind(kind).table)
    found = case.scalar(f"SELECT id FROM {table} WHERE uid = ?", [uid])
    return None if found is None else int(found)
