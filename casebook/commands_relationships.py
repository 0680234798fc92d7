"""casebook relationships / path: the ties between entities from the command
line, listed in pages and walked as a network (marking them is ``annotate
--kind relationship``; adding them ``add PATH relationship``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from db import open_case
from db.connections import BUDGET, check_through, find_paths
from db.curation import is_retired
from db.entities import entities_by_ids
from db.errors import NotFoundError
from db.models import RELATIONSHIP_TYPES, STATUSES, Evidence, Relationship
from db.relationships import (
    Connection,
    PathStep,
    count_relationships,
    relationship_evidence,
    relationship_walk,
)

from .output import echo_json, line

PATH = click.Path(path_type=Path)
_PAGE = 500
TYPES = click.Choice(RELATIONSHIP_TYPES)


def _label(relationship: Relationship, names: dict[int, str]) -> str:
    """``Kirill Logvinov  leads  Permanent Mission …  (head of mission; since September 2022)``."""
    subject = line(names.get(relationship.subject_entity_id, "?"), 60)
    object_ = line(names.get(relationship.object_entity_id, "?"), 60)
    extra = "; ".join(part for part in (line(relationship.role, 60), relationship.date_label)
                      if part)
    return f"{subject}  {relationship.type_label}  {object_}" + (f"  ({extra})" if extra else "")


def _names(case: Any, relationships: list[Relationship]) -> dict[int, str]:
    ids = {i for r in relationships for i in (r.subject_entity_id, r.object_entity_id)}
    return {entity.id or 0: entity.name for entity in entities_by_ids(case, list(ids))}


@click.command()
@click.argument("path", type=PATH)
@click.option("--entity", "entity_id", type=int, default=None,
              help="Only this entity's relationships (either end).")
@click.option("--type", "types", type=TYPES, multiple=True, help="Only of this type (repeatable).")
@click.option("--include-retired", is_flag=True,
              help="List retired relationships, and ties to retired entities, too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one array).")
def relationships(path: Path, entity_id: int | None, types: tuple[str, ...],
                  include_retired: bool, as_json: bool) -> None:
    """List the relationships in PATH (an entity's with --entity), in id order."""
    with open_case(path, read_only=True) as case:
        if entity_id is not None and not entities_by_ids(case, [entity_id]):
            raise NotFoundError(f"no entity {entity_id}")
        retired_entity = entity_id is not None and is_retired(case, "entity", entity_id)
        # A tie to a retired entity is left out, as the exports and the browser leave it.
        total = count_relationships(case, entity_id=entity_id, types=types,
                                    include_retired=include_retired)
        listed: list[dict[str, Any]] = []
        for page in relationship_walk(case, entity_id=entity_id, types=types,
                                      include_retired=include_retired, page=_PAGE):
            names = _names(case, page)
            for relationship in page:
                if as_json:
                    evidence = relationship_evidence(case, relationship.id or 0)
                    listed.append({
                        **relationship.model_dump(mode="json"),
                        "subject": names.get(relationship.subject_entity_id, ""),
                        "object": names.get(relationship.object_entity_id, ""),
                        "evidence": [{"excerpt_id": e.excerpt.id, "stance": e.stance}
                                     for e in evidence]})
                else:
                    click.echo(f"{relationship.id:>6}  {relationship.status:<10}  "
                               f"{_label(relationship, names)}")
    if as_json:
        echo_json(listed)
        return
    click.echo(f"{total} relationship{'' if total == 1 else 's'}", err=True)
    if entity_id is not None and not include_retired and retired_entity:
        click.echo(f"(entity {entity_id} is retired: --include-retired lists its ties)", err=True)


@click.command("path")
@click.argument("path", type=PATH)
@click.argument("from_id", metavar="ENTITY_ID", type=int)
@click.argument("to_id", metavar="ENTITY_ID", type=int)
@click.option("--max-hops", type=click.IntRange(1, 8), default=4, show_default=True,
              help="The longest chain looked for.")
@click.option("--type", "types", type=TYPES, multiple=True, help="Only through this type.")
@click.option("--status", "statuses", type=click.Choice(STATUSES), multiple=True,
              help="Only through relationships with this status (e.g. confirmed).")
@click.option("--through", "through", metavar="KINDS", multiple=True,
              help="Also through what two entities share: events, claims, excerpts "
                   "(comma-separated, or all). Chains of relationships alone come first.")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True,
              help="At most this many chains (and as many again through shared items).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def path_command(path: Path, from_id: int, to_id: int, max_hops: int, types: tuple[str, ...],
                 statuses: tuple[str, ...], through: tuple[str, ...], limit: int,
                 as_json: bool) -> int:
    """How two entities are connected: the shortest chains of relationships
    between them, each step with its evidence (with --through, also steps
    through the events, claims and excerpts both are linked to). Exit status 1
    when there is none."""
    kinds = check_through(through)
    with open_case(path, read_only=True) as case:
        found = find_paths(case, from_id, to_id, max_hops=max_hops, types=types,
                           statuses=statuses, through=kinds, limit=limit)
        ends = {e.id: e.name for e in entities_by_ids(case, [from_id, to_id])}
        evidence = {step.relationship.id: relationship_evidence(case, step.relationship.id or 0,
                                                                limit=3)
                    for chain in found.chains for step in chain.steps if step.relationship}
    if as_json:
        echo_json({"from": from_id, "to": to_id, "max_hops": max_hops, "through": list(kinds),
                   "cut_short": found.cut_short,
                   "paths": [_chain_json(chain, evidence) for chain in found.chains]})
    else:
        if not found.chains:
            through_words = f" (also through {', '.join(kinds)})" if kinds else ""
            click.echo(f"no connection between {line(ends[from_id], 60)} and "
                       f"{line(ends[to_id], 60)} within {max_hops} hop{'s' if max_hops != 1 else ''}"
                       f"{through_words}")
        for number, chain in enumerate(found.chains, 1):
            click.echo(f"{number}. {_hops(chain)}")
            for step in chain.steps:
                _echo_step(step, evidence)
    if found.cut_short:
        click.echo(f"(the search read {BUDGET:,} shared links and stopped: a chain through "
                   "more may be missed; --through fewer kinds, or --max-hops less)", err=True)
    return 0 if found.chains else 1


def _hops(chain: Connection) -> str:
    """``3 hops`` or ``2 hops, 1 through shared items``."""
    hops = f"{chain.hops} hop{'s' if chain.hops != 1 else ''}"
    return f"{hops}, {chain.shared_steps} through shared items" if chain.shared_steps else hops


def _echo_step(step: PathStep, evidence: dict[int | None, list[Evidence]]) -> None:
    start, end = line(step.start.name, 50), line(step.end.name, 50)
    r = step.relationship
    if r is None:
        click.echo(f"   {start}  shares {' · '.join(step.shared_kinds)} with  {end}")
        for event in step.events:
            when = f" ({event.date_label})" if event.date_label else ""
            click.echo(f"      event {event.id}: {line(event.title, 100)}{when}")
        for claim in step.claims:
            click.echo(f"      claim {claim.id}: “{line(claim.statement, 100)}” [{claim.status}]")
        for excerpt in step.excerpts:
            click.echo(f"      excerpt {excerpt.id}: “{line(excerpt.text, 100)}”")
        return
    forward = r.subject_entity_id == step.start.id
    words = r.type_label if forward else f"← {r.type_label}"
    extra = "; ".join(part for part in (line(r.role, 60), r.date_label, r.status) if part)
    click.echo(f"   {start}  {words}  {end}  [relationship {r.id}: {extra}]")
    for item in evidence[r.id]:
        click.echo(f"      {item.stance}: “{line(item.excerpt.text, 110)}” "
                   f"(excerpt {item.excerpt.id})")


def _chain_json(chain: Connection, evidence: dict[int | None, list[Evidence]]) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    for step in chain.steps:
        ends = {"from": step.start.model_dump(mode="json"), "to": step.end.model_dump(mode="json")}
        if step.relationship is None:
            steps.append({"via": "shared", "relationship": None, **ends, "shared": {
                "events": [e.model_dump(mode="json") for e in step.events],
                "claims": [c.model_dump(mode="json") for c in step.claims],
                "excerpts": [e.model_dump(mode="json") for e in step.excerpts]}})
        else:
            steps.append({"via": "relationship",
                          "relationship": step.relationship.model_dump(mode="json"), **ends,
                          "evidence": [{"excerpt_id": e.excerpt.id, "stance": e.stance,
                                        "text": e.excerpt.text, "source": e.source_title}
                                       for e in evidence[step.relationship.id]]})
    return {"hops": chain.hops, "shared_steps": chain.shared_steps, "steps": steps}


COMMANDS = (relationships, path_command)
