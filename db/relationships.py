"""Relationships between entities, and the network they make.

A relationship says the subject is ``type`` of the object (Nedyak
``member_of`` the SVR), with a role in words, dates each at its precision
(the event rules of ``db/dates.py``: never an invented day), evidence with a
stance, and append-only marks like a claim's (``db/marks.py``).

Reads page in SQL. The network is walked a level at a time through the two
indexes on ``relationships`` (by subject, by object), never the whole graph
in memory: :func:`neighbours` to a depth, :func:`shortest_paths` by a
bidirectional breadth-first search that always widens the smaller side
(``db/connections.py`` walks it through shared events, claims and excerpts too).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from . import marks
from .casefile import Case, utc_now
from .damage import read_model
from .dates import DATE_FORMS, date_value, written_date
from .entities import entities_by_ids
from .errors import InvalidValueError, NotFoundError
from .evidence import evidence_rows
from .marks import RELATIONSHIP_MARKS, check_annotator, check_status
from .models import (
    RELATIONSHIP_TYPES,
    STANCES,
    STATUSES,
    Claim,
    Entity,
    Event,
    Evidence,
    Excerpt,
    Model,
    Relationship,
    RelationshipAnnotation,
)
from .paging import all_of, keyset_pages, live, rows_by_id
from .tables import RELATIONSHIP_EXCERPTS, RELATIONSHIPS
from .text import nfc

RELATIONSHIP_SELECT = (f"SELECT {RELATIONSHIPS.select(RELATIONSHIPS.model_columns)} "
                       "FROM relationships WHERE id IN")
_NEW = RELATIONSHIPS.insert(with_id=False)
# Frontier ids asked for in one query while walking (well under SQLite's 32,766 variables).
_BATCH = 500


def relationship_from_row(row: sqlite3.Row) -> Relationship:
    return read_model(Relationship, dict(row))


def check_type(type_: str) -> str:
    if type_ not in RELATIONSHIP_TYPES:
        raise InvalidValueError(
            f"unknown relationship type {type_!r} (choose {', '.join(RELATIONSHIP_TYPES)})")
    return type_


def typed_date(name: str, typed: str, precision: str | None) -> tuple[str, str]:
    """(stored date, precision) for a date as typed: ``2023-06`` or ``June 2023``
    is the month, ``2019`` the year, ``1990s`` the decade; ``""`` is no date.
    A ``precision`` given must be the one the date is written at."""
    typed = typed.strip()
    if not typed:
        if precision not in (None, "unknown"):
            raise InvalidValueError(f"{name} precision {precision} needs a {name} date")
        return "", "unknown"
    found = written_date(typed)
    if found is None:
        forms = ", ".join(f"{form} ({p})" for p, form in DATE_FORMS.items())
        raise InvalidValueError(f"{name} {typed!r} is not a date: write {forms}")
    if precision is not None and precision != found.precision:
        raise InvalidValueError(
            f"{name} {typed!r} is a {found.precision}, not a {precision}: no day or month is invented")
    return date_value(typed), found.precision


def add_relationship(
    case: Case,
    *,
    subject_entity_id: int,
    object_entity_id: int,
    type: str,
    role: str = "",
    start: str = "",
    end: str = "",
    start_precision: str | None = None,
    end_precision: str | None = None,
    description: str = "",
    evidence: Iterable[tuple[int, str]] = (),
    created_by: str = "",
    uid: str | None = None,
    created_at: str | None = None,
) -> Relationship:
    """Add a relationship; ``evidence`` is (excerpt id, stance) pairs.

    Refuses, in one line and writing nothing: a link from an entity to
    itself, an entity or excerpt the case does not hold, an unknown type or
    stance, a date that is not one at its precision, an end before the start.
    """
    check_type(type)
    date_start, start_precision = typed_date("start", start, start_precision)
    date_end, end_precision = typed_date("end", end, end_precision)
    if subject_entity_id == object_entity_id:
        raise InvalidValueError(
            f"a relationship links two different entities: {subject_entity_id} is both ends")
    evidence = list(dict.fromkeys(evidence))
    for _, stance in evidence:
        if stance not in STANCES:
            raise InvalidValueError(f"unknown stance {stance!r} (choose {', '.join(STANCES)})")
    try:
        relationship = Relationship(
            uid=uid or str(uuid.uuid4()), subject_entity_id=subject_entity_id,
            object_entity_id=object_entity_id, type=type,  # type: ignore[arg-type]
            role=nfc(role).strip(), date_start=date_start,
            start_precision=start_precision,  # type: ignore[arg-type]
            date_end=date_end, end_precision=end_precision,  # type: ignore[arg-type]
            description=nfc(description).strip(), created_at=created_at or utc_now(),
            created_by=created_by, updated_at=created_at or "",
        )
    except ValidationError as error:
        raise InvalidValueError(str(error.errors()[0]["msg"]).removeprefix("Value error, ")) from None
    with case.write() as tx:
        for entity_id in (subject_entity_id, object_entity_id):
            found = tx.execute("SELECT retired FROM entities WHERE id = ?", [entity_id]).fetchone()
            if found is None:
                raise NotFoundError(f"no entity {entity_id}")
            if found[0]:
                raise InvalidValueError(f"entity {entity_id} is retired (restore it first)")
        for excerpt_id, _ in evidence:
            if tx.execute("SELECT 1 FROM excerpts WHERE id = ?", [excerpt_id]).fetchone() is None:
                raise NotFoundError(f"no excerpt {excerpt_id}")
        relationship_id = tx.execute(_NEW.sql, _NEW.values(relationship)).lastrowid
        tx.executemany(RELATIONSHIP_EXCERPTS.insert(or_ignore=True).sql,
                       [(relationship_id, excerpt_id, stance) for excerpt_id, stance in evidence])
    return relationship.model_copy(update={"id": relationship_id})


def add_relationship_evidence(case: Case, relationship_id: int, excerpt_id: int,
                              stance: str = "supports") -> None:
    if stance not in STANCES:
        raise InvalidValueError(f"unknown stance {stance!r} (choose {', '.join(STANCES)})")
    with case.write() as tx:
        if tx.execute("SELECT 1 FROM relationships WHERE id = ?", [relationship_id]).fetchone() is None:
            raise NotFoundError(f"no relationship {relationship_id}")
        if tx.execute("SELECT 1 FROM excerpts WHERE id = ?", [excerpt_id]).fetchone() is None:
            raise NotFoundError(f"no excerpt {excerpt_id}")
        tx.execute(RELATIONSHIP_EXCERPTS.insert(or_ignore=True).sql,
                   [relationship_id, excerpt_id, stance])


# -- marks (as a claim's: db/marks.py) ----------------------------------------


def mark_relationship(
    case: Case, relationship_id: int, status: str, *, annotator: str, note: str = "",
    expected_version: int | None = None, annotation_id: str | None = None,
    created_at: str | None = None, unless_unchanged: bool = False,
) -> RelationshipAnnotation:
    """Mark a relationship confirmed, disputed, denied (or back to unreviewed).

    With ``unless_unchanged`` a mark that would not change its status is refused
    (UnchangedStatusError), as for claims."""
    check_status(status)
    check_annotator(annotator)
    with case.write() as tx:
        return marks.mark(RELATIONSHIP_MARKS, tx, relationship_id, status, annotator=annotator,
                          note=note, expected_version=expected_version,
                          annotation_id=annotation_id, created_at=created_at,
                          unless_unchanged=unless_unchanged)


def resolve_relationship_conflicts(
    case: Case, relationship_id: int, status: str, *, annotator: str, note: str = "",
    expected_version: int | None = None,
) -> RelationshipAnnotation:
    """Resolve a relationship's open merge conflicts with a mark, as a claim's
    (``db.conflicts.resolve_conflicts``): one write, the conflicts naming the mark."""
    check_status(status)
    check_annotator(annotator)
    with case.write() as tx:
        if not marks.open_conflicts(RELATIONSHIP_MARKS, tx, relationship_id):
            raise NotFoundError(f"relationship {relationship_id} has no open conflict")
        made = marks.mark(RELATIONSHIP_MARKS, tx, relationship_id, status, annotator=annotator,
                          note=note, expected_version=expected_version)
        marks.close_conflicts(RELATIONSHIP_MARKS, tx, relationship_id, resolution=made.id,
                              resolved_at=made.created_at, resolved_by=annotator)
        return made


def relationship_conflicts(case: Case, *, page: int = 200
                           ) -> Iterator[list[tuple[Relationship, list[RelationshipAnnotation]]]]:
    """Relationships with open merge conflicts, in id order, a page at a time by
    key (:func:`db.paging.keyset_pages`), each with the latest marks in conflict
    (two per conflict)."""
    for rows in keyset_pages(case, "SELECT DISTINCT relationship_id FROM relationship_conflicts",
                             key=("relationship_id",), where="resolved_at = ''", page=page):
        yield _with_conflicting_marks(case, [row[0] for row in rows])


def _with_conflicting_marks(case: Case, ids: Sequence[int]
                            ) -> list[tuple[Relationship, list[RelationshipAnnotation]]]:
    found = []
    for relationship in relationships_by_ids(case, ids):
        annotation_ids = [a for row in marks.open_conflicts(RELATIONSHIP_MARKS, case,
                                                            relationship.id or 0)
                          for a in (row["annotation_a"], row["annotation_b"])]
        history = {a.id: a for a in relationship_history(case, relationship.id or 0,
                                                         limit=100_000)}
        found.append((relationship, [history[a] for a in annotation_ids if a in history]))
    return found


def note_relationship(case: Case, relationship_id: int, text: str, *, annotator: str,
                      expected_version: int | None = None) -> RelationshipAnnotation:
    check_annotator(annotator)
    with case.write() as tx:
        return marks.note(RELATIONSHIP_MARKS, tx, relationship_id, text, annotator=annotator,
                          expected_version=expected_version)


def undo_relationship_mark(case: Case, relationship_id: int, *, annotator: str,
                           expected_version: int | None = None) -> RelationshipAnnotation:
    check_annotator(annotator)
    with case.write() as tx:
        made, _ = marks.undo(RELATIONSHIP_MARKS, tx, relationship_id, annotator=annotator,
                             expected_version=expected_version)
        return made


def relationship_history(case: Case, relationship_id: int, *, offset: int = 0,
                         limit: int = 500) -> list[RelationshipAnnotation]:
    return marks.history(RELATIONSHIP_MARKS, case, relationship_id, offset=offset, limit=limit)


def count_relationship_history(case: Case, relationship_id: int) -> int:
    return int(case.scalar("SELECT count(*) FROM relationship_annotations "
                           "WHERE relationship_id = ?", [relationship_id]))


# -- reading ------------------------------------------------------------------


def _filters(types: Sequence[str] = (), statuses: Sequence[str] = ()) -> tuple[str, list[str]]:
    """`` AND type IN (…) AND status IN (…)`` and its parameters."""
    for type_ in types:
        check_type(type_)
    for status in statuses:
        check_status(status)
    sql = ""
    if types:
        sql += f" AND type IN ({','.join('?' * len(types))})"
    if statuses:
        sql += f" AND status IN ({','.join('?' * len(statuses))})"
    return sql, [*types, *statuses]


def _listing(entity_id: int | None, types: Sequence[str], include_retired: bool = True,
             retired_ends: bool | None = None) -> tuple[str, list[object]]:
    """The ids of the relationships listed (an entity's, either way; of some types;
    without the retired ones unless ``include_retired``, nor those to a retired
    entity unless ``retired_ends``, which is ``include_retired`` if not given)."""
    condition, params = _filters(types)
    if not include_retired:
        condition += " AND retired = 0"
    if not (include_retired if retired_ends is None else retired_ends):
        # a tie to a retired entity goes with it (one probe of its partial index an end)
        condition += (f" AND {live('entities', column='subject_entity_id')}"
                      f" AND {live('entities', column='object_entity_id')}")
    if entity_id is None:
        return f"SELECT id FROM relationships WHERE 1{condition}", list(params)
    return (f"SELECT id FROM relationships WHERE subject_entity_id = ?{condition} "
            f"UNION SELECT id FROM relationships WHERE object_entity_id = ?{condition}",
            [entity_id, *params, entity_id, *params])


def count_relationships(case: Case, *, entity_id: int | None = None,
                        types: Sequence[str] = (), include_retired: bool = True,
                        retired_ends: bool | None = None) -> int:
    sql, params = _listing(entity_id, types, include_retired, retired_ends)
    return int(case.scalar(f"SELECT count(*) FROM ({sql})", params))


def relationships_page(case: Case, *, offset: int = 0, limit: int = 100,
                       entity_id: int | None = None, types: Sequence[str] = (),
                       after_id: int = 0, include_retired: bool = True,
                       retired_ends: bool | None = None) -> list[Relationship]:
    """Relationships in id order (an entity's either way, of some types), a page at a time:
    ``after_id`` pages by key, ``offset`` by position. Without ``include_retired`` the
    retired ones are left out, and those to a retired entity (unless ``retired_ends``)."""
    sql, params = _listing(entity_id, types, include_retired, retired_ends)
    ids = [row[0] for row in case.rows(
        f"SELECT id FROM ({sql}) WHERE id > ? ORDER BY id LIMIT ? OFFSET ?",
        [*params, after_id, limit, offset])]
    return relationships_by_ids(case, ids)


def relationship_walk(case: Case, *, entity_id: int | None = None, types: Sequence[str] = (),
                      include_retired: bool = True, retired_ends: bool | None = None,
                      page: int = 500) -> Iterator[list[Relationship]]:
    """Every relationship :func:`relationships_page` lists, in id order, a page
    at a time by key (:func:`db.paging.keyset_pages`): for a listing or an
    export of them all. Run it inside ``case.snapshot()`` for a consistent whole."""
    sql, params = _listing(entity_id, types, include_retired, retired_ends)
    for rows in keyset_pages(case, f"SELECT id FROM ({sql})", key=("id",), params=params,
                             page=page):
        yield relationships_by_ids(case, [row[0] for row in rows])


def relationships_by_ids(case: Case, ids: Sequence[int]) -> list[Relationship]:
    """The relationships with these ids, in the order given (ids not found are left out)."""
    return [relationship_from_row(row) for row in rows_by_id(case, RELATIONSHIP_SELECT, ids)]


def get_relationship(case: Case, relationship_id: int) -> Relationship:
    found = relationships_by_ids(case, [relationship_id])
    if not found:
        raise NotFoundError(f"no relationship {relationship_id}")
    return found[0]


_EVIDENCE_ORDER = ("CASE stance WHEN 'supports' THEN 0 WHEN 'contradicts' THEN 1 ELSE 2 END, "
                   "excerpt_id")


def relationship_evidence(case: Case, relationship_id: int, *, limit: int = 200,
                          include_retired: bool = True) -> list[Evidence]:
    """A relationship's evidence (without retired excerpts, for an export that
    leaves them out, unless ``include_retired``: the browser shows every link)."""
    hidden = live("excerpts", include_retired=include_retired, column="excerpt_id")
    return evidence_rows(
        case,
        f"SELECT excerpt_id, stance FROM relationship_excerpts WHERE {all_of('relationship_id = ?', hidden)} "
        f"ORDER BY {_EVIDENCE_ORDER} LIMIT ?", [relationship_id, limit])


def live_relationships(column: str = "relationship_id") -> str:
    """The condition that leaves out the rows of a retired relationship and of
    one to a retired entity (which goes with it), read from another table."""
    return (f"{column} NOT IN (SELECT id FROM relationships WHERE retired = 1 "
            "OR subject_entity_id IN (SELECT id FROM entities WHERE retired = 1) "
            "OR object_entity_id IN (SELECT id FROM entities WHERE retired = 1))")


def excerpt_relationships(case: Case, excerpt_id: int, *, limit: int = 200) -> list[Relationship]:
    ids = [row[0] for row in case.rows(
        "SELECT relationship_id FROM relationship_excerpts WHERE excerpt_id = ? "
        "ORDER BY relationship_id LIMIT ?", [excerpt_id, limit])]
    return relationships_by_ids(case, ids)


class Tie(Model):
    """A relationship seen from one of its entities: the entity at the other
    end, and whether this one is the subject (``outgoing``)."""

    relationship: Relationship
    other: Entity
    outgoing: bool

    @property
    def label(self) -> str:
        """``member of``, or ``has member_of`` read backwards: ``← member of``."""
        words = self.relationship.type_label
        return words if self.outgoing else f"← {words}"


def entity_ties(case: Case, entity_id: int, *, types: Sequence[str] = (),
                limit: int = 200, include_retired: bool = False) -> list[Tie]:
    """An entity's relationships either way, by type then by the other entity's
    name: not the retired, nor those to a retired entity, unless ``include_retired``."""
    condition, params = _filters(types)
    if not include_retired:
        condition += " AND r.retired = 0 AND e.retired = 0"
    rows = case.rows(
        f"SELECT r.id, r.type, e.sort_name FROM relationships r "
        f"JOIN entities e ON e.id = r.object_entity_id WHERE r.subject_entity_id = ?{condition} "
        f"UNION ALL SELECT r.id, r.type, e.sort_name FROM relationships r "
        f"JOIN entities e ON e.id = r.subject_entity_id WHERE r.object_entity_id = ?{condition} "
        f"ORDER BY 2, 3, 1 LIMIT ?", [entity_id, *params, entity_id, *params, limit])
    relationships = relationships_by_ids(case, [row[0] for row in rows])
    others = {e.id: e for e in entities_by_ids(case, list({
        r.object_entity_id if r.subject_entity_id == entity_id else r.subject_entity_id
        for r in relationships}))}
    ties = []
    for r in relationships:
        outgoing = r.subject_entity_id == entity_id
        other = others.get(r.object_entity_id if outgoing else r.subject_entity_id)
        if other is not None:
            ties.append(Tie(relationship=r, other=other, outgoing=outgoing))
    return ties


# -- the network --------------------------------------------------------------


# A step out of the frontier: (relationship id, the entity stepped from, the entity reached),
# as the row SQLite gives (no object made per step: a hub's walk reads thousands).
Step = tuple[int, int, int]


def _steps(case: Case, frontier: Sequence[int], condition: str, params: Sequence[str]
           ) -> list[Step]:
    """Every relationship touching the frontier, as steps out of it (both indexes);
    a retired relationship, or one to a retired entity, is no step."""
    return [step for batch in _step_batches(case, frontier, condition, params) for step in batch]


def _step_batches(case: Case, frontier: Sequence[int], condition: str, params: Sequence[str]
                  ) -> Iterator[list[Step]]:
    """:func:`_steps` a batch of the frontier at a time, so a walk that has all it
    needs reads no more."""
    for at in range(0, len(frontier), _BATCH):
        batch = list(frontier[at:at + _BATCH])
        marks_ = ",".join("?" * len(batch))
        # a tie to a retired entity goes with it, as in the entity's detail
        rows = case.rows(
            f"SELECT id, subject_entity_id, object_entity_id FROM relationships "
            f"WHERE subject_entity_id IN ({marks_}) AND retired = 0{condition} "
            f"AND {live('entities', column='object_entity_id')} "
            f"UNION ALL SELECT id, object_entity_id, subject_entity_id FROM relationships "
            f"WHERE object_entity_id IN ({marks_}) AND retired = 0{condition} "
            f"AND {live('entities', column='subject_entity_id')} ORDER BY 1",
            [*batch, *params, *batch, *params])
        yield list(map(tuple, rows))


@dataclass(frozen=True, slots=True)
class NetworkNode:
    """An entity in a network outline: how far from the centre, and the tie
    that first reached it from its parent (None for the centre). Made of
    models read and checked just now: a plain record, not a model validated
    again (a walk makes hundreds)."""

    entity: Entity
    depth: int
    parent_id: int | None = None
    relationship: Relationship | None = None


@dataclass(frozen=True, slots=True)
class Network:
    centre: Entity
    nodes: tuple[NetworkNode, ...]      # breadth first: depth 0, 1, 2 …
    truncated: bool = False             # more were reachable than ``max_nodes``


def neighbours(case: Case, entity_id: int, *, depth: int = 1, types: Sequence[str] = (),
               statuses: Sequence[str] = (), max_nodes: int = 500) -> Network:
    """The entities reachable from one in up to ``depth`` steps (1 to 3), each
    once, at the depth it is first reached, by the tie that reached it."""
    if not 1 <= depth <= 3:
        raise InvalidValueError(f"depth {depth}: a network is walked 1, 2 or 3 steps deep")
    centre = entities_by_ids(case, [entity_id])
    if not centre:
        raise NotFoundError(f"no entity {entity_id}")
    condition, params = _filters(types, statuses)
    found: dict[int, tuple[int, int | None, int | None]] = {entity_id: (0, None, None)}
    frontier = [entity_id]
    truncated = False
    for level in range(1, depth + 1):
        reached: list[int] = []
        for batch in _step_batches(case, frontier, condition, params):
            for relationship_id, near, far in batch:
                if far in found:
                    continue
                if len(found) >= max_nodes:
                    truncated = True
                    break
                found[far] = (level, near, relationship_id)
                reached.append(far)
            if truncated:
                break
        frontier = reached
        if truncated or not frontier:
            break
    entities = {e.id: e for e in entities_by_ids(case, list(found))}
    ties = {r.id: r for r in relationships_by_ids(
        case, [rid for _, _, rid in found.values() if rid is not None])}
    nodes = tuple(NetworkNode(entities[eid], level, parent, ties.get(rid) if rid is not None else None)
                  for eid, (level, parent, rid) in found.items() if eid in entities)
    return Network(centre[0], nodes, truncated)


class PathStep(Model):
    """One step of a chain: from one entity to the next through a relationship,
    or (``relationship`` None) through the events, claims and excerpts linked
    to both (:mod:`db.connections`), a few of each as its evidence."""

    start: Entity
    end: Entity
    relationship: Relationship | None = None
    events: tuple[Event, ...] = ()
    claims: tuple[Claim, ...] = ()
    excerpts: tuple[Excerpt, ...] = ()

    @property
    def shared(self) -> bool:
        return self.relationship is None

    @property
    def shared_kinds(self) -> tuple[str, ...]:
        """``("event", "excerpt")``: the kinds of item the two ends share."""
        return tuple(kind for kind, items in (("event", self.events), ("claim", self.claims),
                                              ("excerpt", self.excerpts)) if items)


class Connection(Model):
    """A chain of steps from one entity to another."""

    steps: tuple[PathStep, ...]

    @property
    def hops(self) -> int:
        return len(self.steps)

    @property
    def shared_steps(self) -> int:
        """How many of its steps go through shared items rather than a relationship."""
        return sum(step.shared for step in self.steps)


# A chain as the search finds it: (from entity, link, to entity) a step, the link a
# relationship's id or SHARED (the two ends share an event, claim or excerpt).
Chain = list[tuple[int, int, int]]
SHARED = 0
StepsOf = Callable[[Sequence[int]], Iterable[Step]]


@dataclass
class _Side:
    """One side of the bidirectional search: every entity it reached, with the
    steps that reached it from the level before (all of them, for every chain)."""

    parents: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    frontier: list[int] = field(default_factory=list)


def check_ends(case: Case, from_id: int, to_id: int, max_hops: int) -> None:
    if max_hops < 1:
        raise InvalidValueError(f"--max-hops {max_hops}: at least 1")
    for entity_id in (from_id, to_id):
        if not entities_by_ids(case, [entity_id]):
            raise NotFoundError(f"no entity {entity_id}")
    if from_id == to_id:
        raise InvalidValueError(f"a path joins two different entities: {from_id} is both ends")


def relationship_steps(case: Case, types: Sequence[str] = (), statuses: Sequence[str] = ()
                       ) -> StepsOf:
    """The steps out of a frontier through relationships (of these types and statuses)."""
    condition, params = _filters(types, statuses)
    # a batch at a time: a search that has met enough reads no more
    return lambda frontier: (step for batch in _step_batches(case, frontier, condition, params)
                             for step in batch)


def shortest_paths(case: Case, from_id: int, to_id: int, *, max_hops: int = 4,
                   types: Sequence[str] = (), statuses: Sequence[str] = (),
                   limit: int = 10) -> list[Connection]:
    """The shortest chains of relationships between two entities (up to
    ``limit`` of them, all of the same length), or [] when none is within
    ``max_hops``. Each side widens a level at a time through the indexes; the
    smaller frontier is widened first, so a hub on one side does not flood the search.
    (:func:`db.connections.find_paths` also goes through shared items.)"""
    check_ends(case, from_id, to_id, max_hops)
    chains = search_chains(from_id, to_id, relationship_steps(case, types, statuses),
                           max_hops=max_hops, limit=limit)
    return connections(case, chains)


def search_chains(from_id: int, to_id: int, steps_of: StepsOf, *, max_hops: int,
                  limit: int, meets: Callable[[int], bool] = lambda link: True) -> list[Chain]:
    """The bidirectional breadth-first search: up to ``limit`` chains of the
    fewest hops, each step one ``steps_of`` gave. A level stops being read
    once ``limit`` entities met the other side by a link ``meets`` counts:
    each gives a chain of the fewest hops, and a hub's level is not read whole."""
    sides = (_Side({from_id: []}, [from_id]), _Side({to_id: []}, [to_id]))
    hops = 0
    meeting: list[int] = []
    while hops < max_hops and sides[0].frontier and sides[1].frontier:
        grow, other = (sides[0], sides[1]) if len(sides[0].frontier) <= len(sides[1].frontier) \
            else (sides[1], sides[0])
        reached: dict[int, list[tuple[int, int]]] = {}
        met = 0
        for link, near, far in steps_of(grow.frontier):
            if far in grow.parents:
                continue
            if far in other.parents and meets(link) and far not in reached:
                met += 1
            reached.setdefault(far, []).append((near, link))
            if met >= limit:
                break
        grow.parents.update(reached)
        grow.frontier = sorted(reached)
        hops += 1
        meeting = sorted(set(reached) & set(other.parents))
        if meeting:
            break
    chains: list[Chain] = []
    for middle in meeting:
        for head in _chains_to(sides[0].parents, middle, limit):
            for tail in _chains_to(sides[1].parents, middle, limit):
                chains.append(head + [(b, r, a) for a, r, b in reversed(tail)])
                if len(chains) >= limit:
                    return chains
    return chains


def _chains_to(parents: dict[int, list[tuple[int, int]]], entity: int, limit: int
               ) -> list[Chain]:
    """Chains of steps from a side's start to ``entity``, (near, link, far) each."""
    if not parents[entity]:
        return [[]]
    chains: list[Chain] = []
    for near, link in parents[entity]:
        for chain in _chains_to(parents, near, limit):
            chains.append([*chain, (near, link, entity)])
            if len(chains) >= limit:
                return chains
    return chains


# (from, to) -> PathStep's fields events, claims and excerpts
SharedItems = Callable[[int, int], dict[str, Any]]


def connections(case: Case, chains: list[Chain], shared_items: SharedItems | None = None
                ) -> list[Connection]:
    """The chains as models; a SHARED step takes its evidence from ``shared_items``
    (the events, claims and excerpts of both its ends)."""
    relationship_ids = sorted({r for chain in chains for _, r, _ in chain if r != SHARED})
    entity_ids = sorted({e for chain in chains for a, _, b in chain for e in (a, b)})
    ties = {r.id: r for r in relationships_by_ids(case, relationship_ids)}
    entities = {e.id: e for e in entities_by_ids(case, entity_ids)}
    # A received file may link to a row it lacks (or cannot read): a chain through
    # one is left out, as the network leaves out such an entity (casebook check names it).
    chains = [chain for chain in chains
              if all(a in entities and b in entities and (r == SHARED or r in ties)
                     for a, r, b in chain)]
    shared: dict[tuple[int, int], dict[str, Any]] = {}
    for chain in chains:
        for a, r, b in chain:
            if r == SHARED and (a, b) not in shared and shared_items is not None:
                shared[a, b] = shared_items(a, b)
    return [Connection(steps=tuple(
        PathStep(start=entities[a], end=entities[b], relationship=ties[r]) if r != SHARED
        else PathStep(start=entities[a], end=entities[b], **shared.get((a, b), {}))
        for a, r, b in chain)) for chain in chains]


__all__ = [
    "RELATIONSHIP_TYPES", "SHARED", "STATUSES", "Connection", "Network", "NetworkNode", "PathStep", "Tie",
    "add_relationship", "add_relationship_evidence", "count_relationships", "entity_ties",
    "excerpt_relationships", "get_relationship", "mark_relationship", "neighbours",
    "note_relationship", "count_relationship_history",
    "relationship_evidence", "relationship_history", "relationships_by_ids",
    "relationship_conflicts", "relationships_page", "resolve_relationship_conflicts",
    "shortest_paths", "undo_relationship_mark",
    # the search's parts, for db/connections.py
    "Chain", "Step", "check_ends", "connections", "relationship_steps", "search_chains",
]
