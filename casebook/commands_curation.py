"""Curating a case from the command line: add, revise, retire, restore,
combine and uncombine items, judge likely duplicates, show an item with its
history and the case's activity log. The annotator is taken as for marks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from db import Case, InvalidValueError, curation, open_case
from db.claims import default_annotator
from db.kinds import ITEM_KINDS
from db.models import PagePlace
from db.schema import CURATED_TABLES
from db.source_details import page_place
from db.text import with_language

from .output import echo_json, line

PATH = click.Path(path_type=Path)
# The kinds of item curated (revised, retired, restored): every kind of item.
KINDS = click.Choice([kind.name for kind in ITEM_KINDS if kind.name in CURATED_TABLES])
ADDABLE = click.Choice(list(curation.ADDABLE))


def _annotator(function: Any) -> Any:
    return click.option(
        "--annotator", "--as", "annotator", default=None,
        help="Who (default: $CASEBOOK_ANNOTATOR, else your login name).")(function)


def _who(annotator: str | None) -> str:
    return annotator if annotator is not None else default_annotator()


def _pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    """FIELD=VALUE arguments as a mapping; a pair without '=' is refused."""
    fields: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise InvalidValueError(f"{pair!r} is not FIELD=VALUE")
        if name.strip() in fields:
            raise InvalidValueError(f"field {name.strip()!r} is given twice")
        fields[name.strip()] = value
    return fields


def _evidence(value: str) -> tuple[int, str]:
    """``12`` or ``12:contradicts`` as (excerpt id, stance)."""
    number, _, stance = value.partition(":")
    if not number.strip().isdigit():
        raise InvalidValueError(f"--evidence {value!r}: give EXCERPT_ID or EXCERPT_ID:STANCE")
    return int(number), stance.strip() or "supports"


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " | ".join(line(str(v)) for v in value) or "(none)"
    return line(str(value)) if value != "" else "''"


@click.command("add")
@click.argument("path", type=PATH)
@click.argument("kind", type=ADDABLE)
@click.argument("fields", nargs=-1)
@click.option("--evidence", multiple=True, metavar="EXCERPT_ID[:STANCE]",
              help="An excerpt id: its evidence (an entity: an excerpt that mentions it); "
                   "a claim's or a relationship's may say supports, contradicts or context.")
@click.option("--entity", "entities", type=int, multiple=True,
              help="An entity id the event or claim is about.")
@click.option("--json", "as_json", is_flag=True, help="Print the new item as JSON.")
def add(path: Path, kind: str, fields: tuple[str, ...], evidence: tuple[str, ...],
        entities: tuple[int, ...], as_json: bool) -> None:
    """Add an entity, event, claim or relationship to PATH from FIELD=VALUE pairs;
    prints its id.

    \b
    entity: kind=person|organization|place|document|other name=... aliases=A|B description=...
    event:  title=... date_start=... date_end=... date_precision=day|month|year|decade|unknown
    claim:  statement=... claimant=...
    relationship: subject=ENTITY_ID object=ENTITY_ID type=member_of|employed_by|leads|family|
            associate|owns|directs|represents|located_in|other role=... start=DATE end=DATE
            description=...  (DATE: 2023-06-01, 2023-06, June 2023, 2023 or 1990s)
    """
    given = [_evidence(value) for value in evidence]
    with open_case(path) as case:
        item = curation.add_item(case, kind, _pairs(fields), evidence=given, entity_ids=entities,
                                 annotator=default_annotator())
    if as_json:
        echo_json({"kind": kind, **item.model_dump(mode="json")})
    else:
        click.echo(item.model_dump()["id"])


@click.command()
@click.argument("path", type=PATH)
@click.argument("kind", type=KINDS)
@click.argument("item_id", type=int)
@click.argument("fields", nargs=-1)
@click.option("--set", "settings", multiple=True, help="FIELD=VALUE (as the arguments).")
@click.option("--expect-version", type=int, default=None,
              help="Refuse if the item changed since this version.")
@click.option("--note", default="", help="Why.")
@click.option("--undo", "undo", is_flag=True, help="Undo your own latest revision instead.")
@click.option("--json", "as_json", is_flag=True, help="Print the revision as JSON.")
@_annotator
def revise(path: Path, kind: str, item_id: int, fields: tuple[str, ...], settings: tuple[str, ...],
           expect_version: int | None, note: str, undo: bool, as_json: bool,
           annotator: str | None) -> None:
    """Change fields of item ITEM_ID of KIND: FIELD=VALUE... (aliases: A|B@nl, all of them,
    each with its language tag if it has one).

    The change is kept as a revision: who, when, each field from what to what."""
    with open_case(path) as case:
        if undo:
            if fields or settings:
                raise InvalidValueError("--undo takes no FIELD=VALUE")
            revision = curation.undo_own_latest_revision(
                case, kind, item_id, annotator=_who(annotator), expected_version=expect_version)
        else:
            revision = curation.revise(case, kind, item_id, _pairs((*fields, *settings)),
                                       annotator=_who(annotator), expected_version=expect_version,
                                       note=note)
    if as_json:
        echo_json(revision.model_dump(mode="json"))
        return
    click.echo(f"{kind} {item_id}: version {revision.version}")
    for name, (old, new) in revision.fields.items():
        click.echo(f"  {name}: {_value(old)} → {_value(new)}")


@click.command()
@click.argument("path", type=PATH)
@click.argument("kind", type=KINDS)
@click.argument("item_id", type=int)
@click.option("--reason", required=True, help="Why (kept with the retirement).")
@click.option("--expect-version", type=int, default=None)
@_annotator
def retire(path: Path, kind: str, item_id: int, reason: str, expect_version: int | None,
           annotator: str | None) -> None:
    """Retire item ITEM_ID of KIND (hidden by default, kept with its links and history)."""
    with open_case(path) as case:
        curation.retire(case, kind, item_id, reason=reason, annotator=_who(annotator),
                        expected_version=expect_version)
    click.echo(f"{kind} {item_id}: retired")


@click.command()
@click.argument("path", type=PATH)
@click.argument("kind", type=KINDS)
@click.argument("item_id", type=int)
@click.option("--reason", default="", help="Why.")
@click.option("--expect-version", type=int, default=None)
@_annotator
def restore(path: Path, kind: str, item_id: int, reason: str, expect_version: int | None,
            annotator: str | None) -> None:
    """Bring back retired item ITEM_ID of KIND."""
    with open_case(path) as case:
        curation.restore(case, kind, item_id, reason=reason, annotator=_who(annotator),
                         expected_version=expect_version)
    click.echo(f"{kind} {item_id}: restored")


@click.command()
@click.argument("path", type=PATH)
@click.argument("kept", type=int)
@click.argument("absorbed", type=int, nargs=-1, required=True)
@click.option("--note", default="", help="Why.")
@_annotator
def combine(path: Path, kept: int, absorbed: tuple[int, ...], note: str,
            annotator: str | None) -> None:
    """Combine entities ABSORBED... into entity KEPT: their names become its
    aliases, their links and relationships move to it (a relationship that would
    link KEPT to itself is retired), and they are retired (uncombine undoes it)."""
    with open_case(path) as case:
        done = curation.combine(case, kept, absorbed, annotator=_who(annotator), note=note)
    for entity_id, combination in zip(absorbed, done, strict=True):
        moved = sum(len(links.get("moved", [])) for name, links in combination.moved.items()
                    if name not in ("aliases_added", "relationships"))
        ties = combination.moved.get("relationships", {})
        retired = len(ties.get("retired", []))
        click.echo(f"entity {entity_id} combined into entity {kept} "
                   f"({moved} links moved, {len(combination.moved['aliases_added'])} names added, "
                   f"{len(ties.get('subject', [])) + len(ties.get('object', []))} relationships "
                   f"moved{f', {retired} retired (they would link it to itself)' if retired else ''})")


@click.command()
@click.argument("path", type=PATH)
@click.argument("entity_id", type=int)
@_annotator
def uncombine(path: Path, entity_id: int, annotator: str | None) -> None:
    """Undo the combination that absorbed entity ENTITY_ID: it comes back exactly."""
    with open_case(path) as case:
        curation.uncombine(case, entity_id, annotator=_who(annotator))
    click.echo(f"entity {entity_id}: uncombined")


@click.command("likely-duplicates")
@click.argument("path", type=PATH)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def likely_duplicates(path: Path, limit: int, as_json: bool) -> None:
    """Pairs of entities that may be one (same name or alias, one name in the
    other, close spelling), best first; judged pairs are left out."""
    with open_case(path, read_only=True) as case:
        pairs = curation.likely_duplicates(case, limit=limit)
    if as_json:
        echo_json([{"a": pair.a.id, "b": pair.b.id, "a_name": pair.a.name, "b_name": pair.b.name,
                    "kind": pair.a.kind, "reason": pair.reason, "score": round(pair.score, 1)}
                   for pair in pairs])
        return
    for pair in pairs:
        click.echo(f"{pair.a.id}\t{pair.b.id}\t{pair.reason}\t{line(pair.a.name, 40)}"
                   f"\t{line(pair.b.name, 40)}")


@click.command()
@click.argument("path", type=PATH)
@click.argument("first", type=int)
@click.argument("second", type=int)
@click.argument("judgement", type=click.Choice(curation.JUDGEMENTS))
@_annotator
def judge(path: Path, first: int, second: int, judgement: str, annotator: str | None) -> None:
    """Judge a proposed pair of entities: same, not_same or skip (kept; same does not combine)."""
    with open_case(path) as case:
        curation.judge_pair(case, first, second, judgement, annotator=_who(annotator))
    click.echo(f"entities {first} and {second}: {judgement}")


def _excerpt_page(case: Case, item: dict[str, Any]) -> PagePlace | None:
    """The page (or pages) an excerpt of a paged document is on; None for a
    document without pages, or a damaged row whose span is not two numbers."""
    span = [item.get(name) for name in ("source_id", "start", "end")]
    numbers = [value for value in span if isinstance(value, int) and not isinstance(value, bool)]
    if len(numbers) != 3:
        return None
    source_id, start, end = numbers
    return page_place(case, source_id, start, end)


@click.command()
@click.argument("path", type=PATH)
@click.argument("kind", type=KINDS)
@click.argument("item_id", type=int)
@click.option("--include-retired", is_flag=True,
              help="List the retired items linked to it too (marked retired).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(path: Path, kind: str, item_id: int, include_retired: bool, as_json: bool) -> None:
    """Item ITEM_ID of KIND: its current values, version, state, history and the
    items linked to it (up to 200 of each kind; retired ones with --include-retired)."""
    with open_case(path, read_only=True) as case:
        state = curation.item_state(case, kind, item_id, links=True,
                                    include_retired=include_retired)
        place = _excerpt_page(case, state.item) if kind == "excerpt" else None
    if as_json:
        shown = state.model_dump(mode="json")
        if place is not None:
            shown["page"] = {"label": place.label, **place.model_dump(mode="json")}
        echo_json(shown)
        return
    item = state.item
    click.echo(f"{kind} {item_id} (version {item['version']}"
               f"{', retired' if state.retired else ''}) uid {item.get('uid', '')}")
    if state.damage:
        click.echo(f"  damaged: {line(state.damage, 300)}")
    for name, value in item.items():
        if name == "languages":   # written with the aliases
            continue
        if name == "aliases":   # each with its language tag, as 'revise aliases=' takes them
            languages = {str(pair[0]): str(pair[1]) for pair in item.get("languages", ())
                         if len(pair) == 2}
            value = [with_language(str(alias), languages.get(str(alias), "")) for alias in value]
        if name not in ("id", "uid", "version"):
            click.echo(f"  {name}: {_value(value)}")
    if place is not None:  # a paged document (a PDF): on which page, and where on it
        box = place.box
        where = f" (x {box.x0:.0f}–{box.x1:.0f}, y {box.y0:.0f}–{box.y1:.0f} pt)" if box else ""
        click.echo(f"  page: {line(place.label)}{where}")
    for revision in state.revisions:
        changes = "; ".join(f"{name}: {_value(old)} → {_value(new)}"
                            for name, (old, new) in revision.fields.items())
        click.echo(f"  {revision.at} {line(revision.annotator)} v{revision.version}"
                   f"{' undo' if revision.undoes else ''}: {changes}"
                   f"{' (' + line(revision.note) + ')' if revision.note else ''}")
    for retirement in state.retirements:
        click.echo(f"  {retirement.at} {line(retirement.annotator)} "
                   f"{'retired' if retirement.retired else 'restored'}"
                   f"{': ' + line(retirement.reason) if retirement.reason else ''}")
    for combination in state.combinations:
        undone = f", undone by {line(combination.undone_by)}" if combination.undone_at else ""
        click.echo(f"  {combination.at} {line(combination.annotator)} combined "
                   f"{combination.absorbed_uid} into {combination.kept_uid}{undone}")
    for conflict in state.conflicts:
        click.echo("  unsettled: " + "\n  ".join(conflict_lines(conflict)))
    if state.links:
        click.echo("  linked:")
    for link in state.links:
        role = f" ({line(link.role)})" if link.role else ""
        click.echo(f"    {link.kind} {link.id}{role}{' retired' if link.retired else ''}: "
                   f"{line(link.label, 100)}")


@click.command()
@click.argument("path", type=PATH)
@click.option("--kind", type=click.Choice([*KINDS.choices, "source"]), default=None)
@click.option("--id", "item_id", type=int, default=None, help="One item (with --kind).")
@click.option("--annotator", default=None, help="Only what this person did.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def log(path: Path, kind: str | None, item_id: int | None, annotator: str | None, limit: int,
        as_json: bool) -> None:
    """The case's activity, newest first: sources and relationships added,
    revisions, retirements, combinations, judgements and marks."""
    with open_case(path, read_only=True) as case:
        entries = curation.activity(case, kind=kind, item_id=item_id, annotator=annotator,
                                    limit=limit)
    if as_json:
        echo_json([entry.model_dump(mode="json") for entry in entries])
        return
    for entry in entries:
        detail = entry.detail
        if entry.action in ("revised", "undid a revision"):
            detail = ", ".join(json.loads(detail))
        where = f"{entry.kind} {entry.item_id if entry.item_id is not None else entry.item_uid}"
        click.echo(f"{entry.at}\t{line(entry.annotator) or '-'}\t{entry.action}\t{where}"
                   f"\t{line(detail, 80)}")


@click.command()
@click.argument("path", type=PATH)
@click.argument("conflict_id", metavar="ID", type=int)
@click.option("--keep", required=True, metavar="ours|theirs|VALUE",
              help="ours: the revision this file had first; theirs: the one a merge brought "
                   "in; anything else: the field's value (aliases: A|B@nl).")
@click.option("--note", default="", help="Why: kept with the revision.")
@click.option("--json", "as_json", is_flag=True, help="Print the revision as JSON.")
@_annotator
def settle(path: Path, conflict_id: int, keep: str, note: str, as_json: bool,
           annotator: str | None) -> None:
    """Settle field conflict ID (casebook conflicts lists them): a revision
    of the field to the value kept, on the record, and the conflict closed."""
    with open_case(path) as case:
        revision = curation.settle_conflict(case, conflict_id, keep, annotator=_who(annotator),
                                            note=note)
    if as_json:
        echo_json(revision.model_dump(mode="json"))
        return
    (field, (old, new)), = revision.fields.items()
    click.echo(f"conflict {conflict_id}: settled, {revision.item_kind} {field} "
               f"{_value(old)} → {_value(new)} (version {revision.version})")


def conflict_lines(conflict: curation.FieldConflict) -> list[str]:
    """A field conflict for ``casebook conflicts``: what, then each side."""
    where = conflict.item_id if conflict.item_id is not None else conflict.item_uid
    lines = [f"conflict {conflict.id}: {conflict.item_kind} {where} {conflict.field} "
             f"(now {_value(conflict.now)})"]
    for side, revision in (("ours", conflict.ours), ("theirs", conflict.theirs)):
        lines.append(f"    {side:<6} {_value(revision.fields[conflict.field][1])}  "
                     f"by {line(revision.annotator)} at {revision.at}"
                     + (f": “{line(revision.note, 80)}”" if revision.note else ""))
    return lines


COMMANDS = (add, revise, retire, restore, combine, uncombine, likely_duplicates, judge, show, log,
            settle)
